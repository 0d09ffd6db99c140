"""Building portfolio documents from rows: two queries, a third for media not rendered yet."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Integer, String, bindparam, literal_column, null, select, union_all
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...media.models import Media
from ...media.schemas import (
    MediaFileSchema,
    MediaSchema,
    Rendered,
    media_base_url,
    media_file_schema,
    media_schema,
)
from ..models import Employer, GalleryImage, Link, Meta, Portfolio, Tag, portfolio_tag
from ..publishing.schedule import is_public
from ..schemas import portfolio_schema
from .cache import caches
from .versions import Versions

#: The one instance of each media schema that dumps for documents.
SCHEMAS = {MediaSchema: media_schema, MediaFileSchema: media_file_schema}


@dataclass(frozen=True)
class Document:
    """A rendered portfolio: its JSON bytes, strong ETag, and what says whether it is public."""

    body: bytes
    etag: str
    is_active: bool
    publish_at: datetime | None
    unpublish_at: datetime | None

    def public(self, now: datetime) -> bool:
        """Active, and inside its publishing window at ``now`` (see ``publishing/schedule.py``)."""
        return is_public(self.is_active, self.publish_at, self.unpublish_at, now)


# --------------------------------------------------------------------------- what a document nests


@dataclass(frozen=True)
class Nested:
    """A list a portfolio document nests: where its rows are, and the item each row becomes.

    ``fields`` maps the item's keys to columns of ``rows``; ``media`` names the
    keys that hold a media id, with the schema that shows it. ``portfolio`` is
    the column naming the portfolio (``rows.c.portfolio_id`` unless given). A
    ``flat`` relation's item is its one field's value (the gallery is a list of
    media), and an item whose media has gone is left out rather than shown as null.
    """

    key: str
    rows: Any  # a table, or a join
    sort: Any
    fields: dict[str, Any]
    media: dict[str, type] = field(default_factory=dict)
    flat: bool = False
    portfolio: Any = None

    def __post_init__(self):
        if self.portfolio is None:
            object.__setattr__(self, "portfolio", self.rows.c.portfolio_id)


def _columns(table, *names: str, **renamed: str) -> dict[str, Any]:
    """An item's fields as ``table``'s columns: ``names`` as they are, ``renamed`` as ``key=column``."""
    return {name: table.c[name] for name in names} | {key: table.c[name] for key, name in renamed.items()}


_T, _G, _L, _M = Tag.__table__, GalleryImage.__table__, Link.__table__, Meta.__table__

#: The one declaration of the nested lists, in the document's order; a new relation is one entry
#: (and its ``*_data`` field in ``PortfolioSchema``).
NESTED = (
    Nested(
        "tags",
        portfolio_tag.join(_T, _T.c.id == portfolio_tag.c.tag_id),
        sort=_T.c.id,
        fields=_columns(_T, "id", "name", image="image_id"),
        media={"image": MediaSchema},
        portfolio=portfolio_tag.c.portfolio_id,
    ),
    Nested("images", _G, _G.c.position, _columns(_G, image="media_id"), {"image": MediaSchema}, flat=True),
    Nested(
        "links",
        _L,
        _L.c.id,
        _columns(_L, "id", "name", "url", "description", image="image_id"),
        {"image": MediaSchema},
    ),
    Nested(
        "meta",
        _M,
        _M.c.id,
        _columns(_M, "id", "key", "value_text", value_file="value_file_id"),
        {"value_file": MediaFileSchema},
    ),
)


def _slots(nested: Nested) -> dict[str, str]:
    """Where a relation's fields sit in ``nested_query``'s result: integers in ``i0, i1...``,
    text in ``s0, s1...``, so that every part of its ``UNION`` has the same column types."""
    slots: dict[str, str] = {}
    for name, column in nested.fields.items():
        kind = "i" if isinstance(column.type, Integer) else "s"
        slots[name] = f"{kind}{sum(slot[0] == kind for slot in slots.values())}"
    return slots


SLOTS = [_slots(nested) for nested in NESTED]
#: The result's columns after the first three: each slot any relation uses.
RESULT_SLOTS = sorted({slot for slots in SLOTS for slot in slots.values()})


# --------------------------------------------------------------------------- the queries

# Built once per number of ids, with a bound parameter per id: SQLAlchemy's
# expanding IN would render the SQL again on every execution (a tenth of a
# PATCH's statement time), and a server sees few different counts.


def _ids(count: int) -> list:
    return [bindparam(f"id{index}") for index in range(count)]


def _ids_params(ids) -> dict[str, int]:
    return {f"id{index}": portfolio_id for index, portfolio_id in enumerate(ids)}


@functools.lru_cache(maxsize=128)
def portfolios_query(count: int):
    """Portfolios with their employer's columns."""
    P, E = Portfolio.__table__, Employer.__table__
    employer = E.c.name.label("employer_name"), E.c.description.label("employer_description")
    return (
        select(*P.c, *employer, E.c.image_id.label("employer_image_id"))
        .outerjoin(E, E.c.id == P.c.employer_id)
        .where(P.c.id.in_(_ids(count)))
    )


@functools.lru_cache(maxsize=128)
def nested_query(count: int):
    """Every ``NESTED`` list of the portfolios in one result: ``kind, portfolio, sort, i0.., s0..``."""
    empty = {"i": null().cast(Integer), "s": null().cast(String)}
    parts = []
    for kind, (nested, slots) in enumerate(zip(NESTED, SLOTS, strict=True)):
        columns = {slot: nested.fields[name] for name, slot in slots.items()}
        parts.append(
            select(
                literal_column(str(kind), Integer).label("kind"),
                nested.portfolio.label("portfolio_id"),
                nested.sort.label("sort"),
                *(columns.get(slot, empty[slot[0]]).label(slot) for slot in RESULT_SLOTS),
            )
            .select_from(nested.rows)
            .where(nested.portfolio.in_(_ids(count)))
        )
    union = union_all(*parts)
    return union.order_by(union.selected_columns.kind, union.selected_columns.sort)


# --------------------------------------------------------------------------- building


def _data(row) -> dict:
    """A portfolio row as the plain dict ``PortfolioSchema`` dumps; media are named by id."""
    data = row._asdict()
    data["image"] = data["image_id"]
    data["employer"] = data["employer_id"] and {
        "id": data["employer_id"],
        "name": data["employer_name"],
        "description": data["employer_description"],
        "image": data["employer_image_id"],
    }
    data.update((nested.key, []) for nested in NESTED)
    return data


def _add_nested(portfolios: dict[int, dict], row) -> None:
    nested, slots = NESTED[row.kind], SLOTS[row.kind]
    mapping = row._mapping
    item = {name: mapping[slot] for name, slot in slots.items()}
    portfolios[row.portfolio_id][nested.key].append(next(iter(item.values())) if nested.flat else item)


def _media_slots(data: dict) -> Iterator[tuple[dict | list, Any, type]]:
    """Every place a portfolio's data names a media: ``(container, key, schema class that shows it)``."""
    yield data, "image", MediaSchema
    if data["employer"]:
        yield data["employer"], "image", MediaSchema
    for nested in NESTED:
        items = data[nested.key]
        for name, schema in nested.media.items():
            if nested.flat:
                yield from ((items, index, schema) for index in range(len(items)))
            else:
                yield from ((item, name, schema) for item in items)


@dataclass
class Built:
    """Documents made by ``build``, with the media rendered for them, to remember once committed."""

    versions: Versions
    documents: dict[int, Document]
    media: dict[tuple, dict]
    complete: bool = True  # False: a media went while it was read; the documents are not kept

    def remember(self) -> None:
        remembered, base = caches(), media_base_url()
        if self.complete:
            for portfolio_id, document in self.documents.items():
                remembered.documents.put((portfolio_id, base), self.versions.content, document)
        for (schema, media_id), dumped in self.media.items():
            remembered.media.put((schema, media_id, base), self.versions.media, dumped)


def build(ids: list[int], versions: Versions) -> Built:
    """The documents of the portfolios ``ids`` that exist: two queries, a third for media not rendered yet."""
    session = db.session
    rows = session.execute(portfolios_query(len(ids)), _ids_params(ids))
    portfolios = {row.id: _data(row) for row in rows}
    if not portfolios:
        return Built(versions, {}, {})
    for row in session.execute(nested_query(len(portfolios)), _ids_params(portfolios)):
        _add_nested(portfolios, row)

    wanted = {
        (schema, container[key])
        for data in portfolios.values()
        for container, key, schema in _media_slots(data)
        if container[key] is not None
    }
    shown, made = _rendered(wanted, versions.media)
    for data in portfolios.values():
        for container, key, schema in _media_slots(data):
            if container[key] is not None:
                # On PostgreSQL each statement reads the latest commit: a media deleted
                # since the rows above were read is shown as absent, and not remembered.
                container[key] = shown.get((schema, container[key]))
        for nested in NESTED:
            if nested.flat and nested.media:  # a gallery image deleted since is left out
                data[nested.key] = [media for media in data[nested.key] if media is not None]
    documents = {portfolio_id: _render(data) for portfolio_id, data in portfolios.items()}
    return Built(versions, documents, made, complete=len(shown) == len(wanted))


def _rendered(wanted: set[tuple], media_version: int) -> tuple[dict, dict]:
    """Rendered media for the ``(schema class, id)`` pairs that exist: all of them, and those made now."""
    cache, base = caches().media, media_base_url()
    shown, missing = {}, set()
    for key in wanted:
        dumped = cache.get((*key, base), media_version)
        if dumped is None:
            missing.add(key)
        else:
            shown[key] = dumped
    made = {}
    if missing:
        query = select(Media).where(Media.id.in_({media_id for _, media_id in missing}))
        query = query.options(joinedload(Media.thumbnails))
        loaded = {media.id: media for media in db.session.scalars(query).unique()}
        for schema, media_id in missing:
            if media_id in loaded:
                made[schema, media_id] = Rendered(SCHEMAS[schema].dump(loaded[media_id]))
        shown.update(made)
    return shown, made


def _render(data: dict) -> Document:
    body = orjson.dumps(portfolio_schema.dump(data))
    digest = hashlib.sha256(body).hexdigest()[:32]
    return Document(body, digest, data["is_active"], data["publish_at"], data["unpublish_at"])
