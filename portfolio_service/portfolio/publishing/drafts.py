"""Drafts: a live portfolio's changes kept aside, as the request fields were sent, until published.

The document a draft would make is built by applying it inside a savepoint
and rolling that back: the same validation, writes and rendering as a PATCH,
and nothing of it stays.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import Row, select

from ...extensions import db
from ...parsing import load_body
from ..documents import Document, current_versions
from ..documents.builder import build
from ..documents.cache import caches
from ..documents.versions import MARKS, MOVED
from ..schemas import check_window, portfolio_update_schema
from ..writes import apply_changes
from .models import Draft

LIVE, DRAFTED = b'"has_draft":false}', b'"has_draft":true}'


def with_draft(document: Document) -> Document:
    """The document saying ``has_draft: true``, with the live version's ETag (``If-Match`` names it)."""
    assert document.body.endswith(LIVE), "has_draft is the document's last key"
    return dataclasses.replace(document, body=document.body[: -len(LIVE)] + DRAFTED)


_DRAFTED = select(Draft.__table__.c.portfolio_id)


def drafted_ids(drafts_version: int) -> frozenset[int]:
    """The portfolios that have a draft, as the drafts stand at ``drafts_version``.

    Editors learn it on every read, so each app remembers it until the version moves
    (whenever a draft is made or dropped, see ``documents/versions.py``). A transaction
    that has written reads its own view, and neither uses nor keeps what is remembered.
    """
    session = db.session
    session.flush()  # what is pending marks the session
    if session.info.get(MARKS) or session.info.get(MOVED):
        return frozenset(session.scalars(_DRAFTED))
    cache = caches().drafted
    drafted = cache.get("ids", drafts_version)
    if drafted is None:
        drafted = frozenset(session.scalars(_DRAFTED))
        cache.put("ids", drafts_version, drafted)
    return drafted


def loaded(portfolio: Row, changes: dict) -> dict:
    """A draft's fields validated as a PATCH of the live portfolio: a 400 names what no longer holds."""
    data = load_body(portfolio_update_schema, instance=portfolio, data=changes)
    check_window(*(data.get(name, getattr(portfolio, name)) for name in ("publish_at", "unpublish_at")))
    return data


def drafted_document(portfolio: Row, draft: Draft) -> Document:
    """The document the portfolio would have with the draft applied (its ``updated_at`` the draft's);
    nothing is written."""
    data = loaded(portfolio, draft.changes)
    session = db.session
    session.flush()  # what is pending belongs to the transaction, not to the savepoint: its marks stay
    marks = set(session.info.get(MARKS, ()))
    savepoint = session.begin_nested()
    try:
        apply_changes(portfolio, data, at=draft.updated_at)
        built = build([portfolio.id], current_versions())
    finally:
        savepoint.rollback()
        session.info[MARKS] = marks  # what the savepoint wrote is gone: no version moves for it
    return with_draft(built.documents[portfolio.id])
