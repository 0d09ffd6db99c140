"""``flask media gc``: stray files are found and deleted, rows with missing files reported, young files kept."""

from __future__ import annotations

import io
import os
import time

import boto3
import pytest

from portfolio_service.extensions import db
from portfolio_service.media.models import Media

from .conftest import make_app
from .images import image_bytes
from .servers import moto_s3

STRAY = "core_media/2020/01/01/left_behind.jpg"


def upload(client, headers) -> dict:
    response = client.post(
        "/api/media",
        data={"file": (io.BytesIO(image_bytes("JPEG", (600, 400))), "photo.jpg")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def write_file(app, path: str, age: float = 3600) -> str:
    """A file in the media folder that no row knows, last written ``age`` seconds ago."""
    full = os.path.join(app.config["MEDIA_ROOT"], path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as file:
        file.write(b"half an upload")
    then = time.time() - age
    os.utime(full, (then, then))
    return full


def media_paths(app, media_id: int) -> list[str]:
    with app.app_context():
        return db.session.get(Media, media_id).paths


def gc(runner, *args: str):
    result = runner.invoke(args=["media", "gc", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_stray_file_is_reported_by_dry_run_and_deleted_without_it(app, runner, client, admin_headers):
    media = upload(client, admin_headers)
    stray = write_file(app, STRAY)

    output = gc(runner, "--dry-run")
    assert f"stray file (dry run, kept): {STRAY}\n" in output
    assert "1 stray files found, 0 younger than 60s skipped; 0 media rows with missing files" in output
    assert os.path.exists(stray)

    output = gc(runner)
    assert f"stray file deleted: {STRAY}\n" in output
    assert "1 stray files deleted" in output
    assert not os.path.exists(stray)
    root = app.config["MEDIA_ROOT"]
    assert all(os.path.exists(os.path.join(root, path)) for path in media_paths(app, media["id"]))
    assert "0 stray files deleted" in gc(runner)


def test_row_whose_file_was_deleted_is_reported_and_kept(app, runner, client, admin_headers):
    media = upload(client, admin_headers)
    original, *thumbnails = media_paths(app, media["id"])
    os.unlink(os.path.join(app.config["MEDIA_ROOT"], thumbnails[1]))

    output = gc(runner)
    assert f"media {media['id']} has missing files (row kept): {thumbnails[1]}\n" in output
    assert "0 stray files deleted, 0 younger than 60s skipped; 1 media rows with missing files" in output
    assert client.get(f"/api/media/{media['id']}", headers=admin_headers).status_code == 200

    os.unlink(os.path.join(app.config["MEDIA_ROOT"], original))
    assert f"media {media['id']} has missing files (row kept): {original}, {thumbnails[1]}\n" in gc(runner)


def test_young_files_are_skipped(app, runner):
    young = write_file(app, "core_media/2020/01/01/uploading.jpg", age=0)
    write_file(app, STRAY)

    output = gc(runner)
    assert f"stray file deleted: {STRAY}\n" in output and "uploading.jpg" not in output
    assert "1 stray files deleted, 1 younger than 60s skipped" in output
    assert os.path.exists(young)

    assert "0 stray files deleted, 1 younger than 120s skipped" in gc(runner, "--min-age", "120")
    assert "stray file deleted: core_media/2020/01/01/uploading.jpg" in gc(runner, "--min-age", "0")
    assert not os.path.exists(young)


@pytest.mark.slow
def test_gc_on_s3(tmp_path, aws_env):
    with moto_s3("gc-media") as endpoint:
        app = make_app(tmp_path, MEDIA_STORAGE="s3", S3_BUCKET="gc-media", S3_ENDPOINT_URL=endpoint)
        from .factories import auth, make_token, make_user

        with app.app_context():
            headers = auth(make_token(make_user(admin=True)))
        client, runner = app.test_client(), app.test_cli_runner()
        media = upload(client, headers)
        bucket = boto3.client("s3", endpoint_url=endpoint)
        bucket.put_object(Bucket="gc-media", Key=STRAY, Body=b"half an upload")

        assert "1 younger than 60s skipped" in gc(runner)  # S3's LastModified is now
        assert f"stray file (dry run, kept): {STRAY}\n" in gc(runner, "--dry-run", "--min-age", "0")
        bucket.delete_object(Bucket="gc-media", Key=media_paths(app, media["id"])[0])
        output = gc(runner, "--min-age", "0")
        assert f"stray file deleted: {STRAY}\n" in output
        assert f"media {media['id']} has missing files (row kept): " in output
        keys = [item["Key"] for item in bucket.list_objects_v2(Bucket="gc-media")["Contents"]]
        assert sorted(keys) == sorted(media_paths(app, media["id"])[1:])
        with app.app_context():
            db.engine.dispose()
