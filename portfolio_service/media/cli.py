"""``flask media regenerate-thumbnails``."""

from __future__ import annotations

import shutil
import sys
import tempfile

import click
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from . import bp, get_storage
from .models import Media
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
        result = make_thumbnails(local, sizes, current_app.config["MAX_IMAGE_PIXELS"])
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
            for media in batch:
                try:
                    regenerate(media, sizes)
                except Exception as error:  # one broken file must not stop the run
                    db.session.rollback()
                    failures.append((media.id, media.path, error))
                bar.update(1)
            db.session.expunge_all()
    for media_id, path, error in failures:
        click.echo(f"media {media_id} ({path}): {error}", err=True)
    click.echo(f"Regenerated {len(ids) - len(failures)} of {len(ids)} images at sizes {sizes}.")
    if failures:
        raise SystemExit(1)
