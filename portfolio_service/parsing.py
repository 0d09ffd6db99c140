"""Strict reading of request bodies and query strings through marshmallow schemas."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from marshmallow import Schema, fields

from .errors import ParseError, UnsupportedMediaType


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def json_body() -> Any:
    """The request's JSON document: 415 for another content type, 400 when malformed."""
    if request.mimetype != "application/json":
        shown = request.mimetype or "none"
        raise UnsupportedMediaType(f'Unsupported media type "{shown}" in request.')
    try:
        return json.loads(request.get_data(cache=True) or b"", parse_constant=_reject_constant)
    except (ValueError, RecursionError) as error:
        raise ParseError(f"JSON parse error - {error}") from None


def load_body(schema: Schema, **kwargs) -> Any:
    """Validate the JSON body with ``schema`` (unknown and read-only fields are 400s)."""
    return schema.load(json_body(), **kwargs)


def load_query(schema: Schema) -> dict:
    """Validate the query string with ``schema``; a bad value is a 400 naming the parameter."""
    args = {}
    for name in schema.load_fields:
        field = schema.load_fields[name]
        values = request.args.getlist(field.data_key or name)
        if values:
            args[field.data_key or name] = values if isinstance(field, fields.List) else values[-1]
    return schema.load(args)
