"""Making an image's thumbnails with Pillow alone: decoded once, as small as JPEG allows, then resized."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageFile, JpegImagePlugin, features

from .images import (
    MAX_DECODE_BYTES,
    UPRIGHT,
    ImageError,
    ImageInfo,
    Source,
    binary,
    decoded_bytes,
    describe,
    exif_orientation,
    open_image,
    reading,
    turned,
)

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


@dataclass(frozen=True)
class Thumbnail:
    """One encoded thumbnail, made to fit a ``size`` x ``size`` box."""

    size: int
    width: int
    height: int
    data: bytes


def make_thumbnails(
    source: Source, sizes: Sequence[int], max_pixels: int, max_decode_bytes: int = MAX_DECODE_BYTES
) -> tuple[ImageInfo, list[Thumbnail]] | None:
    """Decode the image once and make one thumbnail per box size, smallest first; None when not an image.

    Raises ImageError when the image has more than ``max_pixels`` pixels, or
    is not a JPEG and would take more than ``max_decode_bytes`` decoded (both
    checked from the header, before anything is decoded), or cannot be decoded.
    """
    boxes = _boxes(sizes)
    with binary(source) as fp, reading():
        image = open_image(fp)
        if image is None:
            return None
        with image:
            pixels = image.width * image.height
            if pixels > max_pixels:
                raise ImageError(f"Image is too large: {pixels} pixels, the limit is {max_pixels}.")
            decoded = decoded_bytes(image)
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
    info = describe(name, stored_size, mode, orientation)
    fits = [(box, _fit((info.width, info.height), box)) for box in boxes]
    return info, _cascade(largest, fits, info.format, icc_profile)


# -- sizes ---------------------------------------------------------------------------------------


def _boxes(sizes: Sequence[int]) -> list[int]:
    boxes = sorted(set(sizes))
    if any(not isinstance(box, int) or box < 1 for box in boxes):
        raise ValueError(f"thumbnail sizes must be positive integers, not {list(sizes)!r}")
    return boxes


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
        orientation = exif_orientation(image)
        target = turned(_fit(turned(image.size, orientation), box), orientation)
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
        orientation = exif_orientation(image)  # after load: a PNG's eXIf chunk may follow its pixels
        target = turned(_fit(turned(image.size, orientation), box), orientation)

    pixels = _resizable(image)
    thumbnail = pixels.resize(target, _LANCZOS, box=source_box, reducing_gap=_REDUCING_GAP)
    del pixels
    if orientation in UPRIGHT:
        thumbnail = thumbnail.transpose(UPRIGHT[orientation])  # on the smallest image it can be done once
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
