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
