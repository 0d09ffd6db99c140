"""Employers and tags, and links and meta under a portfolio."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portfolio_service.extensions import db
from portfolio_service.portfolio.models import Link, Meta, Portfolio, portfolio_tag

from .factories import make_employer, make_media, make_portfolio, make_tag


@pytest.mark.parametrize(
    ("plural", "codes", "body", "keys"),
    [
        (
            "employers",
            (4302, 4303, 4304),
            {"name": "ACME", "description": "rockets"},
            ["id", "name", "description", "image_data"],
        ),
        ("tags", (4402, 4403, 4404), {"name": "django"}, ["id", "name", "image_data"]),
    ],
)
def test_crud(client, headers, app, plural, codes, body, keys):
    with app.app_context():
        image = make_media().id
    create, update, delete = (headers(code) for code in codes)
    created = client.post(f"/api/{plural}", json={**body, "image": image}, headers=create)
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert list(item) == keys and item["image_data"]["id"] == image
    url = f"/api/{plural}/{item['id']}"
    assert created.headers["Location"] == f"http://localhost{url}"
    assert client.get(url).get_json() == item
    listed = client.get(f"/api/{plural}?search={body['name'][:2].lower()}").get_json()
    assert listed["count"] == 1 and listed["results"] == [item]

    patched = client.patch(url, json={"image": None}, headers=update)
    assert patched.status_code == 200 and patched.get_json()["image_data"] is None
    assert patched.get_json()["name"] == body["name"]

    assert client.post(f"/api/{plural}", json=body, headers=create).get_json() == {
        "name": [f"A {plural[:-1]} with this name already exists."]
    }
    assert client.patch(url, json={"name": None}, headers=update).get_json() == {
        "name": ["Field may not be null."]
    }
    assert client.post(f"/api/{plural}", json={}, headers=create).get_json() == {
        "name": ["Missing data for required field."]
    }
    assert client.delete(url, headers=delete).status_code == 204
    assert client.get(url).status_code == 404


def test_deleting_an_employer_leaves_its_portfolios_without_one(client, admin_headers, app):
    with app.app_context():
        employer = make_employer("gone")
        portfolio = make_portfolio(employer=employer).id
        employer = employer.id
    assert client.delete(f"/api/employers/{employer}", headers=admin_headers).status_code == 204
    assert client.get(f"/api/portfolios/{portfolio}").get_json()["employer_data"] is None


def test_deleting_a_tag_removes_it_from_every_portfolio(client, admin_headers, app):
    with app.app_context():
        tag, keep = make_tag("gone"), make_tag("kept")
        ids = [make_portfolio(tags=[tag, keep]).id for _ in range(2)]
        tag = tag.id
    assert client.delete(f"/api/tags/{tag}", headers=admin_headers).status_code == 204
    for portfolio in ids:
        assert [t["name"] for t in client.get(f"/api/portfolios/{portfolio}").get_json()["tags_data"]] == [
            "kept"
        ]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(portfolio_tag)) == 2


@pytest.fixture
def portfolio(app):
    with app.app_context():
        return make_portfolio("Host").id


def test_links_crud(client, headers, portfolio, app):
    editor = headers(4203)
    base = f"/api/portfolios/{portfolio}/links"
    before = client.get(f"/api/portfolios/{portfolio}").get_json()["updated_at"]
    created = client.post(
        base, json={"name": "Repo", "url": "https://git.example/repo", "description": "code"}, headers=editor
    )
    assert created.status_code == 201
    link = created.get_json()
    assert link == {
        "id": link["id"],
        "name": "Repo",
        "url": "https://git.example/repo",
        "description": "code",
        "image_data": None,
    }
    assert created.headers["Location"] == f"http://localhost{base}/{link['id']}"
    assert client.get(f"/api/portfolios/{portfolio}").get_json()["updated_at"] > before
    assert client.get(base).get_json()["results"] == [link]
    assert client.patch(f"{base}/{link['id']}", json={"url": None}, headers=editor).get_json()["url"] is None
    assert client.delete(f"{base}/{link['id']}", headers=editor).status_code == 204
    assert client.get(base).get_json()["count"] == 0


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.com/x", "not a url", "http://"]
)
def test_links_take_only_http_urls(client, headers, portfolio, app, url):
    response = client.post(
        f"/api/portfolios/{portfolio}/links", json={"name": "x", "url": url}, headers=headers(4203)
    )
    assert response.status_code == 400
    assert response.get_json() == {"url": ["Enter a valid http or https URL."]}
    with app.app_context():
        assert db.session.scalar(select(func.count(Link.id))) == 0


def test_link_of_another_portfolio_is_404(client, headers, portfolio, app):
    editor = headers(4203)
    link = client.post(f"/api/portfolios/{portfolio}/links", json={"name": "x"}, headers=editor).get_json()
    with app.app_context():
        other = make_portfolio().id
    assert (
        client.patch(
            f"/api/portfolios/{other}/links/{link['id']}", json={"name": "y"}, headers=editor
        ).status_code
        == 404
    )
    assert client.delete(f"/api/portfolios/{other}/links/{link['id']}", headers=editor).status_code == 404


def test_meta_crud_and_unique_keys(client, headers, portfolio, app):
    editor = headers(4203)
    base = f"/api/portfolios/{portfolio}/meta"
    with app.app_context():
        brochure = make_media("brochure.pdf", image=False).id
        other = make_portfolio().id
    created = client.post(base, json={"key": "brochure", "value_file": brochure}, headers=editor)
    assert created.status_code == 201
    meta = created.get_json()
    assert meta["value_file"] == {
        "id": brochure,
        "type": "application/pdf",
        "name": "brochure.pdf",
        "size": 73062,
        "human_readable_size": "71.35 KB",
        "f": meta["value_file"]["f"],
    }
    duplicate = client.post(base, json={"key": "brochure", "value_text": "x"}, headers=editor)
    assert duplicate.get_json() == {"key": ["A meta with this key already exists."]}
    assert (
        client.post(f"/api/portfolios/{other}/meta", json={"key": "brochure"}, headers=editor).status_code
        == 201
    )
    second = client.post(base, json={"key": "year", "value_text": "2024"}, headers=editor).get_json()
    clash = client.patch(f"{base}/{second['id']}", json={"key": "brochure"}, headers=editor)
    assert clash.get_json() == {"key": ["A meta with this key already exists."]}
    assert (
        client.patch(
            f"{base}/{second['id']}", json={"key": "year", "value_text": "2025"}, headers=editor
        ).status_code
        == 200
    )
    with app.app_context():
        assert db.session.scalars(
            select(Meta.value_text).where(Meta.portfolio_id == portfolio).order_by(Meta.id)
        ).all() == [None, "2025"]
    assert client.post(base, json={"key": "x", "value_file": 99999}, headers=editor).get_json() == {
        "value_file": ["No media with id 99999."]
    }


def test_nested_routes_of_missing_or_hidden_portfolios(client, headers, app):
    with app.app_context():
        hidden = make_portfolio(is_active=False).id
    assert client.get("/api/portfolios/99999/links").status_code == 404
    assert client.get(f"/api/portfolios/{hidden}/meta").status_code == 404
    assert client.get(f"/api/portfolios/{hidden}/meta", headers=headers(4201)).status_code == 200
    assert (
        client.post(f"/api/portfolios/{hidden}/meta", json={"key": "k"}, headers=headers(4203)).status_code
        == 201
    )
    with app.app_context():
        assert db.session.get(Portfolio, hidden).meta[0].key == "k"
