"""SQL statements per request: small, written down, and constant as related rows grow.

Counted with SQLAlchemy's ``before_cursor_execute`` event; ``BEGIN`` is
transaction control, not a query, and is left out. "cold" is a read in a
process that has rendered nothing yet, "warm" a read of a document already
rendered at the current content version (see ``portfolio/documents.py``).
"""

from __future__ import annotations

import contextlib
import re

import pytest
from sqlalchemy import event

from portfolio_service.extensions import db
from portfolio_service.portfolio.documents import forget_all
from portfolio_service.portfolio.models import Link, Meta
from portfolio_service.webhooks.models import Webhook

from .conftest import make_app
from .factories import auth, make_employer, make_media, make_portfolio, make_tag, make_token, make_user

EXPECTED = {
    # Measured as an editor (4203), who also learns which portfolios have a draft (section 8's
    # has_draft): read once, remembered until the drafts' version moves. Anonymous reads never run it.
    "detail cold": 6,  # token+user+codes, versions, portfolio+employer, tags+gallery+links+meta, media+thumbnails, drafts
    "detail warm": 2,  # token+user+codes, versions
    "list cold": 8,  # token, count, page ids, versions, then the three building queries, drafts
    "list warm": 4,  # token, count, page ids, versions
    # token, portfolio with its last revision and whether it has a draft (SQLite; PostgreSQL locks
    # the row first and reads those next: one more, see ``revisions.locked``), tags sent, title
    # check, tags stored, update, tag rows out and in, versions moved, the document's two queries
    # (its media are rendered), then the revision and the audit entry (section 8). No webhook
    # listens, so no outbox event (section 10)
    "patch": 13,
    # A portfolio with no revision yet (made by the factories here, as by the CLI or before
    # revisions were kept) diffs its first against its live document: versions, to find it
    # remembered. And the app's first event: which types the webhooks want, at this version
    "first patch": 15,
    # A webhook wants portfolio.updated (the portfolio is public): its outbox event
    "patch, webhook listening": 14,
}
WRITES = ("patch", "first patch", "patch, webhook listening")


@contextlib.contextmanager
def counted(app):
    """Collect every SQL statement the app runs inside the block (BEGIN left out)."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):
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
        for _ in range(n):  # more portfolios, so a list page holds n + 1 of them
            extra = make_portfolio(image=media[0], tags=tags)
            extra.images = media
        db.session.commit()
        key = make_token(make_user(staff=True, permissions=[4203]))
        return {"id": portfolio.id, "tags": [t.id for t in tags], "headers": auth(key)}


def measure(app, n: int) -> dict:
    made, client = build(app, n), app.test_client()
    headers, url = made["headers"], f"/api/portfolios/{made['id']}"
    client.get("/api/auth/me", headers=headers)  # last_used_at is written once a minute: not the steady state
    counts = {}
    for name, method, path, body in [
        ("detail cold", "GET", url, None),
        ("detail warm", "GET", url, None),
        ("list cold", "GET", "/api/portfolios?page_size=20", None),
        ("list warm", "GET", "/api/portfolios?page_size=20", None),
        ("first patch", "PATCH", url, {"title": f"Changed {n}", "order": 3, "tags": made["tags"][1:]}),
        ("patch", "PATCH", url, {"title": f"Again {n}", "order": 4, "tags": made["tags"][:-1]}),
        (
            "patch, webhook listening",
            "PATCH",
            url,
            {"title": f"Heard {n}", "order": 5, "tags": made["tags"][1:]},
        ),
    ]:
        if name.endswith("cold"):
            with app.app_context():
                forget_all()  # nothing rendered in this process: documents nor media
        if name.endswith("listening"):
            with app.app_context():
                db.session.add(
                    Webhook(url="https://hooks.example/x", events=["portfolio.updated"], secret_encrypted="-")
                )
                db.session.commit()
            client.open(path, method=method, json={"order": 6}, headers=headers)  # learns what it wants
        with counted(app) as statements:
            response = client.open(path, method=method, json=body, headers=headers)
            assert response.status_code == 200, response.get_json()
        counts[name] = len(statements)
    return counts


@pytest.mark.parametrize("n", [1, 30])
def test_query_counts(tmp_path, n):
    app = make_app(tmp_path)
    with app.app_context():
        locked_apart = db.engine.dialect.name != "sqlite"
    assert measure(app, n) == {
        name: count + (locked_apart and name in WRITES) for name, count in EXPECTED.items()
    }


def test_a_repeated_tag_filter_is_one_clause(app, client):
    """``?tag=1`` 670 times once added 670 EXISTS clauses (0.56 s): repeats now count once."""
    with app.app_context():
        tag = make_tag()
        make_portfolio(tags=[tag])
        tag_id = tag.id
    with counted(app) as statements:
        response = client.get("/api/portfolios?" + "&".join([f"tag={tag_id}"] * 670))
    assert response.status_code == 200 and response.get_json()["count"] == 1
    assert max(statement.upper().count("EXISTS") for statement in statements) == 1


@pytest.mark.parametrize(
    ("field", "before", "after", "written"),
    [
        ("tags", "t", "ts", ["INSERT INTO portfolio_tag"]),
        ("tags", "ts", "t", ["DELETE FROM portfolio_tag"]),
        ("images", "abc", "cab", ["UPDATE portfolio_image"]),  # one statement, three rows
        ("images", "abc", "ad", ["DELETE FROM portfolio_image", "INSERT INTO portfolio_image"]),
    ],
)
def test_only_the_relation_rows_that_change_are_written(app, client, field, before, after, written):
    """Rewriting every row made a PATCH and a tag delete deadlock on PostgreSQL: each held what the other needed."""
    with app.app_context():
        items = (
            {name: make_tag() for name in "ts"}
            if field == "tags"
            else {name: make_media() for name in "abcd"}
        )
        ids = {name: item.id for name, item in items.items()}
        portfolio_id = make_portfolio().id
        headers = auth(make_token(make_user(admin=True)))
    url = f"/api/portfolios/{portfolio_id}"
    assert client.patch(url, json={field: [ids[n] for n in before]}, headers=headers).status_code == 200
    with counted(app) as statements:
        response = client.patch(url, json={field: [ids[n] for n in after]}, headers=headers)
    assert response.status_code == 200
    shown = [item["id"] for item in response.get_json()[f"{field}_data"]]
    assert shown == ([ids[n] for n in after] if field == "images" else sorted(ids[n] for n in after))
    writes = [re.match(r"(INSERT INTO|DELETE FROM|UPDATE) (\w+)", statement) for statement in statements]
    relation = "portfolio_tag" if field == "tags" else "portfolio_image"
    assert [write[0] for write in writes if write and write[2] == relation] == written
