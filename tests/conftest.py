"""Fixtures: an app with a fresh database and media folder per test, and its clients."""

from __future__ import annotations

import os

import pytest

from portfolio_service import create_app
from portfolio_service.config import ENV_SETTINGS
from portfolio_service.extensions import db

from .databases import fresh_database_url

# The suite never picks up the developer's own settings.
for _name in ENV_SETTINGS:
    os.environ.pop(_name, None)


def make_app(tmp_path, create_tables: bool = True, **overrides):
    """A testing app on a fresh database and its own media folder under ``tmp_path``."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": fresh_database_url(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        # Cheap hashing keeps the suite fast; production uses scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        # Jobs wait in this process until a test runs them (jobs.run_pending), retries at once.
        "JOBS_URL": "memory://",
        "JOB_RETRY_DELAY": 0,
        **overrides,
    }
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    if create_tables:
        with app.app_context():
            db.create_all()
    _apps.append(app)
    return app


_apps: list = []


@pytest.fixture(autouse=True)
def _close_connections():
    """Close every app's database connections when its test ends (PostgreSQL counts them)."""
    yield
    while _apps:
        with _apps.pop().app_context():
            db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def headers(app):
    """``headers(*codes, staff=True, admin=False)``: Authorization headers of a new user."""
    from .factories import auth, make_token, make_user

    def make(*codes, staff=True, admin=False, **kwargs):
        with app.app_context():
            user = make_user(staff=staff, admin=admin, permissions=codes, **kwargs)
            return auth(make_token(user))

    return make


@pytest.fixture
def alice(app) -> int:
    """The id of ``alice``, staff with 4203 and 4101, whose password is ``factories.PASSWORD``."""
    from .factories import make_user

    with app.app_context():
        return make_user("alice", staff=True, permissions=[4203, 4101]).id


@pytest.fixture
def admin_headers(headers):
    return headers(admin=True)


@pytest.fixture
def aws_env(monkeypatch):
    """boto3's credentials for the tests' S3 server (moto), from the environment."""
    from .servers import FAKE_AWS

    for name, value in FAKE_AWS.items():
        monkeypatch.setenv(name, value)
    return FAKE_AWS


@pytest.fixture
def editor(headers):
    return headers(4201, 4202, 4203, 4204)


@pytest.fixture
def world(app):
    """A portfolio like the source's example (id, ids of what it can point at)."""
    from datetime import datetime

    from .factories import make_employer, make_media, make_portfolio, make_tag

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


@pytest.fixture
def staff(headers):
    return headers(4101, 4102, 4103, 4104)


@pytest.fixture
def clock():
    """``clock.frozen = datetime``: the service's "now" until the test ends."""
    from portfolio_service.database import CLOCK

    yield CLOCK
    CLOCK.frozen = None
