"""What publishing keeps beside a portfolio: its draft, its revisions, its preview links.

None of these tables is part of a portfolio's public document, so writing them
moves no document version (``info={"document": False}``, see ``documents/versions.py``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ...database import UTCDateTime, utcnow
from ...extensions import Model

APART = {"document": False}


class Draft(Model):
    """Changes to a live portfolio kept aside: the request fields as sent, merged, until published."""

    __tablename__ = "portfolio_draft"
    __table_args__ = {"info": APART}

    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio.id", ondelete="CASCADE"), primary_key=True
    )
    changes: Mapped[dict] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Revision(Model):
    """One change to a portfolio's live state: who, when, which action, the fields' old and new values.

    ``changes`` holds every key of the document that moved; ``snapshot`` the whole
    document, kept on a portfolio's first revision and every ``SNAPSHOT_EVERY``-th,
    so that any revision's document is a snapshot plus a few changes, and storage
    grows with the changes rather than with the document.
    """

    __tablename__ = "portfolio_revision"
    __table_args__ = (UniqueConstraint("portfolio_id", "number"), {"info": APART})

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolio.id", ondelete="CASCADE"))
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(16))
    changes: Mapped[dict] = mapped_column(JSON)
    snapshot: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    #: The ETag of the document right after it: the next revision knows whether anything moved between.
    etag: Mapped[str | None] = mapped_column(String(32))

    @property
    def user(self) -> dict | None:
        return None if self.user_id is None else {"id": self.user_id, "username": self.username}


class ShareLink(Model):
    """A preview link for someone without an account; the token itself is never stored."""

    __tablename__ = "share_link"
    __table_args__ = {"info": APART}

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolio.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    max_uses: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScheduleMark(Model):
    """One row: up to when the schedule's boundaries have been looked at (see ``schedule.py``)."""

    __tablename__ = "schedule_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_until: Mapped[datetime] = mapped_column(UTCDateTime)
