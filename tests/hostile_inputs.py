"""The catalogue of hostile input: one row per attack, each a clear 4xx that changes nothing.

Columns: id, method, URL ({portfolio} and {media} are filled in), how the body
is sent ("json" for a Python value, "raw" for bytes as application/json,
"upload" for a file (name, bytes) plus form fields, None for no body), the
body, the expected status, and the key the JSON error names.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

from .images import HTML, SVG, image_bytes


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_dimension_png(width: int = 100_000, height: int = 100_000, depth: int = 8, color: int = 0) -> bytes:
    """A few hundred bytes that claim ``width`` x ``height`` pixels (10 gigapixels: a decompression bomb).

    ``depth`` and ``color`` are the PNG header's bit depth and colour type (0 grey, 2 RGB).
    """
    small = io.BytesIO()
    Image.new("L", (1, 1)).save(small, "PNG")
    data = small.getvalue()
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    return data[:8] + _png_chunk(b"IHDR", ihdr) + data[33:]


def zip_bomb_png() -> bytes:
    """A valid small PNG carrying a zTXt chunk that inflates to 100 MB."""
    text = zlib.compress(b"\x00" * 100_000_000, 9)
    data = image_bytes("PNG", (16, 16))
    return data[:33] + _png_chunk(b"zTXt", b"comment\x00\x00" + text) + data[33:]


GIF_JS_POLYGLOT = b"GIF89a/*\x00\x00*/=1;alert(document.domain)//" + b"\x00" * 64
PDF_HTML_POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>"
JPEG_PHP_POLYGLOT = b"\xff\xd8\xff\xe0<?php system($_GET['c']); ?>" + b"\x00" * 64

TOO_LONG = "x" * 20_001
#: 400 lists deep inside a string field: once a RecursionError and a 500 (security review).
NESTED_400_DEEP = b"[" * 400 + b"]" * 400
#: More different tags than a filter takes: each one is an EXISTS clause.
TWENTY_ONE_TAGS = "&".join(f"tag={n}" for n in range(1, 22))

CATALOGUE = [
    ("oversized-json", "PATCH", "/api/portfolios/{portfolio}", "raw", b'{"description": "' + b"x" * 1_100_000 + b'"}', 413, "detail"),
    ("deeply-nested-json", "PATCH", "/api/portfolios/{portfolio}", "raw", b"[" * 100_000 + b"]" * 100_000, 400, "detail"),
    ("huge-integer", "PATCH", "/api/portfolios/{portfolio}", "raw", b'{"order": 1000000000000000000000000000000}', 400, "order"),
    ("huge-integer-id", "PATCH", "/api/portfolios/{portfolio}", "raw", b'{"image": 1000000000000000000000000000000}', 400, "image"),
    ("just-over-64-bit-id", "PATCH", "/api/portfolios/{portfolio}", "raw", b'{"tags": [9223372036854775808]}', 400, "tags"),
    ("integer-of-5000-digits", "PATCH", "/api/portfolios/{portfolio}", "raw", b'{"order": ' + b"9" * 5000 + b"}", 400, "detail"),
    ("nul-in-slug-path", "GET", "/api/portfolios/slug/a%00b", None, None, 404, "detail"),
    ("huge-id-in-path", "GET", "/api/portfolios/99999999999999999999999999", None, None, 404, "detail"),
    ("nan", "PATCH", "/api/portfolios/{portfolio}", "raw", b'{"order": NaN}', 400, "detail"),
    ("infinity", "PATCH", "/api/portfolios/{portfolio}", "raw", b'{"order": Infinity}', 400, "detail"),
    ("float-for-integer", "PATCH", "/api/portfolios/{portfolio}", "json", {"order": 1.5}, 400, "order"),
    ("nul-byte-in-string", "PATCH", "/api/portfolios/{portfolio}", "json", {"title": "a\x00b"}, 400, "title"),
    ("nul-byte-in-list", "POST", "/api/tags", "json", {"name": "ok", "image": None, "x": ["\x00"]}, 400, "x"),
    ("escape-sequence-in-name", "POST", "/api/tags", "json", {"name": "\x1b[31mred"}, 400, "name"),
    ("line-break-in-title", "PATCH", "/api/portfolios/{portfolio}", "json", {"title": "a\r\nX-Injected: 1"}, 400, "title"),
    ("invalid-utf8", "PATCH", "/api/portfolios/{portfolio}", "raw", b'{"title": "\xff\xfe"}', 400, "detail"),
    ("nul-in-search", "GET", "/api/portfolios?search=%00", None, None, 400, "search"),
    ("too-long-title", "PATCH", "/api/portfolios/{portfolio}", "json", {"title": TOO_LONG}, 400, "title"),
    ("too-long-description", "PATCH", "/api/portfolios/{portfolio}", "json", {"description": TOO_LONG}, 400, "description"),
    ("too-long-excerpt", "PATCH", "/api/portfolios/{portfolio}", "json", {"excerpt": TOO_LONG}, 400, "excerpt"),
    ("too-long-tag", "POST", "/api/tags", "json", {"name": TOO_LONG}, 400, "name"),
    ("too-long-employer-description", "POST", "/api/employers", "json", {"name": "e", "description": TOO_LONG}, 400, "description"),
    ("too-long-link-url", "POST", "/api/portfolios/{portfolio}/links", "json", {"name": "l", "url": "https://a.example/" + TOO_LONG}, 400, "url"),
    ("too-long-meta-value", "POST", "/api/portfolios/{portfolio}/meta", "json", {"key": "k", "value_text": TOO_LONG}, 400, "value_text"),
    ("too-long-search", "GET", "/api/portfolios?search=" + "x" * 201, None, None, 400, "search"),
    ("too-long-alt-text", "PATCH", "/api/media/{media}", "json", {"alt": "x" * 501}, 400, "alt"),
    ("too-long-media-name", "PATCH", "/api/media/{media}", "json", {"name": "x" * 256}, 400, "name"),
    ("too-long-username", "POST", "/api/auth/users", "json", {"username": "u" * 151, "password": "longenough"}, 400, "username"),
    ("javascript-url", "POST", "/api/portfolios/{portfolio}/links", "json", {"name": "x", "url": "javascript:alert(1)"}, 400, "url"),
    ("data-url", "POST", "/api/portfolios/{portfolio}/links", "json", {"name": "x", "url": "data:text/html,<script>alert(1)</script>"}, 400, "url"),
    ("path-traversal-in-media-path", "GET", "/media/../../etc/passwd", None, None, 404, "detail"),
    ("encoded-traversal-in-media-path", "GET", "/media/core_media/%2e%2e/%2e%2e/%2e%2e/wsgi.py", None, None, 404, "detail"),
    ("svg-with-script", "POST", "/api/media", "upload", ("logo.svg", SVG), 400, "file"),
    ("html-disguised-as-png", "POST", "/api/media", "upload", ("photo.png", HTML), 400, "file"),
    ("gif-javascript-polyglot", "POST", "/api/media", "upload", ("a.gif", GIF_JS_POLYGLOT), 400, "file"),
    ("pdf-html-polyglot", "POST", "/api/media", "upload", ("a.pdf", PDF_HTML_POLYGLOT), 400, "file"),
    ("jpeg-php-polyglot", "POST", "/api/media", "upload", ("a.jpg", JPEG_PHP_POLYGLOT), 400, "file"),
    ("decompression-bomb-png", "POST", "/api/media", "upload", ("bomb.png", huge_dimension_png()), 400, "file"),
    ("pixel-heavy-16-bit-png", "POST", "/api/media", "upload", ("deep.png", huge_dimension_png(7000, 7000, depth=16, color=2)), 400, "file"),
    ("zip-bomb-text-chunk-png", "POST", "/api/media", "upload", ("text.png", zip_bomb_png()), 400, "file"),
    ("header-injection-in-media-name", "POST", "/api/media", "upload", ("a.png", image_bytes("PNG"), {"name": "x\r\nSet-Cookie: a=b"}), 400, "name"),
    ("header-injection-in-token-name", "POST", "/api/auth/tokens", "json", {"name": "x\r\nSet-Cookie: a=b"}, 400, "name"),
    ("nested-lists-in-login-username", "POST", "/api/auth/login", "raw", b'{"username": ' + NESTED_400_DEEP + b', "password": "x"}', 400, "username"),
    ("nested-lists-in-title", "PATCH", "/api/portfolios/{portfolio}", "raw", b'{"title": ' + NESTED_400_DEEP + b"}", 400, "title"),
    ("nested-lists-in-tags", "PATCH", "/api/portfolios/{portfolio}", "raw", b'{"tags": ' + NESTED_400_DEEP + b"}", 400, "tags"),
    ("too-many-tag-filters", "GET", "/api/portfolios?" + TWENTY_ONE_TAGS, None, None, 400, "tag"),
    # Python's "$" matches before a final line break: every single-line field must still refuse one.
    ("trailing-newline-in-title", "PATCH", "/api/portfolios/{portfolio}", "json", {"title": "Trail test\n"}, 400, "title"),
    ("trailing-newline-in-slug", "PATCH", "/api/portfolios/{portfolio}", "json", {"slug": "wordpress-site\n"}, 400, "slug"),
    ("trailing-newline-in-slug-path", "GET", "/api/portfolios/slug/target%0A", None, None, 404, "detail"),
    ("trailing-newline-in-username", "POST", "/api/auth/users", "json", {"username": "admin\n", "password": "longenough"}, 400, "username"),
    ("trailing-newline-in-employer-name", "POST", "/api/employers", "json", {"name": "Digikala\n"}, 400, "name"),
    ("trailing-newline-in-tag-name", "POST", "/api/tags", "json", {"name": "sites\n"}, 400, "name"),
    ("trailing-newline-in-link-name", "POST", "/api/portfolios/{portfolio}/links", "json", {"name": "Repository\n"}, 400, "name"),
    ("trailing-newline-in-meta-key", "POST", "/api/portfolios/{portfolio}/meta", "json", {"key": "client\n"}, 400, "key"),
    ("trailing-newline-in-media-name", "PATCH", "/api/media/{media}", "json", {"name": "photo.jpg\n"}, 400, "name"),
    ("trailing-newline-in-token-name", "POST", "/api/auth/tokens", "json", {"name": "ci\n"}, 400, "name"),
    ("unicode-lookalike-username", "POST", "/api/auth/users", "json", {"username": "аdmin", "password": "longenough"}, 400, "username"),
    ("sql-in-title", "PATCH", "/api/portfolios/{portfolio}", "json", {"title": "x'); DROP TABLE portfolio;--", "order": "1 OR 1=1"}, 400, "order"),
]  # fmt: skip
