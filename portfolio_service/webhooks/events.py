"""Events: recorded as outbox rows in the transaction of the change they report.

A committed change never loses its event, and a rolled-back one never sends one.
After a commit that wrote events, the batching job is queued for when the debounce
window of the first one closes; the workers' sweep catches any that could not be queued.

An event that no active webhook wants is not recorded, when the transaction knows
that: once it moved the versions, it holds the webhooks' version, and no change to
the webhooks can commit before it does (``portfolio/documents/versions.py``). Each
app remembers which types its webhooks want at that version.
"""

from __future__ import annotations

import logging
import time

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session, scoped_session

from ..database import WEBHOOKS_SEEN, utcnow
from ..extensions import db
from ..jobs import enqueue
from .models import OutboxEvent, Webhook

log = logging.getLogger(__name__)

TYPES = [
    "portfolio.published",
    "portfolio.unpublished",
    "portfolio.updated",
    "portfolio.deleted",
    "media.updated",
    "media.deleted",
    "employer.updated",
    "tag.updated",
]
PENDING = "webhook_events"
INSERT = OutboxEvent.__table__.insert()  # type: ignore[attr-defined]  # a Table


def emit(type: str, object_type: str, object_id: int, slug: str | None = None) -> None:
    """Record an event in the session's transaction; it goes out after the commit, batched. Not
    when the transaction knows that no active webhook wants it."""
    seen = db.session.info.get(WEBHOOKS_SEEN)
    if seen is not None and not _wanted(type, seen):
        return
    row = {"type": type, "object_type": object_type, "object_id": object_id, "slug": slug, "at": utcnow()}
    db.session.execute(INSERT, {**row, "dispatched": False})  # a plain INSERT: it runs on every public write
    db.session.info[PENDING] = True


def _wanted(type: str, webhooks_version: int) -> bool:
    """Whether an active webhook wants events of ``type``, as the webhooks stand at ``webhooks_version``."""
    remembered = current_app.extensions.get("webhook_types")
    if remembered is None or remembered[0] != webhooks_version:
        types = frozenset().union(*db.session.scalars(select(Webhook.events).where(Webhook.is_active)))
        remembered = current_app.extensions["webhook_types"] = (webhooks_version, types)
    return "*" in remembered[1] or type in remembered[1]


def _portfolio(type: str):
    def receive(_sender, *, portfolio_id: int, slug: str | None = None, **_ignored) -> None:
        emit(type, "portfolio", portfolio_id, slug)

    return receive


#: One receiver per event type, kept here: blinker holds its receivers weakly.
RECEIVERS: dict = {}


#: Until when (``time.monotonic()``) a batch job this process queued is still to run: events
#: committed before then are in its window, or in the next one it queues (see ``dispatch_events``).
_batch_queued_until = 0.0


def _after_commit(session: Session) -> None:
    global _batch_queued_until
    if not session.info.pop(PENDING, False) or time.monotonic() < _batch_queued_until:
        return
    window = current_app.config["WEBHOOK_DEBOUNCE_SECONDS"]
    try:
        enqueue("dispatch_events", delay=window)
        _batch_queued_until = time.monotonic() + window
    except Exception:  # the queue is away: the workers' sweep sends them
        log.exception("could not queue the webhook batch; the sweep will")


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


def listen(session: scoped_session) -> None:
    """Turn publishing's signals into events, and queue their batch after each commit (once)."""
    from ..portfolio.publishing import schedule  # the portfolio package imports emit() from here

    for signal, type in (
        (schedule.published, "portfolio.published"),
        (schedule.unpublished, "portfolio.unpublished"),
        (schedule.updated, "portfolio.updated"),
        (schedule.deleted, "portfolio.deleted"),
    ):
        RECEIVERS.setdefault(type, _portfolio(type))
        signal.connect(RECEIVERS[type])
    for name, hook in (("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(session, name, hook):
            event.listen(session, name, hook)
