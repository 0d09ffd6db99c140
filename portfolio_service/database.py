"""Database details that every model shares: UTC timestamps and SQLite tuning."""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from flask import has_request_context, request
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeDecorator

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: ``session.info`` key: the ``webhooks_version`` a transaction moved the version row to
#: (``portfolio/documents/versions.py``), which ``webhooks/events.py`` reads.
WEBHOOKS_SEEN = "webhooks_version"

#: Set by ``writing()``: outside a request (a job, a command), the next transaction writes.
_WRITING: ContextVar[bool] = ContextVar("writing", default=False)


@contextmanager
def writing() -> Iterator[None]:
    """The transactions begun inside take SQLite's write lock at BEGIN (``BEGIN IMMEDIATE``), as a
    writing request's do: a read-then-write then waits for other writers instead of failing at once."""
    token = _WRITING.set(True)
    try:
        yield
    finally:
        _WRITING.reset(token)


#: PostgreSQL errors that mean "this transaction lost a race; the same request
#: may well succeed from the start": a deadlock, a serialization failure, and
#: a foreign key to a row deleted meanwhile (the retry's validation then names
#: the field, as it would have from the start).
RETRYABLE_SQLSTATES = {
    "40P01": "deadlock",
    "40001": "serialization failure",
    "23503": "foreign key violation",
}
#: Errors that, when a retry did not help, mean "busy, try later" (503), not a bug.
BUSY_SQLSTATES = {"40P01", "40001"}


def sqlstate(error: DBAPIError) -> str | None:
    """The SQLSTATE code of a driver error (PostgreSQL); None for SQLite's."""
    return getattr(error.orig, "sqlstate", None)


def is_busy(error: DBAPIError) -> bool:
    """A lost race or a lock not granted in time: the caller may try again."""
    return sqlstate(error) in BUSY_SQLSTATES or "database is locked" in str(error.orig)


class Clock:
    """The time the service reads: the real one, or, while ``frozen`` is set, that instant.

    Every "now" of the service comes from ``utcnow()``, so a test can stand half a
    second either side of a schedule's boundary (``tests/conftest.py``'s ``clock``).
    """

    frozen: datetime | None = None


CLOCK = Clock()


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return CLOCK.frozen or datetime.now(timezone.utc)


def iso(value: datetime) -> str:
    """A moment as the API writes it: ISO 8601 in UTC with a ``Z``; microseconds only when non-zero."""
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, so values come back naive; PostgreSQL keeps it.
    Either way the application only ever sees aware UTC datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                value = value.replace(tzinfo=timezone.utc)
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def prepare_sqlite_file(path: str | None) -> None:
    """Make the database's folder if missing, and keep the file readable by its owner alone.

    SQLite creates its ``-wal`` and ``-shm`` files with the database's own
    permissions, so they follow.
    """
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)  # made before this rule, or by another tool


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite safe for several gunicorn workers writing at once.

    WAL lets readers run beside one writer; the busy timeout makes a writer
    wait for the lock instead of failing. Python's sqlite3 opens transactions
    lazily with a plain ``BEGIN``, so two requests that read and then write
    can deadlock on the lock upgrade, and SQLite answers that at once with
    "database is locked" whatever the timeout. Writing requests therefore
    start with ``BEGIN IMMEDIATE``: they queue for the write lock up front.
    Reads, and the CLI, keep the plain ``BEGIN``.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we send BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        writing = _WRITING.get() or (has_request_context() and request.method not in SAFE_METHODS)
        # Straight to the driver: this runs for every request, and SQLAlchemy's
        # statement machinery would cost more than the statement.
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE" if writing else "BEGIN")

    @event.listens_for(engine, "reset")
    def on_reset(dbapi_connection: sqlite3.Connection, _record, _state) -> None:
        # A failed COMMIT (disk full, I/O error) leaves SQLite's transaction
        # open, while SQLAlchemy counts it as ended and skips the rollback: end
        # it here, or the pooled connection fails every later BEGIN.
        if dbapi_connection.in_transaction:
            dbapi_connection.rollback()
