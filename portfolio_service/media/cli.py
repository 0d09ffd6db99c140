"""``flask media regenerate-thumbnails``, ``flask media regenerate-variants`` and ``flask media gc``."""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta

import click
from flask import current_app
from sqlalchemy import select

from ..audit import record
from ..database import utcnow
from ..extensions import db
from . import bp, get_storage
from .jobs import make_variants
from .models import Media, Thumbnail
from .thumbnails import make_thumbnails
from .uploads import save_thumbnails, written_files

BATCH = 50


def _parse_sizes(_ctx, _param, value: str | None) -> list[int] | None:
    if value is None:
        return None
    try:
        sizes = sorted({int(size) for size in value.split(",")})
    except ValueError:
        raise click.BadParameter("a comma-separated list of integers, e.g. 64,128,512") from None
    if not sizes or sizes[0] < 1:
        raise click.BadParameter("sizes must be positive")
    return sizes


def regenerate(media: Media, sizes: list[int]) -> None:
    """Replace the media's thumbnails with new ones for ``sizes``; old files go after the commit."""
    storage = get_storage()
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as local:
        with storage.open(media.path) as original:
            shutil.copyfileobj(original, local)
        local.seek(0)
        config = current_app.config
        result = make_thumbnails(local, sizes, config["MAX_IMAGE_PIXELS"], config["MAX_DECODE_BYTES"])
    if result is None:
        raise ValueError("not an image")
    old_paths = [thumbnail.path for thumbnail in media.thumbnails]
    with written_files(storage) as written:
        fresh = save_thumbnails(storage, media.path, media.type, result[1], written)
        media.thumbnails.clear()
        db.session.flush()  # old rows go before new ones take their (media, size) slot
        media.thumbnails.extend(fresh)
        db.session.commit()
    for path in old_paths:
        storage.delete(path)


@bp.cli.command("regenerate-thumbnails")
@click.option("--sizes", callback=_parse_sizes, help="Comma-separated box edges; default THUMBNAIL_SIZES.")
def regenerate_thumbnails(sizes: list[int] | None):
    """Remake every image's thumbnails; a broken file is reported and skipped."""
    sizes = sizes or sorted(current_app.config["THUMBNAIL_SIZES"])
    ids = db.session.scalars(select(Media.id).where(Media.width.is_not(None)).order_by(Media.id)).all()
    failures = []
    with click.progressbar(length=len(ids), label="Regenerating thumbnails", file=sys.stderr) as bar:
        for start in range(0, len(ids), BATCH):
            batch = db.session.scalars(select(Media).where(Media.id.in_(ids[start : start + BATCH]))).all()
            db.session.commit()  # end the read: each write then waits for SQLite's lock instead of failing
            for media in batch:
                try:
                    regenerate(media, sizes)
                except Exception as error:  # one broken file must not stop the run
                    db.session.rollback()
                    failures.append((media.id, media.path, error))
                bar.update(1)
            db.session.expunge_all()
    for media_id, path, failure in failures:
        click.echo(f"media {media_id} ({path}): {failure}", err=True)
    done = len(ids) - len(failures)
    record("regenerate_thumbnails", "media", None, {"images": [None, done], "sizes": [None, sizes]})
    db.session.commit()
    click.echo(f"Regenerated {done} of {len(ids)} images at sizes {sizes}.")
    if failures:
        raise SystemExit(1)


@bp.cli.command("regenerate-variants")
@click.option("--only-missing", is_flag=True, help="Only images whose variants are not ready.")
def regenerate_variants(only_missing: bool):
    """Remake images' variants here and now (no worker needed); originals are only read."""
    query = select(Media.id).where(Media.width.is_not(None)).order_by(Media.id)
    if only_missing:
        query = query.where(Media.variants_status != "ready")
    ids = db.session.scalars(query).all()
    db.session.commit()
    failures = []
    with click.progressbar(ids, label="Regenerating variants", file=sys.stderr) as bar:
        for media_id in bar:
            try:
                make_variants(media_id, force=True)
            except Exception as error:  # one broken file must not stop the run
                db.session.rollback()
                failures.append((media_id, error))
    for media_id, failure in failures:
        click.echo(f"media {media_id}: {failure!r}", err=True)
    record("regenerate_variants", "media", None, {"images": [None, len(ids) - len(failures)]})
    db.session.commit()
    click.echo(f"Made the variants of {len(ids) - len(failures)} of {len(ids)} images.")
    if failures:
        raise SystemExit(1)


@dataclass
class Garbage:
    """What ``flask media gc`` found."""

    stray: list[str] = field(default_factory=list)  # stored files no row uses
    young: int = 0  # files no row uses yet, too recent to call stray
    missing: dict[int, list[str]] = field(default_factory=dict)  # media id -> its paths not in storage


def find_garbage(min_age: int) -> Garbage:
    """Stored files that no media, thumbnail or variant uses, and media rows whose files are gone."""
    storage = get_storage()
    # Listing before reading rows: the files of a row committed meanwhile are in
    # the listing or were written after it, and ``exists()`` confirms the latter.
    # Only our own folder: a bucket may hold other things.
    stored = {path for path in storage.iter_paths() if path.startswith("core_media/")}
    rows = [
        *db.session.execute(select(Media.id, Media.path)),
        *db.session.execute(select(Thumbnail.media_id, Thumbnail.path)),
        *(
            (media_id, variant["path"])
            for media_id, variants in db.session.execute(select(Media.id, Media.variants))
            for variant in variants
        ),
    ]
    garbage = Garbage()
    for media_id, path in sorted(rows):
        if path not in stored and not storage.exists(path):
            garbage.missing.setdefault(media_id, []).append(path)
    # An upload writes its files before it commits its row: a young file may be one of those.
    cutoff = utcnow() - timedelta(seconds=min_age)
    for path in sorted(stored - {path for _media_id, path in rows}):
        modified = storage.modified_at(path)
        if modified is None:  # deleted since the listing
            continue
        if modified > cutoff:
            garbage.young += 1
        else:
            garbage.stray.append(path)
    return garbage


@bp.cli.command("gc")
@click.option("--dry-run", is_flag=True, help="Only report; delete nothing.")
@click.option(
    "--min-age",
    type=click.IntRange(min=0),
    default=60,
    show_default=True,
    help="Seconds since a file was written before it may count as stray (uploads in flight are younger).",
)
def collect_garbage(dry_run: bool, min_age: int) -> None:
    """Delete stored files that no media row uses; report media rows whose files are missing.

    Rows with missing files are only reported, never changed or deleted:
    portfolios, employers, tags, links and meta may use them. Re-upload the
    file, or delete the media through the API (DELETE /api/media/<id>?force=true).
    """
    storage = get_storage()
    garbage = find_garbage(min_age)
    for path in garbage.stray:
        if not dry_run:
            storage.delete(path)
        click.echo(f"stray file {'(dry run, kept)' if dry_run else 'deleted'}: {path}")
    if not dry_run:
        record("gc", "media", None, {"deleted_files": [None, len(garbage.stray)]})
        db.session.commit()
    for media_id, paths in garbage.missing.items():
        click.echo(f"media {media_id} has missing files (row kept): {', '.join(paths)}")
    click.echo(
        f"{len(garbage.stray)} stray files {'found' if dry_run else 'deleted'}, "
        f"{garbage.young} younger than {min_age}s skipped; "
        f"{len(garbage.missing)} media rows with missing files (reported only)."
    )
