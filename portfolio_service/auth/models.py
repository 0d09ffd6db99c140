"""Users, their permission codes, API keys and the login attempts that throttle."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import UTCDateTime, utcnow
from ..extensions import Model


class User(Model):
    __tablename__ = "users"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    is_staff: Mapped[bool] = mapped_column(default=False)
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    permission_rows: Mapped[list[UserPermission]] = relationship(
        cascade="all, delete-orphan", order_by="UserPermission.code"
    )
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    #: The user's permission codes, as plain integers; assigning replaces them.
    permissions: AssociationProxy[list[int]] = association_proxy(
        "permission_rows", "code", creator=lambda code: UserPermission(code=code)
    )

    def set_password(self, password: str, method: str) -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


# ``ADMIN`` and ``admin`` are one name: usernames are ASCII (see the schema), so
# ``lower()`` folds them alike on SQLite and PostgreSQL.
Index("uq_users_username_lower", func.lower(User.username), unique=True)


class UserPermission(Model):
    __tablename__ = "user_permission"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[int] = mapped_column(primary_key=True)


def hash_key(key: str) -> str:
    """SHA-256 of an API key: keys are random and long, so a fast hash is enough."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Made by ``POST /api/auth/login`` (a session) rather than asked for by name.
    from_login: Mapped[bool] = mapped_column(default=False, server_default="0")

    user: Mapped[User] = relationship(back_populates="tokens", lazy="joined", innerjoin=True)

    #: The clear key, set on a token just made and never stored.
    key = None

    @classmethod
    def issue(
        cls, user: User, name: str, expires_at: datetime | None = None, *, from_login: bool = False
    ) -> ApiToken:
        """A new token for ``user``; its clear key is on ``.key`` until the object is gone."""
        key = secrets.token_urlsafe(32)  # 256 bits
        token = cls(user=user, name=name, key_hash=hash_key(key), expires_at=expires_at)
        token.from_login = from_login
        token.key = key  # type: ignore[assignment]  # not a column: it lives on this object only
        return token


class LoginAttempt(Model):
    """One login attempt; recent rows throttle the username and the client address.

    An attempt is recorded as failed before its password is checked, and
    marked ``succeeded`` afterwards: concurrent guesses all count.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_created_at", "username", "created_at"),
        Index("ix_login_attempt_address_created_at", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150))  # as typed, lower-cased
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    succeeded: Mapped[bool] = mapped_column(default=False)
