"""Writing the audit log: ``record()`` adds the entry to the session, so it commits with the change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask import g, has_app_context, has_request_context, request

from ..database import iso, utcnow
from ..extensions import db
from .models import AuditEntry

INSERT = AuditEntry.__table__.insert()  # type: ignore[attr-defined]  # a Table

#: Fields whose values never reach the log; that they changed is shown as "[redacted]".
SECRETS = frozenset({"password", "password_hash", "key", "key_hash", "token", "token_hash", "secret"})
REDACTED = "[redacted]"


def _plain(value: Any) -> Any:
    """A value as JSON holds it (datetimes as the API writes them)."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):  # lists, sets, association lists
        return [_plain(item) for item in value]
    return value


def changed(item: Any, data: dict) -> dict:
    """``{field: [old, new]}`` for the fields of ``data`` whose value differs from ``item``'s."""
    return {
        name: [getattr(item, name, None), value]
        for name, value in data.items()
        if getattr(item, name, None) != value
    }


def record(
    action: str,
    object_type: str,
    object_id: int | None,
    changes: dict | None = None,
    *,
    user: tuple[int, str] | None = None,
) -> None:
    """Add one entry to the session: the caller's (or ``user``'s) ``action`` on an object.

    Secrets in ``changes`` are redacted. Outside a request (the CLI, a job)
    the entry has no user unless one is given, and no address.
    """
    if user is None and has_app_context() and g.get("caller") is not None:
        user = (g.caller.user_id, g.caller.username)
    if changes is not None:
        changes = {
            name: [REDACTED, REDACTED] if name in SECRETS else _plain(values)
            for name, values in changes.items()
        }
    entry = {
        "at": utcnow(),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "changes": changes,
        "user_id": user[0] if user else None,
        "username": user[1] if user else None,
        "ip": request.remote_addr if has_request_context() else None,
    }
    db.session.execute(INSERT, entry)  # a plain INSERT: it runs on every write
