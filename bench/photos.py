"""Photo-like images made in code, for the benchmarks: smooth light, blurred shapes, sharp
texture, grain; and a cut-out with a soft alpha edge."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

BICUBIC = Image.Resampling.BICUBIC


def _noise(size: tuple[int, int], luma: float, chroma: float) -> Image.Image:
    """RGB noise centred on 128: mostly the same in every channel, as in processed photos (cameras remove
    most colour noise)."""
    shared = Image.effect_noise(size, luma)
    if not chroma:
        return Image.merge("RGB", (shared, shared, shared))
    return Image.merge(
        "RGB", [ImageChops.add(shared, Image.effect_noise(size, chroma), 1.0, -128) for _ in range(3)]
    )


def photo(width: int, height: int, seed: int) -> Image.Image:
    """A photo-like RGB image: smooth light, blurred background shapes, a sharp textured foreground, grain."""
    rnd = random.Random(seed)

    def colour() -> tuple[int, int, int]:
        return rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)

    # The background is drawn at quarter size and enlarged: cheap, and out of focus like a real one.
    small = (width // 4, height // 4)
    background = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize(small),
            Image.radial_gradient("L").resize(small),
            Image.linear_gradient("L").rotate(90).resize(small),
        ),
    )
    draw = ImageDraw.Draw(background)
    for _ in range(40):
        x, y = rnd.randrange(small[0]), rnd.randrange(small[1])
        w, h = rnd.randrange(small[0] // 30, small[0] // 5), rnd.randrange(small[1] // 30, small[1] // 4)
        (draw.ellipse if rnd.random() < 0.5 else draw.rectangle)((x, y, x + w, y + h), fill=colour())
    background = background.filter(ImageFilter.GaussianBlur(2))
    clouds = [
        Image.effect_noise((small[0] // 40, small[1] // 40), 25).resize(small, BICUBIC) for _ in range(3)
    ]
    clouds = Image.merge("RGB", clouds).filter(ImageFilter.GaussianBlur(small[0] // 100))
    background = ImageChops.add(background, clouds, 1.0, -128)
    image = background.resize((width, height), BICUBIC)

    # The foreground is sharp: shapes with hard edges, hairlines, and fine texture
    # (foliage, fabric) in some places while others stay smooth (sky, skin).
    draw = ImageDraw.Draw(image)
    for _ in range(15):
        x, y = rnd.randrange(width), rnd.randrange(height)
        w, h = rnd.randrange(width // 40, width // 8), rnd.randrange(height // 40, height // 6)
        (draw.ellipse if rnd.random() < 0.5 else draw.rectangle)((x, y, x + w, y + h), fill=colour())
    for _ in range(100):
        x, y = rnd.randrange(width), rnd.randrange(height)
        end = x + rnd.randrange(-width // 8, width // 8), y + rnd.randrange(-height // 8, height // 8)
        draw.line((x, y, *end), fill=colour(), width=rnd.choice((1, 2, 3)))
    texture = _noise((width // 2, height // 2), 16, 0).resize((width, height), BICUBIC)
    textured = ImageChops.add(image, texture, 1.0, -128)
    where = Image.effect_noise((width // 200, height // 200), 60).resize((width, height), BICUBIC)
    where = where.point(lambda v: 255 if v > 150 else 0).filter(ImageFilter.BoxBlur(8))
    image = Image.composite(textured, image, where)
    return ImageChops.add(image, _noise((width, height), 3, 1), 1.0, -128)


def cutout(size: int, seed: int) -> Image.Image:
    """A photo-like RGBA cut-out: opaque centre, soft alpha edge, some semi-transparent shapes."""
    image = photo(size, size, seed)
    edge = Image.radial_gradient("L").resize((size, size))
    alpha = edge.point(lambda v: 255 if v < 150 else max(0, 255 - (v - 150) * 4))
    draw = ImageDraw.Draw(alpha)
    rnd = random.Random(seed)
    for _ in range(12):
        x, y, r = rnd.randrange(size), rnd.randrange(size), rnd.randrange(size // 40, size // 10)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rnd.randrange(0, 200))
    image.putalpha(alpha.filter(ImageFilter.GaussianBlur(2)))
    return image


def encoded(image: Image.Image, format: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format, **params)
    return out.getvalue()


def make_inputs() -> dict[str, bytes]:
    return {
        "jpeg12mp": encoded(photo(4000, 3000, seed=12), "JPEG", quality=90),
        "jpeg24mp": encoded(photo(6000, 4000, seed=24), "JPEG", quality=90),
        "png4mp": encoded(cutout(2000, seed=4), "PNG"),
    }
