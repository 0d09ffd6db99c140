"""``flask backup PATH`` and ``flask restore PATH``: the database and the local media in one archive.

The archive is a ``.tar.gz`` holding ``manifest.json``, the database (a
SQLite file, or a ``pg_dump`` custom-format dump of the app's schema) and the
media folder under ``media/``. Media in S3 are not copied: back up the bucket.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import inspect

from ..audit import record
from ..database import utcnow
from ..extensions import db
from ..media import get_storage
from ..media.storage import LocalStorage
from .archive import (
    FORMAT_VERSION,
    add_manifest,
    add_media,
    archive_file,
    check_media_members,
    read_manifest,
    refuse_unless_empty,
    restore_media,
)
from .database import (
    DUMPS,
    alembic_revision,
    content_versions,
    current_dialect,
    dump_database,
    load_database,
    move_content_versions_past,
    postgres_schema,
)

__all__ = ["DUMPS", "backup_command", "restore_command"]


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write the database and the local media folder to one .tar.gz archive at PATH."""
    dialect, storage = current_dialect(), get_storage()
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
    dialect, storage = current_dialect(), get_storage()
    live_versions = content_versions()
    with tarfile.open(path, "r:gz") as archive:
        manifest = read_manifest(archive, path)
        with_media = manifest["media_files"] is not None
        if with_media:
            check_media_members(archive, storage)
        if not force:
            refuse_unless_empty(storage, with_media)
        with tempfile.TemporaryDirectory() as work:
            dump = os.path.join(work, DUMPS[dialect])
            with archive_file(archive, DUMPS[dialect]) as source, open(dump, "wb") as target:
                shutil.copyfileobj(source, target)
            load_database(dump)
        files = restore_media(archive, storage) if with_media else 0
    move_content_versions_past(live_versions)
    if inspect(db.engine).has_table("audit_entry"):  # an archive from before the log has none until upgraded
        restored = {"archive": [None, str(path)], "media_files": [None, files]}
        record("restore_backup", "database", None, restored)
        db.session.commit()
    click.echo(
        f"Restored the {dialect} database (revision {manifest['alembic_revision'] or 'none'}, "
        f"backed up {manifest['created_at']}) and {files} media files from {path}. "
        "If this code has newer migrations, run `flask db upgrade`."
    )
