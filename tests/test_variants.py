"""Section 9, in this process: placeholders at upload, variants made by the queued job, focal-point
crops, failures and retries. Each variant is checked by decoding its file."""

from __future__ import annotations

import base64
import io
import re

import pytest
import thumbhash as reference  # a decoder nobody here wrote
from PIL import Image, ImageChops, ImageDraw, ImageStat

from portfolio_service.jobs import run_pending

from .images import P3_D50, PDF, SRGB_D50, display_p3_profile, rgba_png, rotated_jpeg, srgb_curve
from .media_helpers import served, stored_files, upload

WIDE = (1600, 1000)


def halves(size=WIDE) -> bytes:
    """Red on the left, blue on the right: a crop shows which side it kept."""
    image = Image.new("RGB", size, (220, 30, 30))
    ImageDraw.Draw(image).rectangle((size[0] // 2, 0, size[0], size[1]), fill=(30, 30, 220))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


@pytest.fixture
def editor(headers):
    return headers(4101, 4102, 4103, 4104)


def decoded(client, url: str) -> Image.Image:
    response = served(client, url)
    assert response.status_code == 200
    image = Image.open(io.BytesIO(response.data))
    image.load()
    return image


def test_an_upload_answers_at_once_with_a_placeholder_and_pending_variants(
    app, client, editor, admin_headers
):
    response = upload(client, editor, halves(), "halves.jpg")
    body = response.get_json()
    assert (body["variants_status"], body["variants"], body["focal_point"]) == (
        "pending",
        [],
        {"x": 0.5, "y": 0.5},
    )
    assert body["placeholder"]["color"] in ("#dc1e1e", "#1e1edc") or body["placeholder"]["color"].startswith(
        "#"
    )
    width, height, _rgba = reference.thumb_hash_to_rgba(
        list(base64.b64decode(body["placeholder"]["thumbhash"]))
    )
    assert abs(width / height - 1.6) < 0.3  # the hash's own picture has the photo's shape
    queue = client.get("/api/jobs", headers=admin_headers).get_json()
    assert queue["queued_count"] == 1
    assert queue["queued"][0]["job"] == f"make_variants({body['id']}, False, False)"
    assert client.get("/api/jobs", headers=editor).status_code == 403

    pdf = upload(client, editor, PDF, "menu.pdf").get_json()
    assert (pdf["variants_status"], pdf["placeholder"], pdf["variants"]) == ("none", None, [])
    assert client.get("/api/jobs", headers=admin_headers).get_json()["queued_count"] == 1


def test_the_job_makes_every_variant_from_the_contract(app, client, editor):
    media = upload(client, editor, halves(), "halves.jpg").get_json()
    assert run_pending(app) == 1
    body = client.get(f"/api/media/{media['id']}", headers=editor).get_json()
    assert body["variants_status"] == "ready"
    variants = body["variants"]
    full = [(v["format"], v["width"]) for v in variants if v["crop"] is None]
    widths = [320, 640, 960, 1280, 1600]  # below 1600, and 1600 itself as it is below 2560
    assert full == [(f, w) for f in ("avif", "webp", "jpeg") for w in widths]
    crops = {(v["crop"], v["width"], v["height"]) for v in variants if v["crop"]}
    assert crops == {
        ("square", 640, 640), ("square", 1000, 1000), ("card", 640, 480), ("card", 1280, 960),
        ("wide", 640, 360), ("wide", 1280, 720), ("og", 1200, 630),
    }  # fmt: skip
    assert [v["crop"] for v in variants] == sorted(
        (v["crop"] for v in variants), key=lambda c: [None, "square", "card", "wide", "og"].index(c)
    )
    for variant in variants:
        image = decoded(client, variant["f"])
        assert image.size == (variant["width"], variant["height"])
        assert image.format.lower() == variant["format"]
        assert served(client, variant["f"]).content_length == variant["size"]
        assert "exif" not in image.info and not image.getexif()
        assert "/variants/" in variant["f"]
        # <stem>_<width>x<height>[_<crop>]_<a new random suffix of 72 bits>.<ext>
        assert re.fullmatch(
            r"halves_\d+x\d+(_[a-z]+)?_[a-z0-9]{14}\.(avif|webp|jpg|png)", variant["f"].rsplit("/", 1)[1]
        )
    assert len({v["f"] for v in variants}) == len(variants)


@pytest.mark.parametrize(("x", "kept"), [(0.95, "blue"), (0.05, "red")])
def test_crops_keep_the_focal_point_and_old_files_go_once_new_ones_are_stored(app, client, editor, x, kept):
    media = upload(client, editor, halves(), "halves.jpg").get_json()
    run_pending(app)
    before = client.get(f"/api/media/{media['id']}", headers=editor).get_json()["variants"]
    moved = client.patch(
        f"/api/media/{media['id']}", json={"focal_point": {"x": x, "y": 0.5}}, headers=editor
    )
    assert moved.status_code == 200
    assert (moved.get_json()["variants_status"], moved.get_json()["variants"]) == ("pending", before)
    run_pending(app)
    after = client.get(f"/api/media/{media['id']}", headers=editor).get_json()["variants"]
    assert [v["f"] for v in after if v["crop"] is None] == [v["f"] for v in before if v["crop"] is None]
    old_crops = {v["f"] for v in before if v["crop"]}
    assert old_crops.isdisjoint(v["f"] for v in after)
    for url in old_crops:
        assert served(client, url).status_code == 404
    square = next(v for v in after if v["crop"] == "square" and v["format"] == "jpeg" and v["width"] == 640)
    made = decoded(client, square["f"]).convert("RGB")
    red, _green, blue = ImageStat.Stat(made).mean
    assert (blue > 160 and red < 90) if kept == "blue" else (red > 160 and blue < 90)
    # The largest square as near the focal point as the edges allow: x=0.95 gives 600..1600.
    left = 600 if kept == "blue" else 0
    expected = (
        Image.open(io.BytesIO(halves())).convert("RGB").resize((640, 640), box=(left, 0, left + 1000, 1000))
    )
    difference = ImageStat.Stat(ImageChops.difference(made, expected)).mean
    assert max(difference) < 6


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"focal_point": {"x": 1.5, "y": 0.5}}, {"focal_point": {"x": ["Must be greater than or equal to 0 and less than or equal to 1."]}}),
        ({"focal_point": {"x": 0.5}}, {"focal_point": {"y": ["Missing data for required field."]}}),
        ({"focal_point": None}, {"focal_point": ["Field may not be null."]}),
        ({"placeholder": None}, {"placeholder": ["This field is read-only."]}),
        ({"variants_status": "ready"}, {"variants_status": ["This field is read-only."]}),
    ],
)  # fmt: skip
def test_bad_focal_points_are_400s_and_change_nothing(app, client, editor, body, errors):
    media = upload(client, editor, halves(), "halves.jpg").get_json()
    response = client.patch(f"/api/media/{media['id']}", json=body, headers=editor)
    assert (response.status_code, response.get_json()) == (400, errors)
    assert client.get(f"/api/media/{media['id']}", headers=editor).get_json()["focal_point"] == {
        "x": 0.5,
        "y": 0.5,
    }


def test_transparency_falls_back_to_png_and_orientation_is_applied(app, client, editor):
    png = upload(client, editor, rgba_png((700, 500)), "cut.png").get_json()
    turned = upload(client, editor, rotated_jpeg((800, 400)), "phone.jpg").get_json()
    assert run_pending(app) == 2
    png_variants = client.get(f"/api/media/{png['id']}", headers=editor).get_json()["variants"]
    assert {v["format"] for v in png_variants} == {"avif", "webp", "png"}
    assert decoded(client, png_variants[-1]["f"]).mode == "RGBA"
    upright = client.get(f"/api/media/{turned['id']}", headers=editor).get_json()["variants"]
    largest = max((v for v in upright if v["crop"] is None), key=lambda v: v["width"])
    assert (largest["width"], largest["height"]) == (400, 800)  # displayed 400x800, never upscaled
    assert {v["format"] for v in upright} == {"avif", "webp", "jpeg"}


def p3_to_srgb(pixel: tuple[int, int, int]) -> tuple[float, ...]:
    """The colour a Display P3 pixel is in sRGB, worked out here by the matrices (not by LittleCMS)."""
    import numpy

    linear = numpy.array([srgb_curve(value / 255) for value in pixel])
    srgb = numpy.linalg.solve(numpy.array(SRGB_D50), numpy.array(P3_D50) @ linear)
    encoded = [12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055 for v in srgb.clip(0, 1)]
    return tuple(255 * value for value in encoded)


def test_a_wide_gamut_photo_keeps_its_colours_in_srgb_variants(app, client, editor):
    """A Display P3 photo read as sRGB turns dull; the variants carry the colours converted to sRGB."""
    pixel = (190, 70, 60)  # a P3 brick red, within sRGB's gamut: (206, 58, 52) there
    out = io.BytesIO()
    Image.new("RGB", (900, 600), pixel).save(out, "JPEG", quality=95, icc_profile=display_p3_profile())
    made = upload(client, editor, out.getvalue(), "p3.jpg").get_json()
    assert run_pending(app) == 1
    variants = client.get(f"/api/media/{made['id']}", headers=editor).get_json()["variants"]
    expected = p3_to_srgb(pixel)
    assert max(abs(a - b) for a, b in zip(expected, pixel, strict=True)) > 10  # the conversion is visible
    for variant in variants:
        image = decoded(client, variant["f"])
        assert "icc_profile" not in image.info or not image.info["icc_profile"]  # sRGB, untagged
        centre = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
        assert max(abs(a - b) for a, b in zip(centre, expected, strict=True)) <= 4, (
            variant["format"],
            centre,
            expected,
        )


def test_a_job_that_keeps_failing_marks_the_media_failed_and_a_retry_remakes_it(
    app, client, editor, admin_headers
):
    media = upload(client, editor, halves(), "halves.jpg").get_json()
    storage = app.extensions["storage"]
    original = media["f"].split("/media/", 1)[1]
    data = served(client, media["f"]).data
    storage.delete(original)
    assert run_pending(app) == 4  # the first try and three retries
    failed = client.get(f"/api/media/{media['id']}", headers=editor).get_json()
    assert (failed["variants_status"], failed["variants"]) == ("failed", [])
    [failure] = client.get("/api/jobs", headers=admin_headers).get_json()["failed"]
    assert (
        failure["job"] == f"make_variants({media['id']}, False, False)"
        and "FileNotFoundError" in failure["error"]
    )
    storage.save(original, io.BytesIO(data), "image/jpeg")
    again = client.post(f"/api/media/{media['id']}/variants", headers=editor)
    assert (again.status_code, again.get_json()["variants_status"]) == (202, "pending")
    assert run_pending(app) == 1
    assert client.get(f"/api/media/{media['id']}", headers=editor).get_json()["variants_status"] == "ready"


def test_deleting_a_media_deletes_its_variants(app, client, editor):
    media = upload(client, editor, halves((700, 400)), "halves.jpg").get_json()
    run_pending(app)
    assert any("/variants/" in path for path in stored_files(app))
    assert client.delete(f"/api/media/{media['id']}", headers=editor).status_code == 204
    assert stored_files(app) == []


def test_only_images_have_variants(app, client, editor):
    pdf = upload(client, editor, PDF, "menu.pdf").get_json()
    response = client.post(f"/api/media/{pdf['id']}/variants", headers=editor)
    assert (response.status_code, response.get_json()) == (
        400,
        {"non_field_errors": ["Only images have variants."]},
    )


def test_regenerate_variants_never_touches_originals(app, client, editor, runner):
    first = upload(client, editor, halves((900, 600)), "a.jpg").get_json()
    second = upload(client, editor, rgba_png((500, 400)), "b.png").get_json()
    run_pending(app)  # the first set
    originals = {m["id"]: served(client, m["f"]).data for m in (first, second)}
    before = client.get(f"/api/media/{first['id']}", headers=editor).get_json()["variants"]

    result = runner.invoke(args=["media", "regenerate-variants"])
    assert result.exit_code == 0, result.output
    assert "Made the variants of 2 of 2 images." in result.output
    after = client.get(f"/api/media/{first['id']}", headers=editor).get_json()["variants"]
    assert [(v["format"], v["width"], v["crop"]) for v in after] == [
        (v["format"], v["width"], v["crop"]) for v in before
    ]
    assert {v["f"] for v in after}.isdisjoint(v["f"] for v in before)  # new names; the old files deleted
    assert all(served(client, v["f"]).status_code == 404 for v in before)
    for media in (first, second):
        assert served(client, media["f"]).data == originals[media["id"]]

    client.patch(f"/api/media/{second['id']}", json={"focal_point": {"x": 0.1, "y": 0.1}}, headers=editor)
    only = runner.invoke(args=["media", "regenerate-variants", "--only-missing"])
    assert "Made the variants of 1 of 1 images." in only.output
    assert client.get(f"/api/media/{second['id']}", headers=editor).get_json()["variants_status"] == "ready"


@pytest.mark.parametrize("size", [(32, 20), (20, 32), (32, 32), (7, 3)])
def test_our_thumbhash_is_the_reference_encoders_and_decodes_to_the_shape(size):
    """The reference's hash on opaque images, but for a term's last bit where a sum sits on a rounding edge
    (ours sums rows first, four times faster; this symmetric picture puts many terms exactly on the edge).
    With transparency (where the package's encoder breaks) it decodes to the picture's shape."""
    from portfolio_service.media import thumbhash as ours

    image = Image.open(io.BytesIO(halves((size[0] * 30, size[1] * 30)))).convert("RGBA").resize(size)
    pixels = image.tobytes()
    mine, theirs = list(ours.encode(*size, pixels)), reference.rgba_to_thumb_hash(*size, list(pixels))
    assert len(mine) == len(theirs) and mine[:5] == theirs[:5]  # the header: averages, scales, shape
    nibbles = [(byte >> shift) & 15 for byte in mine[5:] for shift in (0, 4)]
    their_nibbles = [(byte >> shift) & 15 for byte in theirs[5:] for shift in (0, 4)]
    assert max(abs(a - b) for a, b in zip(nibbles, their_nibbles, strict=True)) <= 1
    image.putalpha(Image.linear_gradient("L").resize(size))
    width, height, _rgba = reference.thumb_hash_to_rgba(list(ours.encode(*size, image.tobytes())))
    assert abs(width / height - size[0] / size[1]) < 0.5


def test_sixteen_bit_greys_and_palette_transparency_survive(app, client, editor):
    grey = Image.new("I;16", (700, 400), 20000)  # about 30% grey: clipped to white by a plain conversion
    tinted = Image.new("RGB", (700, 400), (10, 200, 10))
    tinted.info["transparency"] = (10, 200, 10)  # a tRNS chunk: that colour is transparent
    made = []
    for image, name in ((grey, "grey.png"), (tinted, "keyed.png")):
        out = io.BytesIO()
        image.save(out, "PNG", transparency=image.info.get("transparency"))
        made.append(upload(client, editor, out.getvalue(), name).get_json())
    assert run_pending(app) == 2
    grey_set = client.get(f"/api/media/{made[0]['id']}", headers=editor).get_json()
    jpeg = next(v for v in grey_set["variants"] if v["format"] == "jpeg")
    assert 60 < ImageStat.Stat(decoded(client, jpeg["f"]).convert("L")).mean[0] < 100
    assert 60 < int(grey_set["placeholder"]["color"][1:3], 16) < 100
    keyed = client.get(f"/api/media/{made[1]['id']}", headers=editor).get_json()["variants"]
    assert {v["format"] for v in keyed} == {"avif", "webp", "png"}


def test_a_job_for_a_media_deleted_meanwhile_leaves_no_file(app, client, editor):
    media = upload(client, editor, halves((700, 400)), "halves.jpg").get_json()
    from portfolio_service.media import jobs

    real_swap = jobs._swap

    def delete_first(*args, **kwargs):  # the delete commits while the job renders
        assert client.delete(f"/api/media/{media['id']}", headers=editor).status_code == 204
        return real_swap(*args, **kwargs)

    jobs._swap = delete_first
    try:
        assert run_pending(app) == 1
    finally:
        jobs._swap = real_swap
    assert stored_files(app) == []


def test_a_duplicate_job_does_nothing_once_the_variants_are_made(app, client, editor):
    media = upload(client, editor, halves((700, 400)), "halves.jpg").get_json()
    from portfolio_service.jobs import enqueue

    with app.test_request_context():
        enqueue("make_variants", media["id"], False, False)  # as the sweep might, while the first waits
    assert run_pending(app) == 2
    variants = client.get(f"/api/media/{media['id']}", headers=editor).get_json()["variants"]
    assert sorted(stored_files(app)) == sorted(
        [p for p in stored_files(app) if "/variants/" not in p]
        + [v["f"].split("/media/", 1)[1] for v in variants]
    )
