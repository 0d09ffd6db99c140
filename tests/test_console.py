"""``/console/``: the built files, served with a strict CSP; the console's API types match the document."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pytest

from portfolio_service import console

from .conftest import make_app

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tests" / "js" / "node_modules" / ".bin"


@pytest.fixture
def built(tmp_path, monkeypatch):
    """A stand-in for ``console/dist``: the page and one hashed asset."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(
        '<!doctype html><script type="module" src="/console/assets/index-abc.js"></script>'
    )
    (dist / "assets" / "index-abc.js").write_text("console.log(1)")
    monkeypatch.setattr(console, "dist_folder", lambda: str(dist))
    return dist


def test_the_page_has_a_strict_content_security_policy(client, built):
    response = client.get("/console/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"/console/assets/index-abc.js" in response.data
    assert response.headers["Cache-Control"] == "no-cache"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_assets_are_cached_for_a_year_and_a_missing_one_is_a_json_404(client, built):
    with client.get("/console/assets/index-abc.js") as response:
        assert response.status_code == 200
        assert response.data == b"console.log(1)"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    zipped = client.get("/console/assets/index-abc.js", headers={"Accept-Encoding": "gzip, br"})
    assert (zipped.headers["Content-Encoding"], zipped.mimetype) == ("gzip", "text/javascript")
    assert gzip.decompress(zipped.data) == b"console.log(1)"
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert zipped.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    refused = client.get("/console/assets/index-abc.js", headers={"Accept-Encoding": "gzip;q=0, br"})
    assert "Content-Encoding" not in refused.headers and refused.data == b"console.log(1)"
    refused.close()
    missing = client.get("/console/assets/index-old.js")
    assert (missing.status_code, missing.get_json()) == (404, {"detail": "Not found."})
    escape = client.get("/console/assets/../../../wsgi.py")
    assert escape.status_code == 404 and escape.is_json


def test_an_unbuilt_console_says_how_to_build_it(client, tmp_path, monkeypatch):
    monkeypatch.setattr(console, "dist_folder", lambda: str(tmp_path / "nothing"))
    response = client.get("/console/")
    assert response.status_code == 404
    assert response.get_json() == {"detail": console.NOT_BUILT}


def test_images_may_come_from_the_media_url(tmp_path, built):
    app = make_app(tmp_path, MEDIA_URL="https://cdn.example.com/files/")
    policy = app.test_client().get("/console/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://cdn.example.com;" in policy


def test_images_may_come_from_the_bucket(tmp_path, built, monkeypatch):
    app = make_app(tmp_path)
    monkeypatch.setattr(
        app.extensions["storage"],
        "public_base_url",
        lambda: "https://media.s3.example.com/core/",
        raising=False,
    )
    policy = app.test_client().get("/console/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://media.s3.example.com;" in policy
    assert "img-src 'self' data: blob:;" in client_policy(tmp_path)


def client_policy(tmp_path) -> str:
    """Local media: served by this host, which 'self' covers."""
    app = make_app(tmp_path / "local")
    return app.test_client().get("/console/").headers["Content-Security-Policy"]


@pytest.mark.slow
@pytest.mark.skipif(not (TOOLS / "openapi-typescript").exists(), reason="make test installs tests/js")
def test_the_console_types_are_made_from_the_current_document(app, tmp_path):
    """``console/src/schema.d.ts`` is openapi-typescript's output for this API: `make console-types` remakes it."""
    document = tmp_path / "openapi.json"
    result = app.test_cli_runner().invoke(args=["openapi"])
    assert result.exit_code == 0, result.output
    document.write_text(result.output)
    made = tmp_path / "schema.d.ts"
    subprocess.run([TOOLS / "openapi-typescript", document, "-o", made], check=True, capture_output=True)
    assert made.read_text() == (ROOT / "console" / "src" / "schema.d.ts").read_text(), (
        "run `make console-types`"
    )
