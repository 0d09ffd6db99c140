"""Recognising images: what is not one, what is broken, and what is too large to decode."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from portfolio_service.media.images import INVALID_IMAGE, ImageError, identify
from portfolio_service.media.thumbnails import make_thumbnails

from .thumbnail_checks import LIMIT, SIZES, check_thumbnails, encode, make, picture

# -- sources -----------------------------------------------------------------------------------------


def test_path_sources(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(encode(picture(), "JPEG"))

    assert identify(path) == identify(str(path))
    result = make_thumbnails(str(path), [64], LIMIT)
    assert result is not None and result[0] == identify(path)


def test_the_callers_stream_stays_open_and_is_read_from_the_start():
    data = encode(picture(), "PNG")
    stream = io.BytesIO(data)
    stream.seek(123)

    assert make_thumbnails(stream, [64], LIMIT) is not None
    assert identify(stream) is not None

    assert not stream.closed
    stream.seek(0)
    assert stream.read() == data


# -- not images, broken images -----------------------------------------------------------------------


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.mark.parametrize("data", [PDF, b"hello", b"", b"GIF", b"<svg xmlns='http://www.w3.org/2000/svg'/>"])
def test_not_an_image(data):
    assert identify(io.BytesIO(data)) is None
    assert make_thumbnails(io.BytesIO(data), SIZES, LIMIT) is None


def test_formats_pillow_reads_but_we_do_not_handle_are_not_images():
    data = encode(picture((64, 64)), "ICO")
    assert Image.open(io.BytesIO(data)).format == "ICO"
    assert identify(io.BytesIO(data)) is None
    assert make_thumbnails(io.BytesIO(data), SIZES, LIMIT) is None


def test_truncated_jpeg():
    data = encode(picture((800, 600)), "JPEG")[:5000]

    assert identify(io.BytesIO(data)) is not None  # the header is intact
    with pytest.raises(ImageError) as raised:
        make_thumbnails(io.BytesIO(data), SIZES, LIMIT)
    assert str(raised.value) == INVALID_IMAGE


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xd8\xff\xe0" + b"\x00" * 100,  # JPEG signature, then nonsense
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,  # PNG signature, then nonsense
        b"GIF89a" + b"\x00" * 3,
    ],
)
def test_image_signature_with_broken_content(data):
    with pytest.raises(ImageError) as raised:
        make_thumbnails(io.BytesIO(data), SIZES, LIMIT)
    assert str(raised.value) == INVALID_IMAGE
    with pytest.raises(ImageError):
        identify(io.BytesIO(data))


def test_corrupt_png_data():
    data = bytearray(encode(picture(), "PNG"))
    middle = len(data) // 2
    data[middle : middle + 200] = b"\x00" * 200
    with pytest.raises(ImageError) as raised:
        make_thumbnails(io.BytesIO(bytes(data)), SIZES, LIMIT)
    assert str(raised.value) == INVALID_IMAGE


def with_declared_size(png: bytes, width: int, height: int) -> bytes:
    """``png`` with its IHDR claiming another size (and a matching CRC); the pixel data is unchanged."""
    assert png[12:16] == b"IHDR"
    ihdr = png[16:29]
    ihdr = struct.pack(">II", width, height) + ihdr[8:13]
    chunk = b"IHDR" + ihdr
    return png[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + png[33:]


def test_decompression_bomb_is_refused_before_decoding():
    data = with_declared_size(encode(Image.new("RGB", (10, 10)), "PNG"), 20000, 20000)
    assert len(data) < 200

    info = identify(io.BytesIO(data))  # the header alone, which Pillow's own limit would refuse
    assert info is not None and (info.width, info.height) == (20000, 20000)
    with pytest.raises(ImageError) as raised:
        make_thumbnails(io.BytesIO(data), SIZES, LIMIT)
    # Decoding would have failed differently: the 10x10 pixel data is far too short.
    assert str(raised.value) == "Image is too large: 400000000 pixels, the limit is 50000000."


def test_pixel_limit_counts_the_real_image():
    data = encode(Image.new("1", (3000, 3000)), "PNG")
    with pytest.raises(ImageError, match="9000000 pixels, the limit is 1000000"):
        make_thumbnails(io.BytesIO(data), SIZES, 1_000_000)
    info, thumbnails = make(data, SIZES, 9_000_000)
    assert info.mode == "1"
    check_thumbnails(info, thumbnails, SIZES)


@pytest.mark.parametrize(
    ("mode", "size", "refused"),
    [
        ("RGB", (6000, 6000), True),  # 4 bytes a pixel in Pillow: 137 MiB
        ("RGBA", (5000, 5000), False),  # 95 MiB
        ("L", (7000, 7000), False),  # 1 byte a pixel: 47 MiB
        ("P", (7000, 7000), False),
    ],
)
def test_non_jpeg_decodes_are_bounded_in_memory(mode, size, refused):
    """The decode's memory, from the header: a 16-bit 7000x7000 PNG of 381 KB once took 416 MB."""
    data = with_declared_size(encode(Image.new(mode, (2, 2)), "PNG"), *size)
    with pytest.raises(ImageError) as raised:
        make_thumbnails(io.BytesIO(data), SIZES, LIMIT, max_decode_bytes=128 * 2**20)
    message = str(raised.value)
    if refused:
        assert (
            message
            == "Image is too large: 36000000 pixels of mode RGB take 137 MiB decoded, the limit is 128 MiB."
        )
    else:  # past the check, the 2x2 pixel data is far too short for the size it claims
        assert message.startswith("Upload a valid image.")


def test_a_jpeg_is_decoded_scaled_down_so_only_its_pixel_count_is_bounded():
    data = encode(Image.new("RGB", (6000, 6000), (200, 100, 50)), "JPEG")
    info, thumbnails = make(data, SIZES, LIMIT, max_decode_bytes=1)
    assert (info.width, info.height) == (6000, 6000)
    check_thumbnails(info, thumbnails, SIZES)


def test_image_error_is_a_value_error_with_a_sentence():
    with pytest.raises(ValueError, match=r"^Upload a valid image\."):
        make_thumbnails(io.BytesIO(b"\xff\xd8\xff" + b"\x00" * 50), SIZES, LIMIT)
