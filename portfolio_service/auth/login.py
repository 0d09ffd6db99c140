"""``POST /api/auth/login`` and the throttle in front of it.

A login runs in three steps, so that the slow part holds no lock:

1. one short write transaction checks the throttle, records the attempt as
   failed, and reads the user's hash;
2. the password is checked (scrypt, ~70 ms) with no transaction open, so
   other writes go on meanwhile;
3. on success, a second short transaction marks the attempt succeeded and
   makes the key.

Every outcome costs one password check (a dummy hash stands in for unknown
users), so timing tells nothing about which usernames exist or are active.
"""

from __future__ import annotations

import functools
import math
import secrets
from datetime import timedelta

from flask import current_app, request
from marshmallow import ValidationError
from sqlalchemy import delete, func, or_, select, text, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import record
from ..database import utcnow
from ..errors import Throttled
from ..extensions import db
from ..openapi import ErrorSchema, contract
from ..parsing import load_body
from . import bp
from .models import ApiToken, LoginAttempt, User
from .permissions import ANYONE, permission
from .schemas import LoginResultSchema, LoginSchema, login_schema, user_schema

THROTTLE_WINDOW = timedelta(minutes=15)
#: Failed attempts per username, and per client address, within the window.
THROTTLE_FAILURES = 5
#: Successful logins per username within the window: each one makes a key.
THROTTLE_SUCCESSES = 10
#: Keys made by login that a user keeps at once; the oldest go first.
MAX_LOGIN_KEYS = 10
LOGIN_TOKEN_LIFETIME = timedelta(days=30)
BAD_CREDENTIALS = "Unable to log in with provided credentials."


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def _lock_throttle(keys: list[str]) -> None:
    """Serialise attempts on the same username or address (PostgreSQL; SQLite's write lock does it)."""
    if db.session.get_bind().dialect.name == "postgresql":
        for key in sorted(keys):  # one order everywhere: no deadlock between two attempts
            db.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})


def _retry_after(oldest) -> int:
    """Seconds until the oldest counted attempt leaves the window (conservative)."""
    return max(1, math.ceil((oldest + THROTTLE_WINDOW - utcnow()).total_seconds()))


def _check_throttle(username: str, address: str) -> None:
    """429 after too many recent failures for this username or address, or successes for this username."""
    since = utcnow() - THROTTLE_WINDOW
    recent = select(func.count(), func.min(LoginAttempt.created_at)).where(LoginAttempt.created_at > since)
    failures, oldest = db.session.execute(
        recent.where(~LoginAttempt.succeeded).where(
            or_(LoginAttempt.username == username, LoginAttempt.address == address)
        )
    ).one()
    if failures >= THROTTLE_FAILURES:
        raise Throttled(_retry_after(oldest))
    successes, oldest = db.session.execute(
        recent.where(LoginAttempt.succeeded, LoginAttempt.username == username)
    ).one()
    if successes >= THROTTLE_SUCCESSES:
        raise Throttled(_retry_after(oldest))


def _begin_attempt(username: str, address: str) -> tuple[int, int | None, str | None]:
    """Step 1: the attempt's id, and the user's id and hash when the user may log in."""
    _lock_throttle([f"login-user:{username}", f"login-address:{address}"])
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at <= utcnow() - THROTTLE_WINDOW))
    try:
        _check_throttle(username, address)
    except Throttled:
        db.session.commit()  # keep the pruning
        raise
    attempt = LoginAttempt(username=username, address=address)
    db.session.add(attempt)
    user = db.session.execute(
        select(User.id, User.password_hash, User.is_active).where(
            func.lower(User.username) == func.lower(username)
        )
    ).one_or_none()
    db.session.commit()
    if user is None or not user.is_active:
        return attempt.id, None, None
    return attempt.id, user.id, user.password_hash


def _finish(attempt_id: int, user_id: int, username: str) -> ApiToken:
    """Step 3: the attempt succeeded; a new key, and the user's old login keys pruned."""
    db.session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(succeeded=True))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.username == username, ~LoginAttempt.succeeded))
    user = db.session.get_one(User, user_id)
    logins = select(ApiToken.id).where(ApiToken.user_id == user_id, ApiToken.from_login)
    now = utcnow()
    db.session.execute(
        delete(ApiToken).where(
            ApiToken.id.in_(logins.where(or_(ApiToken.revoked_at.is_not(None), ApiToken.expires_at <= now)))
        )
    )
    keep = logins.where(ApiToken.revoked_at.is_(None)).order_by(ApiToken.id.desc()).limit(MAX_LOGIN_KEYS - 1)
    db.session.execute(
        delete(ApiToken).where(ApiToken.id.in_(logins), ApiToken.id.not_in(keep.scalar_subquery()))
    )
    token = ApiToken.issue(user, "login", expires_at=now + LOGIN_TOKEN_LIFETIME, from_login=True)
    db.session.add(token)
    db.session.flush()
    record("login", "token", token.id, user=(user.id, user.username))
    db.session.commit()
    return token


@bp.post("/login")
@permission(ANYONE)
@contract(
    "auth",
    body=LoginSchema,
    response=LoginResultSchema,
    other={429: ("Too many recent attempts; see `Retry-After`.", ErrorSchema)},
)
def login():
    """Exchange a username and password for an API key."""
    credentials = load_body(login_schema)
    username, address = credentials["username"].lower(), request.remote_addr or "unknown"
    attempt_id, user_id, password_hash = _begin_attempt(username, address)
    method = current_app.config["PASSWORD_HASH_METHOD"]
    valid = check_password_hash(password_hash or _dummy_hash(method), credentials["password"])
    if user_id is None or not valid:
        record("login_failed", "user", user_id, {"username": [None, username]})
        db.session.commit()
        raise ValidationError(BAD_CREDENTIALS)  # wrong name or password, or an inactive user
    token = _finish(attempt_id, user_id, username)
    return {"token": token.key, "user": user_schema.dump(token.user)}
