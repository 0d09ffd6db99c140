"""Files made in code for upload tests (no fixtures on disk)."""

from __future__ import annotations

import io
import struct

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


# Display P3's primaries adapted to the ICC's D50 white (as in Apple's profile), and sRGB's.
P3_D50 = ((0.51512, 0.29198, 0.15710), (0.24120, 0.69225, 0.06657), (-0.00105, 0.04189, 0.78407))
SRGB_D50 = ((0.43607, 0.38515, 0.14307), (0.22249, 0.71687, 0.06061), (0.01392, 0.09708, 0.71410))


def srgb_curve(value: float) -> float:
    """sRGB's (and Display P3's) transfer function: encoded 0..1 to linear 0..1."""
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def display_p3_profile() -> bytes:
    """A Display P3 ICC v2 profile built in code (matrix and curves), as a camera or phone embeds."""

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + struct.pack(">3i", *(round(v * 65536) for v in (x, y, z)))

    curve = b"curv\0\0\0\0" + struct.pack(
        ">I1024H", 1024, *(round(srgb_curve(n / 1023) * 65535) for n in range(1024))
    )
    text = b"Display P3 (test)\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + bytes(4 + 4 + 2 + 1 + 67)
    tags = [
        (b"desc", desc),
        (b"wtpt", xyz(0.96420, 1.0, 0.82491)),
        *((name, xyz(*(row[n] for row in P3_D50))) for n, name in enumerate((b"rXYZ", b"gXYZ", b"bXYZ"))),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for name, body in tags:
        body += bytes(-len(body) % 4)
        table += name + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I4sI4s4s4s", size, b"lcms", 0x02100000, b"mntr", b"RGB ", b"XYZ ")
        + bytes(12)
        + b"acsp"
        + bytes(4 + 4 + 4 + 4 + 8 + 4)
        + struct.pack(">3i", *(round(v * 65536) for v in (0.96420, 1.0, 0.82491)))
        + bytes(4 + 16 + 28)
    )
    return header + struct.pack(">I", len(tags)) + table + data


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
