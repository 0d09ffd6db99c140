"""Who is calling: the ``Authorization: Token <key>`` header, resolved once per request into ``g.caller``."""

from __future__ import annotations

import functools
import hmac
from dataclasses import dataclass
from datetime import timedelta

from flask import g, request
from sqlalchemy import bindparam, or_, select, update

from ..database import SAFE_METHODS, utcnow
from ..errors import NotAuthenticated
from ..extensions import db
from ..parsing import MAX_JSON_BODY
from . import bp

#: ``last_used_at`` is written at most this often per key, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@bp.before_app_request
def load_caller() -> None:
    """Before every request of the app: who is calling (``g.caller``), and where its transaction stands."""
    writing = request.method not in SAFE_METHODS
    # On SQLite a writing request's transaction holds the write lock from its
    # first statement, this lookup. A small JSON body is read first, so the
    # view goes on in that transaction; after any other the transaction
    # ends here, for the view may read a slow upload or make thumbnails
    # before its first write.
    length = request.content_length  # None when chunked: not known to be small
    small_json = (
        writing and request.mimetype == "application/json" and length is not None and length <= MAX_JSON_BODY
    )
    if small_json:
        request.get_data(cache=True)
    authenticate()
    if writing and not small_json:
        db.session.commit()


@dataclass(frozen=True)
class Caller:
    """Who is calling: read once per request in one plain query, no ORM objects."""

    user_id: int
    username: str
    token_id: int
    is_staff: bool
    is_admin: bool
    permissions: frozenset[int]

    def may(self, code: int) -> bool:
        """Admins may do everything; staff what their codes allow; nobody else anything."""
        return self.is_admin or (self.is_staff and code in self.permissions)


@functools.cache
def _caller_query():
    """One query, one row per permission code: the token, its user and the codes.

    Built once, on the tables rather than the mapped classes: it runs on every
    request, and the ORM's result handling cost more than the query itself.
    """
    from .models import ApiToken, User, UserPermission

    token, user, code = ApiToken.__table__, User.__table__, UserPermission.__table__
    return (
        select(
            token.c.id, token.c.key_hash, token.c.expires_at, token.c.revoked_at, token.c.last_used_at,
            user.c.id, user.c.username, user.c.is_active, user.c.is_staff, user.c.is_admin, code.c.code,
        )
        .join(user, token.c.user_id == user.c.id)
        .outerjoin(code, code.c.user_id == user.c.id)
        .where(token.c.key_hash == bindparam("digest"))
    )  # fmt: skip


def authenticate() -> None:
    """Resolve ``Authorization: Token <key>`` into ``g.caller`` (None without the header).

    A header that is present but wrong is a 401 on every route, public or not.
    """
    from .models import hash_key

    g.caller = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "token" or not key or " " in key:
        raise NotAuthenticated("Invalid token header. Use 'Authorization: Token <key>'.")
    digest = hash_key(key)
    rows = db.session.execute(_caller_query(), {"digest": digest}).all()
    if not rows or not hmac.compare_digest(rows[0][1], digest):
        raise NotAuthenticated("Invalid token.")
    token_id, _, expires_at, revoked_at, last_used_at, user_id, username, is_active, is_staff, is_admin, _ = (
        rows[0]
    )
    now = utcnow()
    if revoked_at is not None or (expires_at is not None and expires_at <= now) or not is_active:
        raise NotAuthenticated("Token expired, revoked, or its user is inactive.")
    if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
        _touch(token_id, now)
    codes = frozenset(row[-1] for row in rows if row[-1] is not None)
    g.caller = Caller(user_id, username, token_id, is_staff, is_admin, codes)


def _touch(token_id: int, now) -> None:
    """Record use in a short transaction of its own (the first statement takes the write lock)."""
    from .models import ApiToken

    db.session.commit()  # end the read transaction
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id)
        .where(or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_RESOLUTION))
        .values(last_used_at=now)
    )
    db.session.commit()
