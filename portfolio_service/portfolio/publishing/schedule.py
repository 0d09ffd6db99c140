"""When a portfolio is public, and the moments it becomes public or stops being public.

Public: ``is_active``, and ``publish_at`` null or past, and ``unpublish_at`` null
or future. Reads decide it at the second they run (``public_clause`` in SQL,
``is_public`` on a document), so nothing waits for a job to flip a flag.

Those moments are events for whatever must follow a change of what the public
sees (the webhooks): ``published`` and ``unpublished`` are sent inside the
transaction that made the change, by writes (``visibility_changed``) and, for a
schedule's boundary, by ``find_schedule_boundaries``: queued for the moment a
boundary written passes, and run every minute by the workers as well. So are
``updated`` (a public portfolio changed) and ``deleted`` (a public one deleted).
A receiver adds its rows to the same session, so they commit with the change or
not at all.
"""

from __future__ import annotations

import logging
from datetime import datetime

from blinker import Namespace
from huey import crontab
from sqlalchemy import ColumnElement, and_, event, or_, select
from sqlalchemy.exc import IntegrityError

from ...database import utcnow, writing
from ...extensions import db
from ...jobs import enqueue, job
from ..models import Portfolio
from .models import Revision, ScheduleMark

log = logging.getLogger(__name__)
signals = Namespace()
#: Each sent with ``portfolio_id``, ``slug`` and ``at``.
published = signals.signal("portfolio-published")  # it became public
unpublished = signals.signal("portfolio-unpublished")  # it stopped being public
updated = signals.signal("portfolio-updated")  # a public portfolio changed and stays public
deleted = signals.signal("portfolio-deleted")  # a public portfolio was deleted
WATCH = "schedule_boundaries"


def is_public(
    is_active: bool, publish_at: datetime | None, unpublish_at: datetime | None, now: datetime
) -> bool:
    return (
        is_active
        and (publish_at is None or publish_at <= now)
        and (unpublish_at is None or unpublish_at > now)
    )


def public_clause(now: datetime) -> ColumnElement[bool]:
    """``is_public`` as SQL, for the portfolios table."""
    return and_(
        Portfolio.is_active,
        or_(Portfolio.publish_at.is_(None), Portfolio.publish_at <= now),
        or_(Portfolio.unpublish_at.is_(None), Portfolio.unpublish_at > now),
    )


def visibility_changed(
    portfolio_id: int, slug: str | None, was_public: bool, now_public: bool, at: datetime
) -> None:
    """Send ``published`` or ``unpublished`` if a change made the portfolio public or not."""
    if was_public != now_public:
        (published if now_public else unpublished).send(portfolio_id=portfolio_id, slug=slug, at=at)


def watch(*moments: datetime | None) -> None:
    """Have ``find_schedule_boundaries`` run as each future moment passes (once this transaction commits)."""
    now = utcnow()
    future = {moment for moment in moments if moment is not None and moment > now}
    if future:
        db.session.info.setdefault(WATCH, set()).update(future)


def _after_commit(session) -> None:
    for moment in session.info.pop(WATCH, ()):
        try:
            enqueue("find_schedule_boundaries", delay=(moment - utcnow()).total_seconds() + 0.5)
        except Exception:  # the queue is away: the workers' minute-by-minute run finds it
            log.exception("could not queue the schedule boundary at %s", moment)


def _after_rollback(session) -> None:
    session.info.pop(WATCH, None)


def listen(session) -> None:
    """Queue the boundary checks that committed writes asked for (once, however many apps)."""
    for name, hook in (("after_commit", _after_commit), ("after_rollback", _after_rollback)):
        if not event.contains(session, name, hook):
            event.listen(session, name, hook)


def _window_written_since(portfolio_id: int, moment: datetime) -> bool:
    """Whether a revision at or after ``moment`` changed the portfolio's publishing window or state."""
    recent = select(Revision.changes).where(
        Revision.portfolio_id == portfolio_id, Revision.created_at >= moment
    )
    return any(WINDOW & changes.keys() for changes in db.session.scalars(recent))


WINDOW = frozenset({"is_active", "publish_at", "unpublish_at"})


@job(periodic=crontab(minute="*"))
def find_schedule_boundaries() -> None:
    """Send the events of the ``publish_at`` and ``unpublish_at`` boundaries passed since the last look.

    The first look only sets the mark: boundaries from before it were never
    announced, and announcing them all at once now would be noise.
    """
    with writing():
        mark = db.session.scalar(select(ScheduleMark).where(ScheduleMark.id == 1).with_for_update())
        now = utcnow()
        if mark is None:
            db.session.add(ScheduleMark(id=1, checked_until=now))
            try:
                db.session.commit()
            except IntegrityError:  # another worker's first look, at the same moment
                db.session.rollback()
            return
        since = mark.checked_until
        columns = (
            Portfolio.id,
            Portfolio.slug,
            Portfolio.is_active,
            Portfolio.publish_at,
            Portfolio.unpublish_at,
        )
        crossed = select(*columns).where(
            or_(
                and_(Portfolio.publish_at > since, Portfolio.publish_at <= now),
                and_(Portfolio.unpublish_at > since, Portfolio.unpublish_at <= now),
            )
        )
        for portfolio_id, slug, is_active, publish_at, unpublish_at in db.session.execute(crossed).all():
            passed = [moment for moment in (publish_at, unpublish_at) if moment and since < moment <= now]
            if _window_written_since(portfolio_id, min(passed)):
                continue  # a write moved the window past this moment itself, and told its change then
            before = is_public(is_active, publish_at, unpublish_at, since)
            after = is_public(is_active, publish_at, unpublish_at, now)
            visibility_changed(portfolio_id, slug, before, after, now)
        mark.checked_until = now
        db.session.commit()
