"""Webhooks (section 10): admins register endpoints; changes the public sees are sent to them."""

from flask import Blueprint

from .events import emit

bp = Blueprint("webhooks", __name__, url_prefix="/api/webhooks")

from . import delivery, views  # noqa: E402,F401  (registers the jobs and the routes)

__all__ = ["bp", "emit"]
