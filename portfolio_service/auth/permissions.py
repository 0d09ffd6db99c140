"""Permission codes, token authentication, and the one decorator that declares access."""

from __future__ import annotations

import functools
import hmac
from datetime import timedelta
from enum import IntEnum

from flask import g, request
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

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


def authenticate() -> None:
    """Resolve ``Authorization: Token <key>`` into ``g.user`` and ``g.token`` (None without one).

    A header that is present but wrong is a 401 on every route, public or not.
    """
    from .models import ApiToken, User, hash_key

    g.user = g.token = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, key = header.partition(" ")
    key = key.strip()
    if scheme.lower() != "token" or not key or " " in key:
        raise NotAuthenticated("Invalid token header. Use 'Authorization: Token <key>'.")
    digest = hash_key(key)
    # One query: the token, its user and the user's permission codes.
    query = (
        select(ApiToken)
        .where(ApiToken.key_hash == digest)
        .options(joinedload(ApiToken.user, User.permission_rows))
    )
    token = db.session.scalars(query).unique().one_or_none()
    now = utcnow()
    if token is None or not hmac.compare_digest(token.key_hash, digest):
        raise NotAuthenticated("Invalid token.")
    if not token.is_usable(now):
        raise NotAuthenticated("Token expired, revoked, or its user is inactive.")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        _touch(token, now)
    g.user, g.token = token.user, token


def _touch(token, now) -> None:
    """Record use in a short transaction of its own (the first statement takes the write lock)."""
    from .models import ApiToken

    db.session.commit()  # end the read transaction; objects stay loaded
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .where(or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_RESOLUTION))
        .values(last_used_at=now)
    )
    db.session.commit()
    token.last_used_at = now


def has_permission(code: Perm) -> bool:
    """Whether the caller holds ``code`` (for views whose answer depends on it)."""
    user = g.get("user")
    return user is not None and user.may(code)


def check_access(access: Access | Perm) -> None:
    """Raise 401 or 403 unless the caller meets ``access``."""
    if access is ANYONE:
        return
    user = g.get("user")
    if user is None:
        raise NotAuthenticated()
    if access is AUTHENTICATED or (access is ADMIN and user.is_admin):
        return
    if isinstance(access, Perm) and user.may(access):
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
