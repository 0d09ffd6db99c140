"""What each worker says of itself, so that admins see which workers are alive and busy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import Model


class Worker(Model):
    __tablename__ = "job_worker"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)  # host:pid
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    job: Mapped[str | None] = mapped_column(String(200))  # what it runs now, or None when idle
    job_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Failure(Model):
    """A job that failed its last try: what it was, and why."""

    __tablename__ = "job_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(200))  # name(args)
    error: Mapped[str] = mapped_column(String(1000))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
