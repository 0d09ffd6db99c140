"""What the auth endpoints read and write."""

from __future__ import annotations

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from ..database import utcnow
from ..fields import SINGLE_LINE, FullMatch, Schema, Unique, UniqueList, UTCDateTime
from ..pagination import page_schema
from .models import User
from .permissions import Perm

USERNAME = FullMatch(r"^[A-Za-z0-9_.@+-]{1,150}$", error="Letters, digits and @/./+/-/_ only, at most 150.")
PASSWORD = validate.Length(min=8, max=256)


class LoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(max=150))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class UserSchema(Schema):
    """A user; admins write all of it, ``password`` is write-only."""

    id = fields.Integer(dump_only=True)
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(load_only=True, required=True, validate=PASSWORD)
    is_active = fields.Boolean(load_default=True)
    is_staff = fields.Boolean(load_default=False)
    is_admin = fields.Boolean(load_default=False)
    permissions = UniqueList(
        fields.Integer(strict=True, validate=validate.OneOf(list(Perm), error="Unknown permission code.")),
        load_default=list,
    )

    #: Whatever the case: ``ADMIN`` is taken once ``admin`` exists.
    unique = (Unique(User.username, ignore_case=True),)

    @post_load
    def sort_permissions(self, data: dict, **kwargs) -> dict:
        if "permissions" in data:
            data["permissions"] = sorted(data["permissions"])
        return data


class UserUpdateSchema(UserSchema):
    """PATCH: every field optional, nothing defaulted."""

    is_active = fields.Boolean()
    is_staff = fields.Boolean()
    is_admin = fields.Boolean()
    permissions = UniqueList(
        fields.Integer(strict=True, validate=validate.OneOf(list(Perm), error="Unknown permission code."))
    )


class TokenSchema(Schema):
    """A named API key; ``key`` appears only in the answer that made it."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=[validate.Length(min=1, max=100), SINGLE_LINE])
    created_at = UTCDateTime(dump_only=True)
    last_used_at = UTCDateTime(dump_only=True, allow_none=True)
    expires_at = UTCDateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    key = fields.String(dump_only=True)

    @validates_schema
    def validate_expiry(self, data, **kwargs) -> None:
        expires_at = data.get("expires_at")
        if expires_at is not None and expires_at <= utcnow():
            raise ValidationError("Must be in the future.", "expires_at")


class LoginResultSchema(Schema):
    token = fields.String()
    user = fields.Nested(UserSchema)


class PermissionSchema(Schema):
    code = fields.Integer(dump_only=True, metadata={"example": 4203})
    allows = fields.String(dump_only=True, metadata={"example": "update portfolios"})


class PermissionListSchema(Schema):
    """Every permission code; a fixed list, not paginated."""

    permissions = fields.List(fields.Nested(PermissionSchema), dump_only=True)


login_schema = LoginSchema()
user_schema = UserSchema()
user_update_schema = UserUpdateSchema(partial=True)
token_schema = TokenSchema()
permission_list_schema = PermissionListSchema()
new_token_schema = NewTokenSchema()

UserPageSchema = page_schema(UserSchema)
TokenPageSchema = page_schema(TokenSchema)
