"""Thumbnails, made by calling ``make_thumbnails`` directly with images made in code."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms, ImageDraw, ImageOps

from portfolio_service.media.images import ImageError, ImageInfo, identify
from portfolio_service.media.thumbnails import make_thumbnails

from .thumbnail_checks import LIMIT, SIZES, check_thumbnails, encode, mad, make, opened, picture

# -- formats -----------------------------------------------------------------------------------------


def test_jpeg_rgb():
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # any EXIF: it must not reach the thumbnails
    data = encode(picture((800, 600)), "JPEG", quality=90, exif=exif)

    info, thumbnails = make(data)

    assert info == ImageInfo("image/jpeg", "JPEG", "jpg", 800, 600, "RGB")
    assert identify(io.BytesIO(data)) == info
    images = check_thumbnails(info, thumbnails, SIZES)
    assert [image.size for image in images] == [(64, 48), (128, 96), (512, 384)]
    for image in images:
        assert image.mode == "RGB"
        assert "exif" not in image.info


@pytest.mark.parametrize(
    ("format", "mode", "mime", "extension", "params"),
    [
        ("PNG", "RGBA", "image/png", "png", {}),
        ("PNG", "L", "image/png", "png", {}),
        ("WEBP", "RGB", "image/webp", "webp", {"quality": 90}),
        ("WEBP", "RGBA", "image/webp", "webp", {"lossless": True}),
        ("BMP", "RGB", "image/bmp", "bmp", {}),
        ("TIFF", "RGB", "image/tiff", "tiff", {}),
        ("TIFF", "CMYK", "image/tiff", "tiff", {}),
        ("GIF", "P", "image/gif", "gif", {}),
    ],
)
def test_formats(format, mode, mime, extension, params):
    data = encode(picture((300, 200), mode), format, **params)

    info, thumbnails = make(data, [64, 128, 512])

    assert (info.mime, info.format, info.extension, info.mode) == (mime, format, extension, mode)
    assert (info.width, info.height) == (300, 200)
    assert identify(io.BytesIO(data)) == info
    images = check_thumbnails(info, thumbnails, [64, 128, 512])
    assert [image.size for image in images] == [(64, 43), (128, 85), (300, 200)]
    for image in images:
        assert image.mode != "CMYK"  # shown as RGB


def test_16_bit_grey_png_stays_16_bit():
    image = (
        Image.linear_gradient("L").resize((600, 400)).convert("I").point(lambda v: v * 257).convert("I;16")
    )
    data = encode(image, "PNG")

    info, thumbnails = make(data, [64, 512])

    assert info.mode == "I;16"
    for thumbnail in check_thumbnails(info, thumbnails, [64, 512]):
        assert thumbnail.mode == "I;16"
        low, high = thumbnail.getextrema()
        assert low < 1000 and high > 60000


def test_png_alpha_is_kept():
    image = Image.new("RGBA", (400, 200), (255, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((100, 50, 300, 150), fill=(0, 0, 255, 255))
    data = encode(image, "PNG")

    info, thumbnails = make(data)

    assert info.mode == "RGBA"
    for thumbnail in check_thumbnails(info, thumbnails, SIZES):
        assert thumbnail.mode == "RGBA"
        assert thumbnail.getpixel((0, 0))[3] == 0  # the transparent corner stays transparent
        centre = thumbnail.getpixel((thumbnail.width // 2, thumbnail.height // 2))
        assert centre[3] == 255 and centre[2] > 200


def test_palette_png_transparency_is_kept():
    image = Image.new("P", (300, 300), 0)
    image.putpalette([0, 0, 0, 255, 255, 0] + [0] * 762)
    ImageDraw.Draw(image).ellipse((50, 50, 250, 250), fill=1)
    data = encode(image, "PNG", transparency=0)

    info, thumbnails = make(data, [64, 128])

    assert info.mode == "P"
    for thumbnail in check_thumbnails(info, thumbnails, [64, 128]):
        rgba = thumbnail.convert("RGBA")
        assert rgba.getpixel((0, 0))[3] == 0
        assert rgba.getpixel((thumbnail.width // 2, thumbnail.height // 2)) == (255, 255, 0, 255)


def frames(colours, size=(200, 100)) -> list[Image.Image]:
    return [Image.new("RGB", size, colour) for colour in colours]


RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


@pytest.mark.parametrize(
    ("format", "params"),
    [
        ("GIF", {"duration": 100, "loop": 0}),
        ("WEBP", {"duration": 100, "loop": 0, "lossless": True}),
        ("PNG", {"duration": 100, "loop": 0}),  # APNG
    ],
)
def test_animated_image_gives_its_first_frame(format, params):
    first, *rest = frames([RED, GREEN, BLUE])
    data = encode(first, format, save_all=True, append_images=rest, **params)
    assert Image.open(io.BytesIO(data)).n_frames == 3

    info, thumbnails = make(data, [64, 128])

    assert info.format == format
    assert (info.width, info.height) == (200, 100)
    for image in check_thumbnails(info, thumbnails, [64, 128]):
        assert getattr(image, "n_frames", 1) == 1
        red, green, blue = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
        assert red > 200 and green < 50 and blue < 50


def test_animated_gif_reports_its_palette_mode():
    first, *rest = frames([RED, GREEN])
    data = encode(first.convert("P"), "GIF", save_all=True, append_images=[f.convert("P") for f in rest])

    info, thumbnails = make(data, [64])

    assert info.mode == "P"
    assert info.mime == "image/gif"
    assert opened(thumbnails[0]).format == "GIF"


def test_mpo_is_treated_as_jpeg():
    first, second = frames([RED, BLUE], size=(300, 200))
    data = encode(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(data)).format == "MPO"

    info, thumbnails = make(data, [64])

    assert (info.mime, info.format, info.extension) == ("image/jpeg", "JPEG", "jpg")
    image = check_thumbnails(info, thumbnails, [64])[0]
    assert image.format == "JPEG"
    assert image.getpixel((30, 20))[0] > 200


def test_cmyk_jpeg_is_shown_as_rgb():
    image = Image.new("CMYK", (400, 300), (0, 255, 255, 0))  # full magenta + yellow: red
    ImageDraw.Draw(image).rectangle((200, 0, 400, 300), fill=(255, 255, 0, 0))  # cyan + magenta: blue
    data = encode(image, "JPEG", quality=95)

    info, thumbnails = make(data)

    assert info.mode == "CMYK"
    for thumbnail in check_thumbnails(info, thumbnails, SIZES):
        assert thumbnail.mode == "RGB"
        left = thumbnail.getpixel((thumbnail.width // 4, thumbnail.height // 2))
        right = thumbnail.getpixel((thumbnail.width * 3 // 4, thumbnail.height // 2))
        assert left[0] > 200 and left[1] < 60 and left[2] < 60
        assert right[2] > 200 and right[0] < 60 and right[1] < 60


def test_cmyk_icc_profile_is_not_carried_to_rgb_thumbnails():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    rgb = encode(picture((300, 200)), "JPEG", icc_profile=srgb)
    _, rgb_thumbnails = make(rgb, [64])
    assert opened(rgb_thumbnails[0]).info.get("icc_profile") == srgb

    fake_cmyk_profile = srgb[:16] + b"CMYK" + srgb[20:]  # only its header's colour space matters here
    cmyk = encode(Image.new("CMYK", (300, 200), (0, 255, 255, 0)), "JPEG", icc_profile=fake_cmyk_profile)
    _, cmyk_thumbnails = make(cmyk, [64])
    image = opened(cmyk_thumbnails[0])
    assert image.mode == "RGB"
    assert "icc_profile" not in image.info


def test_exif_rotated_jpeg_is_upright():
    stored = Image.new("RGB", (400, 200), RED)
    ImageDraw.Draw(stored).rectangle((200, 0, 400, 200), fill=BLUE)  # left half red, right half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # displayed rotated 90 degrees clockwise: red on top
    data = encode(stored, "JPEG", quality=95, exif=exif)

    info, thumbnails = make(data, [64, 128, 512])

    assert (info.width, info.height) == (200, 400)
    assert identify(io.BytesIO(data)) == info
    images = check_thumbnails(info, thumbnails, [64, 128, 512])
    assert [image.size for image in images] == [(32, 64), (64, 128), (200, 400)]
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    for image in images:
        assert "exif" not in image.info  # so no viewer rotates it a second time
        top = image.getpixel((image.width // 2, image.height // 5))
        bottom = image.getpixel((image.width // 2, image.height * 4 // 5))
        assert top[0] > 200 and top[2] < 60
        assert bottom[2] > 200 and bottom[0] < 60
        assert mad(image, upright.resize(image.size, Image.Resampling.LANCZOS)) < 3


@pytest.mark.parametrize("compression", [None, "tiff_lzw"])
def test_rotated_tiff_is_upright(compression):
    stored = Image.new("RGB", (400, 200), RED)
    ImageDraw.Draw(stored).rectangle((200, 0, 400, 200), fill=BLUE)
    data = encode(stored, "TIFF", compression=compression, tiffinfo={0x0112: 6})

    info, thumbnails = make(data, [64, 512])

    assert (info.width, info.height) == (200, 400)
    assert identify(io.BytesIO(data)) == info
    for image in check_thumbnails(info, thumbnails, [64, 512]):
        assert image.getpixel((image.width // 2, image.height // 5))[0] > 200
        assert image.getpixel((image.width // 2, image.height * 4 // 5))[2] > 200


def test_exif_rotated_large_jpeg_is_drafted_the_right_way_round():
    exif = Image.Exif()
    exif[0x0112] = 8
    data = encode(picture((1200, 400)), "JPEG", quality=90, exif=exif)

    info, thumbnails = make(data, [64, 256])

    assert (info.width, info.height) == (400, 1200)
    images = check_thumbnails(info, thumbnails, [64, 256])
    assert [image.size for image in images] == [(21, 64), (85, 256)]
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    assert mad(images[-1], upright.resize((85, 256), Image.Resampling.LANCZOS)) < 3


# -- sizes -------------------------------------------------------------------------------------------


def test_small_image_is_never_upscaled():
    original = picture((100, 50))
    data = encode(original, "PNG")

    info, thumbnails = make(data, [512, 64, 128])

    images = check_thumbnails(info, thumbnails, [64, 128, 512])
    assert [(t.size, t.width, t.height) for t in thumbnails] == [(64, 64, 32), (128, 100, 50), (512, 100, 50)]
    assert images[1].tobytes() == images[2].tobytes() == original.tobytes()  # lossless: the same pixels


def test_sizes_are_sorted_and_deduplicated():
    info, thumbnails = make(encode(picture((600, 400)), "JPEG"), [512, 64, 128, 64])
    assert [t.size for t in thumbnails] == [64, 128, 512]
    check_thumbnails(info, thumbnails, [64, 128, 512])


def test_portrait_and_square_boxes():
    info, thumbnails = make(encode(picture((300, 900)), "PNG"), [64, 100])
    assert [(t.width, t.height) for t in thumbnails] == [(21, 64), (33, 100)]
    check_thumbnails(info, thumbnails, [64, 100])


@pytest.mark.parametrize("sizes", [[0, 64], [-1], [64.5]])
def test_bad_sizes_are_a_programming_error(sizes):
    with pytest.raises(ValueError) as raised:
        make_thumbnails(io.BytesIO(encode(picture(), "PNG")), sizes, LIMIT)
    assert not isinstance(raised.value, ImageError)


def test_no_sizes_still_checks_the_image():
    data = encode(picture(), "JPEG")
    info, thumbnails = make(data, [])
    assert (info.width, info.height, thumbnails) == (400, 300, [])
    with pytest.raises(ImageError):
        make_thumbnails(io.BytesIO(data[: len(data) // 2]), [], LIMIT)


def test_quality_is_close_to_a_single_lanczos_resize():
    data = encode(picture((2000, 1500)), "JPEG", quality=92)
    original = Image.open(io.BytesIO(data))
    original.load()

    info, thumbnails = make(data, [64, 128, 512, 1080])

    thumbnail = next(t for t in thumbnails if t.size == 512)
    reference = original.resize((thumbnail.width, thumbnail.height), Image.Resampling.LANCZOS)
    assert (thumbnail.width, thumbnail.height) == (512, 384)
    assert mad(opened(thumbnail), reference) < 2.0
