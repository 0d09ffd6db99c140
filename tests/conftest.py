"""Fixtures: an app with a fresh database and media folder per test, and its clients."""

from __future__ import annotations

import os

import pytest

from portfolio_service import create_app
from portfolio_service.config import ENV_SETTINGS
from portfolio_service.extensions import db

# The suite never picks up the developer's own settings.
for _name in ENV_SETTINGS:
    os.environ.pop(_name, None)


def make_app(tmp_path, **overrides):
    """A testing app on its own SQLite file and media folder under ``tmp_path``."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        # Cheap hashing keeps the suite fast; production uses scrypt.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
        **overrides,
    }
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


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
def admin_headers(headers):
    return headers(admin=True)
