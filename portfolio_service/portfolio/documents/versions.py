"""The version row that tells every process whether what it remembers is current.

``version`` moves with every write to a table a portfolio document shows,
``media_version`` with writes to the media tables, in the writing
transaction, whichever process or host made it. The tables are found from
the models' foreign keys (as ``media/references.py`` finds media users), so
a new nested relation moves the versions the moment its model exists.
``webhooks_version`` moves with writes to the webhooks, so that a writer knows
whether any wants its events (``webhooks/events.py``), and ``drafts_version``
when a draft is made or dropped, and when a portfolio is deleted (its draft goes
with it), so that editors' reads know which portfolios have one (``publishing/drafts.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy import Table, event, select
from sqlalchemy.orm import Session, scoped_session

from ...database import WEBHOOKS_SEEN
from ...extensions import db
from ..models import ContentVersion

VERSIONS: Table = ContentVersion.__table__  # type: ignore[assignment]
VERSIONS_QUERY = select(VERSIONS.c.version, VERSIONS.c.media_version, VERSIONS.c.drafts_version).where(
    VERSIONS.c.id == 1
)


class Versions(NamedTuple):
    content: int
    media: int
    drafts: int


def current_versions() -> Versions:
    return Versions(*db.session.execute(VERSIONS_QUERY).one())


@functools.cache
def document_tables() -> tuple[frozenset[str], frozenset[str]]:
    """The tables portfolio documents show, and those of them that move ``media_version`` too.

    Shown: every table joined to ``portfolio`` through foreign keys, either
    way (its links, meta, tag and gallery rows; the employers, tags and
    media they point at; the media's thumbnails), except the tables that keep
    things beside a portfolio and are marked so (``info={"document": False}``:
    its draft, revisions and preview links). The media tables: ``media``
    and the tables it owns, whose every foreign key points at it, deleted with it.
    """
    tables = {name: table for name, table in db.metadata.tables.items() if table.info.get("document", True)}
    neighbours: dict[str, set[str]] = {name: set() for name in tables}
    for table in tables.values():
        for key in table.foreign_keys:
            if key.column.table.name not in tables:
                continue
            neighbours[table.name].add(key.column.table.name)
            neighbours[key.column.table.name].add(table.name)
    shown, frontier = {"portfolio"}, ["portfolio"]
    while frontier:
        for name in neighbours[frontier.pop()] - shown:
            shown.add(name)
            frontier.append(name)
    owned = {
        table.name
        for table in tables.values()
        if table.foreign_keys
        and all(key.column.table.name == "media" and key.ondelete == "CASCADE" for key in table.foreign_keys)
    }
    return frozenset(shown), frozenset({"media"} | owned)


# Every flush or bulk statement that touches a shown table (or the webhooks, or adds or
# removes a draft) marks the session; its commit moves the versions in the same transaction.

MARKS = "content_changed"
#: ``session.info`` key: this transaction moved the versions (it is writing, and not committed yet).
MOVED = "versions_moved"


def _mark(session: Session, table_name: str | None, change: str) -> None:
    """Mark the session for a ``change`` (insert, update, delete) to ``table_name``."""
    shown, media = document_tables()
    if table_name in shown:
        marks = {"media" if table_name in media else "content"}
        if change == "delete" and table_name == "portfolio":  # its draft goes too (ON DELETE CASCADE)
            marks.add("drafts")
    elif table_name == "webhook":
        marks = {"webhooks"}
    elif table_name == "portfolio_draft" and change != "update":  # which portfolios have one
        marks = {"drafts"}
    else:
        return
    session.info.setdefault(MARKS, set()).update(marks)


def _mark_flush(session: Session, _context, _instances) -> None:
    for change, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            _mark(session, getattr(obj, "__tablename__", None), change)


def _mark_statement(state) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table_name = getattr(getattr(state.statement, "table", None), "name", None)
        _mark(
            state.session,
            table_name,
            "update" if state.is_update else "delete" if state.is_delete else "insert",
        )


@functools.cache
def _move(marks: frozenset[str]):
    """The statement moving the versions for ``marks`` (``content``, ``media``, ``webhooks``, ``drafts``)."""
    c = VERSIONS.c
    values = {}
    if marks & {"content", "media"}:
        values["version"] = c.version + 1
    if "media" in marks:
        values["media_version"] = c.media_version + 1
    if "webhooks" in marks:
        values["webhooks_version"] = c.webhooks_version + 1
    if "drafts" in marks:
        values["drafts_version"] = c.drafts_version + 1
    statement = VERSIONS.update().where(c.id == 1).values(**values)
    return statement.returning(c.version, c.media_version, c.drafts_version, c.webhooks_version)


def move_versions(session: Session | scoped_session) -> Versions | None:
    """Move the versions for what the session marked (content, media, webhooks, drafts); the new
    ones, or None if it marked nothing.

    The webhooks' version comes along, kept in ``session.info`` until the transaction
    ends: it is read under the version row's lock, so no change to the webhooks can
    commit between it and this transaction's commit.
    """
    marks = session.info.pop(MARKS, None)
    if not marks:
        return None
    *versions, webhooks_version = session.execute(_move(frozenset(marks))).one()
    session.info[MOVED] = True
    if "webhooks" not in marks:  # a version this transaction made is not known until it commits
        session.info[WEBHOOKS_SEEN] = webhooks_version
    return Versions(*versions)


def _move_versions(session: Session) -> None:
    session.flush()  # pending changes mark the session now, not after this hook
    move_versions(session)


def _transaction_ended(session: Session, transaction) -> None:
    if transaction.parent is None:  # committed, rolled back or closed; a savepoint's end is not
        session.info.pop(WEBHOOKS_SEEN, None)
        session.info.pop(MOVED, None)


HOOKS: dict[str, Callable[..., None]] = {
    "before_flush": _mark_flush,
    "do_orm_execute": _mark_statement,
    "before_commit": _move_versions,
    "after_transaction_end": _transaction_ended,
}


def listen(session: scoped_session) -> None:
    """Move the versions with every commit of ``session``'s sessions (once, however many apps)."""
    for name, hook in HOOKS.items():
        if not event.contains(session, name, hook):
            event.listen(session, name, hook)
