"""``flask jobs worker`` and ``flask jobs run``."""

from __future__ import annotations

import click
from flask import current_app

from . import bp
from .queue import run_pending
from .worker import run_worker


@bp.cli.command("worker")
@click.option("--threads", default=1, show_default=True, help="Jobs run at once by this worker.")
def worker_command(threads: int) -> None:
    """Run a worker: it takes jobs from the queue until stopped (SIGTERM lets the job at hand finish)."""
    run_worker(current_app._get_current_object(), threads)  # type: ignore[attr-defined]


@bp.cli.command("run")
def run_command() -> None:
    """Run every queued job now, in this process, and stop (for scripts and one-off maintenance)."""
    click.echo(f"{run_pending(current_app._get_current_object())} job(s) run.")  # type: ignore[attr-defined]
