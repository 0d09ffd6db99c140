"""Every place a media id is used, found from the foreign keys to ``media.id``.

No list of referencing columns is kept by hand: a new column with a foreign
key to ``media.id`` is found here the moment its model exists. A column in a
table that belongs to one owner (``portfolio.image_id``) reports the owner's
row; a column in a link table (``portfolio_image.media_id``) reports the row
that the table's other foreign key points to, with the field named by the
column's ``info["field"]``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Table, delete, select, update

from ..extensions import db

#: Tables whose rows belong to the media itself and go with it.
OWNED_BY_MEDIA = {"thumbnail"}


@dataclass(frozen=True)
class ReferenceColumn:
    column: Column  # the column holding a media id
    owner_id: Column  # the column holding the id of the row to report
    type: str  # what that row is: "portfolio", "employer", ...
    field: str  # the API field that uses the media: "image", "images", ...


def reference_columns() -> list[ReferenceColumn]:
    """Every column in the schema that holds a media id."""
    media = db.metadata.tables["media"]
    found = []
    for table in db.metadata.sorted_tables:
        if table.name in OWNED_BY_MEDIA or table is media:
            continue
        for key in table.foreign_keys:
            if key.column.table is not media:
                continue
            found.append(_describe(table, key.parent))
    return found


def _describe(table: Table, column: Column) -> ReferenceColumn:
    primary = list(table.primary_key.columns)
    if len(primary) == 1 and primary[0] is not column:
        # An owned column: portfolio.image_id reports the portfolio.
        field = column.info.get("field", column.name.removesuffix("_id"))
        return ReferenceColumn(column, primary[0], table.name, field)
    # A link table: the other foreign key names the owner.
    (other,) = [key for key in table.foreign_keys if key.parent is not column]
    return ReferenceColumn(column, other.parent, other.column.table.name, column.info["field"])


def find_references(media_id: int) -> list[dict]:
    """``[{"type": "portfolio", "id": 150, "field": "image"}, ...]``, in a stable order."""
    references: list[dict] = []
    for ref in reference_columns():
        ids = db.session.scalars(select(ref.owner_id).where(ref.column == media_id).order_by(ref.owner_id))
        references.extend({"type": ref.type, "id": owner, "field": ref.field} for owner in ids)
    return sorted(references, key=lambda r: (r["type"], r["id"], r["field"]))


#: Tables whose rows a media delete locks before the media, in this order: the
#: order every write path takes (a portfolio's row, then what it refers to).
LOCK_ORDER = ("portfolio", "employer", "tag")


def lock_for_delete(media_id: int) -> None:
    """Lock the rows that use the media, then its own row (on PostgreSQL; SQLite's write lock serialises).

    Rows of a portfolio's children (links, meta, gallery) are covered by their
    portfolio's row, which their writers lock first. The users' rows are locked
    FOR NO KEY UPDATE, which still lets other writes add a reference to them; the
    media's row FOR UPDATE, so a write adding a reference to it waits for the
    delete, then fails its foreign-key check (and is retried: a 400 on its field).
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return  # the request holds the database's write lock already
    owners: dict[str, set[int]] = {name: set() for name in LOCK_ORDER}
    for ref in reference_columns():
        table = ref.column.table
        if "portfolio_id" in table.c:
            owners["portfolio"].update(
                db.session.scalars(select(table.c.portfolio_id).where(ref.column == media_id))
            )
        else:
            owners[table.name].update(db.session.scalars(select(table.c.id).where(ref.column == media_id)))
    for name in LOCK_ORDER:
        if owners[name]:
            table = db.metadata.tables[name]
            rows = select(table.c.id).where(table.c.id.in_(sorted(owners[name]))).order_by(table.c.id)
            db.session.execute(rows.with_for_update(key_share=True))
    media = db.metadata.tables["media"]
    db.session.execute(select(media.c.id).where(media.c.id == media_id).with_for_update())


def detach(media_id: int) -> None:
    """Remove the media from every place that uses it (nullable columns set to null, link rows deleted)."""
    for ref in reference_columns():
        table = ref.column.table
        if ref.column.primary_key or not ref.column.nullable:
            db.session.execute(delete(table).where(ref.column == media_id))
        else:
            db.session.execute(update(table).where(ref.column == media_id).values({ref.column.name: None}))
