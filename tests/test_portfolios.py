"""``/api/portfolios``: the source page's PATCH and everything around it."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from portfolio_service.extensions import db
from portfolio_service.portfolio.models import GalleryImage, Link, Meta, Portfolio

from .factories import make_employer, make_media, make_portfolio, make_tag
from .shapes import MEDIA_KEYS, PORTFOLIO_KEYS

DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")


@pytest.fixture
def editor(headers):
    return headers(4201, 4202, 4203, 4204)


@pytest.fixture
def world(app):
    """A portfolio like the source's example (id, ids of what it can point at)."""
    with app.app_context():
        image, other, preview = (
            make_media("image_test_media_file_0.bmp"),
            make_media("b.png"),
            make_media("preview.png"),
        )
        employer = make_employer("digikala", description="some store", image=image)
        sites, webs = make_tag("sites", image=preview), make_tag("webs", image=image)
        portfolio = make_portfolio(
            "Wordpress site",
            slug="wordpress-site",
            excerpt="a wordpress site built with elementor",
            order=1,
            image=image,
            employer=employer,
            tags=[sites, webs],
            completed_at=datetime.fromisoformat("2024-12-14T00:00:00+00:00"),
            description="this can be a long text describing the project",
        )
        portfolio.images = [image]
        db.session.commit()
        return dict(
            id=portfolio.id,
            image=image.id,
            other=other.id,
            preview=preview.id,
            employer=employer.id,
            sites=sites.id,
            webs=webs.id,
        )


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


# Visibility, filters, search, ordering


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
