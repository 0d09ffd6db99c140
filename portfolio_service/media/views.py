"""The media API (``/api/media``) and, for local storage, the files (``/media/<path>``)."""

from __future__ import annotations

import logging
import mimetypes

from flask import current_app, request, send_from_directory, url_for
from marshmallow import ValidationError
from sqlalchemy import select

from ..audit import changed, record
from ..auth.permissions import ANYONE, Perm, permission
from ..errors import Conflict, NotFound, UnsupportedMediaType
from ..extensions import db
from ..openapi import contract
from ..pagination import PageQuerySchema, paginate
from ..parsing import like, load_body, load_query
from ..webhooks.events import emit
from . import bp, get_storage
from .jobs import queue_variants, request_variants
from .models import Media
from .references import detach, find_references, lock_for_delete
from .schemas import (
    MediaInUseSchema,
    MediaPageSchema,
    MediaQuerySchema,
    MediaSchema,
    MediaUploadSchema,
    media_query_schema,
    media_schema,
    media_update_schema,
    media_upload_schema,
)
from .storage import LocalStorage
from .uploads import clean_name, store_upload, written_files

log = logging.getLogger(__name__)

FORCE = {
    "in": "query",
    "name": "force",
    "schema": {"type": "boolean"},
    "description": "detach it everywhere first",
}

#: Served inline; anything else is sent as an attachment.
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "application/pdf"}


def _read_upload() -> tuple:
    """The ``file`` part, the display name and the file name of a multipart upload."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(f'Unsupported media type "{request.mimetype or "none"}" in request.')
    fields = request.form.to_dict()
    fields.pop("file", None)  # a text field named "file" is not a file: "No file was submitted."
    form = media_upload_schema.load({**fields, **request.files.to_dict()})
    upload = form["file"]
    filename = clean_name(upload.filename or "") or "file"
    return upload, form.get("name") or filename, filename


@bp.post("/api/media")
@permission(Perm.MEDIA_CREATE)
@contract("media", body=MediaUploadSchema, form=True, response=MediaSchema, status=201)
def upload_media():
    """Upload a file; images get thumbnails."""
    upload, name, filename = _read_upload()
    storage = get_storage()
    with written_files(storage) as written:
        media = store_upload(upload.stream, name, filename, storage, current_app.config, written)
        db.session.add(media)
        db.session.flush()
        record("create", "media", media.id, {"name": [None, media.name], "type": [None, media.type]})
        db.session.commit()
    queue_variants(media)
    location = url_for("media.get_media", media_id=media.id, _external=True)
    return media_schema.dump(media), 201, {"Location": location}


@bp.get("/api/media")
@permission(Perm.MEDIA_VIEW)
@contract("media", response=MediaPageSchema, query=[MediaQuerySchema, PageQuerySchema])
def list_media():
    """The media library, newest first."""
    args = load_query(media_query_schema)
    query = select(Media).order_by(Media.id.desc())
    if args.get("search"):
        query = query.where(Media.name.ilike(like(args["search"]), escape="\\"))
    if args.get("type"):
        query = query.where(Media.type.startswith(args["type"], autoescape=True))
    return paginate(query, media_schema)


def _get_media(media_id: int) -> Media:
    return db.get_or_404(Media, media_id)


@bp.get("/api/media/<int:media_id>")
@permission(Perm.MEDIA_VIEW)
@contract("media", response=MediaSchema)
def get_media(media_id: int):
    """One media object."""
    return media_schema.dump(_get_media(media_id))


@bp.patch("/api/media/<int:media_id>")
@permission(Perm.MEDIA_UPDATE)
@contract("media", body=MediaSchema, response=MediaSchema)
def update_media(media_id: int):
    """Rename a media object, change its alt text, or move its focal point (which remakes its crops)."""
    media = _get_media(media_id)
    data = load_body(media_update_schema)
    moved = "focal_point" in data and data["focal_point"] != media.focal_point and media.width is not None
    crops_only = media.variants_status == "ready"  # otherwise the whole set is still to make
    record("update", "media", media.id, changed(media, data))
    if find_references(media.id):  # shown somewhere: a rebuild may want it
        emit("media.updated", "media", media.id)
    for field, value in data.items():
        setattr(media, field, value)
    if moved:
        request_variants(media)
    db.session.commit()
    if moved:
        queue_variants(media, crops_only=crops_only)
    return media_schema.dump(media)


@bp.post("/api/media/<int:media_id>/variants")
@permission(Perm.MEDIA_UPDATE)
@contract("media", response=MediaSchema, status=202)
def remake_variants(media_id: int):
    """Make an image's variants again (after a failure, say); 400 for a file that is not an image."""
    media = _get_media(media_id)
    if media.width is None:
        raise ValidationError("Only images have variants.")
    record("remake_variants", "media", media.id, {"variants_status": [media.variants_status, "pending"]})
    request_variants(media)
    db.session.commit()
    queue_variants(media)
    return media_schema.dump(media), 202


@bp.delete("/api/media/<int:media_id>")
@permission(Perm.MEDIA_DELETE)
@contract(
    "media", parameters=[FORCE], other={409: ("Still used; `references` lists where.", MediaInUseSchema)}
)
def delete_media(media_id: int):
    """Delete a media object and its files; 409 while something uses it, unless `force=true`."""
    media = _get_media(media_id)
    force = request.args.get("force", "false").lower() in {"true", "1", "yes"}
    lock_for_delete(media.id)  # what it finds next cannot change before the commit
    db.session.refresh(media)  # the variants as they are now: a job may have swapped them meanwhile
    references = find_references(media.id)
    if references and not force:
        raise Conflict("This media is still in use.", references=references)
    paths = media.paths
    if references:
        detach(media.id)
        log.info("Media %s detached from %s before its delete", media.id, references)
    record("delete", "media", media.id, {"references": [references, None]} if references else None)
    if references:
        emit("media.deleted", "media", media.id)
    db.session.delete(media)
    db.session.commit()
    storage = get_storage()
    for path in paths:
        try:
            storage.delete(path)
        except Exception:  # the row is gone: a file left behind is a stray `flask media gc` finds
            log.exception("Could not delete %s; flask media gc will find it", path)
    return "", 204


@bp.get("/media/<path:path>")
@permission(ANYONE)
def serve_file(path: str):
    """A stored file (local storage only; other backends serve their own URLs)."""
    storage = get_storage()
    if not isinstance(storage, LocalStorage):
        raise NotFound()
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = send_from_directory(
        storage.root,
        path,
        mimetype=mimetype if mimetype in INLINE_TYPES else "application/octet-stream",
        as_attachment=mimetype not in INLINE_TYPES,
        max_age=365 * 24 * 3600,  # names are never reused, so a file never changes
        conditional=True,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
