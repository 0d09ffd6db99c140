"""The media shapes every resource nests: ``image_data``, ``images_data``, ``value_file``."""

from __future__ import annotations

import functools

from flask import current_app, g, request
from marshmallow import fields, validate
from werkzeug.sansio.utils import get_current_url

from ..fields import SINGLE_LINE, Schema
from ..pagination import page_schema
from . import get_storage
from .models import ALT_LENGTH


def media_base_url() -> str:
    """Where file URLs start: ``MEDIA_URL`` (a CDN), the bucket, or ``/media/`` on this host."""
    base = g.get("media_base_url")
    if base is None:
        config = current_app.config
        base = config["MEDIA_URL"] or get_storage().public_base_url()
        base = base or _served_here(request.scheme, request.host, request.root_path)
        g.media_base_url = base = base if base.endswith("/") else base + "/"
    return base


@functools.lru_cache(maxsize=64)
def _served_here(scheme: str, host: str, root_path: str) -> str:
    """``/media/`` under the request's root URL, as ``request.url_root`` spells it.

    Remembered for the few hosts a server answers: it is on every document read.
    """
    return get_current_url(scheme, host, root_path) + "media/"


def file_url(path: str) -> str:
    return media_base_url() + path


NAME = [validate.Length(min=1, max=255), SINGLE_LINE]


class Rendered(dict):
    """A media already dumped: a ``MediaField`` answers it as it is.

    Portfolio documents show the same media many times over (cover, gallery,
    employer, tags), and their thumbnails make each dump the costly part: the
    document builder dumps each once and puts the dicts in the data it dumps.
    """


class MediaField(fields.Nested):
    """``fields.Nested`` for a media schema, which passes a ``Rendered`` media through."""

    def _serialize(self, nested_obj, attr, obj, **kwargs):
        if isinstance(nested_obj, Rendered):
            return nested_obj
        return super()._serialize(nested_obj, attr, obj, **kwargs)


#: How the file URLs (``f``) are documented: a Function field has no type of its own.
URL = {"type": "string", "format": "uri"}


class ThumbnailSchema(Schema):
    id = fields.Integer()
    f = fields.Function(lambda thumbnail: file_url(thumbnail.path), metadata=URL)
    size = fields.Integer()


class FocalPointSchema(Schema):
    """Fractions of the displayed width and height, from the top left."""

    x = fields.Float(required=True, validate=validate.Range(0, 1), metadata={"example": 0.5})
    y = fields.Float(required=True, validate=validate.Range(0, 1), metadata={"example": 0.5})


class PlaceholderSchema(Schema):
    color = fields.String(metadata={"example": "#6d8a4f", "description": "The dominant colour."})
    thumbhash = fields.String(
        metadata={"description": "A ThumbHash, base64: a blurred preview to paint at once."}
    )


class VariantSchema(Schema):
    format = fields.String(metadata={"enum": ["avif", "webp", "jpeg", "png"]})
    width = fields.Integer()
    height = fields.Integer()
    size = fields.Integer()
    f = fields.Function(lambda variant: file_url(variant["path"]), metadata=URL)
    crop = fields.String(
        allow_none=True, metadata={"description": "square, card, wide, og; null: the full frame."}
    )


class MediaFileSchema(Schema):
    """The source's "Meta value_file data structure": a file without image details."""

    id = fields.Integer(dump_only=True)
    type = fields.String(dump_only=True)
    name = fields.String(validate=NAME)
    size = fields.Integer(dump_only=True)
    human_readable_size = fields.String(dump_only=True)
    f = fields.Function(lambda media: file_url(media.path), dump_only=True, metadata=URL)


class MediaSchema(MediaFileSchema):
    """The source's "Image Data Structure"; ``width``, ``height``, ``mode`` are null for other files."""

    width = fields.Integer(dump_only=True, allow_none=True)
    height = fields.Integer(dump_only=True, allow_none=True)
    mode = fields.String(dump_only=True, allow_none=True)
    thumbnails = fields.List(fields.Nested(ThumbnailSchema), dump_only=True)
    alt = fields.String(
        validate=validate.Length(max=ALT_LENGTH), metadata={"description": "The image's text alternative."}
    )
    focal_point = fields.Nested(
        FocalPointSchema, metadata={"description": "Where the subject is: crops keep it in frame."}
    )
    placeholder = fields.Nested(PlaceholderSchema, dump_only=True, allow_none=True)
    variants = fields.List(fields.Nested(VariantSchema), dump_only=True)
    variants_status = fields.String(
        dump_only=True, validate=validate.OneOf(["pending", "ready", "failed", "none"]),
        metadata={"enum": ["pending", "ready", "failed", "none"]},
    )  # fmt: skip


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
# Every field optional, but a focal point, when sent, whole: partial=True would reach into it.
media_update_schema = MediaSchema(partial=("name", "alt", "focal_point"))
media_upload_schema = MediaUploadSchema()
media_query_schema = MediaQuerySchema()
MediaPageSchema = page_schema(MediaSchema)
