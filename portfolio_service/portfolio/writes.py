"""How portfolios are written: the row locked for a write, its fields and its relation rows, as statements."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from slugify import slugify
from sqlalchemy import Delete, Insert, Row, Select, Table, Update, bindparam, or_, select

from ..database import utcnow
from ..errors import NotFound
from ..extensions import db
from .models import GalleryImage, Portfolio, portfolio_tag

_ROW = select(Portfolio.__table__).where(Portfolio.__table__.c.id == bindparam("id"))
_FOR_UPDATE = _ROW.with_for_update()


def portfolio_for_update(portfolio_id: int) -> Row:
    """A portfolio's row, for a write, or 404; what it nests is read when a change needs it.

    A plain row, not a mapped object: writes go out as statements (see
    ``apply_changes``), and loading the object cost more than the rest.
    Writers reach inactive portfolios too: their own code was checked, and
    deactivating a portfolio must not lock its editors out. Writers of one
    portfolio queue on its row (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises writers), so two PATCHes of its tags cannot interleave: the
    row comes back as the last writer left it, and the relations, read by
    later statements, too.
    """
    query = _FOR_UPDATE if db.engine.dialect.name != "sqlite" else _ROW
    row = db.session.execute(query, {"id": portfolio_id}).first()
    if row is None:
        raise NotFound()
    return row


def unique_slug(title: str, exclude_id: int | None = None) -> str:
    """A slug from ``title`` (transliterated), with ``-2``, ``-3``... when it is taken."""
    base = slugify(title, max_length=190, word_boundary=True) or "portfolio"
    query = select(Portfolio.slug).where(or_(Portfolio.slug == base, Portfolio.slug.like(f"{base}-%")))
    if exclude_id is not None:
        query = query.where(Portfolio.id != exclude_id)
    taken = set(db.session.scalars(query))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


# Tags and gallery are rows of their own (``portfolio_tag``, ``portfolio_image``),
# written by id: a change loads no tag or media object. Only the rows that
# change are written: deleting every row and inserting it again made the
# insert's foreign-key check wait on a tag being deleted, while the tag's
# cascade waited on that very row (a deadlock on PostgreSQL).


class _RowRelation(NamedTuple):
    column: str  # the related id's column
    ordered: bool  # a gallery keeps a position; tags are a set
    ids: Select  # the stored ids, in order
    delete: Delete  # the portfolio's rows for some ids
    insert: Insert
    move: Update | None  # a kept row's new position


def _row_relation(table, column: str) -> _RowRelation:
    ordered = "position" in table.c
    mine = table.c.portfolio_id == bindparam("id")
    ids = select(table.c[column]).where(mine).order_by(table.c.position if ordered else table.c[column])
    delete = table.delete().where(mine, table.c[column].in_(bindparam("gone", expanding=True)))
    move = None
    if ordered:
        move = (
            table.update()
            .where(table.c.portfolio_id == bindparam("pid"), table.c[column] == bindparam("key"))
            .values(position=bindparam("to"))
        )
    return _RowRelation(column, ordered, ids, delete, table.insert(), move)


_ROWS = {
    "tags": _row_relation(portfolio_tag, "tag_id"),
    "images": _row_relation(GalleryImage.__table__, "media_id"),
}
_ROW_FIELDS = frozenset(_ROWS)


def _stored_ids(portfolio_id: int, field: str) -> list[int]:
    """The ids the ``tags`` or ``images`` field of a portfolio holds, in their order."""
    return list(db.session.scalars(_ROWS[field].ids, {"id": portfolio_id}))


def _store_ids(portfolio_id: int, field: str, ids: list[int], stored: list[int]) -> None:
    """Take the rows of a portfolio's ``tags`` or ``images`` from ``stored`` to ``ids`` (in order)."""
    relation = _ROWS[field]
    gone = set(stored) - set(ids)
    if gone:
        db.session.execute(relation.delete, {"id": portfolio_id, "gone": sorted(gone)})
    was = {key: position for position, key in enumerate(stored)}
    added = [(position, key) for position, key in enumerate(ids) if key not in was]
    if added:
        rows = [{"portfolio_id": portfolio_id, relation.column: key} for _, key in added]
        if relation.ordered:
            for row, (position, _) in zip(rows, added, strict=True):
                row["position"] = position
        db.session.execute(relation.insert, rows)
    if relation.ordered:
        moved = [
            {"pid": portfolio_id, "key": key, "to": position}
            for position, key in enumerate(ids)
            if key in was and was[key] != position
        ]
        if moved:
            db.session.execute(relation.move, moved)  # type: ignore[arg-type]  # set when ordered


# Writing a portfolio: statements rather than the unit of work. A PATCH is the
# hot write, and flushing the one row cost more than loading it.

_TABLE: Table = Portfolio.__table__  # type: ignore[assignment]
_UPDATE = _TABLE.update().where(_TABLE.c.id == bindparam("pk"))  # SETs the columns it is given
_DELETE = _TABLE.delete().where(_TABLE.c.id == bindparam("pk"))


def insert_portfolio(data: dict) -> int:
    """Add a portfolio from loaded fields (``slug`` included); its id."""
    related = {name: data.pop(name) for name in _ROW_FIELDS if name in data}
    portfolio = Portfolio(**data)
    db.session.add(portfolio)
    db.session.flush()  # its id, for the relation rows
    for name, ids in related.items():
        _store_ids(portfolio.id, name, ids, [])
    return portfolio.id


def apply_changes(portfolio: Row, data: dict, at: datetime | None = None) -> bool:
    """Write the loaded fields in ``data`` that differ from the row; move ``updated_at`` (to now, or
    ``at``) if any did. Whether any did."""

    def stored(name: str):  # related rows by id, so comparing loads no related object
        return _stored_ids(portfolio.id, name) if name in _ROW_FIELDS else getattr(portfolio, name)

    current = {name: stored(name) for name in data}
    changes = {name: value for name, value in data.items() if current[name] != value}
    if not changes:
        return False
    for name in _ROW_FIELDS & changes.keys():
        _store_ids(portfolio.id, name, changes.pop(name), current[name])
    db.session.execute(_UPDATE, {"pk": portfolio.id, **changes, "updated_at": at or utcnow()})
    return True


def remove_portfolio(portfolio_id: int) -> None:
    """Delete the row; its links, meta, tag and gallery rows go with it (ON DELETE CASCADE)."""
    db.session.execute(_DELETE, {"pk": portfolio_id})
