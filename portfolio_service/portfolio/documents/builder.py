"""Building portfolio documents from rows: two queries, a third for media not rendered yet."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import orjson
from sqlalchemy import Integer, String, bindparam, literal_column, null, select, union_all
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...media.models import Media
from ...media.schemas import media_base_url, media_file_schema, media_schema, rendered_media
from ..models import Employer, GalleryImage, Link, Meta, Portfolio, Tag, portfolio_tag
from ..schemas import portfolio_schema
from .cache import caches
from .versions import Versions


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


def _media_shown(data: dict) -> tuple[set[int], set[int]]:
    """The ids of the media a portfolio shows as images, and as meta files."""
    images = {data["image"], *data["images"]}
    images.update(item["image"] for item in (data["employer"] or {}, *data["tags"], *data["links"]) if item)
    files = {item["value_file"] for item in data["meta"]}
    return images - {None}, files - {None}


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

    wanted: set[tuple[type, int]] = set()
    for data in portfolios.values():
        images, files = _media_shown(data)
        wanted.update((type(media_schema), media_id) for media_id in images)
        wanted.update((type(media_file_schema), media_id) for media_id in files)
    shown, made = _rendered(wanted, versions.media)
    # On PostgreSQL each statement reads the latest commit: a media deleted
    # since the rows above were read is shown as absent, and not remembered.
    gone = {media_id for _, media_id in wanted - shown.keys()}
    for data in portfolios.values() if gone else ():
        _without(data, gone)
    with rendered_media(shown):
        documents = {portfolio_id: _render(data) for portfolio_id, data in portfolios.items()}
    return Built(versions, documents, made, complete=not gone)


def _without(data: dict, gone: set[int]) -> None:
    """Take the media ``gone`` out of a portfolio's data, as their deletion did in the database."""
    data["image"] = None if data["image"] in gone else data["image"]
    data["images"] = [media_id for media_id in data["images"] if media_id not in gone]
    for item in (data["employer"], *data["tags"], *data["links"]):
        if item and item["image"] in gone:
            item["image"] = None
    for meta in data["meta"]:
        if meta["value_file"] in gone:
            meta["value_file"] = None


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
        for schema in (media_schema, media_file_schema):
            for key in missing:
                if key[0] is type(schema) and key[1] in loaded:
                    made[key] = schema.dump(loaded[key[1]])
        shown.update(made)
    return shown, made


def _render(data: dict) -> Document:
    body = orjson.dumps(portfolio_schema.dump(data))
    return Document(body, hashlib.sha256(body).hexdigest()[:32], data["is_active"])
