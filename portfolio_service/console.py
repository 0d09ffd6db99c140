"""``/console/``: the staff console, a client of the public API built from ``console/`` by Vite.

The app only serves the built files: the page, and its hashed assets forever.
Everything the console does goes through ``/api``, with the signed-in user's
key, so it has no route of its own beyond these.
"""

from __future__ import annotations

import functools
import gzip
import mimetypes
import os
from urllib.parse import urlsplit

from flask import Blueprint, current_app, request, send_from_directory
from werkzeug.security import safe_join

from .auth.permissions import ANYONE, permission
from .errors import NotFound
from .media.schemas import media_base_url

bp = Blueprint("console", __name__, url_prefix="/console")

NOT_BUILT = "The console is not built: `make run` builds it (or `npm ci && npm run build` in console/)."


def dist_folder() -> str:
    return os.path.join(os.path.dirname(current_app.root_path), "console", "dist")


def content_security_policy() -> str:
    """Scripts and styles from this origin only: no inline script, no ``eval``, no inline style.

    Images may also come from where media files are served, when that is elsewhere
    (``MEDIA_URL``'s CDN, or the S3 bucket).
    """
    images = ["'self'", "data:", "blob:"]
    media = urlsplit(media_base_url())
    if media.netloc and media.netloc != request.host:
        images.append(f"{media.scheme}://{media.netloc}")
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        f"img-src {' '.join(images)}; connect-src 'self'; manifest-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


@bp.get("/")
@permission(ANYONE)
def console_page():
    """The console's one page; it routes inside the page (``#/portfolios``...)."""
    try:
        with open(os.path.join(dist_folder(), "index.html"), "rb") as page:
            body = page.read()
    except FileNotFoundError:
        raise NotFound(NOT_BUILT) from None
    return (
        body,
        200,
        {
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-cache",
            "Content-Security-Policy": content_security_policy(),
        },
    )


@functools.lru_cache(maxsize=32)
def _gzipped(path: str, modified: float) -> bytes:
    """A built text file, compressed once per build (``modified`` keys the cache)."""
    with open(path, "rb") as file:
        return gzip.compress(file.read(), compresslevel=9, mtime=0)


@bp.get("/assets/<path:filename>")
@permission(ANYONE)
def console_asset(filename: str):
    """A built script or style sheet: its name carries its hash, so it is cached for a year.

    Scripts and styles go gzipped to clients that accept it, as a proxy in front would do.
    """
    folder = os.path.join(dist_folder(), "assets")
    path = safe_join(folder, filename)
    compress = request.accept_encodings.quality("gzip") > 0 and filename.endswith((".js", ".css"))
    if path is not None and compress and os.path.isfile(path):
        response = current_app.response_class(
            _gzipped(path, os.path.getmtime(path)), mimetype=mimetypes.guess_type(path)[0]
        )
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = send_from_directory(folder, filename)
    response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Content-Security-Policy"] = content_security_policy()
    return response
