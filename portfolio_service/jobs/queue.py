"""The task queue: Huey on SQLite in the instance folder by default, on Redis with ``JOBS_URL``.

Jobs are plain functions declared with ``@job(...)`` anywhere in the app; ``make_queue``
registers them on the app's Huey, each run inside an app context, and retried with
growing waits (``JOB_RETRY_DELAY`` seconds, doubled at each try: Huey's own backoff).
``enqueue`` sends one after the request's commit, so a worker never looks for a row not
yet committed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper

from ..extensions import db
from .models import Failure

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    function: Callable
    retries: int
    periodic: object | None = None  # a huey crontab: run by the workers on that schedule
    on_failure: Callable | None = None  # called with the job's arguments and the error, after the last try


JOBS: dict[str, Job] = {}


def job(retries: int = 3, periodic=None, on_failure: Callable | None = None) -> Callable:
    """Declare a job: ``enqueue(name, *args)`` runs ``function(*args)`` on a worker.

    A job is idempotent: a worker killed mid-job, or a retry, runs it again from the start.
    """

    def register(function: Callable) -> Callable:
        JOBS[function.__name__] = Job(function, retries, periodic, on_failure)
        return function

    return register


def queue_from_url(url: str | None, instance_path: str) -> Huey:
    """``None``: SQLite in the instance folder; ``sqlite:///path``; ``redis://...``; ``memory://``."""
    if not url:
        os.makedirs(instance_path, mode=0o700, exist_ok=True)
        return SqliteHuey("portfolio", filename=os.path.join(instance_path, "jobs.db"))
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return SqliteHuey("portfolio", filename=url.removeprefix("sqlite:///") or ":memory:")
    if scheme in ("redis", "rediss", "unix"):
        return RedisHuey("portfolio", url=url)
    if scheme == "memory":  # the tests: kept in this process until run_pending() runs them
        return MemoryHuey("portfolio")
    raise ValueError(f"JOBS_URL: unsupported scheme {scheme!r} (sqlite, redis or memory)")


def make_queue(app: Flask) -> Huey:
    """The app's Huey, with every declared job registered to run in an app context."""
    huey = queue_from_url(app.config["JOBS_URL"], app.instance_path)
    base_delay = app.config["JOB_RETRY_DELAY"]
    tasks: dict[str, TaskWrapper] = {}
    for name, declared in JOBS.items():

        def run(*args, _job=declared, task=None, **kwargs):
            with app.app_context():
                try:
                    return _job.function(*args, **kwargs)
                except Exception as error:
                    if task is None or task.retries == 0:
                        _failed(_job, args, error)
                    raise

        # Growing waits: JOB_RETRY_DELAY seconds, then twice, then four times that.
        options = {"name": name, "context": True}
        if declared.periodic is not None:
            tasks[name] = huey.periodic_task(declared.periodic, **options)(run)
        else:
            retry = {"retries": declared.retries, "retry_delay": base_delay, "retry_backoff": 2}
            tasks[name] = huey.task(**options, **retry)(run)
    app.extensions["jobs"] = Queue(huey, tasks)
    return huey


def _failed(declared: Job, args: tuple, error: Exception) -> None:
    """The last try failed: record it for ``GET /api/jobs``, and tell the job's owner."""
    db.session.rollback()
    db.session.add(Failure(job=described(declared.function.__name__, args)[:200], error=repr(error)[:1000]))
    db.session.commit()
    if declared.on_failure is not None:
        declared.on_failure(*args, error)


def described(name: str, args) -> str:
    """A job as admins see it: ``make_variants(7, False, False)``."""
    return f"{name}{tuple(args)}"


@dataclass
class Queue:
    huey: Huey
    tasks: dict[str, TaskWrapper]


def get_queue() -> Queue:
    return current_app.extensions["jobs"]


def enqueue(name: str, *args, delay: float | None = None) -> None:
    """Queue the job ``name`` (to run ``delay`` seconds from now, if given); call it after the
    commit that made what it works on."""
    task = get_queue().tasks[name]
    if delay:
        task.schedule(args=args, delay=delay)
    else:
        task(*args)


def queued(name: str, limit: int = 1000) -> bool:
    """Whether a ``name`` job waits in the queue (among its first ``limit``)."""
    return any(task.name.rsplit(".", 1)[-1] == name for task in get_queue().huey.pending(limit=limit))


def run_pending(app: Flask) -> int:
    """Run every queued job in this process, as a worker would (tests, and ``flask jobs run``)."""
    huey = app.extensions["jobs"].huey
    count = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        count += 1
    return count
