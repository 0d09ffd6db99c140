"""Stored media files: their names (sanitised, never guessable, never overwritten), URLs and serving."""

from __future__ import annotations

import os

import pytest

from portfolio_service.extensions import db
from portfolio_service.media.models import Media

from .images import image_bytes, rgba_png
from .media_helpers import STORED_NAME, open_served, served, stored_files, unsuffixed, upload


def test_files_are_served_with_long_cache_and_nosniff(client, staff):
    body = upload(client, staff, image_bytes(), "a.jpg").get_json()
    response = served(client, body["f"])
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert served(client, body["f"], headers={"Authorization": "Token x"}).status_code == 401


def test_name_clashes_never_overwrite(app, client, staff):
    first = upload(client, staff, image_bytes(size=(100, 100)), "same.jpg").get_json()
    second = upload(client, staff, image_bytes(size=(120, 100)), "same.jpg").get_json()
    assert first["f"] != second["f"]
    assert open_served(client, first["f"]).size == (100, 100)
    assert open_served(client, second["f"]).size == (120, 100)
    assert len(stored_files(app)) == 10


@pytest.mark.parametrize(
    ("filename", "stem"),
    [
        ("../../etc/passwd.png", "passwd"),
        ("Résumé 2024 (final).png", "Resume_2024_final"),
        ("....png", "png"),
        ("<>.png", "file"),
    ],
)
def test_names_are_sanitised(app, client, staff, filename, stem):
    body = upload(client, staff, rgba_png(), filename).get_json()
    path = body["f"].split("/media/", 1)[1]
    assert unsuffixed(path) == f"{stem}.png"
    assert all(p.startswith("core_media/") for p in stored_files(app))


def test_uploaded_file_name_with_control_characters_is_cleaned(client, staff):
    body = upload(client, staff, rgba_png(), "lo\x07go\x1b.png").get_json()
    assert body["name"] == "logo.png"
    assert unsuffixed(body["f"]) == "logo.png"


def test_media_url_setting_points_files_at_a_cdn(app, client, staff):
    app.config["MEDIA_URL"] = "https://cdn.example.test/m"
    body = upload(client, staff, image_bytes(), "a.jpg").get_json()
    assert body["f"].startswith("https://cdn.example.test/m/core_media/")
    assert body["thumbnails"][0]["f"].startswith("https://cdn.example.test/m/core_media/")


def test_traversal_in_file_urls_is_404(client):
    assert client.get("/media/../wsgi.py").status_code == 404
    assert client.get("/media/%2e%2e/wsgi.py").status_code == 404


def test_a_stored_name_cannot_be_guessed_from_the_upload_name(client, staff):
    """Media of a draft stay private until their URL is given out (the security review's finding)."""
    body = upload(client, staff, image_bytes(), "secret-launch-2027.jpg").get_json()
    folder = body["f"].rsplit("/", 1)[0]
    assert served(client, f"{folder}/secret-launch-2027.jpg").status_code == 404
    assert served(client, f"{folder}/thumbnails/secret-launch-2027_thumbnail_64x64.jpg").status_code == 404
    assert served(client, body["f"]).status_code == 200
    again = upload(client, staff, image_bytes(), "secret-launch-2027.jpg").get_json()
    assert (
        STORED_NAME.fullmatch(again["f"].rsplit("/", 1)[1])["suffix"]
        != STORED_NAME.fullmatch(body["f"].rsplit("/", 1)[1])["suffix"]
    )


def test_files_stored_before_the_suffix_are_still_served(app, client, staff):
    """Rows keep their paths: a file named the old way (no suffix) answers as before."""
    path = "core_media/2026/03/02/image_test_media_file_0.png"
    os.makedirs(os.path.join(app.config["MEDIA_ROOT"], os.path.dirname(path)))
    with open(os.path.join(app.config["MEDIA_ROOT"], path), "wb") as file:
        file.write(rgba_png())
    with app.app_context():
        media = Media(
            name="old", path=path, type="image/png", size=len(rgba_png()), width=1, height=1, mode="RGBA"
        )
        db.session.add(media)
        db.session.commit()
        media_id = media.id
    body = client.get(f"/api/media/{media_id}", headers=staff).get_json()
    assert body["f"] == f"http://localhost/media/{path}"
    assert served(client, body["f"]).status_code == 200
