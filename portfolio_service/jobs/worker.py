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


def _touch(app: Flask, names: list[str], **values) -> None:
    with app.app_context():
        db.session.execute(update(Worker).where(Worker.name.in_(names)).values(seen_at=utcnow(), **values))
        db.session.commit()


def run_worker(app: Flask, workers: int = 1) -> None:
    """Consume the queue until SIGINT or SIGTERM (which lets the job at hand finish).

    Each consumer thread has its own row (``host:pid``, or ``host:pid/N`` with several), so
    ``GET /api/jobs`` shows what every one of them is doing.
    """
    huey = app.extensions["jobs"].huey
    process = f"{socket.gethostname()}:{os.getpid()}"
    names = [process] if workers == 1 else [f"{process}/{n}" for n in range(1, workers + 1)]
    with app.app_context():
        db.session.execute(delete(Worker).where(Worker.name.in_(names)))
        db.session.add_all(Worker(name=name) for name in names)
        db.session.commit()

    def mine() -> list[str]:
        """The row of the consumer thread at hand (Huey names them Worker-1, Worker-2...)."""
        number = threading.current_thread().name.removeprefix("Worker-")
        return [names[int(number) - 1]] if number.isdigit() and int(number) <= len(names) else names[:1]

    @huey.signal(signals.SIGNAL_EXECUTING)
    def started(signal, task, *args):
        _touch(app, mine(), job=described(task.name, task.args), job_started_at=utcnow())

    @huey.signal(signals.SIGNAL_COMPLETE, signals.SIGNAL_ERROR, signals.SIGNAL_RETRYING)
    def finished(signal, task, *args):
        _touch(app, mine(), job=None, job_started_at=None)

    stop = threading.Event()

    def heartbeat():
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                _touch(app, names)
            except Exception:  # the database away for a moment: the next beat will tell
                log.exception("worker heartbeat failed")

    threading.Thread(target=heartbeat, name="heartbeat", daemon=True).start()
    # The periodic jobs once now: a worker started after a crash re-queues what the crash left.
    for declared in JOBS.values():
        if declared.periodic is not None:
            with app.app_context():
                declared.function()
    log.info("worker %s: %d thread(s) on %s", process, workers, type(huey).__name__)
    try:
        huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
    finally:
        stop.set()
        with app.app_context():
            db.session.execute(delete(Worker).where(Worker.name.in_(names)))
            db.session.commit()


def live_workers(seconds: int = 3 * HEARTBEAT_SECONDS) -> list[Worker]:
    """Workers heard from in the last ``seconds``."""
    since = utcnow() - timedelta(seconds=seconds)
    return list(db.session.scalars(select(Worker).where(Worker.seen_at >= since).order_by(Worker.name)))
