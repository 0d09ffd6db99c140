"""Test data, made through the models (call inside an app context)."""

from __future__ import annotations

import itertools
from datetime import datetime

from portfolio_service.auth.models import ApiToken, User
from portfolio_service.extensions import db

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def make_user(
    username: str | None = None,
    *,
    staff: bool = False,
    admin: bool = False,
    active: bool = True,
    permissions=(),
    password: str = PASSWORD,
) -> User:
    user = User(
        username=username or f"user{next(_numbers)}",
        is_staff=staff,
        is_admin=admin,
        is_active=active,
        permissions=[int(code) for code in permissions],
    )
    user.set_password(password, "pbkdf2:sha256:1")
    db.session.add(user)
    db.session.commit()
    return user


def make_token(user: User, *, name: str = "test", expires_at: datetime | None = None) -> str:
    """A new key for ``user``."""
    token = ApiToken.issue(user, name, expires_at)
    db.session.add(token)
    db.session.commit()
    return token.key


def auth(key: str) -> dict:
    return {"Authorization": f"Token {key}"}
