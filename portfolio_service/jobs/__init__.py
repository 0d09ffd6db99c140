"""Background jobs: the task queue, its workers, and what admins see of them (``GET /api/jobs``)."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/api/jobs", cli_group="jobs")

from . import cli, views  # noqa: E402,F401  (registers routes and commands on bp)
from .queue import enqueue, job, make_queue, run_pending  # noqa: E402,F401
