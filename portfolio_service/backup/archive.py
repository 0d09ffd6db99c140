"""The archive's members: the manifest, and the media folder under ``media/``."""

from __future__ import annotations

import io
import json
import mimetypes
import tarfile
from pathlib import Path
from typing import IO

import click

from ..database import utcnow
from ..media.storage import LocalStorage, Storage, StorageError
from .database import current_dialect, postgres_schema, tables_with_rows

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media/"


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


def archive_file(archive: tarfile.TarFile, member: str | tarfile.TarInfo) -> IO[bytes]:
    """A file of the archive (KeyError when it has none of that name)."""
    file = archive.extractfile(member)
    if file is None:
        raise KeyError(f"{member} is not a file")
    return file


def read_manifest(archive: tarfile.TarFile, path: Path) -> dict:
    """The archive's manifest, once it is known to fit this instance."""
    try:
        manifest = json.load(archive_file(archive, MANIFEST))
    except KeyError:
        raise click.ClickException(f"{path} has no {MANIFEST}: not made by `flask backup`.") from None
    if manifest["format_version"] != FORMAT_VERSION:
        raise click.ClickException(f"Unknown archive format {manifest['format_version']}.")
    if manifest["dialect"] != current_dialect():
        raise click.ClickException(
            f"The archive holds a {manifest['dialect']} database; this is {current_dialect()}."
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
            with archive_file(archive, member) as data:
                saved = storage.save(path, data, content_type)
        except StorageError as error:  # a path escaping the media root
            raise click.ClickException(str(error)) from None
        if saved != path:
            raise click.ClickException(f"{path} was written meanwhile; stop the server and retry.")
        count += 1
    return count
