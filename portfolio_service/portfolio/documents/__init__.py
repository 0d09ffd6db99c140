"""Portfolio documents: built from rows in three queries, rendered once, served from memory.

A portfolio's JSON document nests about 14 media objects with their
thumbnails, an employer, tags, links and meta. Reads far outnumber writes, so
every process keeps rendered documents, and rendered media apart from them:
a portfolio edit changes the document, not the media it shows.

Both are tagged with the version they were built at. The versions sit in one
row (``content_version``): ``version`` moves with every write to anything a
document shows, ``media_version`` with writes to media and thumbnails, in the
writing transaction (the session hooks below), whichever process or host made
it. A read costs one ``SELECT`` of that row; whatever was built at other
versions is built again. Invalidation is therefore exact across workers and
hosts: a renamed tag or a changed link shows on the very next read.

Documents are built from plain rows (the portfolio with its employer, then
one query for its tags, gallery, links and meta together), not ORM objects:
the same marshmallow schemas dump them, with each media named by its id and
answered from the rendered media (``media.schemas.Rendered``).
"""

from __future__ import annotations

from collections.abc import Callable

from ...extensions import db
from ...media.schemas import media_base_url
from .builder import Document, build
from .cache import caches, forget_all
from .versions import VERSIONS_QUERY, Versions, current_versions, listen, move_versions

__all__ = [
    "VERSIONS_QUERY",
    "Document",
    "Versions",
    "commit",
    "current_versions",
    "documents",
    "forget_all",
    "listen",
]


def documents(ids: list[int], versions: Versions | None = None) -> dict[int, Document]:
    """Documents of the portfolios ``ids`` that exist: from memory when current at ``versions``
    (read now if not given), else built now."""
    versions, base, cache = versions or current_versions(), media_base_url(), caches().documents
    found, missing = {}, []
    for portfolio_id in ids:
        cached = cache.get((portfolio_id, base), versions.content)
        if cached is None:
            missing.append(portfolio_id)
        else:
            found[portfolio_id] = cached
    if missing:
        built = build(missing, versions)
        built.remember()
        found.update(built.documents)
    return found


def commit(portfolio_id: int, note: Callable[[Document], object] | None = None) -> Document:
    """Commit the session's changes and return the portfolio's new document.

    ``note``, if given, is called with that document before the commit, to add
    what goes with the change (its revision, its audit entry) to the same transaction.

    The document is built after the version moved and before the commit, so
    it is exactly what the commit makes visible: SQLite writers hold the
    database's write lock, PostgreSQL ones the version row's until they commit.
    It is remembered only once the commit succeeded.
    """
    session = db.session
    session.flush()
    versions = move_versions(session) or current_versions()
    built = build([portfolio_id], versions)
    if note is not None:
        note(built.documents[portfolio_id])
    session.commit()
    built.remember()
    return built.documents[portfolio_id]
