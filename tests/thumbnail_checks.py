"""Images made in code, and the checks the thumbnail and image tests share."""

from __future__ import annotations

import io
import statistics

from PIL import Image, ImageChops, ImageDraw, ImageStat

from portfolio_service.media.images import ImageInfo
from portfolio_service.media.thumbnails import Thumbnail, make_thumbnails

SIZES = [64, 128, 512]
LIMIT = 50_000_000


def encode(image: Image.Image, format: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format, **params)
    return out.getvalue()


def picture(size=(400, 300), mode="RGB") -> Image.Image:
    """A gradient with shapes and a little noise, in ``mode``."""
    width, height = size
    image = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize(size),
            Image.radial_gradient("L").resize(size),
            Image.linear_gradient("L").rotate(90).resize(size),
        ),
    )
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 5, height // 5, width // 2, height // 2), fill=(200, 40, 40))
    draw.rectangle((width // 2, height // 2, width * 4 // 5, height * 9 // 10), fill=(30, 160, 90))
    draw.line((0, height - 1, width - 1, 0), fill=(250, 250, 250), width=3)
    noise = Image.effect_noise(size, 6)
    image = ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), 1.0, -128)
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").rotate(90).resize(size))
        return image
    return image.convert(mode)


def opened(thumbnail: Thumbnail) -> Image.Image:
    image = Image.open(io.BytesIO(thumbnail.data))
    image.load()
    return image


def mad(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference in grey levels over all channels."""
    return statistics.fmean(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def check_thumbnails(info: ImageInfo, thumbnails: list[Thumbnail], sizes) -> list[Image.Image]:
    """Each thumbnail decodes in the original's format at its stated size, fits its box with the
    original's aspect (to 1px) and is never larger than the original; smallest first."""
    assert [t.size for t in thumbnails] == sorted(set(sizes))
    images = []
    for thumbnail in thumbnails:
        image = opened(thumbnail)
        assert image.format == info.format
        assert image.size == (thumbnail.width, thumbnail.height)
        box = thumbnail.size
        assert thumbnail.width <= box and thumbnail.height <= box
        if info.width <= box and info.height <= box:
            assert (thumbnail.width, thumbnail.height) == (info.width, info.height)
        else:
            assert max(thumbnail.width, thumbnail.height) == box
            if info.width >= info.height:
                assert abs(thumbnail.height - box * info.height / info.width) <= 1
            else:
                assert abs(thumbnail.width - box * info.width / info.height) <= 1
        images.append(image)
    return images


def make(data: bytes, sizes=SIZES, max_pixels=LIMIT, **limits) -> tuple[ImageInfo, list[Thumbnail]]:
    result = make_thumbnails(io.BytesIO(data), sizes, max_pixels, **limits)
    assert result is not None
    return result
