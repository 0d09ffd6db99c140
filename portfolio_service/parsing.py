"""Strict reading of request bodies and query strings through marshmallow schemas."""

from __future__ import annotations

import functools
from typing import Any

import orjson
from flask import request
from marshmallow import ValidationError, fields
from sqlalchemy import bindparam, func, select
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import ParseError, UnsupportedMediaType, unique_message
from .extensions import db
from .fields import Schema, Unique

#: JSON bodies are small documents; only uploads may use MAX_UPLOAD_SIZE.
MAX_JSON_BODY = 1024 * 1024


def json_body() -> Any:
    """The request's JSON document: 415 for another content type, 400 when malformed."""
    if request.mimetype != "application/json":
        shown = request.mimetype or "none"
        raise UnsupportedMediaType(f'Unsupported media type "{shown}" in request.')
    # Werkzeug stops reading there, a chunked body too (it would read to the
    # upload limit); one byte more tells a body over the limit from one at it.
    request.max_content_length = MAX_JSON_BODY + 1
    body = request.get_data(cache=True)
    if len(body) > MAX_JSON_BODY:
        raise RequestEntityTooLarge()
    try:
        # orjson refuses NaN and Infinity, invalid UTF-8, and nesting deeper than 1024.
        return orjson.loads(body or b"")
    except orjson.JSONDecodeError as error:
        raise ParseError(f"JSON parse error - {error}") from None


def load_body(
    schema: Schema, *, instance: Any = None, within: dict | None = None, data: Any = None, **kwargs
) -> Any:
    """Validate the JSON body (or ``data``, a body kept from before) with ``schema`` (unknown and
    read-only fields are 400s).

    Then the schema's ``unique`` columns: ``instance`` is the row being
    updated, if any (its own value is no clash), and ``within`` gives the
    values of the columns that bound a check, e.g. ``{"portfolio_id": 3}``.
    All field errors come back in one 400.
    """
    data = json_body() if data is None else data
    try:
        loaded, errors = schema.load(data, **kwargs), {}
    except ValidationError as error:
        if not isinstance(error.messages, dict) or error.valid_data is None:
            raise
        loaded, errors = error.valid_data, error.messages
    exclude = getattr(instance, "id", None)
    for rule in schema.unique:
        name = rule.column.key
        if name in loaded and name not in errors and _taken(rule, loaded[name], exclude, within or {}):
            errors[name] = [unique_message(rule.column.class_.__name__.lower(), name)]
    if errors:
        raise ValidationError(errors)
    return loaded


def _taken(rule: Unique, value: Any, exclude: int | None, within: dict) -> bool:
    """Whether a row other than ``exclude`` holds ``value`` (the database's unique
    constraint is the backstop for races; ``errors.py`` turns its IntegrityError
    into the same 400)."""
    query = _unique_query(rule, exclude is not None)
    scope = {rule.within: within[rule.within]} if rule.within else {}
    return db.session.scalar(query, {"value": value, "exclude": exclude, **scope}) is not None


@functools.cache
def _unique_query(rule: Unique, excluding: bool):
    """The statement of a uniqueness check, built once per shape (these run on most writes)."""
    table = rule.column.class_.__table__
    column = table.c[rule.column.key]
    if rule.ignore_case:
        query = select(table.c.id).where(func.lower(column) == func.lower(bindparam("value")))
    else:
        query = select(table.c.id).where(column == bindparam("value"))
    if rule.within:
        query = query.where(table.c[rule.within] == bindparam(rule.within))
    if excluding:
        query = query.where(table.c.id != bindparam("exclude"))
    return query.limit(1)


def load_query(schema: Schema) -> dict:
    """Validate the query string with ``schema``; a bad value is a 400 naming the parameter."""
    args = {}
    for name in schema.load_fields:
        field = schema.load_fields[name]
        values = request.args.getlist(field.data_key or name)
        if values:
            args[field.data_key or name] = values if isinstance(field, fields.List) else values[-1]
    return schema.load(args)


def like(term: str) -> str:
    """A LIKE pattern matching ``term`` literally (``%`` and ``_`` are not wildcards; escape ``\\``)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
