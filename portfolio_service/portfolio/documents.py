"""Portfolio documents: loaded in a fixed number of queries, rendered once, served from memory.

A portfolio's JSON document nests about 14 media objects with their
thumbnails, an employer, tags, links and meta. Building it is most of the cost
of a read, and reads far outnumber writes. So every process keeps rendered
documents, and every one is tagged with the content version it was built at.

The version is one row (``content_version``) that every write to anything a
document shows moves on, in the same transaction (the session hooks below),
whichever process or host made it. A read costs one ``SELECT version``; a
document built at another version is built again. Invalidation is therefore
exact across workers and hosts: a renamed tag or a changed link shows on the
very next read.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import orjson
from flask import current_app
from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session, joinedload, selectinload

from ..extensions import db
from ..media.models import Media
from ..media.schemas import media_base_url, media_dumped_once
from .models import ContentVersion, Portfolio
from .schemas import portfolio_schema

#: Tables whose rows appear in portfolio documents.
CONTENT_TABLES = frozenset(
    {"portfolio", "employer", "tag", "portfolio_tag", "portfolio_image", "link", "meta", "media", "thumbnail"}
)
CACHE_SIZE = 4096
VERSION_QUERY = text("SELECT version FROM content_version WHERE id = 1")


@dataclass(frozen=True)
class Document:
    """A rendered portfolio: its JSON bytes, strong ETag, and whether it is active."""

    body: bytes
    etag: str
    is_active: bool
    version: int


class DocumentCache:
    """An app's rendered documents, least recently used first out."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self.entries: OrderedDict[tuple, Document] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple, version: int) -> Document | None:
        with self.lock:
            document = self.entries.get(key)
            if document is None or document.version != version:
                return None
            self.entries.move_to_end(key)
            return document

    def put(self, key: tuple, document: Document) -> None:
        with self.lock:
            self.entries[key] = document
            self.entries.move_to_end(key)
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)


def _cache() -> DocumentCache:
    """This app's cache (per app, so two apps in one process never share documents)."""
    return current_app.extensions.setdefault("portfolio_documents", DocumentCache())


def current_version() -> int:
    """The content version, read with a plain statement: it runs on every read."""
    return db.session.execute(VERSION_QUERY).scalar_one()


def load_portfolios(query) -> list[Portfolio]:
    """Run a portfolio query with everything its documents show: five queries, whatever the sizes."""
    query = query.options(
        # Employer and tags in the main query (one join each, no cross product),
        # gallery, links and meta one query each, then all media in one more.
        joinedload(Portfolio.employer),
        joinedload(Portfolio.tags),
        selectinload(Portfolio.gallery),
        selectinload(Portfolio.links),
        selectinload(Portfolio.meta),
    )
    portfolios = db.session.scalars(query).unique().all()
    load_media(portfolios)
    return portfolios


def load_media(portfolios: list[Portfolio]) -> None:
    """Load every media object the portfolios show, with thumbnails, in one query.

    Their many-to-one relations (``portfolio.image``, ``tag.image``...) then
    resolve from the session's identity map without further SQL.
    """
    wanted = set()
    for portfolio in portfolios:
        wanted.add(portfolio.image_id)
        wanted.add(portfolio.employer and portfolio.employer.image_id)
        wanted.update(tag.image_id for tag in portfolio.tags)
        wanted.update(item.media_id for item in portfolio.gallery)
        wanted.update(link.image_id for link in portfolio.links)
        wanted.update(meta.value_file_id for meta in portfolio.meta)
    identity = db.session.identity_map
    missing = [
        media_id
        for media_id in wanted - {None}
        if (obj := identity.get(db.session.identity_key(Media, media_id))) is None
        or "thumbnails" not in obj.__dict__
    ]
    if missing:
        query = select(Media).where(Media.id.in_(missing)).options(joinedload(Media.thumbnails))
        # The identity map holds objects weakly: keep these alive until the session ends.
        db.session.info.setdefault("loaded_media", []).extend(db.session.scalars(query).unique().all())


def render(portfolio: Portfolio, version: int = -1, remember: bool = True) -> Document:
    """The portfolio's document; remembered for ``version`` when it was loaded at that version."""
    with media_dumped_once():
        body = orjson.dumps(portfolio_schema.dump(portfolio))
    document = Document(body, hashlib.sha256(body).hexdigest()[:32], portfolio.is_active, version)
    if remember:
        _cache().put((portfolio.id, media_base_url()), document)
    return document


def documents(ids: list[int]) -> dict[int, Document]:
    """Documents of the portfolios ``ids`` that exist: from memory when current, else built now."""
    version, base, cache = current_version(), media_base_url(), _cache()
    found, missing = {}, []
    for portfolio_id in ids:
        cached = cache.get((portfolio_id, base), version)
        if cached is None:
            missing.append(portfolio_id)
        else:
            found[portfolio_id] = cached
    if missing:
        for portfolio in load_portfolios(select(Portfolio).where(Portfolio.id.in_(missing))):
            found[portfolio.id] = render(portfolio, version)
    return found


def forget_all() -> None:
    """Drop every document this app remembers."""
    _cache().entries.clear()


# Moving the version: every flush or bulk statement that touches content marks
# the session; its commit moves the version in the same transaction.


@event.listens_for(Session, "before_flush")
def _mark_flush(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) in CONTENT_TABLES:
            session.info["content_changed"] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _mark_statement(state) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in CONTENT_TABLES:
            state.session.info["content_changed"] = True


@event.listens_for(Session, "before_commit")
def _move_version(session: Session) -> None:
    session.flush()  # pending changes mark the session now, not after this hook
    if session.info.pop("content_changed", False):
        session.execute(
            update(ContentVersion).where(ContentVersion.id == 1).values(version=ContentVersion.version + 1)
        )
