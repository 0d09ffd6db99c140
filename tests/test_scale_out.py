"""Two gunicorn instances (two ports) on one database and one S3 bucket share all state."""

from __future__ import annotations

import contextlib
import io

import pytest
import requests

from .databases import ON_POSTGRES
from .images import image_bytes
from .servers import admin_headers, gunicorn, moto_s3, server_env

pytestmark = pytest.mark.slow


@pytest.fixture
def two_instances(tmp_path, aws_env):
    """Hosts A and B: same DATABASE_URL, same bucket, a CDN base URL for files."""
    with moto_s3("shared-media") as endpoint:
        env = server_env(
            tmp_path,
            MEDIA_STORAGE="s3",
            S3_BUCKET="shared-media",
            S3_ENDPOINT_URL=endpoint,
            MEDIA_URL=f"{endpoint}/shared-media/",
            **aws_env,
        )
        with contextlib.ExitStack() as stack:
            a, _ = stack.enter_context(gunicorn(env, workers=2))
            b, _ = stack.enter_context(gunicorn(env, workers=2))
            yield a, b, admin_headers(env)


def test_write_through_one_read_through_the_other(two_instances):
    a, b, headers = two_instances
    assert (
        requests.get(f"{a}/api/health", timeout=5).json() == requests.get(f"{b}/api/health", timeout=5).json()
    )
    media = requests.post(
        f"{a}/api/media", files={"file": ("team.jpg", io.BytesIO(image_bytes()))}, headers=headers, timeout=30
    ).json()
    created = requests.post(
        f"{a}/api/portfolios", json={"title": "Shared", "image": media["id"]}, headers=headers, timeout=10
    ).json()

    seen = requests.get(f"{b}/api/portfolios/{created['id']}", timeout=10)
    assert seen.json()["image_data"]["f"] == media["f"]
    assert requests.get(media["f"], timeout=10).content == image_bytes()  # served by the bucket, not a host

    changed = requests.patch(
        f"{b}/api/portfolios/{created['id']}", json={"title": "Changed on B"}, headers=headers, timeout=10
    )
    assert requests.get(f"{a}/api/portfolios/{created['id']}", timeout=10).json()["title"] == "Changed on B"
    assert (
        changed.headers["ETag"]
        == requests.get(f"{a}/api/portfolios/{created['id']}", timeout=10).headers["ETag"]
    )

    assert (
        requests.delete(f"{b}/api/media/{media['id']}?force=true", headers=headers, timeout=10).status_code
        == 204
    )
    assert requests.get(media["f"], timeout=10).status_code in (403, 404)


def test_throttle_on_one_is_refused_on_the_other(two_instances):
    a, b, headers = two_instances
    requests.post(
        f"{a}/api/auth/users",
        json={"username": "eve", "password": "right-password"},
        headers=headers,
        timeout=10,
    )
    for _ in range(5):
        wrong = requests.post(
            f"{a}/api/auth/login", json={"username": "eve", "password": "wrong-one"}, timeout=10
        )
        assert wrong.status_code == 400
    refused = requests.post(
        f"{b}/api/auth/login", json={"username": "eve", "password": "right-password"}, timeout=10
    )
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_token_use_is_recorded_where_every_host_sees_it(two_instances):
    a, b, headers = two_instances
    assert requests.get(f"{a}/api/auth/me", headers=headers, timeout=10).status_code == 200
    tokens = requests.get(f"{b}/api/auth/tokens", headers=headers, timeout=10).json()["results"]
    assert tokens[0]["last_used_at"] is not None
    revoke = requests.post(f"{a}/api/auth/logout", headers=headers, timeout=10)
    assert revoke.status_code == 204
    assert requests.get(f"{b}/api/auth/me", headers=headers, timeout=10).status_code == 401


def test_the_suite_uses_the_database_it_names(app):
    """On the PostgreSQL pass the apps really talk to PostgreSQL, each in a schema of its own."""
    from portfolio_service.extensions import db

    with app.app_context():
        assert db.engine.dialect.name == ("postgresql" if ON_POSTGRES else "sqlite")
        if ON_POSTGRES:
            assert db.session.execute(db.text("SHOW search_path")).scalar().startswith("test_")
