"""The audit log: one entry per write, through the API or the CLI, in the writing transaction."""

from flask import Blueprint

from .log import changed, record

bp = Blueprint("audit", __name__, url_prefix="/api/audit")

from . import views  # noqa: E402,F401  (registers routes on bp)

__all__ = ["bp", "changed", "record"]
