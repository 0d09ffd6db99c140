"""``/api/portfolios``: the source page's PATCH and everything around it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portfolio_service.extensions import db
from portfolio_service.portfolio.models import GalleryImage, Portfolio

from .factories import make_portfolio, snapshot
from .shapes import MEDIA_KEYS, PORTFOLIO_KEYS

DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")


# The source page's three example requests


def test_source_example_update_title(client, editor, world, app):
    response = client.patch(f"/api/portfolios/{world['id']}", json={"title": "DjangoSite"}, headers=editor)
    assert response.status_code == 200
    body = response.get_json()
    assert body["title"] == "DjangoSite"
    assert body["slug"] == "wordpress-site"  # slugs stay put: URLs do not break
    assert body["image_data"]["id"] == world["image"]
    with app.app_context():
        assert db.session.get(Portfolio, world["id"]).title == "DjangoSite"


def test_source_example_update_only_the_image(client, editor, world, app):
    before = snapshot(app, world["id"])
    response = client.patch(f"/api/portfolios/{world['id']}", json={"image": world["other"]}, headers=editor)
    assert response.status_code == 200
    assert response.get_json()["image_data"]["id"] == world["other"]
    after = snapshot(app, world["id"])
    assert after[4] == world["other"]
    assert after[:4] == before[:4] and after[5:11] == before[5:11]


def test_source_example_remove_image_with_null(client, editor, world, app):
    response = client.patch(f"/api/portfolios/{world['id']}", json={"image": None}, headers=editor)
    assert response.status_code == 200
    assert response.get_json()["image_data"] is None
    with app.app_context():
        assert db.session.get(Portfolio, world["id"]).image_id is None


# Shapes


def test_response_has_the_source_fields_in_order(client, world):
    body = client.get(f"/api/portfolios/{world['id']}").get_json()
    assert list(body) == PORTFOLIO_KEYS
    assert list(body["image_data"]) == MEDIA_KEYS
    assert [list(t) for t in body["image_data"]["thumbnails"]] == [["id", "f", "size"]] * 4
    assert [t["size"] for t in body["image_data"]["thumbnails"]] == [64, 128, 512, 1080]
    assert body["image_data"]["human_readable_size"] == "71.35 KB"
    assert body["image_data"]["f"].startswith(
        "http://localhost/media/core_media/2026/03/02/image_test_media_file_0"
    )
    assert list(body["employer_data"]) == ["id", "name", "description", "image_data"]
    assert body["employer_data"]["description"] == "some store"
    assert [list(t) for t in body["tags_data"]] == [["id", "name", "image_data"]] * 2
    assert [t["name"] for t in body["tags_data"]] == ["sites", "webs"]
    assert body["links_data"] == [] and body["meta"] == []
    assert [list(m) for m in body["images_data"]] == [MEDIA_KEYS]
    assert body["completed_at"] == "2024-12-14T00:00:00Z"
    for name in ("created_at", "updated_at"):
        assert DATETIME.match(body[name]), body[name]
    for write_only in ("image", "employer", "tags", "images"):
        assert write_only not in body


def test_nested_links_and_meta_shapes(client, editor, world):
    base = f"/api/portfolios/{world['id']}"
    link = client.post(
        f"{base}/links",
        json={"name": "Live", "url": "https://example.com", "image": world["preview"]},
        headers=editor,
    )
    assert link.status_code == 201, link.get_json()
    meta = client.post(
        f"{base}/meta",
        json={"key": "brochure", "value_text": "pdf", "value_file": world["other"]},
        headers=editor,
    )
    assert meta.status_code == 201, meta.get_json()
    body = client.get(base).get_json()
    assert list(body["links_data"][0]) == ["id", "name", "url", "description", "image_data"]
    assert body["links_data"][0]["image_data"]["id"] == world["preview"]
    assert list(body["meta"][0]) == ["id", "key", "value_text", "value_file"]
    assert list(body["meta"][0]["value_file"]) == ["id", "type", "name", "size", "human_readable_size", "f"]


def test_datetime_inputs(client, editor, world):
    url = f"/api/portfolios/{world['id']}"
    for sent, stored in [
        ("2024-12-14", "2024-12-14T00:00:00Z"),
        ("2024-12-14T10:00:00+02:00", "2024-12-14T08:00:00Z"),
        ("2024-12-14T10:00:00", "2024-12-14T10:00:00Z"),
        ("2024-12-14T10:00:00.123456Z", "2024-12-14T10:00:00.123456Z"),
    ]:
        response = client.patch(url, json={"completed_at": sent}, headers=editor)
        assert response.get_json()["completed_at"] == stored, sent
    assert client.patch(url, json={"completed_at": None}, headers=editor).get_json()["completed_at"] is None


# Partial update semantics


def test_only_sent_fields_change_and_updated_at_moves(client, editor, world, app):
    url = f"/api/portfolios/{world['id']}"
    before = client.get(url).get_json()
    after = client.patch(url, json={"excerpt": "new"}, headers=editor).get_json()
    changed = {key for key in PORTFOLIO_KEYS if before[key] != after[key]}
    assert changed == {"excerpt", "updated_at"}
    assert after["updated_at"] > before["updated_at"]
    assert after["created_at"] == before["created_at"]


def test_empty_patch_changes_nothing(client, editor, world, app):
    before = snapshot(app, world["id"])
    response = client.patch(f"/api/portfolios/{world['id']}", json={}, headers=editor)
    assert response.status_code == 200
    assert snapshot(app, world["id"]) == before


def test_same_values_do_not_move_updated_at(client, editor, world, app):
    before = snapshot(app, world["id"])
    client.patch(
        f"/api/portfolios/{world['id']}",
        json={"title": "Wordpress site", "tags": [world["sites"], world["webs"]]},
        headers=editor,
    )
    assert snapshot(app, world["id"]) == before


def test_tags_are_replaced(client, editor, world, app):
    body = client.patch(
        f"/api/portfolios/{world['id']}", json={"tags": [world["webs"]]}, headers=editor
    ).get_json()
    assert [t["id"] for t in body["tags_data"]] == [world["webs"]]
    assert (
        client.patch(f"/api/portfolios/{world['id']}", json={"tags": []}, headers=editor).get_json()[
            "tags_data"
        ]
        == []
    )


def test_gallery_keeps_the_order_sent(client, editor, world, app):
    order = [world["preview"], world["image"], world["other"]]
    body = client.patch(f"/api/portfolios/{world['id']}", json={"images": order}, headers=editor).get_json()
    assert [m["id"] for m in body["images_data"]] == order
    assert [m["id"] for m in client.get(f"/api/portfolios/{world['id']}").get_json()["images_data"]] == order
    reordered = [world["other"], world["preview"]]
    body = client.patch(
        f"/api/portfolios/{world['id']}", json={"images": reordered}, headers=editor
    ).get_json()
    assert [m["id"] for m in body["images_data"]] == reordered
    with app.app_context():
        rows = db.session.execute(
            select(GalleryImage.media_id, GalleryImage.position).order_by(GalleryImage.position)
        ).all()
        assert [tuple(r) for r in rows] == [(world["other"], 0), (world["preview"], 1)]


def test_employer_null_removes_it(client, editor, world):
    body = client.patch(f"/api/portfolios/{world['id']}", json={"employer": None}, headers=editor).get_json()
    assert body["employer_data"] is None


# Validation errors: each is a 400 on its field, and nothing changes


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"title": "Taken"}, {"title": ["A portfolio with this title already exists."]}),
        ({"slug": "taken"}, {"slug": ["A portfolio with this slug already exists."]}),
        ({"slug": "Not A Slug"}, {"slug": ["Use lowercase letters, digits and single hyphens."]}),
        ({"slug": "double--hyphen"}, {"slug": ["Use lowercase letters, digits and single hyphens."]}),
        ({"image": 999999}, {"image": ["No media with id 999999."]}),
        ({"employer": 999999}, {"employer": ["No employer with id 999999."]}),
        ({"tags": [999998, 999999]}, {"tags": ["No tag with ids: 999998, 999999."]}),
        ({"images": [999999, 999999]}, {"images": ["Duplicate values: 999999."]}),
        ({"tags": [1, "x"]}, {"tags": {"1": ["Not a valid integer."]}}),
        ({"tags": "1"}, {"tags": ["Not a valid list."]}),
        ({"order": "first"}, {"order": ["Not a valid integer."]}),
        (
            {"order": 2**40},
            {"order": ["Must be greater than or equal to -2147483648 and less than or equal to 2147483647."]},
        ),
        ({"image": "12"}, {"image": ["Not a valid integer."]}),
        ({"is_active": "maybe"}, {"is_active": ["Not a valid boolean."]}),
        ({"completed_at": "yesterday"}, {"completed_at": ["Not a valid datetime."]}),
        ({"completed_at": "0001-01-01T00:00:00+01:00"}, {"completed_at": ["Not a valid datetime."]}),
        ({"completed_at": "9999-12-31T23:59:59-01:00"}, {"completed_at": ["Not a valid datetime."]}),
        ({"title": None}, {"title": ["Field may not be null."]}),
        ({"tags": None}, {"tags": ["Field may not be null."]}),
        ({"is_active": None}, {"is_active": ["Field may not be null."]}),
        ({"title": ""}, {"title": ["Length must be between 1 and 200."]}),
        ({"title": "x" * 201}, {"title": ["Length must be between 1 and 200."]}),
        ({"titel": "x"}, {"titel": ["Unknown field."]}),
        (
            {"title": "Taken", "slug": "taken", "order": "first"},
            {
                "title": ["A portfolio with this title already exists."],
                "slug": ["A portfolio with this slug already exists."],
                "order": ["Not a valid integer."],
            },
        ),
        (
            {"id": 5, "created_at": "2020-01-01", "image_data": None, "meta": []},
            {
                "id": ["This field is read-only."],
                "created_at": ["This field is read-only."],
                "image_data": ["This field is read-only."],
                "meta": ["This field is read-only."],
            },
        ),
        ({"title": "Fine", "tags": [999999]}, {"tags": ["No tag with ids: 999999."]}),
    ],
)
def test_invalid_patch_changes_nothing(client, editor, world, app, body, errors):
    with app.app_context():
        make_portfolio("Taken", slug="taken")
    before = snapshot(app, world["id"])
    response = client.patch(f"/api/portfolios/{world['id']}", json=body, headers=editor)
    assert response.status_code == 400
    assert response.get_json() == errors
    assert snapshot(app, world["id"]) == before


def test_duplicate_gallery_ids_are_400(client, editor, world, app):
    before = snapshot(app, world["id"])
    body = {"images": [world["image"], world["other"], world["image"]]}
    response = client.patch(f"/api/portfolios/{world['id']}", json=body, headers=editor)
    assert response.get_json() == {"images": [f"Duplicate values: {world['image']}."]}
    assert snapshot(app, world["id"]) == before


def test_body_must_be_json(client, editor, world):
    response = client.patch(
        f"/api/portfolios/{world['id']}",
        data="title=x",
        headers=editor,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    response = client.patch(
        f"/api/portfolios/{world['id']}", data="{", headers=editor, content_type="application/json"
    )
    assert response.status_code == 400 and response.get_json()["detail"].startswith("JSON parse error")


def test_unknown_portfolio_is_404(client, editor):
    assert client.patch("/api/portfolios/424242", json={}, headers=editor).get_json() == {
        "detail": "Not found."
    }
    assert client.get(f"/api/portfolios/{2**70}").status_code == 404
