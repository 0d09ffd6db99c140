"""Responsive images in the console: variants' state with a retry, and the focal point with its crops.

No worker runs beside this server: the tests run the queue with ``flask jobs run`` where a worker would.
"""

from __future__ import annotations

import os

from ..images import image_bytes
from ..servers import flask
from .conftest import announced, check, needs_browser, sign_in

pytestmark = needs_browser


def test_focal_point_by_keyboard_then_variants_made_failed_and_retried(page, server, tmp_path):
    (tmp_path / "harbour.jpg").write_bytes(image_bytes("JPEG", (900, 600)))
    sign_in(page)
    page.goto("/console/#/media")
    page.get_by_label("Upload files").set_input_files(tmp_path / "harbour.jpg")
    tile = page.locator(".media-tile").filter(has=page.get_by_role("form", name="Details of harbour.jpg"))
    tile.get_by_text("Variants are being made…").wait_for()
    media = server.api("GET", "/api/media", params={"search": "harbour"}).json()["results"][0]
    assert media["placeholder"]["color"].startswith("#")

    tile.get_by_role("button", name="Focal point").click()
    dialog = page.get_by_role("dialog", name="Focal point of harbour.jpg")
    dialog.get_by_label("From the left (%)").fill("80")
    dialog.get_by_label("From the top (%)").fill("30")
    check(page, "focal-point")
    dialog.get_by_role("button", name="Save focal point").click()
    announced(page, "Focal point of harbour.jpg saved")
    saved = server.api("GET", f"/api/media/{media['id']}").json()
    assert (saved["focal_point"], saved["variants_status"]) == ({"x": 0.8, "y": 0.3}, "pending")

    flask(server.env, "jobs", "run")
    ready = server.api("GET", f"/api/media/{media['id']}").json()
    assert ready["variants_status"] == "ready"
    # 900x600: 3 widths and 6 crops (never upscaled, never two of one width), in 3 formats.
    assert len(ready["variants"]) == 27
    tile.get_by_text("Variants ready (27)").wait_for(timeout=15_000)  # the page looks again by itself
    check(page, "media-variants")

    # A set that cannot be made: the original gone; three tries, then "failed" and a retry button.
    original = os.path.join(server.env["MEDIA_ROOT"], media["f"].split("/media/", 1)[1])
    with open(original, "rb") as stored:
        data = stored.read()
    os.remove(original)
    server.api("POST", f"/api/media/{media['id']}/variants")
    flask(server.env, "jobs", "run")
    assert server.api("GET", f"/api/media/{media['id']}").json()["variants_status"] == "failed"
    page.reload()
    tile.get_by_text("Making the variants failed").wait_for()
    with open(original, "wb") as restored:
        restored.write(data)
    tile.get_by_role("button", name="Retry").click()
    announced(page, "are queued again")
    assert server.api("GET", f"/api/media/{media['id']}").json()["variants_status"] == "pending"
    flask(server.env, "jobs", "run")
    tile.get_by_text("Variants ready (27)").wait_for(timeout=15_000)
