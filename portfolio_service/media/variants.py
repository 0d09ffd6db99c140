"""Responsive images: modern formats at a ladder of widths, focal-point crops, and a placeholder.

Like ``thumbnails.py`` this knows nothing of Flask or storage: bytes in, encoded files out.
Every variant is made from the original in sRGB, upright (EXIF orientation applied),
with no metadata (EXIF, GPS, XMP) and never larger than the original.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import AvifImagePlugin, Image, ImageCms, ImageOps  # noqa: F401  (AvifImagePlugin: AVIF saving)

from . import thumbhash

LANCZOS = Image.Resampling.LANCZOS
#: Encoder settings, chosen by bench/variants.py (README: "Responsive images, measured").
QUALITY = {"avif": 60, "webp": 80, "jpeg": 85}
#: libavif's speed 8 encodes about three times faster than 6 for some 10% more bytes: a
#: 12 MP photo's whole set is ready in about 3 s on one core instead of 6.
AVIF_SPEED = 8
MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}
SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class Crop:
    """A named crop: an aspect ratio, cut at ``widths`` (or at exactly ``size``)."""

    name: str
    aspect: tuple[int, int]
    widths: tuple[int, ...] = (640, 1280)
    exact: bool = False  # one size, aspect[0] x aspect[1] pixels (og: 1200x630)


CROPS = (
    Crop("square", (1, 1)),
    Crop("card", (4, 3)),
    Crop("wide", (16, 9)),
    Crop("og", (1200, 630), exact=True),
)


@dataclass(frozen=True)
class Variant:
    format: str
    width: int
    height: int
    crop: str | None
    data: bytes


def upright_srgb(image: Image.Image) -> Image.Image:
    """The image as it is shown: EXIF orientation applied, in sRGB, RGB or RGBA, no metadata.

    A wide-gamut photo (Display P3, Adobe RGB) or a CMYK one is converted through its ICC
    profile rather than read as sRGB, which would turn it dull or wrong; 16-bit greys are
    brought down to 8 bits first (a plain conversion clips them to white).
    """
    image = ImageOps.exif_transpose(image) or image
    target = "RGBA" if image.has_transparency_data else "RGB"
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    elif image.mode in ("P", "PA", "LA"):
        image = image.convert(target)
    profile = image.info.get("icc_profile")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            image = ImageCms.profileToProfile(image, source, SRGB, outputMode=target) or image
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile, or one for another colour space: the pixels as they are
    image = image.convert(target)
    image.info.clear()
    return image


def has_transparency(image: Image.Image) -> bool:
    if image.mode != "RGBA":
        return False
    low, _high = image.getchannel("A").getextrema()  # one band: (min, max)
    return int(low) < 255  # type: ignore[arg-type]


def full_widths(width: int, ladder: list[int]) -> list[int]:
    """The ladder's widths below ``width``, and ``width`` itself when below the largest: never upscaled."""
    widths = {w for w in ladder if w < width}
    if width < max(ladder):
        widths.add(width)
    return sorted(widths)


def crop_box(
    size: tuple[int, int], aspect: tuple[int, int], focal: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The largest box of ``aspect`` in ``size``, centred on ``focal`` as far as the edges allow."""
    width, height = size
    box_w = min(width, round(height * aspect[0] / aspect[1]))
    box_h = min(height, round(box_w * aspect[1] / aspect[0]))
    left = min(max(round(focal[0] * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal[1] * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def frames(
    image: Image.Image, ladder: list[int], crops, focal: tuple[float, float], full_frames: bool = True
) -> Iterator[tuple[str | None, Image.Image]]:
    """Every picture to encode: full frames at each width (if wanted), then each crop at its widths."""
    for width in full_widths(image.width, ladder) if full_frames else []:
        height = max(1, round(image.height * width / image.width))
        yield (
            None,
            image if width == image.width else image.resize((width, height), LANCZOS, reducing_gap=3.0),
        )
    for crop in crops:
        box = crop_box(image.size, crop.aspect, focal)
        box_w = box[2] - box[0]
        if crop.exact:
            targets = [min(crop.aspect[0], box_w)]
        else:
            targets = sorted({min(w, box_w) for w in crop.widths})  # never upscaled, never two of one width
        for width in targets:
            height = max(1, round(width * crop.aspect[1] / crop.aspect[0]))
            yield crop.name, image.resize((width, height), LANCZOS, box=box, reducing_gap=3.0)


def encode(image: Image.Image, format: str) -> bytes:
    out = io.BytesIO()
    if format == "avif":
        image.save(out, "AVIF", quality=QUALITY["avif"], speed=AVIF_SPEED)
    elif format == "webp":
        image.save(out, "WEBP", quality=QUALITY["webp"], method=4)
    elif format == "jpeg":
        image.save(out, "JPEG", quality=QUALITY["jpeg"], optimize=True, progressive=True)
    else:
        image.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()


def make_variants(
    image: Image.Image,
    ladder: list[int],
    formats: list[str],
    focal: tuple[float, float],
    crops=CROPS,
    full_frames: bool = True,
) -> list[Variant]:
    """Every variant of ``image`` (made upright and sRGB here): by crop (full frames first), format, width."""
    image = upright_srgb(image)
    fallback = "png" if has_transparency(image) else "jpeg"
    opaque = image if fallback == "png" else image.convert("RGB")
    made = []
    for crop, frame in frames(opaque, ladder, crops, focal, full_frames):
        for format in [*formats, fallback]:
            made.append(Variant(format, frame.width, frame.height, crop, encode(frame, format)))
    return sorted(made, key=lambda v: sort_key(v.crop, v.format, v.width))


FORMAT_ORDER = ("avif", "webp", "jpeg", "png")


def sort_key(crop: str | None, format: str, width: int) -> tuple:
    """The contract's order: by crop (full frames first, then ``CROPS``), format (fallback last), width."""
    crops = [named.name for named in CROPS]
    return (
        crops.index(crop) if crop in crops else -1,
        FORMAT_ORDER.index(format) if format in FORMAT_ORDER else len(FORMAT_ORDER),
        width,
    )


def placeholder(image: Image.Image) -> dict:
    """The dominant colour and a ThumbHash, from a small image (the smallest thumbnail).

    The hash is taken at 32 pixels at most: it keeps only a few dozen cosine terms, so a
    larger input changes nothing visible and costs the upload ~4x the time (pure Python).
    """
    small = upright_srgb(image)
    small.thumbnail((32, 32), LANCZOS)
    rgba = small.convert("RGBA")
    hash_bytes = thumbhash.encode(rgba.width, rgba.height, rgba.tobytes())
    colour = _dominant(rgba.convert("RGB"))
    color = "#{:02x}{:02x}{:02x}".format(*colour)
    return {"color": color, "thumbhash": base64.b64encode(hash_bytes).decode()}


def _dominant(image: Image.Image) -> tuple[int, int, int]:
    """The most common of 8 colours (median cut): the colour a card shows before its picture."""
    quantized = image.quantize(colors=8, method=Image.Quantize.MEDIANCUT)
    palette: list[int] = quantized.getpalette() or [0, 0, 0]
    counts: list[tuple[int, int]] = sorted(quantized.getcolors() or [(1, 0)], reverse=True)  # type: ignore[arg-type]
    index = counts[0][1]
    red, green, blue = palette[index * 3 : index * 3 + 3]
    return red, green, blue
