"""``flask jobs worker``: Huey's consumer, with a heartbeat row that says what it is doing."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from flask import Flask
from huey import signals
from sqlalchemy import delete, select, update

from ..database import utcnow
from ..extensions import db
from .models import Worker
from .queue import JOBS, described

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10


def _touch(app: Flask, name: str, **values) -> None:
    with app.app_context():
        db.session.execute(update(Worker).where(Worker.name == name).values(seen_at=utcnow(), **values))
        db.session.commit()


def run_worker(app: Flask, workers: int = 1) -> None:
    """Consume the queue until SIGINT or SIGTERM (which lets the job at hand finish)."""
    huey = app.extensions["jobs"].huey
    name = f"{socket.gethostname()}:{os.getpid()}"
    with app.app_context():
        db.session.execute(delete(Worker).where(Worker.name == name))
        db.session.add(Worker(name=name))
        db.session.commit()

    @huey.signal(signals.SIGNAL_EXECUTING)
    def started(signal, task, *args):
        _touch(app, name, job=described(task.name, task.args), job_started_at=utcnow())

    @huey.signal(signals.SIGNAL_COMPLETE, signals.SIGNAL_ERROR, signals.SIGNAL_RETRYING)
    def finished(signal, task, *args):
        _touch(app, name, job=None, job_started_at=None)

    stop = threading.Event()

    def heartbeat():
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                _touch(app, name)
            except Exception:  # the database away for a moment: the next beat will tell
                log.exception("worker heartbeat failed")

    threading.Thread(target=heartbeat, name="heartbeat", daemon=True).start()
    # The periodic jobs once now: a worker started after a crash re-queues what the crash left.
    for declared in JOBS.values():
        if declared.periodic is not None:
            with app.app_context():
                declared.function()
    log.info("worker %s: %d thread(s) on %s", name, workers, type(huey).__name__)
    try:
        huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
    finally:
        stop.set()
        with app.app_context():
            db.session.execute(delete(Worker).where(Worker.name == name))
            db.session.commit()


def live_workers(seconds: int = 3 * HEARTBEAT_SECONDS) -> list[Worker]:
    """Workers heard from in the last ``seconds``."""
    since = utcnow() - timedelta(seconds=seconds)
    return list(db.session.scalars(select(Worker).where(Worker.seen_at >= since).order_by(Worker.name)))
