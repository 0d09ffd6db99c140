"""Every row of ``hostile_inputs.CATALOGUE``: a clear 4xx, and nothing changed."""

from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import func, select

from portfolio_service.extensions import db
from portfolio_service.media.models import Media
from portfolio_service.portfolio.models import Employer, Link, Meta, Portfolio, Tag

from .factories import make_media, make_portfolio
from .hostile_inputs import CATALOGUE
from .images import image_bytes


@pytest.fixture
def target(app, client, admin_headers):
    """A portfolio and an uploaded image to aim at."""
    media = client.post(
        "/api/media",
        data={"file": (io.BytesIO(image_bytes()), "a.jpg")},
        headers=admin_headers,
        content_type="multipart/form-data",
    ).get_json()
    with app.app_context():
        portfolio = make_portfolio("Target", image=db.session.get(Media, media["id"]), tags=[])
        make_media()
        return {"portfolio": portfolio.id, "media": media["id"]}


def state(app, client, target) -> tuple:
    """Everything a hostile request could have changed."""
    with app.app_context():
        counts = tuple(
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Portfolio, Employer, Tag, Link, Meta, Media)
        )
    root = app.config["MEDIA_ROOT"]
    files = sorted(os.path.join(folder, name) for folder, _, names in os.walk(root) for name in names)
    document = client.get(f"/api/portfolios/{target['portfolio']}").get_data()
    return counts, files, document


@pytest.mark.parametrize(
    ("method", "url", "kind", "body", "status", "key"),
    [row[1:] for row in CATALOGUE],
    ids=[row[0] for row in CATALOGUE],
)
def test_hostile_input(app, client, admin_headers, target, method, url, kind, body, status, key):
    before = state(app, client, target)
    url = url.format(**target)
    if kind == "json":
        response = client.open(url, method=method, json=body, headers=admin_headers)
    elif kind == "raw":
        response = client.open(
            url, method=method, data=body, content_type="application/json", headers=admin_headers
        )
    elif kind == "upload":
        filename, data, *form = body
        fields = {"file": (io.BytesIO(data), filename), **(form[0] if form else {})}
        response = client.open(
            url, method=method, data=fields, content_type="multipart/form-data", headers=admin_headers
        )
    else:
        response = client.open(url, method=method, headers=admin_headers)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.is_json
    payload = response.get_json()
    assert key in payload, payload
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "sqlalchemy" not in text.lower() and "SELECT" not in text
    assert state(app, client, target) == before
