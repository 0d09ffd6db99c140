"""The S3 storage backend against a real S3-compatible server on 127.0.0.1."""

from __future__ import annotations

import io
import json

import boto3
import pytest
import requests

from .conftest import make_app
from .images import image_bytes
from .servers import moto_s3

pytestmark = pytest.mark.slow


@pytest.fixture
def s3(aws_env):
    with moto_s3("portfolio-media") as endpoint:
        yield endpoint


def keys(endpoint: str) -> list[str]:
    listing = boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket="portfolio-media")
    return sorted(item["Key"] for item in listing.get("Contents", []))


def s3_app(tmp_path, endpoint, **settings):
    return make_app(
        tmp_path, MEDIA_STORAGE="s3", S3_BUCKET="portfolio-media", S3_ENDPOINT_URL=endpoint, **settings
    )


def upload(client, headers, data, filename):
    return client.post(
        "/api/media",
        data={"file": (io.BytesIO(data), filename)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_upload_url_and_delete_on_s3(tmp_path, s3):
    app = s3_app(tmp_path, s3)
    client = app.test_client()
    from .factories import auth, make_token, make_user

    with app.app_context():
        headers = auth(make_token(make_user(admin=True)))
    data = image_bytes("JPEG", (800, 600))
    body = upload(client, headers, data, "photo.jpg").get_json()
    assert body["f"].startswith(f"{s3}/portfolio-media/core_media/")
    assert requests.get(body["f"], timeout=5).content == data
    thumbnail = requests.get(body["thumbnails"][-1]["f"], timeout=5)
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"
    assert len(keys(s3)) == 5
    assert client.get("/api/health").get_json()["storage"] == "ok"
    assert (
        client.get(body["f"].replace(s3 + "/portfolio-media", "")).status_code == 404
    )  # the app does not serve S3 files

    second = upload(client, headers, data, "photo.jpg").get_json()
    assert second["f"] != body["f"] and len(keys(s3)) == 10  # never overwritten

    assert client.delete(f"/api/media/{body['id']}", headers=headers).status_code == 204
    assert len(keys(s3)) == 5
    assert requests.get(body["f"], timeout=5).status_code == 404


def test_media_url_points_at_a_cdn(tmp_path, s3):
    app = s3_app(tmp_path, s3, MEDIA_URL="https://cdn.example.test/")
    client = app.test_client()
    from .factories import auth, make_token, make_user

    with app.app_context():
        headers = auth(make_token(make_user(admin=True)))
    body = upload(client, headers, image_bytes(), "a.jpg").get_json()
    path = body["f"].removeprefix("https://cdn.example.test/")
    assert path.startswith("core_media/") and path in keys(s3)


def test_health_reports_a_missing_bucket(tmp_path, s3):
    app = make_app(tmp_path, MEDIA_STORAGE="s3", S3_BUCKET="no-such-bucket", S3_ENDPOINT_URL=s3)
    response = app.test_client().get("/api/health")
    assert response.status_code == 503 and response.get_json()["storage"] == "error"


def test_a_name_taken_meanwhile_is_never_overwritten(s3, monkeypatch):
    """Two uploads racing for one name: the conditional write makes the second pick another."""
    from portfolio_service.media.storage import S3Storage

    storage = S3Storage("portfolio-media", s3)
    storage.save("core_media/x/a.jpg", io.BytesIO(b"first"), "image/jpeg")
    monkeypatch.setattr(storage, "exists", lambda path: False)  # both checked before either wrote
    second = storage.save("core_media/x/a.jpg", io.BytesIO(b"second"), "image/jpeg")
    assert second != "core_media/x/a.jpg"
    read = lambda key: storage.client.get_object(Bucket="portfolio-media", Key=key)["Body"].read()  # noqa: E731
    assert read("core_media/x/a.jpg") == b"first" and read(second) == b"second"


def test_restoring_a_local_archive_into_s3(tmp_path, s3):
    """A backup of local storage restores into an S3-backed instance: every file lands in the bucket."""
    from .test_backup import backup, documents, empty_instance, files, invoke, seeded

    source, headers = seeded(tmp_path)
    source_files = files(source)
    portfolios_before, media_before = documents(source, headers)
    archive, _output = backup(source, tmp_path)

    local = empty_instance(tmp_path, source)  # an empty database; its media will be in S3
    (tmp_path / "s3").mkdir()
    target = s3_app(tmp_path / "s3", s3, DATABASE_URL=local.config["DATABASE_URL"])
    result = invoke(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert f"and {len(source_files)} media files" in result.output
    assert keys(s3) == sorted(source_files)
    for path, data in source_files.items():
        assert requests.get(f"{s3}/portfolio-media/{path}", timeout=5).content == data

    portfolios, media = documents(target, headers)
    local_base, bucket = "http://localhost/media/", f"{s3}/portfolio-media/"
    assert portfolios == json.loads(json.dumps(portfolios_before).replace(local_base, bucket))
    assert media == json.loads(json.dumps(media_before).replace(local_base, bucket))

    # Again, over what is there now: refused, then replaced with --force.
    refused = invoke(target, "restore", str(archive))
    assert refused.exit_code == 1 and "media storage has files" in refused.output
    forced = invoke(target, "restore", "--force", str(archive))
    assert forced.exit_code == 0, forced.output
    assert keys(s3) == sorted(source_files)
