"""Permission codes, token authentication, and the one decorator that declares access."""

from __future__ import annotations

import functools
import hmac
from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum

from flask import g, request
from sqlalchemy import bindparam, or_, select, update

from ..database import utcnow
from ..errors import NotAuthenticated, PermissionDenied
from ..extensions import db


class Perm(IntEnum):
    """Permission codes of the contract; staff need the code, admins have them all."""

    MEDIA_VIEW = 4101  # list and read media metadata
    MEDIA_CREATE = 4102  # upload media
    MEDIA_UPDATE = 4103  # rename media
    MEDIA_DELETE = 4104  # delete media
    PORTFOLIO_VIEW_INACTIVE = 4201  # see inactive portfolios (list and detail)
    PORTFOLIO_CREATE = 4202  # create portfolios
    PORTFOLIO_UPDATE = 4203  # update portfolios and their links and meta
    PORTFOLIO_DELETE = 4204  # delete portfolios
    EMPLOYER_CREATE = 4302  # create employers
    EMPLOYER_UPDATE = 4303  # update employers
    EMPLOYER_DELETE = 4304  # delete employers
    TAG_CREATE = 4402  # create tags
    TAG_UPDATE = 4403  # update tags
    TAG_DELETE = 4404  # delete tags

    @property
    def needs_token(self) -> bool:
        return True

    @property
    def openapi_description(self) -> str:
        return f"Permission code: {self.value} (staff holding it, or admin)."


class Access:
    """Who may call a view, for rules that are not a permission code."""

    def __init__(self, name: str, needs_token: bool, openapi_description: str):
        self.name = name
        self.needs_token = needs_token
        self.openapi_description = openapi_description

    def __repr__(self) -> str:
        return self.name


ANYONE = Access("ANYONE", False, "")
AUTHENTICATED = Access("AUTHENTICATED", True, "Needs a token of an active user.")
ADMIN = Access("ADMIN", True, "Needs a token of an admin.")


#: ``last_used_at`` is written at most this often per key, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Caller:
    """Who is calling: read once per request in one plain query, no ORM objects."""

    user_id: int
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
            user.c.id, user.c.is_active, user.c.is_staff, user.c.is_admin, code.c.code,
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
    token_id, _, expires_at, revoked_at, last_used_at, user_id, is_active, is_staff, is_admin, _ = rows[0]
    now = utcnow()
    if revoked_at is not None or (expires_at is not None and expires_at <= now) or not is_active:
        raise NotAuthenticated("Token expired, revoked, or its user is inactive.")
    if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
        _touch(token_id, now)
    codes = frozenset(row[-1] for row in rows if row[-1] is not None)
    g.caller = Caller(user_id, token_id, is_staff, is_admin, codes)


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


def has_permission(code: Perm) -> bool:
    """Whether the caller holds ``code`` (for views whose answer depends on it)."""
    caller = g.get("caller")
    return caller is not None and caller.may(code)


def check_access(access: Access | Perm) -> None:
    """Raise 401 or 403 unless the caller meets ``access``."""
    if access is ANYONE:
        return
    caller = g.get("caller")
    if caller is None:
        raise NotAuthenticated()
    if access is AUTHENTICATED or (access is ADMIN and caller.is_admin):
        return
    if isinstance(access, Perm) and caller.may(access):
        return
    raise PermissionDenied()


def permission(access: Access | Perm):
    """Declare who may call the view: ``ANYONE``, ``AUTHENTICATED``, ``ADMIN`` or a ``Perm``.

    Every view has exactly one; a test walks the URL map to make sure.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            check_access(access)
            return view(*args, **kwargs)

        wrapper.access = access
        return wrapper

    return decorator
