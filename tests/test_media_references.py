"""Deleting media that is still used: 409 with every reference, or force to detach."""

from __future__ import annotations

from portfolio_service.extensions import db
from portfolio_service.media.models import Media
from portfolio_service.media.references import reference_columns
from portfolio_service.portfolio.models import Link, Meta, Portfolio

from .factories import make_employer, make_media, make_portfolio, make_tag


def test_every_media_foreign_key_is_a_reference():
    """Found from the schema itself: a new column pointing at media.id shows up here."""
    found = {(ref.column.table.name, ref.column.name, ref.type, ref.field) for ref in reference_columns()}
    assert found == {
        ("employer", "image_id", "employer", "image"),
        ("tag", "image_id", "tag", "image"),
        ("portfolio", "image_id", "portfolio", "image"),
        ("portfolio_image", "media_id", "portfolio", "images"),
        ("link", "image_id", "link", "image"),
        ("meta", "value_file_id", "meta", "value_file"),
    }
    media_keys = {
        (table.name, key.parent.name)
        for table in db.metadata.tables.values()
        for key in table.foreign_keys
        if key.column.table.name == "media" and table.name != "thumbnail"
    }
    assert media_keys == {(table, column) for table, column, _, _ in found}


def test_delete_in_use_is_409_then_force_detaches(client, headers, app):
    staff = headers(4104)
    with app.app_context():
        media = make_media()
        employer = make_employer(image=media)
        tag = make_tag(image=media)
        portfolio = make_portfolio(image=media)
        portfolio.images = [media]
        portfolio.links = [Link(name="l", image=media)]
        portfolio.meta = [Meta(key="k", value_file=media)]
        db.session.commit()
        ids = dict(
            media=media.id,
            employer=employer.id,
            tag=tag.id,
            portfolio=portfolio.id,
            link=portfolio.links[0].id,
            meta=portfolio.meta[0].id,
        )

    response = client.delete(f"/api/media/{ids['media']}", headers=staff)
    assert response.status_code == 409
    assert response.get_json() == {
        "detail": "This media is still in use.",
        "references": [
            {"type": "employer", "id": ids["employer"], "field": "image"},
            {"type": "link", "id": ids["link"], "field": "image"},
            {"type": "meta", "id": ids["meta"], "field": "value_file"},
            {"type": "portfolio", "id": ids["portfolio"], "field": "image"},
            {"type": "portfolio", "id": ids["portfolio"], "field": "images"},
            {"type": "tag", "id": ids["tag"], "field": "image"},
        ],
    }
    assert client.get(f"/api/portfolios/{ids['portfolio']}").get_json()["image_data"]["id"] == ids["media"]

    assert client.delete(f"/api/media/{ids['media']}?force=true", headers=staff).status_code == 204
    body = client.get(f"/api/portfolios/{ids['portfolio']}").get_json()
    assert body["image_data"] is None and body["images_data"] == []
    assert body["links_data"][0]["image_data"] is None and body["meta"][0]["value_file"] is None
    assert client.get(f"/api/employers/{ids['employer']}").get_json()["image_data"] is None
    assert client.get(f"/api/tags/{ids['tag']}").get_json()["image_data"] is None
    with app.app_context():
        assert db.session.get(Portfolio, ids["portfolio"]) is not None
        assert db.session.get(Media, ids["media"]) is None
