"""Recognising uploaded images and making their thumbnails, with Pillow alone.

Only the formats a thumbnail can be written back in are handled: JPEG (and
MPO, which is JPEG with extra frames), PNG, GIF, WebP, BMP and TIFF. Bytes in
any other format, including ones Pillow could read (PSD, EPS via Ghostscript,
ICO...), are "not an image" here: the caller classifies them like any other
file, and Pillow's rarer decoders never see upload bytes.
"""

from __future__ import annotations

import io
import math
import os
import struct
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from PIL import (
    BmpImagePlugin,  # noqa: F401  (the imports register each format's opener in Image.OPEN)
    ExifTags,
    GifImagePlugin,  # noqa: F401
    Image,
    ImageFile,
    JpegImagePlugin,  # noqa: F401
    MpoImagePlugin,  # noqa: F401
    PngImagePlugin,
    TiffImagePlugin,
    WebPImagePlugin,  # noqa: F401
    features,
)

Source = str | os.PathLike[str] | IO[bytes]

INVALID_IMAGE = "Upload a valid image. The file you uploaded was either not an image or a corrupted image."

#: Pillow format name -> file extension, in the order the formats are tried.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp", "TIFF": "tiff"}

#: Memory one decode of a non-JPEG image may take. Formats other than JPEG
#: decode whole: a 381 KB 16-bit 7000x7000 PNG took 1.5 s and over 200 MB.
#: 128 MiB is a 33 megapixel RGB(A) image, or the whole 50 MP limit in L or P.
MAX_DECODE_BYTES = 128 * 2**20

JPEG_QUALITY = 85
WEBP_QUALITY = 85
# Thumbnails are written while the upload request waits, and with Pillow's
# default level (6) zlib is most of a PNG's cost: on photo-like RGBA content
# level 1 encodes about 4x faster for files about 12% bigger (up to ~30% on flat
# graphics, where encoding is cheap anyway). Levels 2-3 use the same fast
# deflate and barely differ in size; `optimize` would add a level-9 pass.
PNG_COMPRESS_LEVEL = 1

_LANCZOS = Image.Resampling.LANCZOS
# Pillow's thumbnail() default: box-reduce first while the ratio is >= 2x this,
# which is indistinguishable from a plain LANCZOS resize at a fraction of the cost.
_REDUCING_GAP = 2.0

# EXIF orientation -> the transpose that shows the image upright (ImageOps.exif_transpose's table).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_AXES = {5, 6, 7, 8}

# Modes LANCZOS resizes meaningfully as they are; palette indices and 1-bit
# pixels would be resampled with NEAREST, Image.reduce() rejects 16-bit grey,
# and the exotic ones are converted.
_RESIZABLE_MODES = {"L", "LA", "RGB", "RGBA", "I", "F", "CMYK"}
# Modes each writer takes; anything else is converted to RGB(A) first.
_SAVE_MODES = {
    "JPEG": {"L", "RGB"},
    "PNG": {"1", "L", "LA", "I;16", "P", "RGB", "RGBA"},
    "GIF": {"1", "L", "P", "RGB", "RGBA"},
    "WEBP": {"RGB", "RGBA"},
    "BMP": {"1", "L", "P", "RGB", "RGBA"},
    "TIFF": {"1", "L", "LA", "P", "I", "F", "RGB", "RGBA"},
}
_ICC_FORMATS = {"JPEG", "PNG", "WEBP", "TIFF"}
_LIBTIFF = features.check("libtiff")

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


@dataclass(frozen=True)
class Thumbnail:
    """One encoded thumbnail, made to fit a ``size`` x ``size`` box."""

    size: int
    width: int
    height: int
    data: bytes


def identify(source: Source) -> ImageInfo | None:
    """The image's type and displayed size from its header alone; None when it is not an image we handle.

    Raises ImageError when the bytes start like a handled format but cannot be parsed.
    """
    with _binary(source) as fp, _reading():
        image = _open(fp)
        if image is None:
            return None
        with image:
            return _info(image.format, image.size, image.mode, _orientation(image, header_only=True))


def make_thumbnails(
    source: Source, sizes: Sequence[int], max_pixels: int, max_decode_bytes: int = MAX_DECODE_BYTES
) -> tuple[ImageInfo, list[Thumbnail]] | None:
    """Decode the image once and make one thumbnail per box size, smallest first; None when not an image.

    Raises ImageError when the image has more than ``max_pixels`` pixels, or
    is not a JPEG and would take more than ``max_decode_bytes`` decoded (both
    checked from the header, before anything is decoded), or cannot be decoded.
    """
    boxes = _boxes(sizes)
    with _binary(source) as fp, _reading():
        image = _open(fp)
        if image is None:
            return None
        with image:
            pixels = image.width * image.height
            if pixels > max_pixels:
                raise ImageError(f"Image is too large: {pixels} pixels, the limit is {max_pixels}.")
            decoded = _decoded_bytes(image)
            if decoded > max_decode_bytes:
                raise ImageError(
                    f"Image is too large: {pixels} pixels of mode {image.mode} take {decoded // 2**20} MiB "
                    f"decoded, the limit is {max_decode_bytes // 2**20} MiB."
                )
            # Described before decoding: draft() changes the size Pillow reports.
            name, stored_size, mode = image.format, image.size, image.mode
            icc_profile = image.info.get("icc_profile")
            # 1 stands in for "no sizes": the image is still decoded (at 1/8 scale for
            # a JPEG) because a corrupt image must be rejected whatever the settings.
            orientation, largest = _largest_thumbnail(image, boxes[-1] if boxes else 1)
    info = _info(name, stored_size, mode, orientation)
    fits = [(box, _fit((info.width, info.height), box)) for box in boxes]
    return info, _cascade(largest, fits, info.format, icc_profile)


def _decoded_bytes(image: ImageFile.ImageFile) -> int:
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
def _binary(source: Source) -> Iterator[IO[bytes]]:
    """A readable binary file at position 0; a path is opened and closed here, a file stays the caller's."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fp:
            yield fp
    else:
        source.seek(0)
        yield source


@contextmanager
def _reading() -> Iterator[None]:
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


def _open(fp: IO[bytes]) -> ImageFile.ImageFile | None:
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


def _orientation(image: Image.Image, *, header_only: bool = False) -> int:
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
    return value if isinstance(value, int) and value in _UPRIGHT else 1


def _info(format: str | None, stored_size: tuple[int, int], mode: str, orientation: int) -> ImageInfo:
    # An MPO is a JPEG followed by more frames; browsers show its first like any JPEG.
    name = "JPEG" if format == "MPO" else str(format)
    width, height = _turned(stored_size, orientation)
    return ImageInfo(Image.MIME[name], name, EXTENSIONS[name], width, height, mode)


# -- sizes ---------------------------------------------------------------------------------------


def _boxes(sizes: Sequence[int]) -> list[int]:
    boxes = sorted(set(sizes))
    if any(not isinstance(box, int) or box < 1 for box in boxes):
        raise ValueError(f"thumbnail sizes must be positive integers, not {list(sizes)!r}")
    return boxes


def _turned(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """Stored size -> displayed size, and back: orientations 5-8 swap the axes."""
    return (size[1], size[0]) if orientation in _SWAPS_AXES else size


def _fit(size: tuple[int, int], box: int) -> tuple[int, int]:
    """The size ``size`` shrinks to inside a ``box`` square, rounded as Image.thumbnail does; never larger."""
    width, height = size
    if width <= box and height <= box:
        return size
    aspect = width / height

    def round_aspect(number: float, key: Callable[[int], float]) -> int:
        return max(min(math.floor(number), math.ceil(number), key=key), 1)

    if aspect <= 1:
        return round_aspect(box * aspect, key=lambda n: abs(aspect - n / box)), box
    return box, round_aspect(box / aspect, key=lambda n: 0 if n == 0 else abs(aspect - box / n))


# -- pixels --------------------------------------------------------------------------------------


def _largest_thumbnail(image: ImageFile.ImageFile, box: int) -> tuple[int, Image.Image]:
    """Decode ``image`` once, as small as JPEG allows; its orientation and upright thumbnail for ``box``."""
    source_box = None
    if isinstance(image, JpegImagePlugin.JpegImageFile):
        orientation = _orientation(image)
        target = _turned(_fit(_turned(image.size, orientation), box), orientation)
        if target != image.size:
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale for a fraction of the work
            # and memory. Asking for the thumbnail's own shape rather than the
            # square box matters: for a 3:2 photo the square stops at 1/2 where
            # 1/4 still covers it. The shape is in stored (pre-rotation) axes.
            drafted = image.draft(image.mode, target)
            if drafted is not None:
                source_box = drafted[1]  # the whole original, in the smaller decode's coordinates
        image.load()
    else:
        image.load()
        orientation = _orientation(image)  # after load: a PNG's eXIf chunk may follow its pixels
        target = _turned(_fit(_turned(image.size, orientation), box), orientation)

    pixels = _resizable(image)
    thumbnail = pixels.resize(target, _LANCZOS, box=source_box, reducing_gap=_REDUCING_GAP)
    del pixels
    if orientation in _UPRIGHT:
        thumbnail = thumbnail.transpose(_UPRIGHT[orientation])  # on the smallest image it can be done once
    if thumbnail.mode == "CMYK":
        # Browsers show CMYK JPEGs badly or not at all. Converted after resizing,
        # where it is cheap; Pillow's plain formula, as the image's CMYK profile
        # (if any) would need a profile-to-profile transform.
        thumbnail = thumbnail.convert("RGB")
    thumbnail.info = {}  # none of the original's metadata (EXIF, comments, GIF palette info) is carried over
    return orientation, thumbnail


def _resizable(image: Image.Image) -> Image.Image:
    """``image`` in a mode LANCZOS resamples properly, with any transparency as an alpha channel."""
    transparent = image.has_transparency_data
    if image.mode in _RESIZABLE_MODES and "transparency" not in image.info:
        return image
    if image.mode in ("1", "L"):
        return image.convert("LA" if transparent else "L")
    if image.mode.startswith("I;16"):
        return image.convert("I")  # keeps the 16 bits; _encode turns it back for PNG
    return image.convert("RGBA" if transparent else "RGB")


def _cascade(
    largest: Image.Image, fits: list[tuple[int, tuple[int, int]]], format: str, icc_profile: bytes | None
) -> list[Thumbnail]:
    """Encode ``largest`` and each smaller size resized from the one before it; smallest first."""
    thumbnails: list[Thumbnail] = []
    current, data = largest, b""
    for box, size in reversed(fits):
        if current.size != size:
            current = current.resize(size, _LANCZOS, reducing_gap=_REDUCING_GAP)
            data = b""
        if not data:  # an image smaller than several boxes is encoded once
            data = _encode(current, format, icc_profile)
        thumbnails.append(Thumbnail(box, current.width, current.height, data))
    thumbnails.reverse()
    return thumbnails


def _encode(image: Image.Image, format: str, icc_profile: bytes | None) -> bytes:
    if image.mode == "I" and format == "PNG":
        image = image.convert("I;16")  # a 16-bit grey PNG, resized as 32-bit "I"
    elif image.mode not in _SAVE_MODES[format]:
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    params: dict[str, object] = {}
    if format == "JPEG":
        params["quality"] = JPEG_QUALITY
    elif format == "WEBP":
        params["quality"] = WEBP_QUALITY
    elif format == "PNG":
        params.update(compress_level=PNG_COMPRESS_LEVEL, optimize=False)
    elif format == "TIFF" and _LIBTIFF:
        params["compression"] = "tiff_adobe_deflate"  # uncompressed, a 1080 px TIFF thumbnail is ~3.5 MB
    # The colour profile keeps colours right, but only describes pixels of its own
    # colour space (a CMYK profile must not follow the pixels converted to RGB).
    space = b"GRAY" if Image.getmodebase(image.mode) == "L" else b"RGB "
    if icc_profile and format in _ICC_FORMATS and icc_profile[16:20] == space:
        params["icc_profile"] = icc_profile
    out = io.BytesIO()
    image.save(out, format, **params)
    return out.getvalue()
