"""Strict reading of request bodies and query strings through marshmallow schemas."""

from __future__ import annotations

import functools
from contextvars import ContextVar
from typing import Any

import orjson
from flask import request
from marshmallow import Schema, ValidationError, fields
from sqlalchemy import bindparam, select
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


_editing: ContextVar[tuple[Any, type | None]] = ContextVar("editing", default=(None, None))


def load_body(schema: Schema, *, instance: Any = None, model: type | None = None, **kwargs) -> Any:
    """Validate the JSON body with ``schema`` (unknown and read-only fields are 400s).

    ``instance`` is what is being updated, if anything: a mapped object, or a
    plain row of ``model``'s table. Validators reach it with ``editing()``
    (uniqueness checks skip it).
    """
    data = json_body()
    token = _editing.set((instance, model or (type(instance) if instance is not None else None)))
    try:
        return schema.load(data, **kwargs)
    finally:
        _editing.reset(token)


def editing() -> Any:
    """The object or row the body being loaded will update, or None for a create."""
    return _editing.get()[0]


def check_unique(column, value: Any, **scope) -> None:
    """Raise a field error if another row holds ``value`` in ``column`` (within ``scope``).

    The database's unique constraint is the backstop for races; ``errors.py``
    turns its IntegrityError into the same 400.
    """
    model = column.class_
    current, edited = _editing.get()
    exclude = current.id if edited is model and current.id is not None else None
    query = _unique_query(column, tuple(scope), exclude is not None)
    if db.session.scalar(query, {"value": value, "exclude": exclude, **scope}) is not None:
        raise ValidationError(unique_message(model.__name__.lower(), column.key))


@functools.cache
def _unique_query(column, scope: tuple[str, ...], excluding: bool):
    """The statement of a uniqueness check, built once per shape (these run on most writes)."""
    table = column.class_.__table__
    query = select(table.c.id).where(table.c[column.key] == bindparam("value"))
    for name in scope:
        query = query.where(table.c[name] == bindparam(name))
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
