"""Revisions: each change to a portfolio's live state, numbered, with the document right after it.

A revision stores what moved (``{key: [old, new]}`` over the document's keys);
every ``SNAPSHOT_EVERY``-th, a portfolio's first, and any that follows a change made
without a revision (a tag renamed, a media deleted), also the whole document.
The document of revision N is the last snapshot at or before N with the newer
values of the revisions after it: at most ``SNAPSHOT_EVERY`` small rows.
"""

from __future__ import annotations

from datetime import datetime

import orjson
from flask import g
from sqlalchemy import Table, bindparam, func, select

from ...database import utcnow
from ...extensions import db
from ..documents import Document
from . import schedule
from .models import Revision
from .schedule import is_public, visibility_changed

SNAPSHOT_EVERY = 50
#: Keys of a document that say nothing about the portfolio itself.
NOT_CONTENT = frozenset({"has_draft"})


def parsed(document: Document | None) -> dict | None:
    return None if document is None else orjson.loads(document.body)


def diff(before: dict | None, after: dict) -> dict:
    """``{key: [old, new]}`` for every key of ``after`` whose value is not ``before``'s."""
    before = before or {}
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if key not in NOT_CONTENT and before.get(key) != value
    }


def _when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def public(document: dict | None, now: datetime) -> bool:
    if document is None:
        return False
    window = _when(document["publish_at"]), _when(document["unpublish_at"])
    return is_public(document["is_active"], *window, now)


_TABLE: Table = Revision.__table__  # type: ignore[assignment]
_LATEST = (
    select(_TABLE.c.number, _TABLE.c.etag)
    .where(_TABLE.c.portfolio_id == bindparam("pid"))
    .order_by(_TABLE.c.number.desc())
    .limit(1)
)


def record(portfolio_id: int, action: str, before: Document | None, after: Document) -> dict | None:
    """Add the revision of a change from document ``before`` (None: created) to ``after``; its changes.

    Nothing is recorded when nothing moved, except for a publish or a restore,
    which are always there to see. The change's visibility events go out here too.
    A plain INSERT, as every write of the hot PATCH path is.
    """
    old, new = parsed(before), orjson.loads(after.body)
    changes = diff(old, new)
    if not changes and action not in ("publish", "restore"):
        return None
    latest = db.session.execute(_LATEST, {"pid": portfolio_id}).first()
    number = latest.number + 1 if latest else 1
    # The live document moves without revisions too (a tag renamed, a media deleted): when it is
    # not what the last revision left (its ETag says), this one keeps a snapshot, so that every
    # revision's document stays exact.
    drifted = latest is None or before is None or latest.etag != before.etag
    caller = g.get("caller")
    db.session.execute(
        _TABLE.insert(),
        {
            "portfolio_id": portfolio_id,
            "number": number,
            "created_at": utcnow(),
            "user_id": caller.user_id if caller else None,
            "username": caller.username if caller else None,
            "action": action,
            "changes": changes,
            "snapshot": new if drifted or number % SNAPSHOT_EVERY == 0 else None,
            "etag": after.etag,
        },
    )
    now = utcnow()
    was, now_public = public(old, now), public(new, now)
    visibility_changed(portfolio_id, new["slug"], was, now_public, now)
    if was and now_public and set(changes) - {"updated_at"}:
        schedule.updated.send(portfolio_id=portfolio_id, slug=new["slug"], at=now)
    schedule.watch(*(_when(new[name]) for name in ("publish_at", "unpublish_at")))
    return changes


def _replayed(portfolio_id: int, number: int | None = None) -> tuple[int, dict] | None:
    """The number of revision ``number`` (the latest when None) and its document, from the last
    snapshot at or before it and the changes after: one query."""
    bounds = [Revision.portfolio_id == portfolio_id] + ([Revision.number <= number] if number else [])
    start = select(func.max(Revision.number)).where(*bounds, Revision.snapshot.isnot(None)).scalar_subquery()
    rows = db.session.execute(
        select(Revision.number, Revision.changes, Revision.snapshot)
        .where(*bounds, Revision.number >= start)
        .order_by(Revision.number)
    ).all()
    if not rows or (number is not None and rows[-1].number != number):
        return None
    document = dict(rows[0].snapshot)
    for row in rows[1:]:
        document.update((key, values[1]) for key, values in row.changes.items())
    return rows[-1].number, document


def document_at(portfolio_id: int, number: int) -> dict | None:
    """The portfolio's document right after revision ``number``; None if there is no such revision."""
    found = _replayed(portfolio_id, number)
    return None if found is None else found[1]
