"""The media API: uploads of every accepted type, rejections, files, deletes."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image
from sqlalchemy import func, select

from portfolio_service.extensions import db
from portfolio_service.media.models import Media, Thumbnail, human_readable_size

from .images import HTML, PDF, SVG, animated_gif, image_bytes, rgba_png, rotated_jpeg
from .media_helpers import STORED_NAME, open_served, served, stored_files, unsuffixed, upload
from .shapes import MEDIA_KEYS


@pytest.mark.parametrize(
    ("data", "filename", "mime", "size", "mode"),
    [
        (image_bytes("JPEG", (320, 240)), "photo.jpg", "image/jpeg", (320, 240), "RGB"),
        (rgba_png((300, 200)), "logo.png", "image/png", (300, 200), "RGBA"),
        (animated_gif((200, 100)), "anim.gif", "image/gif", (200, 100), "P"),
        (image_bytes("WEBP", (256, 128)), "pic.webp", "image/webp", (256, 128), "RGB"),
        (image_bytes("BMP", (156, 156)), "image_test_media_file_0.bmp", "image/bmp", (156, 156), "RGB"),
        (image_bytes("TIFF", (200, 300)), "scan.tiff", "image/tiff", (200, 300), "RGB"),
        (image_bytes("JPEG", (300, 200), mode="CMYK"), "print.jpg", "image/jpeg", (300, 200), "CMYK"),
        (rotated_jpeg((400, 200)), "phone.jpg", "image/jpeg", (200, 400), "RGB"),
    ],
    ids=["jpeg", "png-rgba", "gif-animated", "webp", "bmp", "tiff", "jpeg-cmyk", "jpeg-exif-rotated"],
)
def test_upload_image(app, client, staff, data, filename, mime, size, mode):
    response = upload(client, staff, data, filename)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert list(body) == MEDIA_KEYS
    assert response.headers["Location"] == f"http://localhost/api/media/{body['id']}"
    assert (body["type"], body["name"], body["size"]) == (mime, filename, len(data))
    assert (body["width"], body["height"], body["mode"]) == (*size, mode)
    assert body["human_readable_size"] == human_readable_size(len(data))
    assert body["alt"] == ""

    stem, extension = os.path.splitext(filename)
    assert body["f"].startswith("http://localhost/media/core_media/")
    assert unsuffixed(body["f"]) == f"{stem}{extension.replace('jpeg', 'jpg')}"
    suffix = STORED_NAME.fullmatch(body["f"].rsplit("/", 1)[1])["suffix"]

    assert [t["size"] for t in body["thumbnails"]] == [64, 128, 512, 1080]
    for thumbnail in body["thumbnails"]:
        assert set(thumbnail) == {"id", "f", "size"}
        edge = thumbnail["size"]
        assert f"/thumbnails/{stem}_{suffix}_thumbnail_" in thumbnail["f"]
        assert unsuffixed(thumbnail["f"]) == f"{stem}_thumbnail_{edge}x{edge}{extension}"
        image = open_served(client, thumbnail["f"])
        assert image.format == Image.open(io.BytesIO(data)).format
        expected = size if max(size) <= edge else _fit(size, edge)
        assert abs(image.width - expected[0]) <= 1 and abs(image.height - expected[1]) <= 1
        if mode == "RGBA":
            assert image.mode == "RGBA"
        if mode == "CMYK":
            assert image.mode == "RGB"

    with app.app_context():
        media = db.session.get(Media, body["id"])
        assert media.type == mime and len(media.thumbnails) == 4


def _fit(size, edge):
    scale = edge / max(size)
    return round(size[0] * scale), round(size[1] * scale)


def test_upload_pdf_has_no_image_details(client, staff):
    response = upload(client, staff, PDF, "brochure.pdf", name="Our brochure")
    assert response.status_code == 201
    body = response.get_json()
    assert (body["type"], body["name"], body["width"], body["height"], body["mode"]) == (
        "application/pdf",
        "Our brochure",
        None,
        None,
        None,
    )
    assert body["thumbnails"] == []
    assert unsuffixed(body["f"]) == "brochure.pdf"  # the stored file keeps the uploaded file's name
    response = served(client, body["f"])
    assert response.data == PDF
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_png_named_jpg_is_typed_png(client, staff):
    body = upload(client, staff, rgba_png(), "fake.jpg").get_json()
    assert body["type"] == "image/png"
    assert body["name"] == "fake.jpg"
    assert unsuffixed(body["f"]) == "fake.png"


def test_client_content_type_is_ignored(client, staff):
    response = client.post(
        "/api/media",
        data={"file": (io.BytesIO(HTML), "x.png", "image/png")},
        headers=staff,
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert response.get_json() == {"file": ["Unsupported file type."]}


def test_name_with_line_breaks_is_400(app, client, staff):
    response = upload(client, staff, rgba_png(), "a.png", name="Logo\r\nSet-Cookie: x=1")
    assert response.status_code == 400
    assert response.get_json() == {"name": ["Line breaks are not allowed."]}
    assert stored_files(app) == []


@pytest.mark.parametrize(
    ("data", "filename", "errors"),
    [
        (b"", "empty.jpg", {"file": ["The submitted file is empty."]}),
        (b"just some text\n", "notes.txt", {"file": ["Unsupported file type."]}),
        (HTML, "page.html", {"file": ["Unsupported file type."]}),
        (SVG, "logo.svg", {"file": ["Unsupported file type."]}),
        (image_bytes("JPEG", (300, 300))[:600], "cut.jpg", None),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 400, "corrupt.jpg", None),
    ],
    ids=["empty", "text", "html", "svg", "truncated-jpeg", "corrupt-jpeg"],
)
def test_rejected_files_change_nothing(app, client, staff, data, filename, errors):
    response = upload(client, staff, data, filename)
    assert response.status_code == 400
    body = response.get_json()
    if errors:
        assert body == errors
    else:
        assert list(body) == ["file"]
    assert stored_files(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Media.id))) == 0


def test_missing_file_part(client, staff):
    response = client.post(
        "/api/media", data={"name": "x"}, headers=staff, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.get_json() == {"file": ["No file was submitted."]}


def test_unknown_form_field(client, staff):
    response = upload(client, staff, rgba_png(), "a.png", owner="me")
    assert response.get_json() == {"owner": ["Unknown field."]}


def test_json_upload_is_415(client, staff):
    response = client.post("/api/media", json={"file": "x"}, headers=staff)
    assert response.status_code == 415


def test_decompression_bomb_is_400(app, client, staff):
    app.config["MAX_IMAGE_PIXELS"] = 100 * 100
    response = upload(client, staff, image_bytes("PNG", (101, 100)), "bomb.png")
    assert response.status_code == 400
    assert "too large" in response.get_json()["file"][0]
    assert stored_files(app) == []


def test_body_over_the_limit_is_413(app, client, staff):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = upload(client, staff, b"\x00" * 20_000, "big.bin")
    assert response.status_code == 413
    assert response.get_json() == {"detail": "Request body is larger than the upload limit."}
    assert stored_files(app) == []


def test_failure_while_writing_thumbnails_leaves_no_file(app, client, staff, monkeypatch):
    storage = app.extensions["storage"]
    real_save, calls = storage.save, []

    def failing_save(path, data, content_type):
        calls.append(path)
        if len(calls) == 4:
            raise OSError("disk full")
        return real_save(path, data, content_type)

    monkeypatch.setattr(storage, "save", failing_save)
    response = upload(client, staff, image_bytes(), "a.jpg")
    assert response.status_code == 500
    assert len(calls) == 4
    assert stored_files(app) == []


def test_failed_commit_leaves_no_file(app, client, staff, monkeypatch):
    def failing_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    response = upload(client, staff, image_bytes(), "a.jpg")
    assert response.status_code == 500
    monkeypatch.undo()
    assert stored_files(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Media.id))) == 0


def test_list_search_and_type_filter(client, staff):
    upload(client, staff, image_bytes(), "Sunset 100%.jpg")
    upload(client, staff, PDF, "menu.pdf")
    upload(client, staff, rgba_png(), "logo.png")
    listed = client.get("/api/media", headers=staff).get_json()
    assert listed["count"] == 3
    assert [m["name"] for m in listed["results"]] == ["logo.png", "menu.pdf", "Sunset 100%.jpg"]
    assert [m["name"] for m in client.get("/api/media?type=image/", headers=staff).get_json()["results"]] == [
        "logo.png",
        "Sunset 100%.jpg",
    ]
    assert [
        m["name"] for m in client.get("/api/media?search=SUNSET", headers=staff).get_json()["results"]
    ] == ["Sunset 100%.jpg"]
    assert client.get("/api/media?search=0%25", headers=staff).get_json()["count"] == 1
    assert client.get("/api/media?search=_", headers=staff).get_json()["count"] == 0


def test_rename(client, staff):
    media = upload(client, staff, PDF, "a.pdf").get_json()
    response = client.patch(f"/api/media/{media['id']}", json={"name": "Menu"}, headers=staff)
    assert response.get_json()["name"] == "Menu"
    assert client.get(f"/api/media/{media['id']}", headers=staff).get_json()["name"] == "Menu"
    bad = client.patch(f"/api/media/{media['id']}", json={"name": "", "size": 3}, headers=staff)
    assert bad.get_json() == {
        "name": ["Length must be between 1 and 255."],
        "size": ["This field is read-only."],
    }


def test_alt_text(app, client, headers):
    """Section 9: written with PATCH, shown in the media and in the documents that use it."""
    staff = headers(4102, 4103, 4202)
    media = upload(client, staff, image_bytes(), "a.jpg").get_json()
    response = client.patch(f"/api/media/{media['id']}", json={"alt": "A red bicycle"}, headers=staff)
    assert response.status_code == 200
    assert (response.get_json()["alt"], response.get_json()["name"]) == ("A red bicycle", "a.jpg")
    with app.app_context():
        assert db.session.get(Media, media["id"]).alt == "A red bicycle"
    portfolio = client.post("/api/portfolios", json={"title": "Alt", "image": media["id"]}, headers=staff)
    assert portfolio.get_json()["image_data"]["alt"] == "A red bicycle"
    client.patch(f"/api/media/{media['id']}", json={"alt": "A blue bicycle"}, headers=staff)
    served = client.get(f"/api/portfolios/{portfolio.get_json()['id']}").get_json()
    assert served["image_data"]["alt"] == "A blue bicycle"

    too_long = client.patch(f"/api/media/{media['id']}", json={"alt": "x" * 501}, headers=staff)
    assert too_long.status_code == 400
    assert too_long.get_json() == {"alt": ["Longer than maximum length 500."]}
    assert client.patch(f"/api/media/{media['id']}", json={"alt": None}, headers=staff).get_json() == {
        "alt": ["Field may not be null."]
    }
    with app.app_context():
        assert db.session.get(Media, media["id"]).alt == "A blue bicycle"


def test_delete_removes_row_and_files(app, client, staff):
    media = upload(client, staff, image_bytes(), "a.jpg").get_json()
    assert len(stored_files(app)) == 5
    assert client.delete(f"/api/media/{media['id']}", headers=staff).status_code == 204
    assert stored_files(app) == []
    assert served(client, media["f"]).status_code == 404
    assert client.get(f"/api/media/{media['id']}", headers=staff).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Thumbnail.id))) == 0


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0.00 B"),
        (1023, "1023.00 B"),
        (1024, "1.00 KB"),
        (11740, "11.46 KB"),
        (73062, "71.35 KB"),
        (1048575, "1024.00 KB"),
        (1048576, "1.00 MB"),
        (1024**3, "1.00 GB"),
        (1024**4 * 3, "3.00 TB"),
    ],
)
def test_human_readable_size(size, text):
    assert human_readable_size(size) == text


def test_regenerate_thumbnails_tolerates_a_broken_file(app, client, staff, runner):
    good = upload(client, staff, image_bytes(size=(400, 300)), "good.jpg").get_json()
    broken = upload(client, staff, rgba_png(), "broken.png").get_json()
    upload(client, staff, PDF, "doc.pdf")
    root = app.config["MEDIA_ROOT"]
    with open(os.path.join(root, broken["f"].split("/media/", 1)[1]), "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n garbage")

    result = runner.invoke(args=["media", "regenerate-thumbnails", "--sizes", "96,32"])
    assert result.exit_code == 1
    assert f"media {broken['id']}" in result.output
    assert "Regenerated 1 of 2 images at sizes [32, 96]." in result.output

    body = client.get(f"/api/media/{good['id']}", headers=staff).get_json()
    assert [t["size"] for t in body["thumbnails"]] == [32, 96]
    assert open_served(client, body["thumbnails"][1]["f"]).size == (96, 72)
    for old in good["thumbnails"]:
        assert served(client, old["f"]).status_code == 404
    untouched = client.get(f"/api/media/{broken['id']}", headers=staff).get_json()
    assert [t["size"] for t in untouched["thumbnails"]] == [64, 128, 512, 1080]


def test_regenerate_thumbnails_rejects_bad_sizes(runner):
    result = runner.invoke(args=["media", "regenerate-thumbnails", "--sizes", "big"])
    assert result.exit_code == 2 and "comma-separated" in result.output


def test_a_text_field_named_file_is_not_a_file(client, staff):
    response = client.post(
        "/api/media", data={"file": "hello"}, headers=staff, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert response.get_json() == {"file": ["No file was submitted."]}
