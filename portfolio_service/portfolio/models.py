"""Portfolios and what they nest: employers, tags, gallery images, links and meta."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import Model, db
from ..media.models import Media

#: Text limits, shared by the columns and the schemas that validate them.
LIMITS = {
    "title": 200,
    "slug": 200,
    "excerpt": 500,
    "description": 20_000,
    "employer_name": 200,
    "employer_description": 5_000,
    "tag_name": 100,
    "link_name": 200,
    "url": 2_000,
    "link_description": 2_000,
    "meta_key": 100,
    "meta_value": 10_000,
}


class Employer(Model):
    """A client the work was done for (the source's "Client Data Structure")."""

    __tablename__ = "employer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(LIMITS["employer_name"]), unique=True)
    description: Mapped[str | None] = mapped_column(String(LIMITS["employer_description"]))
    image_id: Mapped[int | None] = mapped_column(ForeignKey("media.id"), index=True)

    image: Mapped[Media | None] = relationship()


class Tag(Model):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(LIMITS["tag_name"]), unique=True)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("media.id"), index=True)

    image: Mapped[Media | None] = relationship()


portfolio_tag = Table(
    "portfolio_tag",
    db.metadata,
    Column("portfolio_id", ForeignKey("portfolio.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class GalleryImage(Model):
    """One image of a portfolio's gallery, at its place in the gallery's order."""

    __tablename__ = "portfolio_image"

    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio.id", ondelete="CASCADE"), primary_key=True
    )
    media_id: Mapped[int] = mapped_column(
        ForeignKey("media.id", ondelete="CASCADE"), primary_key=True, index=True, info={"field": "images"}
    )
    position: Mapped[int]

    media: Mapped[Media] = relationship()


class Portfolio(Model):
    __tablename__ = "portfolio"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(LIMITS["title"]), unique=True)
    slug: Mapped[str] = mapped_column(String(LIMITS["slug"]), unique=True)
    excerpt: Mapped[str] = mapped_column(String(LIMITS["excerpt"]), default="")
    order: Mapped[int] = mapped_column(default=0, index=True)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("media.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(
        ForeignKey("employer.id", ondelete="SET NULL"), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    description: Mapped[str | None] = mapped_column(String(LIMITS["description"]))
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    unpublish_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    image: Mapped[Media | None] = relationship()
    employer: Mapped[Employer | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=portfolio_tag, order_by=Tag.id)
    gallery: Mapped[list[GalleryImage]] = relationship(
        order_by=GalleryImage.position, cascade="all, delete-orphan", passive_deletes=True
    )
    links: Mapped[list[Link]] = relationship(
        order_by="Link.id", cascade="all, delete-orphan", passive_deletes=True, back_populates="portfolio"
    )
    meta: Mapped[list[Meta]] = relationship(
        order_by="Meta.id", cascade="all, delete-orphan", passive_deletes=True, back_populates="portfolio"
    )

    @property
    def images(self) -> list[Media]:
        """The gallery's media, in gallery order."""
        return [item.media for item in self.gallery]

    @images.setter
    def images(self, media: list[Media]) -> None:
        self.gallery = [GalleryImage(media=item, position=index) for index, item in enumerate(media)]


class Link(Model):
    __tablename__ = "link"

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolio.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(LIMITS["link_name"]))
    url: Mapped[str | None] = mapped_column(String(LIMITS["url"]))
    description: Mapped[str | None] = mapped_column(String(LIMITS["link_description"]))
    image_id: Mapped[int | None] = mapped_column(ForeignKey("media.id"), index=True)

    portfolio: Mapped[Portfolio] = relationship(back_populates="links")
    image: Mapped[Media | None] = relationship()


class Meta(Model):
    __tablename__ = "meta"
    __table_args__ = (UniqueConstraint("portfolio_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolio.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(LIMITS["meta_key"]))
    value_text: Mapped[str | None] = mapped_column(String(LIMITS["meta_value"]))
    value_file_id: Mapped[int | None] = mapped_column(ForeignKey("media.id"), index=True)

    portfolio: Mapped[Portfolio] = relationship(back_populates="meta")
    value_file: Mapped[Media | None] = relationship()


class ContentVersion(Model):
    """One row counting changes to what portfolio documents show (see ``documents.py``).

    ``version`` moves on every change a document shows, ``media_version`` on
    changes to media and thumbnails only (rendered media outlive portfolio edits),
    ``webhooks_version`` on changes to the webhooks, ``drafts_version`` when a draft
    is made or dropped (which portfolios have one).
    """

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    media_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    webhooks_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    drafts_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


@event.listens_for(ContentVersion.__table__, "after_create")
def _first_version(table, connection, **kwargs) -> None:
    connection.execute(
        table.insert().values(id=1, version=0, media_version=0, webhooks_version=0, drafts_version=0)
    )
