"""Permission codes, and the one decorator that declares who may call a view.

Who the caller is comes from ``authentication.py``; this module only decides.
"""

from __future__ import annotations

import functools
from enum import IntEnum

from flask import g

from ..errors import NotAuthenticated, PermissionDenied


class Perm(IntEnum):
    """Permission codes of the contract; staff need the code, admins have them all."""

    MEDIA_VIEW = 4101
    MEDIA_CREATE = 4102
    MEDIA_UPDATE = 4103
    MEDIA_DELETE = 4104
    PORTFOLIO_VIEW_INACTIVE = 4201
    PORTFOLIO_CREATE = 4202
    PORTFOLIO_UPDATE = 4203
    PORTFOLIO_DELETE = 4204
    EMPLOYER_CREATE = 4302
    EMPLOYER_UPDATE = 4303
    EMPLOYER_DELETE = 4304
    TAG_CREATE = 4402
    TAG_UPDATE = 4403
    TAG_DELETE = 4404

    @property
    def allows(self) -> str:
        """What the code allows, in the contract's words (``GET /api/auth/permissions`` shows it)."""
        return ALLOWS[self]

    @property
    def needs_token(self) -> bool:
        return True

    @property
    def openapi_description(self) -> str:
        return f"Permission code: {self.value} (staff holding it, or admin)."


ALLOWS = {
    Perm.MEDIA_VIEW: "list and read media metadata",
    Perm.MEDIA_CREATE: "upload media",
    Perm.MEDIA_UPDATE: "update media (name, alt text)",
    Perm.MEDIA_DELETE: "delete media",
    Perm.PORTFOLIO_VIEW_INACTIVE: "see inactive portfolios (list and detail)",
    Perm.PORTFOLIO_CREATE: "create portfolios",
    Perm.PORTFOLIO_UPDATE: "update portfolios (PATCH, PUT) and their links and meta",
    Perm.PORTFOLIO_DELETE: "delete portfolios",
    Perm.EMPLOYER_CREATE: "create employers",
    Perm.EMPLOYER_UPDATE: "update employers",
    Perm.EMPLOYER_DELETE: "delete employers",
    Perm.TAG_CREATE: "create tags",
    Perm.TAG_UPDATE: "update tags",
    Perm.TAG_DELETE: "delete tags",
}


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
