"""The caller's own API keys: list, make, revoke; and logout, which revokes the key it came with."""

from __future__ import annotations

from flask import g, url_for
from marshmallow import ValidationError
from sqlalchemy import Select, func, select, update

from ..audit import record
from ..database import utcnow
from ..errors import NotFound
from ..extensions import db
from ..openapi import contract
from ..pagination import PageQuerySchema, paginate
from ..parsing import load_body
from . import bp
from .models import ApiToken, User
from .permissions import AUTHENTICATED, permission
from .schemas import NewTokenSchema, TokenPageSchema, TokenSchema, new_token_schema, token_schema

#: Named API keys one user may hold at once (keys made by login are capped apart).
MAX_API_KEYS = 100


def live_tokens(user_id: int) -> Select:
    """A user's keys that are not revoked."""
    return select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))


def revoke_one(user_id: int, token_id: int):
    """Revoke one live key of the user's (404 when there is none), and answer 204."""
    if not revoke(live_tokens(user_id).where(ApiToken.id == token_id)):
        raise NotFound()
    record("revoke", "token", token_id)
    db.session.commit()
    return "", 204


def revoke(tokens: Select) -> int:
    """Revoke the keys ``tokens`` selects (by id) at once; how many there were."""
    ids = tokens.with_only_columns(ApiToken.id).scalar_subquery()
    result = db.session.execute(update(ApiToken).where(ApiToken.id.in_(ids)).values(revoked_at=utcnow()))
    return result.rowcount  # type: ignore[attr-defined]  # an UPDATE's result has one


@bp.post("/logout")
@permission(AUTHENTICATED)
@contract("auth")
def logout():
    """Revoke the token this request used."""
    db.session.execute(update(ApiToken).where(ApiToken.id == g.caller.token_id).values(revoked_at=utcnow()))
    record("logout", "token", g.caller.token_id)
    db.session.commit()
    return "", 204


@bp.get("/tokens")
@permission(AUTHENTICATED)
@contract("auth", response=TokenPageSchema, query=[PageQuerySchema])
def list_tokens():
    """The caller's API keys that are not revoked (never the keys themselves)."""
    return paginate(live_tokens(g.caller.user_id).order_by(ApiToken.id), token_schema)


@bp.post("/tokens")
@permission(AUTHENTICATED)
@contract("auth", body=TokenSchema, response=NewTokenSchema, status=201)
def create_token():
    """Make a named API key for the caller; the key is shown in this answer only."""
    data = load_body(new_token_schema)
    named = live_tokens(g.caller.user_id).where(~ApiToken.from_login)
    if db.session.scalar(select(func.count()).select_from(named.subquery())) >= MAX_API_KEYS:
        raise ValidationError(f"A user holds at most {MAX_API_KEYS} API keys: revoke one first.")
    token = ApiToken.issue(db.session.get(User, g.caller.user_id), data["name"], data.get("expires_at"))
    db.session.add(token)
    db.session.flush()
    record("create", "token", token.id, {name: [None, value] for name, value in data.items()})
    db.session.commit()
    location = url_for("auth.revoke_token", token_id=token.id, _external=True)
    return new_token_schema.dump(token), 201, {"Location": location}


@bp.delete("/tokens/<int:token_id>")
@permission(AUTHENTICATED)
@contract("auth")
def revoke_token(token_id: int):
    """Revoke one of the caller's API keys."""
    return revoke_one(g.caller.user_id, token_id)
