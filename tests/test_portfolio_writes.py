"""Creating, replacing and deleting portfolios, and their ETag with If-Match."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portfolio_service.extensions import db
from portfolio_service.portfolio.models import GalleryImage, Link, Meta

from .factories import snapshot

DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")


# Create, replace, delete


def test_create_makes_slug_and_defaults(client, editor, app):
    response = client.post("/api/portfolios", json={"title": "Café Déjà Vu!"}, headers=editor)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"http://localhost/api/portfolios/{body['id']}"
    assert response.headers["ETag"]
    assert body["slug"] == "cafe-deja-vu"
    assert (body["excerpt"], body["order"], body["is_active"], body["tags_data"], body["images_data"]) == (
        "",
        0,
        True,
        [],
        [],
    )
    assert body["created_at"] == body["updated_at"] or body["created_at"] <= body["updated_at"]
    second = client.post("/api/portfolios", json={"title": "Cafe deja vu"}, headers=editor).get_json()
    third = client.post("/api/portfolios", json={"title": "CAFÉ DÉJÀ VU"}, headers=editor).get_json()
    assert (second["slug"], third["slug"]) == ("cafe-deja-vu-2", "cafe-deja-vu-3")
    assert (
        client.post("/api/portfolios", json={"title": "!!!"}, headers=editor).get_json()["slug"]
        == "portfolio"
    )


def test_create_needs_a_title(client, editor):
    response = client.post("/api/portfolios", json={"slug": "x"}, headers=editor)
    assert response.get_json() == {"title": ["Missing data for required field."]}


def test_put_resets_absent_fields(client, editor, world):
    url = f"/api/portfolios/{world['id']}"
    body = client.put(url, json={"title": "Replaced", "order": 7}, headers=editor).get_json()
    assert (body["title"], body["order"], body["slug"]) == ("Replaced", 7, "replaced")
    assert (body["image_data"], body["employer_data"], body["tags_data"], body["images_data"]) == (
        None,
        None,
        [],
        [],
    )
    assert (body["excerpt"], body["description"], body["completed_at"], body["is_active"]) == (
        "",
        None,
        None,
        True,
    )
    assert client.put(url, json={"order": 1}, headers=editor).get_json() == {
        "title": ["Missing data for required field."]
    }


def test_delete_takes_links_and_meta_but_not_media(client, editor, world, app):
    base = f"/api/portfolios/{world['id']}"
    client.post(f"{base}/links", json={"name": "x", "url": "http://a.example"}, headers=editor)
    client.post(f"{base}/meta", json={"key": "k"}, headers=editor)
    assert client.delete(base, headers=editor).status_code == 204
    assert client.get(base, headers=editor).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Link.id))) == 0
        assert db.session.scalar(select(func.count(Meta.id))) == 0
        assert db.session.scalar(select(func.count(GalleryImage.media_id))) == 0
        from portfolio_service.media.models import Media

        assert db.session.scalar(select(func.count(Media.id))) == 3


# ETag and If-Match


def test_etag_and_if_match(client, editor, world):
    url = f"/api/portfolios/{world['id']}"
    etag = client.get(url).headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert client.get("/api/portfolios/slug/wordpress-site").headers["ETag"] == etag
    changed = client.patch(url, json={"order": 5}, headers={**editor, "If-Match": etag})
    assert changed.status_code == 200
    new_etag = changed.headers["ETag"]
    assert new_etag != etag and client.get(url).headers["ETag"] == new_etag
    stale = client.patch(url, json={"order": 6}, headers={**editor, "If-Match": etag})
    assert stale.status_code == 412 and stale.get_json()["detail"]
    assert client.get(url).get_json()["order"] == 5
    assert client.put(url, json={"title": "x"}, headers={**editor, "If-Match": etag}).status_code == 412
    assert client.delete(url, headers={**editor, "If-Match": etag}).status_code == 412
    assert client.delete(url, headers={**editor, "If-Match": new_etag}).status_code == 204


def test_nested_changes_change_the_etag(client, admin_headers, world):
    url = f"/api/portfolios/{world['id']}"
    etag = client.get(url).headers["ETag"]
    assert (
        client.patch(
            f"/api/tags/{world['sites']}", json={"name": "sights"}, headers=admin_headers
        ).status_code
        == 200
    )
    renamed = client.get(url)
    assert renamed.headers["ETag"] != etag
    assert renamed.get_json()["tags_data"][0]["name"] == "sights"


def test_tags_are_a_set_in_id_order(client, editor, world, app):
    url = f"/api/portfolios/{world['id']}"
    body = client.patch(url, json={"tags": [world["webs"], world["sites"]]}, headers=editor).get_json()
    assert [t["id"] for t in body["tags_data"]] == sorted([world["webs"], world["sites"]])
    assert client.get(url).get_json()["tags_data"] == body["tags_data"]
    before = snapshot(app, world["id"])
    client.patch(url, json={"tags": [world["webs"], world["sites"]]}, headers=editor)
    assert snapshot(app, world["id"]) == before  # the same set in another order is no change


def test_if_match_on_a_read_is_ignored(client, world):
    response = client.get(f"/api/portfolios/{world['id']}", headers={"If-Match": '"stale"'})
    assert response.status_code == 200 and response.get_json()["id"] == world["id"]
