"""``flask seed`` and ``flask first-run``."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from portfolio_service.auth.models import User
from portfolio_service.extensions import db
from portfolio_service.media.models import Media
from portfolio_service.portfolio.models import Employer, Link, Meta, Portfolio, Tag

from .factories import auth
from .media_helpers import stored_files

COUNTS = {Media: 9, Employer: 4, Tag: 8, Portfolio: 12, Link: 24, Meta: 24}


def counts(app) -> dict:
    with app.app_context():
        return {model: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTS}


def test_seed_makes_demo_data_once(app, runner, client):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "Seeded: 9 media, 4 employers, 8 tags, 12 portfolios, 24 links, 24 meta." in first.output
    assert counts(app) == COUNTS

    again = runner.invoke(args=["seed"])
    assert "Seeded: 0 media, 0 employers, 0 tags, 0 portfolios, 0 links, 0 meta." in again.output
    assert counts(app) == COUNTS

    with app.app_context():
        modes = set(db.session.scalars(select(Media.mode)))
        assert {"RGB", "RGBA", "CMYK", None} <= modes
        assert db.session.scalar(select(func.count(Media.id)).where(Media.type == "application/pdf")) == 1
        assert db.session.scalar(select(func.count(Portfolio.id)).where(Portfolio.is_active.is_(False))) == 2

    listed = client.get("/api/portfolios?page_size=100").get_json()
    assert listed["count"] == 10
    detail = client.get("/api/portfolios/slug/wordpress-site").get_json()
    assert [t["size"] for t in detail["image_data"]["thumbnails"]] == [64, 128, 512, 1080]
    assert len(detail["images_data"]) == 2 and len(detail["links_data"]) == 2 and len(detail["meta"]) == 2
    with client.get(detail["image_data"]["thumbnails"][0]["f"].removeprefix("http://localhost")) as image:
        assert image.status_code == 200 and image.mimetype == "image/jpeg"


def test_seed_reset(app, runner):
    runner.invoke(args=["seed"])
    refused = runner.invoke(args=["seed", "--reset"], input="n\n")
    assert refused.exit_code == 1 and counts(app) == COUNTS
    before = stored_files(app)
    reset = runner.invoke(args=["seed", "--reset", "--yes"])
    assert reset.exit_code == 0, reset.output
    assert "Cleared" in reset.output and "12 portfolios" in reset.output
    assert counts(app) == COUNTS
    after = stored_files(app)
    assert len(after) == len(before) == 9 + 8 * 4  # old files gone, new ones written


def test_first_run_creates_an_admin_once(app, runner, client):
    app.config["PORTFOLIO_ENV"] = "development"
    result = runner.invoke(args=["first-run"])
    assert result.exit_code == 0, result.output
    key = re.search(r"API key:\s+(\S+)", result.output)[1]
    password = re.search(r"password:\s+(\S+)", result.output)[1]
    me = client.get("/api/auth/me", headers=auth(key)).get_json()
    assert me["username"] == "admin" and me["is_admin"]
    assert client.post("/api/auth/login", json={"username": "admin", "password": password}).status_code == 200
    assert counts(app) == COUNTS

    again = runner.invoke(args=["first-run"])
    assert "nothing to do" in again.output and "API key" not in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_first_run_does_nothing_in_production(app, runner):
    app.config["PORTFOLIO_ENV"] = "production"
    result = runner.invoke(args=["first-run"])
    assert "not development" in result.output
    assert counts(app)[Portfolio] == 0
