"""``GET /api/portfolios``: visibility, filters, search and ordering."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from portfolio_service.extensions import db
from portfolio_service.portfolio.models import Portfolio

from .factories import make_employer, make_portfolio, make_tag


@pytest.fixture
def listing(app):
    with app.app_context():
        a, b = make_tag("a"), make_tag("b")
        acme = make_employer("acme")
        make_portfolio(
            "Alpha",
            order=2,
            tags=[a, b],
            employer=acme,
            completed_at=datetime.fromisoformat("2024-01-01T00:00:00+00:00"),
        )
        make_portfolio(
            "Beta",
            order=1,
            tags=[a],
            excerpt="100% pure_luck",
            completed_at=datetime.fromisoformat("2023-01-01T00:00:00+00:00"),
        )
        make_portfolio("Gamma", order=3, is_active=False, description="secret")
        make_portfolio("Delta", order=1, tags=[b], employer=acme)
        return {"a": a.id, "b": b.id, "acme": acme.id}


def titles(client, query="", headers=None):
    response = client.get(f"/api/portfolios{query}", headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return [p["title"] for p in response.get_json()["results"]]


def test_inactive_portfolios_need_4201(client, headers, listing, app):
    assert titles(client) == ["Beta", "Delta", "Alpha"]
    assert titles(client, headers=headers(4203)) == ["Beta", "Delta", "Alpha"]
    assert titles(client, headers=headers(4201)) == ["Beta", "Delta", "Alpha", "Gamma"]
    assert titles(client, "?is_active=false", headers=headers(4201)) == ["Gamma"]
    assert titles(client, "?is_active=false") == ["Beta", "Delta", "Alpha"]  # ignored without 4201
    with app.app_context():
        gamma = db.session.scalar(select(Portfolio.id).where(Portfolio.title == "Gamma"))
    assert client.get(f"/api/portfolios/{gamma}").status_code == 404
    assert client.get("/api/portfolios/slug/gamma").status_code == 404
    assert client.get(f"/api/portfolios/{gamma}", headers=headers(4201)).status_code == 200
    assert (
        client.patch(f"/api/portfolios/{gamma}", json={"order": 9}, headers=headers(4203)).status_code == 200
    )


def test_filters_and_search(client, listing, headers):
    assert titles(client, f"?tag={listing['a']}") == ["Beta", "Alpha"]
    assert titles(client, f"?tag={listing['a']}&tag={listing['b']}") == ["Alpha"]
    assert titles(client, f"?employer={listing['acme']}") == ["Delta", "Alpha"]
    assert titles(client, "?search=ALP") == ["Alpha"]
    assert titles(client, "?search=100%25") == ["Beta"]
    assert titles(client, "?search=a_p") == []  # _ is literal, not "any character"
    assert titles(client, "?search=pure_") == ["Beta"]
    assert titles(client, "?search=secret") == []
    assert titles(client, "?search=secret", headers=headers(4201)) == ["Gamma"]


def test_ordering(client, listing):
    assert titles(client, "?ordering=title") == ["Alpha", "Beta", "Delta"]
    assert titles(client, "?ordering=-title") == ["Delta", "Beta", "Alpha"]
    assert titles(client, "?ordering=completed_at") == ["Beta", "Alpha", "Delta"]
    assert titles(client, "?ordering=-completed_at") == ["Alpha", "Beta", "Delta"]  # nulls last both ways
    assert titles(client, "?ordering=-order") == ["Alpha", "Beta", "Delta"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("ordering=color", "ordering"),
        ("tag=x", "tag"),
        ("employer=-1", "employer"),
        ("is_active=perhaps", "is_active"),
        ("page=0", "page"),
    ],
)
def test_bad_list_parameters_are_400(client, query, name, listing):
    response = client.get(f"/api/portfolios?{query}")
    assert response.status_code == 400
    assert list(response.get_json()) == [name]
