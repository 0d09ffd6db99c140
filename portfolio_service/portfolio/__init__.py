"""Portfolios, employers, tags, links and meta."""

from flask import Blueprint

bp = Blueprint("portfolio", __name__, url_prefix="/api")

from . import views  # noqa: E402,F401  (registers routes on bp)
