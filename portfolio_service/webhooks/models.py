"""Webhooks: the endpoints admins register, the events waiting to go out, and each delivery."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, iso, utcnow
from ..extensions import Model


class Webhook(Model):
    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The signing secret, encrypted with a key derived from SECRET_KEY (``secrets.py``).
    secret_encrypted: Mapped[str] = mapped_column(Text)

    def wants(self, event_type: str) -> bool:
        return "*" in self.events or event_type in self.events


class OutboxEvent(Model):
    """An event, written in the transaction of the change it reports; ``dispatched`` once batched."""

    __tablename__ = "webhook_event"
    __table_args__ = (Index("ix_webhook_event_pending", "dispatched", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int]
    slug: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched: Mapped[bool] = mapped_column(Boolean, default=False)

    def as_json(self) -> dict:
        return {
            "type": self.type,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "slug": self.slug,
            "at": iso(self.at),
        }


class Delivery(Model):
    """One message to one webhook: its signed body (kept, so a retry sends the same bytes) and attempts."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhook.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str] = mapped_column(String(40), unique=True)  # the webhook-id header
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, succeeded, failed
    events: Mapped[list[dict]] = mapped_column(JSON)
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[list[dict]] = mapped_column(JSON, default=list)
    #: When a worker may next try it (now, or a retry's time).
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: While an attempt runs: the end of its lease. Nobody else sends it until then.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
