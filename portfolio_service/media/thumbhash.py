"""ThumbHash encoding: Evan Wallace's reference ``rgbaToThumbHash`` (https://evanw.github.io/thumbhash/).

Written here because neither package on PyPI can be used: ``thumbhash-python`` pins
Pillow below 11, and ``thumbhash`` 0.1.2 breaks on any image with transparency (an
operator-precedence slip makes its alpha term a tuple). The tests decode our hashes
with the latter's decoder, which is correct.
"""

from __future__ import annotations

import math


def _channel(
    values: list[float], width: int, height: int, nx: int, ny: int
) -> tuple[float, list[float], float]:
    """The DCT of one channel: its DC term, its scaled AC terms (in a triangle), and their scale.

    Separable, as the reference's sums are: each row is first summed against each horizontal
    cosine, which makes the whole about four times cheaper in pure Python.
    """
    cos_x = [[math.cos(math.pi / width * cx * (x + 0.5)) for x in range(width)] for cx in range(nx)]
    rows = [values[y * width : (y + 1) * width] for y in range(height)]
    row_sums = [[sum(v * c for v, c in zip(row, cos_x[cx], strict=True)) for cx in range(nx)] for row in rows]
    dc, ac, scale = 0.0, [], 0.0
    for cy in range(ny):
        cos_y = [math.cos(math.pi / height * cy * (y + 0.5)) for y in range(height)]
        cx = 0
        while cx * ny < nx * (ny - cy):
            f = sum(row_sums[y][cx] * cos_y[y] for y in range(height)) / (width * height)
            if cx or cy:
                ac.append(f)
                scale = max(scale, abs(f))
            else:
                dc = f
            cx += 1
    if scale:
        ac = [0.5 + 0.5 / scale * f for f in ac]
    return dc, ac, scale


def encode(width: int, height: int, rgba: bytes) -> bytes:
    """The ThumbHash of an image at most 100x100, given as RGBA bytes."""
    if width > 100 or height > 100:
        raise ValueError(f"{width}x{height} does not fit in 100x100")
    pixels = width * height
    avg_r = avg_g = avg_b = avg_a = 0.0
    for i in range(pixels):
        alpha = rgba[i * 4 + 3] / 255
        avg_r += alpha / 255 * rgba[i * 4]
        avg_g += alpha / 255 * rgba[i * 4 + 1]
        avg_b += alpha / 255 * rgba[i * 4 + 2]
        avg_a += alpha
    if avg_a:
        avg_r, avg_g, avg_b = avg_r / avg_a, avg_g / avg_a, avg_b / avg_a

    has_alpha = avg_a < pixels
    limit = 5 if has_alpha else 7
    lx = max(1, round(limit * width / max(width, height)))
    ly = max(1, round(limit * height / max(width, height)))
    lum, p, q, a = [], [], [], []
    for i in range(pixels):
        alpha = rgba[i * 4 + 3] / 255
        r = avg_r * (1 - alpha) + alpha / 255 * rgba[i * 4]
        g = avg_g * (1 - alpha) + alpha / 255 * rgba[i * 4 + 1]
        b = avg_b * (1 - alpha) + alpha / 255 * rgba[i * 4 + 2]
        lum.append((r + g + b) / 3)
        p.append((r + g) / 2 - b)
        q.append(r - g)
        a.append(alpha)

    l_dc, l_ac, l_scale = _channel(lum, width, height, max(3, lx), max(3, ly))
    p_dc, p_ac, p_scale = _channel(p, width, height, 3, 3)
    q_dc, q_ac, q_scale = _channel(q, width, height, 3, 3)
    a_dc, a_ac, a_scale = _channel(a, width, height, 5, 5) if has_alpha else (1.0, [], 1.0)

    landscape = width > height
    header24 = (
        round(63 * l_dc)
        | (round(31.5 + 31.5 * p_dc) << 6)
        | (round(31.5 + 31.5 * q_dc) << 12)
        | (round(31 * l_scale) << 18)
        | (has_alpha << 23)
    )
    header16 = (
        (ly if landscape else lx)
        | (round(63 * p_scale) << 3)
        | (round(63 * q_scale) << 9)
        | (landscape << 15)
    )
    out = [header24 & 255, (header24 >> 8) & 255, header24 >> 16, header16 & 255, header16 >> 8]
    if has_alpha:
        out.append(round(15 * a_dc) | (round(15 * a_scale) << 4))
    odd = False
    for f in [*l_ac, *p_ac, *q_ac, *(a_ac if has_alpha else [])]:
        u = round(15 * f)
        if odd:
            out[-1] |= u << 4
        else:
            out.append(u)
        odd = not odd
    return bytes(out)
