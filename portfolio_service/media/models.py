"""A media file, its thumbnails, and where else in the schema it is used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model

UNITS = ("B", "KB", "MB", "GB", "TB")


def human_readable_size(size: int) -> str:
    """1024-based, two decimals: 73062 → ``"71.35 KB"``."""
    value = float(size)
    for unit in UNITS:
        if value < 1024 or unit == UNITS[-1]:
            return f"{value:.2f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


#: The longest alt text (section 9 of the contract).
ALT_LENGTH = 500


class Media(Model):
    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(512), unique=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    size: Mapped[int]
    width: Mapped[int | None]
    height: Mapped[int | None]
    mode: Mapped[str | None] = mapped_column(String(16))
    alt: Mapped[str] = mapped_column(String(ALT_LENGTH), default="", server_default="")
    # Responsive images (section 9): where the subject is, a placeholder, and the variants' state.
    focal_x: Mapped[float] = mapped_column(default=0.5, server_default="0.5")
    focal_y: Mapped[float] = mapped_column(default=0.5, server_default="0.5")
    placeholder_color: Mapped[str | None] = mapped_column(String(7))
    placeholder_thumbhash: Mapped[str | None] = mapped_column(String(64))
    variants_status: Mapped[str] = mapped_column(
        String(16), default="none", server_default="none", index=True
    )
    #: When the variants were last asked for: the sweep re-queues media pending for too long.
    variants_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    thumbnails: Mapped[list[Thumbnail]] = relationship(
        cascade="all, delete-orphan", order_by="Thumbnail.size", lazy="selectin", passive_deletes=True
    )
    #: The variants, in the contract's order: ``{"format", "width", "height", "size", "crop", "path"}``.
    #: One JSON value on the row: always replaced whole, and read with the media at no extra query.
    variants: Mapped[list[dict]] = mapped_column(JSON, default=list, server_default="[]")

    @property
    def human_readable_size(self) -> str:
        return human_readable_size(self.size)

    @property
    def paths(self) -> list[str]:
        """The original's path, every thumbnail's and every variant's."""
        return [
            self.path,
            *(thumbnail.path for thumbnail in self.thumbnails),
            *(variant["path"] for variant in self.variants),
        ]

    @property
    def focal_point(self) -> dict:
        return {"x": self.focal_x, "y": self.focal_y}

    @focal_point.setter
    def focal_point(self, value: dict) -> None:
        self.focal_x, self.focal_y = value["x"], value["y"]

    @property
    def placeholder(self) -> dict | None:
        if self.placeholder_color is None:
            return None
        return {"color": self.placeholder_color, "thumbhash": self.placeholder_thumbhash}


class Thumbnail(Model):
    __tablename__ = "thumbnail"
    __table_args__ = (UniqueConstraint("media_id", "size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="CASCADE"))
    size: Mapped[int]  # the edge of the square box it fits in
    path: Mapped[str] = mapped_column(String(512), unique=True)
    width: Mapped[int]
    height: Mapped[int]
