"""Test data, made through the models (call inside an app context)."""

from __future__ import annotations

import itertools
from datetime import datetime

from portfolio_service.auth.models import ApiToken, User
from portfolio_service.extensions import db
from portfolio_service.media.models import Media, Thumbnail
from portfolio_service.portfolio.models import Employer, Portfolio, Tag

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


def login(client, username: str = "alice", password: str = PASSWORD, **kwargs):
    """``POST /api/auth/login`` through the test ``client``."""
    return client.post("/api/auth/login", json={"username": username, "password": password}, **kwargs)


def make_media(name: str = "image.png", *, image: bool = True, sizes=(64, 128, 512, 1080)) -> Media:
    """A media row with thumbnails (no files: enough for everything but serving)."""
    number = next(_numbers)
    stem, _, ext = name.rpartition(".")
    media = Media(
        name=name,
        path=f"core_media/2026/03/02/{stem}_{number}.{ext}",
        type="image/png" if image else "application/pdf",
        size=73062,
        width=156 if image else None,
        height=156 if image else None,
        mode="RGB" if image else None,
    )
    if image:
        media.thumbnails = [
            Thumbnail(
                size=edge,
                path=f"core_media/2026/03/02/thumbnails/{stem}_{number}_thumbnail_{edge}x{edge}.{ext}",
                width=edge,
                height=edge,
            )
            for edge in sizes
        ]
    db.session.add(media)
    db.session.commit()
    return media


def make_employer(name: str | None = None, **kwargs) -> Employer:
    employer = Employer(name=name or f"employer {next(_numbers)}", **kwargs)
    db.session.add(employer)
    db.session.commit()
    return employer


def make_tag(name: str | None = None, **kwargs) -> Tag:
    tag = Tag(name=name or f"tag {next(_numbers)}", **kwargs)
    db.session.add(tag)
    db.session.commit()
    return tag


def make_portfolio(title: str | None = None, **kwargs) -> Portfolio:
    title = title or f"Portfolio {next(_numbers)}"
    kwargs.setdefault("slug", title.lower().replace(" ", "-"))
    portfolio = Portfolio(title=title, **kwargs)
    db.session.add(portfolio)
    db.session.commit()
    return portfolio


def snapshot(app, portfolio_id):
    """The portfolio as stored, for "nothing changed" checks."""
    with app.app_context():
        p = db.session.get(Portfolio, portfolio_id)
        return (
            p.title,
            p.slug,
            p.excerpt,
            p.order,
            p.image_id,
            p.employer_id,
            [t.id for t in p.tags],
            [g.media_id for g in p.gallery],
            p.is_active,
            p.completed_at,
            p.description,
            p.updated_at,
        )
