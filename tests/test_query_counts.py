"""SQL statements per request stay constant as a portfolio's related rows grow."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event

from portfolio_service.extensions import db
from portfolio_service.portfolio.models import Link, Meta

from .factories import make_employer, make_media, make_portfolio, make_tag


@contextlib.contextmanager
def counted(app):
    """Collect every SQL statement the app runs inside the block."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def build(app, n: int) -> dict:
    """A portfolio with ``n`` tags, gallery images, links and meta, each with media and thumbnails."""
    with app.app_context():
        media = [make_media(f"m{i}.png") for i in range(n)]
        tags = [make_tag(image=media[i % n]) for i in range(n + 1)]
        portfolio = make_portfolio(image=media[0], employer=make_employer(image=media[0]), tags=tags[:n])
        portfolio.images = media
        portfolio.links = [Link(name=f"l{i}", url="https://x.example", image=media[i]) for i in range(n)]
        portfolio.meta = [Meta(key=f"k{i}", value_file=media[i]) for i in range(n)]
        db.session.commit()
        for _ in range(n):  # more portfolios so the list page is full
            extra = make_portfolio(image=media[0], tags=tags)
            extra.images = media
        db.session.commit()
        return {"id": portfolio.id, "tags": [t.id for t in tags]}


def measure(app, client, headers, n: int) -> dict:
    made = build(app, n)
    editor = headers(4203)
    counts = {}
    url = f"/api/portfolios/{made['id']}"
    client.get(url, headers=editor)  # last_used_at is written once a minute: not part of the steady state
    with counted(app) as statements:
        assert client.get(url, headers=editor).status_code == 200
    counts["detail"] = len(statements)
    with counted(app) as statements:
        response = client.get("/api/portfolios?page_size=20", headers=editor)
        assert response.status_code == 200 and len(response.get_json()["results"]) == min(n + 1, 20)
    counts["list"] = len(statements)
    with counted(app) as statements:
        body = {"title": f"Changed {n}", "order": 3, "tags": made["tags"][1:]}
        assert client.patch(url, json=body, headers=editor).status_code == 200
    counts["patch"] = len(statements)
    return counts


@pytest.mark.parametrize("n", [30])
def test_query_counts_do_not_grow(app, client, headers, n, tmp_path):
    small = measure(app, client, headers, 1)
    from .conftest import make_app

    (tmp_path / "big").mkdir()
    big_app = make_app(tmp_path / "big")
    big = measure(big_app, big_app.test_client(), _headers_for(big_app), n)
    assert big == small, (small, big)


def _headers_for(app):
    from .factories import auth, make_token, make_user

    def make(*codes, staff=True):
        with app.app_context():
            return auth(make_token(make_user(staff=staff, permissions=codes)))

    return make
