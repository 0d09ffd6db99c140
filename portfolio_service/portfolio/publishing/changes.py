"""Committing a change to a portfolio's live state: the change, its revision and its audit entry at once."""

from __future__ import annotations

from ...audit import record
from .. import documents as docs
from ..documents import Document
from . import revisions

#: What the audit log calls each kind of revision (links and meta are logged as themselves).
AUDITED = {"create": "create", "update": "update", "publish": "publish", "restore": "restore"}
#: The audit log names related objects by id, as a request does: ``tags_data`` is logged as ``tags``.
AS_IDS = {
    "image_data": "image",
    "employer_data": "employer",
    "tags_data": "tags",
    "images_data": "images",
    "links_data": "links",
    "meta": "meta",
}


def _ids(value):
    if isinstance(value, list):
        return [item["id"] for item in value]
    return None if value is None else value["id"]


def audited(changes: dict | None) -> dict:
    """A revision's changes as the audit log shows them: related objects by id, and only those
    whose ids moved (a tag renamed since, or media shown at another host, is not this write's),
    ``updated_at`` left out."""
    shown = {}
    for name, values in (changes or {}).items():
        if name in AS_IDS:
            old, new = (_ids(value) for value in values)
            if old != new:
                shown[AS_IDS[name]] = [old, new]
        elif name != "updated_at":
            shown[name] = values
    return shown


def commit_change(portfolio_id: int, action: str, base: revisions.Base, changed: bool = True) -> Document:
    """Commit the session's change to the portfolio, recorded as a revision of ``action`` taken
    against ``base`` (from ``revisions.locked()``, before the change); its new document.

    A write that ``changed`` nothing records no revision (see ``revisions.record``). Portfolio
    actions also get their audit entry here; a link or meta change has logged its own.
    """

    def note(after: Document) -> None:
        changes = revisions.record(portfolio_id, action, base, after, changed)
        if action in AUDITED:
            record(AUDITED[action], "portfolio", portfolio_id, audited(changes))

    return docs.commit(portfolio_id, note)
