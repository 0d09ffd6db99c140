"""Files made in code for upload tests (no fixtures on disk)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def image_bytes(fmt: str = "JPEG", size=(320, 240), mode: str = "RGB", **save) -> bytes:
    """A gradient with a shape, encoded as ``fmt``."""
    image = Image.linear_gradient("L").resize(size).convert(mode if mode != "P" else "RGB")
    ImageDraw.Draw(image).ellipse((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=None)
    if mode == "P":
        image = image.convert("P")
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def rgba_png(size=(300, 200)) -> bytes:
    image = Image.new("RGBA", size, (255, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((10, 10, size[0] - 10, size[1] - 10), fill=(0, 0, 255, 128))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def animated_gif(size=(200, 100), frames: int = 3) -> bytes:
    images = [Image.new("P", size, color) for color in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def rotated_jpeg(size=(400, 200), orientation: int = 6) -> bytes:
    """Stored 400x200, displayed 200x400 (EXIF orientation 6: rotate 90° clockwise)."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
