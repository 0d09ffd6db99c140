"""The work after an upload, on the task queue: an image's variants, and the sweep that keeps none pending.

``make_variants`` is idempotent. It writes new files under new names, swaps the rows in one
transaction, and deletes the files it replaced only after that commit: a read never points at a
missing file, and a worker killed at any moment leaves at most unused files, which
``flask media gc`` removes.
"""

from __future__ import annotations

import io
import logging
import math
from datetime import timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import or_, select, update

from ..database import utcnow, writing
from ..extensions import db
from ..jobs import enqueue, job
from ..jobs.queue import queued
from . import get_storage
from .images import open_image, reading
from .models import Media
from .uploads import random_suffix, written_files
from .variants import MIME, placeholder, sort_key
from .variants import make_variants as render

log = logging.getLogger(__name__)


def request_variants(media: Media) -> None:
    """Mark an image's variants pending; ``queue_variants`` after the commit sends the job."""
    if media.width is not None:
        media.variants_status = "pending"
        media.variants_requested_at = utcnow()


def queue_variants(media: Media, crops_only: bool = False) -> None:
    """Send the job for a pending media, after its commit. A queue that is down fails nothing:
    the change is committed, and the workers' sweep sends the job later."""
    if media.variants_status == "pending":
        try:
            enqueue("make_variants", media.id, crops_only, False)
        except Exception:
            log.exception("media %s: could not queue its variants; the sweep will", media.id)


def _variants_failed(media_id: int, crops_only: bool, force: bool, error: Exception) -> None:
    """The last try failed: ``failed``, unless a newer request or result came meanwhile."""
    with writing():
        db.session.execute(
            update(Media)
            .where(Media.id == media_id, Media.variants_status == "pending")
            .values(variants_status="failed")
        )
        db.session.commit()


@job(retries=3, on_failure=_variants_failed)
def make_variants(media_id: int, crops_only: bool = False, force: bool = False) -> None:
    """Make an image's variants (or only its crops, after a focal point moved), then swap them in.

    A duplicate (the sweep's, a second request's) finds the media no longer pending and does nothing;
    ``force`` (``flask media regenerate-variants``) makes them again all the same.
    """
    media = db.session.get(Media, media_id)
    if media is None or media.width is None or (media.variants_status != "pending" and not force):
        db.session.rollback()
        return  # deleted since, not an image, or made already: nothing to do
    config, storage = current_app.config, get_storage()
    focal, path = (media.focal_x, media.focal_y), media.path
    has_placeholder = media.placeholder_color is not None
    db.session.rollback()  # no transaction held open through the rendering
    with storage.open(path) as stream, reading():
        image = open_image(io.BytesIO(stream.read()))
        if image is None:
            raise ValueError(f"media {media_id}: the stored original is not an image")
        if image.width * image.height > config["MAX_IMAGE_PIXELS"]:
            raise ValueError(f"media {media_id}: {image.width}x{image.height} is over MAX_IMAGE_PIXELS")
        image.draft("RGB", _draft_size(image.size, max(config["VARIANT_WIDTHS"])))  # JPEG: decode scaled down
        image.load()
    made = render(
        image,
        config["VARIANT_WIDTHS"],
        config["VARIANT_FORMATS"],
        focal,
        full_frames=not crops_only,
    )
    shown = None if has_placeholder else placeholder(image)  # images stored before 0008
    folder, _, filename = path.rpartition("/")
    stem = filename.rpartition(".")[0].rsplit("_", 1)[0]
    suffix = random_suffix()  # a new one for each set: remade files never take old names
    with written_files(storage) as written:
        rows = []
        for variant in made:
            crop = f"_{variant.crop}" if variant.crop else ""
            extension = "jpg" if variant.format == "jpeg" else variant.format
            path = f"{folder}/variants/{stem}_{variant.width}x{variant.height}{crop}_{suffix}.{extension}"
            path = storage.save(path, io.BytesIO(variant.data), MIME[variant.format])
            written.append(path)
            rows.append((variant, path))
        with writing():
            replaced = _swap(media_id, focal, rows, crops_only, shown)
    if replaced is None:
        replaced = written  # deleted, or its focal point moved meanwhile: the next job makes the crops
    for old in replaced:
        try:
            storage.delete(old)
        except Exception:  # committed already: a file left behind is a stray `flask media gc` finds
            log.exception("could not delete %s; flask media gc will find it", old)


def _swap(
    media_id: int, focal: tuple[float, float], rows, crops_only: bool, shown: dict | None
) -> list[str] | None:
    """Put the new variants in place of the old in one transaction; the old files' paths, or None."""
    db.session.rollback()
    media = db.session.scalar(select(Media).where(Media.id == media_id).with_for_update())
    if media is None or (media.focal_x, media.focal_y) != focal:
        db.session.rollback()
        return None
    keep = [v for v in media.variants if crops_only and v["crop"] is None]
    replaced = [v["path"] for v in media.variants if v not in keep]
    new = [
        {
            "format": v.format,
            "width": v.width,
            "height": v.height,
            "size": len(v.data),
            "crop": v.crop,
            "path": path,
        }
        for v, path in rows
    ]
    media.variants = sorted([*keep, *new], key=lambda v: sort_key(v["crop"], v["format"], v["width"]))
    if shown is not None:
        media.placeholder_color, media.placeholder_thumbhash = shown["color"], shown["thumbhash"]
    media.variants_status = "ready"
    db.session.commit()
    return replaced


def _draft_size(size: tuple[int, int], widest: int) -> tuple[int, int]:
    """What a JPEG may be decoded down to: still at least ``widest`` wide and 1280 on its short side,
    so every variant and crop comes from as many pixels as it would from the full image."""
    width, height = size
    scale = min(1.0, max(widest / width, 1280 / min(width, height)))
    return math.ceil(width * scale), math.ceil(height * scale)


@job(periodic=crontab(minute="*"))
def sweep_pending_variants() -> None:
    """Re-queue images pending for longer than ``VARIANTS_STALE_SECONDS`` while no variant job waits:
    a worker died on them, or the queue was down when they were asked for."""
    stale = utcnow() - timedelta(seconds=current_app.config["VARIANTS_STALE_SECONDS"])
    query = select(Media).where(
        Media.variants_status == "pending",
        or_(Media.variants_requested_at.is_(None), Media.variants_requested_at < stale),
    )
    if queued("make_variants"):
        return  # variant jobs wait in the queue: theirs may be among them; look again once they ran
    with writing():
        media = db.session.scalars(query.limit(500).with_for_update(skip_locked=True)).all()
        for item in media:
            item.variants_requested_at = utcnow()
        db.session.commit()
    for item in media:
        log.warning("media %s: variants pending since before %s; queued again", item.id, stale)
        enqueue("make_variants", item.id, False, False)
