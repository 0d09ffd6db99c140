"""Login, logout, the caller's API keys, and the admins' users API."""

from __future__ import annotations

import functools
import math
import secrets
from datetime import timedelta

from flask import current_app, g, request, url_for
from sqlalchemy import delete, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import SAFE_METHODS, utcnow
from ..errors import NotFound, Throttled
from ..extensions import db
from ..pagination import paginate
from ..parsing import MAX_JSON_BODY, load_body
from . import bp
from .models import ApiToken, LoginFailure, User
from .permissions import ADMIN, ANYONE, AUTHENTICATED, authenticate, permission
from .schemas import login_schema, new_token_schema, token_schema, user_schema, user_update_schema

THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_FAILURES = 5
LOGIN_TOKEN_LIFETIME = timedelta(days=30)
BAD_CREDENTIALS = {"non_field_errors": ["Unable to log in with provided credentials."]}


@bp.before_app_request
def load_caller() -> None:
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


def _check_throttle(username: str, address: str) -> None:
    """429 after too many recent failures for this username or this client address."""
    since = utcnow() - THROTTLE_WINDOW
    recent = (
        select(func.count(), func.min(LoginFailure.created_at))
        .where(LoginFailure.created_at > since)
        .where(or_(LoginFailure.username == username, LoginFailure.address == address))
    )
    failures, oldest = db.session.execute(recent).one()
    if failures >= THROTTLE_FAILURES:
        # Conservative: the window reopens once the oldest counted failure ages out.
        retry_after = (oldest + THROTTLE_WINDOW - utcnow()).total_seconds()
        raise Throttled(max(1, math.ceil(retry_after)))


def _record_failure(username: str, address: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.created_at <= utcnow() - THROTTLE_WINDOW))
    db.session.add(LoginFailure(username=username, address=address))
    db.session.commit()


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def _spend_a_password_check(password: str) -> None:
    """Take as long as a real check, so timing does not tell which usernames exist."""
    check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)


@bp.post("/login")
@permission(ANYONE)
def login():
    """Exchange a username and password for an API key.
    ---
    post:
      tags: [auth]
      requestBody:
        required: true
        content: {application/json: {schema: LoginSchema}}
      responses:
        200:
          description: A new key (shown once) and the user.
          content: {application/json: {schema: LoginResultSchema}}
        429:
          description: Too many failed logins; see `Retry-After`.
          content: {application/json: {schema: Error}}
    """
    credentials = load_body(login_schema)
    username, address = credentials["username"], request.remote_addr or "unknown"
    _check_throttle(username, address)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        _spend_a_password_check(credentials["password"])
    if user is None or not user.is_active or not user.check_password(credentials["password"]):
        _record_failure(username, address)
        return BAD_CREDENTIALS, 400
    token = ApiToken.issue(user, "login", expires_at=utcnow() + LOGIN_TOKEN_LIFETIME)
    db.session.add(token)
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    db.session.commit()
    return {"token": token.key, "user": user_schema.dump(user)}


@bp.post("/logout")
@permission(AUTHENTICATED)
def logout():
    """Revoke the token this request used.
    ---
    post:
      tags: [auth]
      responses:
        204: {description: Revoked.}
    """
    db.session.execute(update(ApiToken).where(ApiToken.id == g.caller.token_id).values(revoked_at=utcnow()))
    db.session.commit()
    return "", 204


@bp.get("/me")
@permission(AUTHENTICATED)
def me():
    """The caller's user, with its permission codes.
    ---
    get:
      tags: [auth]
      responses:
        200:
          description: The user.
          content: {application/json: {schema: UserSchema}}
    """
    return user_schema.dump(db.session.get(User, g.caller.user_id))


def _own_tokens():
    return select(ApiToken).where(ApiToken.user_id == g.caller.user_id, ApiToken.revoked_at.is_(None))


@bp.get("/tokens")
@permission(AUTHENTICATED)
def list_tokens():
    """The caller's API keys that are not revoked (never the keys themselves).
    ---
    get:
      tags: [auth]
      parameters: [{in: query, schema: PageQuerySchema}]
      responses:
        200:
          description: A page of tokens.
          content: {application/json: {schema: TokenPageSchema}}
    """
    return paginate(_own_tokens().order_by(ApiToken.id), token_schema)


@bp.post("/tokens")
@permission(AUTHENTICATED)
def create_token():
    """Make a named API key for the caller; the key is shown in this answer only.
    ---
    post:
      tags: [auth]
      requestBody:
        required: true
        content: {application/json: {schema: NewTokenSchema}}
      responses:
        201:
          description: The token, with its `key`.
          content: {application/json: {schema: NewTokenSchema}}
    """
    data = load_body(new_token_schema)
    token = ApiToken.issue(db.session.get(User, g.caller.user_id), data["name"], data.get("expires_at"))
    db.session.add(token)
    db.session.commit()
    location = url_for("auth.revoke_token", token_id=token.id, _external=True)
    return new_token_schema.dump(token), 201, {"Location": location}


@bp.delete("/tokens/<int:token_id>")
@permission(AUTHENTICATED)
def revoke_token(token_id: int):
    """Revoke one of the caller's API keys.
    ---
    delete:
      tags: [auth]
      responses:
        204: {description: Revoked.}
    """
    token = db.session.scalar(_own_tokens().where(ApiToken.id == token_id))
    if token is None:
        raise NotFound()
    token.revoked_at = utcnow()
    db.session.commit()
    return "", 204


def _keeps_an_admin(user: User, *, is_admin: bool, is_active: bool) -> bool:
    """Whether an active admin remains if ``user`` ends up with these flags."""
    if is_admin and is_active:
        return True
    others = select(func.count()).where(User.is_admin, User.is_active, User.id != user.id)
    return db.session.scalar(others) > 0


def _assign(user: User, data: dict) -> None:
    """Set the loaded fields on ``user``; a password is stored hashed."""
    if "password" in data:
        user.set_password(data.pop("password"), current_app.config["PASSWORD_HASH_METHOD"])
    for name, value in data.items():
        setattr(user, name, value)


@bp.get("/users")
@permission(ADMIN)
def list_users():
    """All users.
    ---
    get:
      tags: [users]
      parameters: [{in: query, schema: PageQuerySchema}]
      responses:
        200:
          description: A page of users.
          content: {application/json: {schema: UserPageSchema}}
    """
    return paginate(select(User).order_by(User.id), user_schema)


@bp.post("/users")
@permission(ADMIN)
def create_user():
    """Create a user.
    ---
    post:
      tags: [users]
      requestBody:
        required: true
        content: {application/json: {schema: UserSchema}}
      responses:
        201:
          description: The user.
          content: {application/json: {schema: UserSchema}}
    """
    data = load_body(user_schema)
    user = User()
    _assign(user, data)
    db.session.add(user)
    db.session.commit()
    location = url_for("auth.get_user", user_id=user.id, _external=True)
    return user_schema.dump(user), 201, {"Location": location}


def _get_user(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/users/<int:user_id>")
@permission(ADMIN)
def get_user(user_id: int):
    """One user.
    ---
    get:
      tags: [users]
      responses:
        200:
          description: The user.
          content: {application/json: {schema: UserSchema}}
    """
    return user_schema.dump(_get_user(user_id))


@bp.patch("/users/<int:user_id>")
@permission(ADMIN)
def update_user(user_id: int):
    """Change a user: flags, permissions, password.
    ---
    patch:
      tags: [users]
      requestBody:
        required: true
        content: {application/json: {schema: UserUpdateSchema}}
      responses:
        200:
          description: The user.
          content: {application/json: {schema: UserSchema}}
    """
    user = _get_user(user_id)
    data = load_body(user_update_schema, instance=user)
    flags = {
        "is_admin": data.get("is_admin", user.is_admin),
        "is_active": data.get("is_active", user.is_active),
    }
    if not _keeps_an_admin(user, **flags):
        return {"non_field_errors": ["At least one active admin must remain."]}, 400
    if "password" in data:
        # A new password shuts out whoever held the old one: the user's keys go too
        # (all but the one making this request).
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .where(ApiToken.id != g.caller.token_id)
            .values(revoked_at=utcnow())
        )
    _assign(user, data)
    db.session.commit()
    return user_schema.dump(user)


@bp.delete("/users/<int:user_id>")
@permission(ADMIN)
def delete_user(user_id: int):
    """Delete a user and their API keys.
    ---
    delete:
      tags: [users]
      responses:
        204: {description: Deleted.}
    """
    user = _get_user(user_id)
    if not _keeps_an_admin(user, is_admin=False, is_active=False):
        return {"non_field_errors": ["At least one active admin must remain."]}, 400
    db.session.delete(user)
    db.session.commit()
    return "", 204
