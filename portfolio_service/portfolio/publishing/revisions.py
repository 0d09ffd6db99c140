"""Revisions: each change to a portfolio's live state, numbered, with the document right after it.

A revision stores what moved since the revision before (``{key: [old, new]}``
over the document's keys), and on a portfolio's first and every
``SNAPSHOT_EVERY``-th, the whole document. The document of revision N is the last
snapshot at or before N with the newer values of the revisions after it: at most
``SNAPSHOT_EVERY`` small rows. Diffing against the previous revision's document,
not the live one, keeps that exact when the live document moved without a
revision (a tag renamed, a media deleted): the next revision carries that too.
Each process remembers the last revision's document of the portfolios it wrote,
so a write replays nothing when it wrote the one before.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from flask import g
from sqlalchemy import Row, Table, bindparam, exists, func, select

from ...database import utcnow
from ...errors import NotFound
from ...extensions import db
from ..documents import Document, documents
from ..documents.cache import caches
from ..models import Portfolio
from ..writes import portfolio_for_update
from . import schedule
from .models import Draft, Revision
from .schedule import is_public, visibility_changed

SNAPSHOT_EVERY = 50
#: Keys of a document that say nothing about the portfolio itself.
NOT_CONTENT = frozenset({"has_draft"})


def diff(before: dict | None, after: dict) -> dict:
    """``{key: [old, new]}`` for every key of ``after`` whose value is not ``before``'s."""
    before = before or {}
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if key not in NOT_CONTENT and before.get(key) != value
    }


_TABLE: Table = Revision.__table__  # type: ignore[assignment]
_DRAFTS: Table = Draft.__table__  # type: ignore[assignment]
_PORTFOLIOS: Table = Portfolio.__table__  # type: ignore[assignment]


def _latest(column):
    query = select(column).where(_TABLE.c.portfolio_id == bindparam("id"))
    return query.order_by(_TABLE.c.number.desc()).limit(1).scalar_subquery()


#: A portfolio's last revision (number and ETag; null when it has none), and whether it has a draft.
_BASE_COLUMNS = (
    _latest(_TABLE.c.number).label("revision_number"),
    _latest(_TABLE.c.etag).label("revision_etag"),
    exists().where(_DRAFTS.c.portfolio_id == bindparam("id")).label("has_draft"),
)
_BASE = select(*_BASE_COLUMNS)
_ROW_AND_BASE = select(_PORTFOLIOS, *_BASE_COLUMNS).where(_PORTFOLIOS.c.id == bindparam("id"))


@dataclass(frozen=True)
class Base:
    """What a change's revision is taken against, read once the portfolio is locked, before the change.

    ``portfolio`` is its row then (None: a new portfolio) and ``latest`` its last
    revision's number and ETag. A portfolio with no revision yet (made before
    revisions were kept, or by the CLI) has its live ``document`` instead.
    ``has_draft`` comes along in the same query, for the answer to an editor.
    """

    portfolio: Row | None
    latest: tuple[int, str] | None
    document: dict | None = None
    has_draft: bool = False


#: The base of a new portfolio's first revision.
CREATED = Base(None, None)


def locked(portfolio_id: int) -> tuple[Row, Base]:
    """The portfolio's row for a write (404 if there is none; see ``portfolio_for_update``) and
    the base of the revision a change to it records.

    On SQLite, whose BEGIN IMMEDIATE already serialises writers, one query reads
    both. PostgreSQL reads the base once the row is locked, in a statement of its
    own: one that waited for the lock still sees only what was committed before it began.
    """
    if db.engine.dialect.name == "sqlite":
        row = db.session.execute(_ROW_AND_BASE, {"id": portfolio_id}).first()
        if row is None:
            raise NotFound()
        return row, _base(row, row)
    row = portfolio_for_update(portfolio_id)
    return row, _base(row, db.session.execute(_BASE, {"id": portfolio_id}).one())


def _base(portfolio: Row, found: Row) -> Base:
    """The base read into ``found`` (the base columns); a portfolio with no revision yet has its live
    document."""
    if found.revision_number is not None:
        return Base(portfolio, (found.revision_number, found.revision_etag), has_draft=found.has_draft)
    live = orjson.loads(documents([portfolio.id])[portfolio.id].body)
    return Base(portfolio, None, live, has_draft=found.has_draft)


def record(portfolio_id: int, action: str, base: Base, after: Document, changed: bool = True) -> dict | None:
    """Add the revision of a change from ``base`` that left the live document ``after``; its changes.

    Nothing is recorded when the write ``changed`` nothing, or nothing moved
    since the last revision, except for a publish or a restore, which are always
    there to see. (A write that changed nothing may still find the document
    moved since: a tag renamed, or media URLs shown at another host. That waits
    for the next revision.) The change's visibility events go out here too. A
    plain INSERT, as every write of the hot PATCH path is.
    """
    new = orjson.loads(after.body)
    changes = diff(_document(portfolio_id, base), new)
    if not (changed and changes) and action not in ("publish", "restore"):
        return None
    number = base.latest[0] + 1 if base.latest else 1
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
            "snapshot": new if number == 1 or number % SNAPSHOT_EVERY == 0 else None,
            "etag": after.etag,
        },
    )
    # Kept before the commit: a rolled-back number is found again only with this very document.
    caches().revisions.put(portfolio_id, (number, after.etag), new)
    now, was = utcnow(), base.portfolio
    was_public = was is not None and is_public(was.is_active, was.publish_at, was.unpublish_at, now)
    now_public = after.public(now)
    visibility_changed(portfolio_id, new["slug"], was_public, now_public, now)
    if was_public and now_public and set(changes) - {"updated_at"}:
        schedule.updated.send(portfolio_id=portfolio_id, slug=new["slug"], at=now)
    schedule.watch(after.publish_at, after.unpublish_at)
    return changes


def _document(portfolio_id: int, base: Base) -> dict | None:
    """The document the change started from as revisions know it: the last revision's, remembered
    or replayed (keyed by its number and ETag: another process's revision, or one rolled back,
    is replayed), or the base's own."""
    if base.latest is None:
        return base.document
    remembered = caches().revisions.get(portfolio_id, base.latest)
    if remembered is not None:
        return remembered
    return document_at(portfolio_id, base.latest[0])


def document_at(portfolio_id: int, number: int) -> dict | None:
    """The portfolio's document right after revision ``number`` (None if there is no such revision):
    the last snapshot at or before it with the changes after, from one query."""
    bounds = [Revision.portfolio_id == portfolio_id, Revision.number <= number]
    start = select(func.max(Revision.number)).where(*bounds, Revision.snapshot.isnot(None)).scalar_subquery()
    rows = db.session.execute(
        select(Revision.number, Revision.changes, Revision.snapshot)
        .where(*bounds, Revision.number >= start)
        .order_by(Revision.number)
    ).all()
    if not rows or rows[-1].number != number:
        return None
    document = dict(rows[0].snapshot)
    for row in rows[1:]:
        document.update((key, values[1]) for key, values in row.changes.items())
    return document
