"""The database side of a backup: which database this is, and its dump and load (SQLite file or pg_dump)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from contextlib import closing

import click
from sqlalchemy import inspect, literal_column, select, table, text

from ..extensions import db

#: The file the database takes in the archive, per dialect.
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def current_dialect() -> str:
    dialect = db.engine.dialect.name
    if dialect not in DUMPS:
        raise click.ClickException(f"Backups support SQLite and PostgreSQL, not {dialect}.")
    return dialect


def _sqlite_file() -> str:
    return db.engine.url.database or ""


def postgres_schema() -> str | None:
    """The PostgreSQL schema holding the app's tables (``public`` unless search_path says otherwise)."""
    if current_dialect() != "postgresql":
        return None
    return db.session.scalar(text("SELECT current_schema()"))


def _postgres(*args: str) -> None:
    """Run ``pg_dump`` or ``pg_restore`` on the app's database; raise with its stderr on failure."""
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password  # kept off the command line, which `ps` shows
    # libpq takes the URL without SQLAlchemy's driver part (``postgresql+psycopg``).
    libpq_url = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    try:
        result = subprocess.run([*args, "--dbname", libpq_url], env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise click.ClickException(
            f"{args[0]} is not installed (it comes with the PostgreSQL client)."
        ) from None
    if result.returncode:
        raise click.ClickException(f"{args[0]} failed: {result.stderr.strip()}")


def dump_database(target: str) -> None:
    """Write a consistent copy of the live database to the file ``target``."""
    if current_dialect() == "sqlite":
        if not os.path.isfile(_sqlite_file()):
            raise click.ClickException(f"No database at {_sqlite_file()}.")
        # The online backup API copies one snapshot while the server keeps writing.
        with closing(sqlite3.connect(_sqlite_file())) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
    else:
        # The app's schema only: other schemas in the database are not the app's to copy.
        _postgres("pg_dump", "--format=custom", f'--schema="{postgres_schema()}"', "--file", target)


def load_database(dump: str) -> None:
    """Replace the app's tables with those in the file ``dump``."""
    schema = postgres_schema()
    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps a lock or the old schema
    if schema is None:
        os.makedirs(os.path.dirname(os.path.abspath(_sqlite_file())), exist_ok=True)
        # The backup API again rather than a file copy: it takes SQLite's locks and
        # goes through the WAL, so the database file never mixes with a stale -wal.
        with closing(sqlite3.connect(dump)) as source, closing(sqlite3.connect(_sqlite_file())) as live:
            source.backup(live)
    else:
        # --schema keeps the schema itself, and anything else in it, out of --clean's drops.
        options = ["--clean", "--if-exists", "--no-owner", "--single-transaction", f"--schema={schema}"]
        _postgres("pg_restore", *options, dump)


def alembic_revision() -> str | None:
    """The migration the database is at, or None when Alembic never ran on it."""
    if not inspect(db.engine).has_table("alembic_version"):
        return None
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def tables_with_rows() -> list[str]:
    """The application's tables that hold at least one row (empty tables do not count).

    Bookkeeping tables always hold a row and say nothing about content.
    """
    names = sorted(set(inspect(db.engine).get_table_names()) - {"alembic_version", "content_version"})
    return [
        name
        for name in names
        if db.session.execute(select(literal_column("1")).select_from(table(name)).limit(1)).first()
    ]


def content_versions() -> dict[str, int]:
    """The version columns of ``content_version`` and their values (an archive made
    before migration 0004 has no ``media_version``)."""
    names = [c["name"] for c in inspect(db.engine).get_columns("content_version") if c["name"] != "id"]
    row = db.session.execute(text(f"SELECT {', '.join(names)} FROM content_version WHERE id = 1")).mappings()
    return dict(row.first() or {})


def move_content_versions_past(live: dict[str, int]) -> None:
    """Running workers cached documents and media up to ``live``: restored content must get newer versions.

    Each goes past the largest of the live ones: a column the restored database
    lacks gets, when `flask db upgrade` adds it, the content version (see
    migrations 0004 and 0012), which is then past every live one too.
    """
    top = max(live.values(), default=0)
    values = {name: max(top, value) + 1 for name, value in content_versions().items()}
    if values:
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        db.session.execute(text(f"UPDATE content_version SET {assignments} WHERE id = 1"), values)
    db.session.commit()
