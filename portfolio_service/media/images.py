"""Recognising uploaded images with Pillow alone: their type, displayed size and mode, and opening them.

Only the formats a thumbnail can be written back in are handled: JPEG (and
MPO, which is JPEG with extra frames), PNG, GIF, WebP, BMP and TIFF. Bytes in
any other format, including ones Pillow could read (PSD, EPS via Ghostscript,
ICO...), are "not an image" here: the caller classifies them like any other
file, and Pillow's rarer decoders never see upload bytes.
"""

from __future__ import annotations

import os
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from PIL import (
    BmpImagePlugin,  # noqa: F401  (the imports register each format's opener in Image.OPEN)
    ExifTags,
    GifImagePlugin,  # noqa: F401
    Image,
    ImageFile,
    JpegImagePlugin,
    MpoImagePlugin,  # noqa: F401
    PngImagePlugin,
    TiffImagePlugin,
    WebPImagePlugin,  # noqa: F401
)

Source = str | os.PathLike[str] | IO[bytes]

INVALID_IMAGE = "Upload a valid image. The file you uploaded was either not an image or a corrupted image."

#: Pillow format name -> file extension, in the order the formats are tried.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp", "TIFF": "tiff"}

#: Memory one decode of a non-JPEG image may take. Formats other than JPEG
#: decode whole: a 381 KB 16-bit 7000x7000 PNG took 1.5 s and over 200 MB.
#: 128 MiB is a 33 megapixel RGB(A) image, or the whole 50 MP limit in L or P.
MAX_DECODE_BYTES = 128 * 2**20

# EXIF orientation -> the transpose that shows the image upright (ImageOps.exif_transpose's table).
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_AXES = {5, 6, 7, 8}

# What Pillow raises on bad input, depending on the plugin and where it fails.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    EOFError,
    ZeroDivisionError,
    struct.error,
)


class ImageError(ValueError):
    """The content claims to be an image but cannot be used (corrupt, truncated, too many pixels).

    ``str(error)`` is a user-facing sentence.
    """


@dataclass(frozen=True)
class ImageInfo:
    """What an image is, with its size as displayed (after EXIF orientation)."""

    mime: str
    format: str
    extension: str
    width: int
    height: int
    mode: str


def identify(source: Source) -> ImageInfo | None:
    """The image's type and displayed size from its header alone; None when it is not an image we handle.

    Raises ImageError when the bytes start like a handled format but cannot be parsed.
    """
    with binary(source) as fp, reading():
        image = open_image(fp)
        if image is None:
            return None
        with image:
            return describe(image.format, image.size, image.mode, exif_orientation(image, header_only=True))


def decoded_bytes(image: ImageFile.ImageFile) -> int:
    """What decoding ``image`` whole takes in memory; 0 for a JPEG, which libjpeg decodes scaled down.

    Pillow keeps 1-bit, L and P pixels in a byte, 16-bit grey in two, and
    every other mode (RGB included) in four.
    """
    if isinstance(image, JpegImagePlugin.JpegImageFile):
        return 0
    depth = 1 if image.mode in {"1", "L", "P"} else 2 if image.mode.startswith("I;16") else 4
    return image.width * image.height * depth


# -- opening -------------------------------------------------------------------------------------


@contextmanager
def binary(source: Source) -> Iterator[IO[bytes]]:
    """A readable binary file at position 0; a path is opened and closed here, a file stays the caller's."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fp:
            yield fp
    else:
        source.seek(0)
        yield source


@contextmanager
def reading() -> Iterator[None]:
    """Around Pillow's parsing and decoding: its errors become ImageError and its warnings are dropped."""
    # The warnings are about content we either decode or reject anyway:
    # DecompressionBombWarning (the caller's max_pixels is checked first, on the
    # header) and UserWarnings such as "Corrupt EXIF data". catch_warnings swaps
    # the process-wide filter list, so concurrent threads may briefly share these
    # filters; at worst that changes which of such warnings get shown.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.simplefilter("ignore", UserWarning)
        try:
            yield
        except ImageError:
            raise
        except Image.DecompressionBombError:
            # Only Pillow's own checks on sizes the header does not give (a GIF frame
            # larger than its screen, a TIFF tile) get here, so there is no count to quote.
            raise ImageError("Image is too large.") from None
        except _DECODE_ERRORS as error:
            raise ImageError(INVALID_IMAGE) from error


def open_image(fp: IO[bytes]) -> ImageFile.ImageFile | None:
    """Pillow's lazily opened image if a handled format's opener takes the bytes, else None.

    This is Image.open's loop restricted to our formats and without its check
    against Pillow's global pixel limit: make_thumbnails applies the caller's
    limit instead, and identify has none.
    """
    prefix = fp.read(16)
    claimed = False
    for name in EXTENSIONS:
        factory, accept = Image.OPEN[name]
        accepted = accept(prefix) if accept is not None else True
        if not accepted:
            continue
        # The bytes start like this format, so if no opener takes them they are a broken image.
        claimed = True
        if isinstance(accepted, str):  # Pillow's way of saying "recognised, but unsupported here"
            continue
        fp.seek(0)
        try:
            return factory(fp, "")
        except (SyntaxError, IndexError, TypeError, struct.error):
            continue  # as Image.open does: another opener may still take the bytes
    if claimed:
        raise ImageError(INVALID_IMAGE)
    return None


def exif_orientation(image: Image.Image, *, header_only: bool = False) -> int:
    """The EXIF orientation (2-8) still to apply to the size and pixels Pillow gives, else 1."""
    if isinstance(image, TiffImagePlugin.TiffImageFile):
        return 1  # Pillow reports a TIFF's size as displayed and loads its pixels upright
    try:
        if header_only and isinstance(image, PngImagePlugin.PngImageFile):
            # PngImageFile.getexif() decodes the pixels to look for an eXIf chunk after them.
            exif = Image.Image.getexif(image)
        else:
            exif = image.getexif()
        value = exif.get(ExifTags.Base.Orientation, 1)
    except _DECODE_ERRORS:
        return 1  # a broken EXIF block does not make the pixels unusable
    return value if isinstance(value, int) and value in UPRIGHT else 1


def describe(format: str | None, stored_size: tuple[int, int], mode: str, orientation: int) -> ImageInfo:
    # An MPO is a JPEG followed by more frames; browsers show its first like any JPEG.
    name = "JPEG" if format == "MPO" else str(format)
    width, height = turned(stored_size, orientation)
    return ImageInfo(Image.MIME[name], name, EXTENSIONS[name], width, height, mode)


def turned(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """Stored size -> displayed size, and back: orientations 5-8 swap the axes."""
    return (size[1], size[0]) if orientation in _SWAPS_AXES else size
