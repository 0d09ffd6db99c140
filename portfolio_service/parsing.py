"""Strict reading of request bodies and query strings through marshmallow schemas."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import orjson
from flask import request
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import ParseError, UnsupportedMediaType, unique_message
from .extensions import db

#: JSON bodies are small documents; only uploads may use MAX_UPLOAD_SIZE.
MAX_JSON_BODY = 1024 * 1024


def json_body() -> Any:
    """The request's JSON document: 415 for another content type, 400 when malformed."""
    if request.mimetype != "application/json":
        shown = request.mimetype or "none"
        raise UnsupportedMediaType(f'Unsupported media type "{shown}" in request.')
    if (request.content_length or 0) > MAX_JSON_BODY or len(request.get_data(cache=True)) > MAX_JSON_BODY:
        raise RequestEntityTooLarge()
    try:
        # orjson refuses NaN and Infinity, invalid UTF-8, and nesting deeper than 1024.
        return orjson.loads(request.get_data(cache=True) or b"")
    except orjson.JSONDecodeError as error:
        raise ParseError(f"JSON parse error - {error}") from None


_editing: ContextVar[Any] = ContextVar("editing", default=None)


def load_body(schema: Schema, *, instance: Any = None, **kwargs) -> Any:
    """Validate the JSON body with ``schema`` (unknown and read-only fields are 400s).

    ``instance`` is the object being updated, if any; validators reach it with
    ``editing()`` (uniqueness checks skip it).
    """
    data = json_body()
    token = _editing.set(instance)
    try:
        return schema.load(data, **kwargs)
    finally:
        _editing.reset(token)


def editing() -> Any:
    """The object the body being loaded will update, or None for a create."""
    return _editing.get()


def check_unique(column, value: Any, **scope) -> None:
    """Raise a field error if another row holds ``value`` in ``column`` (within ``scope``).

    The database's unique constraint is the backstop for races; ``errors.py``
    turns its IntegrityError into the same 400.
    """
    model = column.class_
    query = select(model.id).where(column == value).filter_by(**scope)
    current = editing()
    if isinstance(current, model) and current.id is not None:
        query = query.where(model.id != current.id)
    if db.session.scalar(query.limit(1)) is not None:
        raise ValidationError(unique_message(model.__name__.lower(), column.key))


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
