"""``flask backup PATH`` and ``flask restore PATH``: the database and the local media in one archive.

The archive is a ``.tar.gz`` holding ``manifest.json``, the database (a
SQLite file, or a ``pg_dump`` custom-format dump of the app's schema) and the
media folder under ``media/``. Media in S3 are not copied: back up the bucket.
"""

from __future__ import annotations

import io
import json
import mimetypes
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from pathlib import Path
from typing import IO

import click
from flask.cli import with_appcontext
from sqlalchemy import inspect, literal_column, select, table, text

from .database import utcnow
from .extensions import db
from .media import get_storage
from .media.storage import LocalStorage, Storage, StorageError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
#: The database's file in the archive, per SQLAlchemy dialect.
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def _dialect() -> str:
    dialect = db.engine.dialect.name
    if dialect not in DUMPS:
        raise click.ClickException(f"Backups support SQLite and PostgreSQL, not {dialect}.")
    return dialect


def _sqlite_file() -> str:
    return db.engine.url.database or ""


def postgres_schema() -> str | None:
    """The PostgreSQL schema holding the app's tables (``public`` unless search_path says otherwise)."""
    if _dialect() != "postgresql":
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
    if _dialect() == "sqlite":
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


def add_media(archive: tarfile.TarFile, storage: LocalStorage) -> int:
    """Add every file of the media folder under ``media/``; return how many."""
    count = 0
    for path in sorted(storage.iter_paths()):
        try:
            archive.add(storage.full_path(path), arcname=MEDIA + path, recursive=False)
        except FileNotFoundError:  # deleted since the listing
            continue
        count += 1
    return count


def add_manifest(archive: tarfile.TarFile, manifest: dict) -> None:
    """Add ``manifest.json``."""
    data = json.dumps(manifest, indent=2).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size, info.mtime = len(data), int(utcnow().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _member(archive: tarfile.TarFile, member: str | tarfile.TarInfo) -> IO[bytes]:
    """A file of the archive (KeyError when it has none of that name)."""
    file = archive.extractfile(member)
    if file is None:
        raise KeyError(f"{member} is not a file")
    return file


def read_manifest(archive: tarfile.TarFile, path: Path) -> dict:
    """The archive's manifest, once it is known to fit this instance."""
    try:
        manifest = json.load(_member(archive, MANIFEST))
    except KeyError:
        raise click.ClickException(f"{path} has no {MANIFEST}: not made by `flask backup`.") from None
    if manifest["format_version"] != FORMAT_VERSION:
        raise click.ClickException(f"Unknown archive format {manifest['format_version']}.")
    if manifest["dialect"] != _dialect():
        raise click.ClickException(
            f"The archive holds a {manifest['dialect']} database; this is {_dialect()}."
        )
    schema = postgres_schema()
    if manifest["schema"] != schema:  # pg_restore cannot move tables to another schema
        raise click.ClickException(
            f"The archive's tables are in schema {manifest['schema']}; this instance uses {schema}."
        )
    return manifest


def refuse_unless_empty(storage: Storage, with_media: bool) -> None:
    """Raise unless every table is empty and, when media will be written, storage has no file."""
    full = tables_with_rows()
    problems = [f"the database has rows in {', '.join(full)}"] if full else []
    if with_media and next(iter(storage.iter_paths()), None) is not None:
        problems.append("media storage has files")
    if problems:
        raise click.ClickException(
            f"Not restoring: {' and '.join(problems)}. Restore into an empty instance, "
            "or pass --force to replace what is there."
        )


def _content_versions() -> dict[str, int]:
    """The version columns of ``content_version`` and their values (an archive made
    before migration 0004 has no ``media_version``)."""
    names = [c["name"] for c in inspect(db.engine).get_columns("content_version") if c["name"] != "id"]
    row = db.session.execute(text(f"SELECT {', '.join(names)} FROM content_version WHERE id = 1")).mappings()
    return dict(row.first() or {})


def _move_content_versions_past(live: dict[str, int]) -> None:
    """Running workers cached documents and media up to ``live``: restored content must get newer versions.

    A column the restored database lacks gets, when `flask db upgrade` adds it,
    the content version (see migration 0004), which is past every live one.
    """
    values = {name: max(live.get(name, 0), value) + 1 for name, value in _content_versions().items()}
    if values:
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        db.session.execute(text(f"UPDATE content_version SET {assignments} WHERE id = 1"), values)
    db.session.commit()


def check_media_members(archive: tarfile.TarFile, storage: Storage) -> None:
    """Refuse, before anything is replaced, an archive whose media paths would leave the media root."""
    for member in archive.getmembers():
        if member.isfile() and member.name.startswith(MEDIA):
            path = member.name.removeprefix(MEDIA)
            if path.startswith("/") or ".." in path.split("/"):
                raise click.ClickException(
                    f"Not restoring: {member.name} would be written outside the media root."
                )


def restore_media(archive: tarfile.TarFile, storage: Storage) -> int:
    """Write the archive's media files into storage at their own paths; return how many."""
    count = 0
    for member in archive.getmembers():
        if not (member.isfile() and member.name.startswith(MEDIA)):
            continue
        path = member.name.removeprefix(MEDIA)
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        try:
            storage.delete(path)  # with --force the archive's file replaces the one there
            with _member(archive, member) as data:
                saved = storage.save(path, data, content_type)
        except StorageError as error:  # a path escaping the media root
            raise click.ClickException(str(error)) from None
        if saved != path:
            raise click.ClickException(f"{path} was written meanwhile; stop the server and retry.")
        count += 1
    return count


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write the database and the local media folder to one .tar.gz archive at PATH."""
    dialect, storage = _dialect(), get_storage()
    partial = path.with_name(path.name + ".partial")  # PATH is never a half-written archive
    try:
        # Owner-only from the start: the archive holds password hashes and key digests.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with (
            tempfile.TemporaryDirectory() as work,
            os.fdopen(descriptor, "wb") as file,
            tarfile.open(fileobj=file, mode="w:gz") as archive,
        ):
            dump = os.path.join(work, DUMPS[dialect])
            dump_database(dump)
            archive.add(dump, arcname=DUMPS[dialect])
            # Media are copied after the database: a file uploaded meanwhile is a
            # stray in the archive (`flask media gc` removes it after a restore).
            files = add_media(archive, storage) if isinstance(storage, LocalStorage) else None
            revision = alembic_revision()
            add_manifest(
                archive,
                {
                    "format_version": FORMAT_VERSION,
                    "created_at": utcnow().isoformat(),
                    "dialect": dialect,
                    "schema": postgres_schema(),
                    "alembic_revision": revision,
                    "media_files": files,
                },
            )
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    what = f"the {dialect} database (revision {revision or 'none'})"
    if files is None:
        click.echo(f"Backed up {what} to {path}. Media are in S3, not in the archive: back up the bucket.")
    else:
        click.echo(f"Backed up {what} and {files} media files to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Restore over a database with rows or media storage with files.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Load an archive made by `flask backup` into this instance, which must be empty.

    Empty means no table has a row (tables made by `flask db upgrade` are
    fine) and, when the archive holds media, no file is in media storage.
    With --force the database is replaced whole and the archive's files
    overwrite those with the same path; other files stay (see `flask media gc`).
    """
    dialect, storage = _dialect(), get_storage()
    live_versions = _content_versions()
    with tarfile.open(path, "r:gz") as archive:
        manifest = read_manifest(archive, path)
        with_media = manifest["media_files"] is not None
        if with_media:
            check_media_members(archive, storage)
        if not force:
            refuse_unless_empty(storage, with_media)
        with tempfile.TemporaryDirectory() as work:
            dump = os.path.join(work, DUMPS[dialect])
            with _member(archive, DUMPS[dialect]) as source, open(dump, "wb") as target:
                shutil.copyfileobj(source, target)
            load_database(dump)
        files = restore_media(archive, storage) if with_media else 0
    _move_content_versions_past(live_versions)
    click.echo(
        f"Restored the {dialect} database (revision {manifest['alembic_revision'] or 'none'}, "
        f"backed up {manifest['created_at']}) and {files} media files from {path}. "
        "If this code has newer migrations, run `flask db upgrade`."
    )
