"""Portfolios and their nested resources: ids in, nested ``*_data`` objects out."""

from __future__ import annotations

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from ..fields import (
    MAX_ID,
    SINGLE_LINE,
    DistinctList,
    FullMatch,
    Related,
    RelatedIds,
    Schema,
    Unique,
    UTCDateTime,
)
from ..media.models import Media
from ..media.schemas import MediaField, MediaFileSchema, MediaSchema
from ..pagination import page_schema
from .models import LIMITS, Employer, Meta, Portfolio, Tag

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
INT32 = validate.Range(min=-(2**31), max=2**31 - 1)
MAX_TAG_FILTERS = 20


def text(limit: str, *, line: bool = False, **kwargs) -> fields.String:
    """A string field limited like its database column; ``line`` ones take no line breaks."""
    minimum = 1 if kwargs.get("required") else 0
    validators = [validate.Length(min=minimum, max=LIMITS[limit])] + ([SINGLE_LINE] if line else [])
    return fields.String(validate=validators, **kwargs)


class EmployerSchema(Schema):
    """The source's "Client Data Structure"."""

    id = fields.Integer(dump_only=True)
    name = text("employer_name", line=True, required=True)
    description = text("employer_description", allow_none=True)
    image = Related(Media, attribute="image_id", load_only=True, allow_none=True)
    image_data = MediaField(MediaSchema, attribute="image", dump_only=True, allow_none=True)

    unique = (Unique(Employer.name),)


class TagSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = text("tag_name", line=True, required=True)
    image = Related(Media, attribute="image_id", load_only=True, allow_none=True)
    image_data = MediaField(MediaSchema, attribute="image", dump_only=True, allow_none=True)

    unique = (Unique(Tag.name),)


class LinkSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = text("link_name", line=True, required=True)
    url = fields.Url(
        allow_none=True,
        schemes={"http", "https"},
        validate=validate.Length(max=LIMITS["url"]),
        error_messages={"invalid": "Enter a valid http or https URL."},
    )
    description = text("link_description", allow_none=True)
    image = Related(Media, attribute="image_id", load_only=True, allow_none=True)
    image_data = MediaField(MediaSchema, attribute="image", dump_only=True, allow_none=True)


class MetaSchema(Schema):
    id = fields.Integer(dump_only=True)
    key = text("meta_key", line=True, required=True)
    value_text = text("meta_value", allow_none=True)
    value_file = Related(Media, attribute="value_file_id", allow_none=True, load_only=True)
    value_file_data = MediaField(
        MediaFileSchema, attribute="value_file", data_key="value_file", dump_only=True, allow_none=True
    )

    unique = (Unique(Meta.key, within="portfolio_id"),)


def check_window(publish_at, unpublish_at) -> None:
    """A 400 on ``unpublish_at`` unless it comes after ``publish_at`` (either may be null)."""
    if publish_at is not None and unpublish_at is not None and unpublish_at <= publish_at:
        raise ValidationError({"unpublish_at": ["Must be after publish_at."]})


class PortfolioSchema(Schema):
    """The source's "Response Fields", in its order; relations are written as ids."""

    id = fields.Integer(dump_only=True)
    title = text("title", line=True, required=True)
    slug = fields.String(
        validate=[
            validate.Length(min=1, max=LIMITS["slug"]),
            FullMatch(SLUG, error="Use lowercase letters, digits and single hyphens."),
        ]
    )
    excerpt = text("excerpt")
    order = fields.Integer(strict=True, validate=INT32)
    image = Related(Media, attribute="image_id", load_only=True, allow_none=True)
    employer = Related(Employer, attribute="employer_id", load_only=True, allow_none=True)
    tags = RelatedIds(Tag, load_only=True)
    images = RelatedIds(Media, load_only=True)
    image_data = MediaField(MediaSchema, attribute="image", dump_only=True, allow_none=True)
    employer_data = fields.Nested(EmployerSchema, attribute="employer", dump_only=True, allow_none=True)
    tags_data = fields.List(fields.Nested(TagSchema), attribute="tags", dump_only=True)
    links_data = fields.List(fields.Nested(LinkSchema), attribute="links", dump_only=True)
    is_active = fields.Boolean()
    completed_at = UTCDateTime(allow_none=True)
    created_at = UTCDateTime(dump_only=True)
    updated_at = UTCDateTime(dump_only=True)
    description = text("description", allow_none=True)
    images_data = fields.List(MediaField(MediaSchema), attribute="images", dump_only=True)
    meta = fields.List(fields.Nested(MetaSchema), dump_only=True)
    publish_at = UTCDateTime(allow_none=True)
    unpublish_at = UTCDateTime(allow_none=True)
    # Last, so a document's bytes say it at their very end (``documents.with_draft``).
    has_draft = fields.Boolean(dump_only=True, dump_default=False)

    unique = (Unique(Portfolio.title), Unique(Portfolio.slug))

    @validates_schema
    def window(self, data: dict, **kwargs) -> None:
        """``unpublish_at`` after ``publish_at`` when both are sent (``check_window`` covers the rest)."""
        check_window(data.get("publish_at"), data.get("unpublish_at"))

    @post_load
    def order_tags(self, data: dict, **kwargs) -> dict:
        """Tags are a set: kept in id order, so the same set in another order is no change."""
        if "tags" in data:
            data["tags"] = sorted(data["tags"])
        return data


class PortfolioQuerySchema(Schema):
    """Filters and ordering of ``GET /api/portfolios``."""

    ORDERINGS = ["order", "title", "completed_at", "created_at", "updated_at"]

    search = fields.String(validate=validate.Length(max=200))
    tag = DistinctList(
        fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
        # Each tag is one EXISTS clause: a portfolio with more tags than this is not a filter.
        validate=validate.Length(max=MAX_TAG_FILTERS, error="At most {max} different tags."),
    )
    employer = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    is_active = fields.Boolean()
    ordering = fields.String(
        validate=validate.OneOf(ORDERINGS + [f"-{name}" for name in ORDERINGS]), load_default="order"
    )


class SearchQuerySchema(Schema):
    search = fields.String(validate=validate.Length(max=200))


portfolio_schema = PortfolioSchema()
portfolio_update_schema = PortfolioSchema(partial=True)
portfolio_query_schema = PortfolioQuerySchema()
employer_schema = EmployerSchema()
employer_update_schema = EmployerSchema(partial=True)
tag_schema = TagSchema()
tag_update_schema = TagSchema(partial=True)
link_schema = LinkSchema()
link_update_schema = LinkSchema(partial=True)
meta_schema = MetaSchema()
meta_update_schema = MetaSchema(partial=True)
search_query_schema = SearchQuerySchema()

PortfolioPageSchema = page_schema(PortfolioSchema)
EmployerPageSchema = page_schema(EmployerSchema)
TagPageSchema = page_schema(TagSchema)
LinkPageSchema = page_schema(LinkSchema)
MetaPageSchema = page_schema(MetaSchema)
