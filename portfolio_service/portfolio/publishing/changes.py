"""Committing a change to a portfolio's live state: the change, its revision and its audit entry at once."""

from __future__ import annotations

from ...audit import record
from .. import documents as docs
from ..documents import Document
from . import revisions

#: What the audit log calls each kind of revision (links and meta are logged as themselves).
AUDITED = {"create": "create", "update": "update", "publish": "publish", "restore": "restore"}


def commit_change(portfolio_id: int, action: str, before: Document | None) -> Document:
    """Commit the session's change to the portfolio, recorded as a revision of ``action``; its new document.

    ``before`` is the live document the change started from (None for a new
    portfolio). Portfolio actions also get their audit entry here; a link or
    meta change has logged its own.
    """

    def note(after: Document) -> None:
        changes = revisions.record(portfolio_id, action, before, after)
        if action in AUDITED:
            changes = {name: values for name, values in (changes or {}).items() if name != "updated_at"}
            record(AUDITED[action], "portfolio", portfolio_id, changes)

    return docs.commit(portfolio_id, note)
