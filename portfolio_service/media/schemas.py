"""The media shapes every resource nests: ``image_data``, ``images_data``, ``value_file``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from flask import current_app, g, request
from marshmallow import fields, validate

from ..fields import SINGLE_LINE, Schema
from ..pagination import page_schema
from . import get_storage


def media_base_url() -> str:
    """Where file URLs start: ``MEDIA_URL`` (a CDN), the bucket, or ``/media/`` on this host."""
    base = g.get("media_base_url")
    if base is None:
        config = current_app.config
        base = config["MEDIA_URL"] or get_storage().public_base_url() or request.url_root + "media/"
        g.media_base_url = base = base if base.endswith("/") else base + "/"
    return base


def file_url(path: str) -> str:
    return media_base_url() + path


NAME = [validate.Length(min=1, max=255), SINGLE_LINE]


_dumped: ContextVar[dict | None] = ContextVar("dumped_media", default=None)


@contextlib.contextmanager
def media_dumped_once() -> Iterator[None]:
    """Inside the block, each media object is dumped once and its dict reused wherever it appears.

    A portfolio document shows the same image as its cover, in its gallery and
    on its employer or tags; the thumbnails make each dump the costly part.
    """
    token = _dumped.set({})
    try:
        yield
    finally:
        _dumped.reset(token)


class _DumpedOnce:
    """Mixin for media schemas: reuse the dict of a media already dumped in ``media_dumped_once``."""

    def dump(self, obj, *, many=None):
        memo = _dumped.get()
        if memo is None or many or obj is None:
            return super().dump(obj, many=many)
        key = (type(self), obj.id)
        if key not in memo:
            memo[key] = super().dump(obj)
        return memo[key]


class ThumbnailSchema(Schema):
    id = fields.Integer()
    f = fields.Function(lambda thumbnail: file_url(thumbnail.path))
    size = fields.Integer()


class MediaFileSchema(_DumpedOnce, Schema):
    """The source's "Meta value_file data structure": a file without image details."""

    id = fields.Integer(dump_only=True)
    type = fields.String(dump_only=True)
    name = fields.String(validate=NAME)
    size = fields.Integer(dump_only=True)
    human_readable_size = fields.String(dump_only=True)
    f = fields.Function(lambda media: file_url(media.path), dump_only=True)


class MediaSchema(MediaFileSchema):
    """The source's "Image Data Structure"; ``width``, ``height``, ``mode`` are null for other files."""

    width = fields.Integer(dump_only=True)
    height = fields.Integer(dump_only=True)
    mode = fields.String(dump_only=True)
    thumbnails = fields.List(fields.Nested(ThumbnailSchema), dump_only=True)


class MediaUpdateSchema(Schema):
    name = fields.String(required=True, validate=NAME)


class MediaUploadSchema(Schema):
    """The multipart form of an upload: the file, and optionally the name to show."""

    file = fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary"},
        error_messages={"required": "No file was submitted."},
    )
    name = fields.String(validate=NAME)


class MediaQuerySchema(Schema):
    search = fields.String(validate=validate.Length(max=200))
    type = fields.String(
        validate=validate.Length(max=100), metadata={"description": "MIME prefix, e.g. image/"}
    )


class ReferenceSchema(Schema):
    type = fields.String(metadata={"example": "portfolio"})
    id = fields.Integer()
    field = fields.String(metadata={"example": "image"})


class MediaInUseSchema(Schema):
    """The 409 of a delete: where the media is still used."""

    detail = fields.String()
    references = fields.List(fields.Nested(ReferenceSchema))


media_schema = MediaSchema()
media_file_schema = MediaFileSchema()
media_update_schema = MediaUpdateSchema()
media_upload_schema = MediaUploadSchema()
media_query_schema = MediaQuerySchema()
MediaPageSchema = page_schema(MediaSchema)
