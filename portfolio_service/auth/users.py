"""The caller's user (``/me``), and the admins' users API, with each user's keys."""

from __future__ import annotations

from flask import current_app, g, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from ..audit import changed, record
from ..extensions import db
from ..openapi import contract
from ..pagination import PageQuerySchema, paginate
from ..parsing import load_body
from . import bp
from .models import ApiToken, User
from .permissions import ADMIN, AUTHENTICATED, Perm, permission
from .schemas import (
    PermissionListSchema,
    TokenPageSchema,
    UserPageSchema,
    UserSchema,
    permission_list_schema,
    token_schema,
    user_schema,
    user_update_schema,
)
from .tokens import live_tokens, revoke, revoke_one

ONE_ADMIN_REMAINS = "At least one active admin must remain."


@bp.get("/me")
@permission(AUTHENTICATED)
@contract("auth", response=UserSchema)
def me():
    """The caller's user, with its permission codes."""
    return user_schema.dump(db.session.get(User, g.caller.user_id))


@bp.get("/permissions")
@permission(AUTHENTICATED)
@contract("auth", response=PermissionListSchema)
def permission_codes():
    """Every permission code, with what it allows (for clients that show or grant them)."""
    return permission_list_schema.dump(
        {"permissions": [{"code": code, "allows": code.allows} for code in Perm]}
    )


def _check_an_admin_remains(user: User, *, is_admin: bool, is_active: bool) -> None:
    """400 unless an active admin remains once ``user`` has these flags.

    The active admins' rows are locked first (PostgreSQL; SQLite's write lock
    does the same), so two admins demoting each other at once cannot both pass.
    """
    if is_admin and is_active:
        return
    admins = db.session.scalars(select(User.id).where(User.is_admin, User.is_active).with_for_update()).all()
    if not set(admins) - {user.id}:
        raise ValidationError(ONE_ADMIN_REMAINS)


def _assign(user: User, data: dict) -> None:
    """Set the loaded fields on ``user``; a password is stored hashed."""
    if "password" in data:
        user.set_password(data.pop("password"), current_app.config["PASSWORD_HASH_METHOD"])
    for name, value in data.items():
        setattr(user, name, value)


@bp.get("/users")
@permission(ADMIN)
@contract("users", response=UserPageSchema, query=[PageQuerySchema])
def list_users():
    """All users."""
    return paginate(select(User).order_by(User.id), user_schema)


@bp.post("/users")
@permission(ADMIN)
@contract("users", body=UserSchema, response=UserSchema, status=201)
def create_user():
    """Create a user."""
    data = load_body(user_schema)
    user = User()
    _assign(user, data)
    db.session.add(user)
    db.session.flush()
    record("create", "user", user.id, {name: [None, value] for name, value in data.items()})
    db.session.commit()
    location = url_for("auth.get_user", user_id=user.id, _external=True)
    return user_schema.dump(user), 201, {"Location": location}


def _get_user(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/users/<int:user_id>")
@permission(ADMIN)
@contract("users", response=UserSchema)
def get_user(user_id: int):
    """One user."""
    return user_schema.dump(_get_user(user_id))


@bp.patch("/users/<int:user_id>")
@permission(ADMIN)
@contract("users", body=UserSchema, response=UserSchema)
def update_user(user_id: int):
    """Change a user: flags, permissions, password."""
    user = _get_user(user_id)
    data = load_body(user_update_schema, instance=user)
    flags = {
        "is_admin": data.get("is_admin", user.is_admin),
        "is_active": data.get("is_active", user.is_active),
    }
    _check_an_admin_remains(user, **flags)
    if not flags["is_active"]:
        # Deactivated: every key goes, so reactivating gives none of them back.
        revoke(live_tokens(user.id))
    elif "password" in data:
        # A new password shuts out whoever held the old one: the user's keys go too
        # (all but the one making this request).
        revoke(live_tokens(user.id).where(ApiToken.id != g.caller.token_id))
    record("update", "user", user.id, changed(user, data))
    _assign(user, data)
    db.session.commit()
    return user_schema.dump(user)


@bp.delete("/users/<int:user_id>")
@permission(ADMIN)
@contract("users")
def delete_user(user_id: int):
    """Delete a user and their API keys."""
    user = _get_user(user_id)
    _check_an_admin_remains(user, is_admin=False, is_active=False)
    record("delete", "user", user.id, {"username": [user.username, None]})
    db.session.delete(user)
    db.session.commit()
    return "", 204


@bp.get("/users/<int:user_id>/tokens")
@permission(ADMIN)
@contract("users", response=TokenPageSchema, query=[PageQuerySchema])
def list_user_tokens(user_id: int):
    """A user's API keys that are not revoked, login sessions included (never the keys themselves)."""
    _get_user(user_id)
    return paginate(live_tokens(user_id).order_by(ApiToken.id), token_schema)


@bp.delete("/users/<int:user_id>/tokens/<int:token_id>")
@permission(ADMIN)
@contract("users")
def revoke_user_token(user_id: int, token_id: int):
    """Revoke one of a user's API keys."""
    return revoke_one(user_id, token_id)
