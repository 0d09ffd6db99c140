"""The one paginator: ``{"count", "next", "previous", "results"}`` with absolute links."""

from __future__ import annotations

from urllib.parse import urlencode

import marshmallow
from flask import current_app, request
from marshmallow import fields, validate
from sqlalchemy import Select, func, select

from .errors import NotFound
from .extensions import db
from .fields import Schema
from .parsing import load_query

MAX_PAGE_SIZE = 100


class PageQuerySchema(Schema):
    """``?page=`` (1-based) and ``?page_size=`` (capped at 100)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(validate=validate.Range(min=1))


page_query_schema = PageQuerySchema()


class PageSchema(Schema):
    """The envelope of every list; ``results`` is filled in per resource."""

    count = fields.Integer(required=True)
    next = fields.Url(allow_none=True, required=True)
    previous = fields.Url(allow_none=True, required=True)


def _page_url(page: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return f"{request.base_url}?{urlencode(args, doseq=True)}"


def paginate(statement: Select, schema: marshmallow.Schema | None = None, options=(), render=None) -> dict:
    """Run one page of ``statement`` and dump it with ``schema`` (or ``render`` the page's rows).

    ``options`` are loader options applied to the page query only, so the
    count stays a cheap ``SELECT count(*)``.
    """
    args = load_query(page_query_schema)
    page = args["page"]
    size = min(args.get("page_size") or current_app.config["PAGE_SIZE"], MAX_PAGE_SIZE)

    count = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    if page > 1 and (page - 1) * size >= count:
        raise NotFound("Invalid page.")
    rows = (
        db.session.scalars(statement.options(*options).limit(size).offset((page - 1) * size)).unique().all()
    )
    return {
        "count": count,
        "next": _page_url(page + 1) if page * size < count else None,
        "previous": _page_url(page - 1) if page > 1 else None,
        "results": render(rows) if render else schema.dump(rows, many=True),  # type: ignore[union-attr]
    }


def page_schema(item_schema: type[Schema]) -> type[Schema]:
    """The documented envelope of a list of ``item_schema`` (``TagSchema`` → ``TagPageSchema``)."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(name, (PageSchema,), {"results": fields.List(fields.Nested(item_schema), required=True)})
