"""Building portfolio documents from rows: two queries, a third for media not rendered yet."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
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
from ..schemas import portfolio_schema
from .cache import caches
from .versions import Versions

#: The one instance of each media schema that dumps for documents.
SCHEMAS = {MediaSchema: media_schema, MediaFileSchema: media_file_schema}


@dataclass(frozen=True)
class Document:
    """A rendered portfolio: its JSON bytes, strong ETag, and whether it is active."""

    body: bytes
    etag: str
    is_active: bool


# --------------------------------------------------------------------------- the queries

# Built once per number of ids, with a bound parameter per id: SQLAlchemy's
# expanding IN would render the SQL again on every execution (a tenth of a
# PATCH's statement time), and a server sees few different counts.
TAG, GALLERY, LINK, META = range(4)


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
    """Everything the portfolios nest, in one result: (kind, portfolio, id, sort, name, url, text, media)."""

    def kind(number: int):
        return literal_column(str(number), Integer).label("kind")

    def none(label: str):
        return null().cast(String).label(label)

    T, PT, G, L, M = Tag.__table__, portfolio_tag, GalleryImage.__table__, Link.__table__, Meta.__table__
    parts = union_all(
        select(kind(TAG), PT.c.portfolio_id, T.c.id, T.c.id.label("sort"), T.c.name, none("url"),
               none("text"), T.c.image_id.label("media_id"))
        .join(T, T.c.id == PT.c.tag_id).where(PT.c.portfolio_id.in_(_ids(count))),
        select(kind(GALLERY), G.c.portfolio_id, G.c.media_id, G.c.position, none("name"), none("url"),
               none("text"), G.c.media_id)
        .where(G.c.portfolio_id.in_(_ids(count))),
        select(kind(LINK), L.c.portfolio_id, L.c.id, L.c.id, L.c.name, L.c.url, L.c.description, L.c.image_id)
        .where(L.c.portfolio_id.in_(_ids(count))),
        select(kind(META), M.c.portfolio_id, M.c.id, M.c.id, M.c.key, none("url"), M.c.value_text,
               M.c.value_file_id)
        .where(M.c.portfolio_id.in_(_ids(count))),
    )  # fmt: skip
    return parts.order_by(parts.selected_columns.kind, parts.selected_columns.sort)


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
    data.update(tags=[], images=[], links=[], meta=[])
    return data


def _add_nested(portfolios: dict[int, dict], row) -> None:
    kind, portfolio_id, item_id, _, name, url, text, media_id = row
    data = portfolios[portfolio_id]
    if kind == TAG:
        data["tags"].append({"id": item_id, "name": name, "image": media_id})
    elif kind == GALLERY:
        data["images"].append(media_id)
    elif kind == LINK:
        link = {"id": item_id, "name": name, "url": url, "description": text, "image": media_id}
        data["links"].append(link)
    else:
        data["meta"].append({"id": item_id, "key": name, "value_text": text, "value_file": media_id})


def _media_slots(data: dict) -> Iterator[tuple[dict | list, Any, type]]:
    """Every place a portfolio's data names a media: ``(container, key, schema class that shows it)``."""
    yield data, "image", MediaSchema
    yield from ((data["images"], index, MediaSchema) for index in range(len(data["images"])))
    for item in (data["employer"], *data["tags"], *data["links"]):
        if item:
            yield item, "image", MediaSchema
    yield from ((meta, "value_file", MediaFileSchema) for meta in data["meta"])


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
        data["images"] = [media for media in data["images"] if media is not None]
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
    return Document(body, hashlib.sha256(body).hexdigest()[:32], data["is_active"])
