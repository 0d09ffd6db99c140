"""The OpenAPI document, built by apispec from the views' contracts and schemas.

Each view declares its contract in one decorator, ``@contract(tag, body=...,
response=...)``, naming marshmallow schema classes, as microblog-api's
``@body`` and ``@response`` do; its docstring's first line is the summary.
What is the same for every operation is added here from the URL map instead
of being repeated on each view: path parameters, the ``Token`` security
requirement and permission code (from the view's ``@permission``), the
contract's error responses and their headers.

The document is client-grade (section 7 of the contract), as drf-spectacular
splits it: a request body names a schema, and gets a component of its own
derived from it, with the read-only fields left out (``PortfolioRequest``,
and ``PatchedPortfolioRequest`` with every field optional for ``PATCH``).
Response components leave out the write-only fields and require every field
they show, since a dump always writes all of them.

It is OpenAPI 3.1: a nullable reference is ``anyOf: [{$ref}, {type: null}]``.
OpenAPI 3.0 has no form that both Redocly (a ``type`` beside ``nullable``)
and openapi-python-client (which then drops the ``nullable``) accept.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask import Flask
from marshmallow import Schema, fields

from . import __version__
from .fields import UTCDateTime

PATH_ARGUMENT = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[^<>]+)>")
WRITE_METHODS = {"POST", "PUT", "PATCH"}
CONVERTER_TYPES = {"int": {"type": "integer", "minimum": 0}, "path": {"type": "string"}}


class ErrorSchema(Schema):
    """``{"detail": "..."}``."""

    detail = fields.String(required=True)


@dataclass(frozen=True)
class Contract:
    """What an operation takes and answers, beyond what every operation shares."""

    tag: str
    body: type[Schema] | None = None  # the request body, as JSON (or a form, with ``form``)
    response: type[Schema] | None = None  # the answer's body; None: no body
    status: int = 200
    query: Sequence[type[Schema]] = ()  # query string schemas
    form: bool = False  # the body is multipart/form-data
    if_match: bool = False  # honours If-Match (412 when stale)
    headers: Sequence[str] = ()  # headers of the answer, from HEADERS
    parameters: Sequence[dict] = ()  # other parameters, as OpenAPI writes them
    other: Mapping[int, tuple[str, type[Schema]]] = field(default_factory=dict)  # other answers


def contract(tag: str, **declared) -> Callable:
    """Declare a view's contract for the OpenAPI document (see ``Contract``).

    ``status`` defaults to 200 with a ``response``, and 204 without one.
    """
    declared.setdefault("status", 200 if declared.get("response") else 204)

    def decorator(view):
        view.contract = Contract(tag, **declared)
        return view

    return decorator


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "schema": {"type": "string"},
    "description": "an ETag; 412 if stale",
}

_MESSAGES = {"type": "array", "items": {"type": "string"}}

_SCALAR: list[dict] = [{"type": "string"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"}]
#: How deep a ``JSONValue`` nests: enough for what the service writes (a document's gallery, its
#: media, their thumbnails or variants, and their fields, is 4). TypeScript refuses a type alias that
#: refers to itself through an array, so the levels are spelt out rather than made recursive.
JSON_DEPTH = 6


def _json_levels() -> dict[str, dict]:
    """``JSONValue`` and the levels it nests: any JSON value, typed all the way down in generated clients."""
    levels: dict[str, dict] = {"JSONValue1": {"anyOf": _SCALAR}}
    for depth in range(2, JSON_DEPTH + 1):
        inner = {"$ref": f"#/components/schemas/JSONValue{depth - 1}"}
        levels[f"JSONValue{depth}"] = {
            "anyOf": [
                *_SCALAR,
                {"type": "array", "items": inner},
                {"type": "object", "additionalProperties": inner},
            ]
        }
    top = levels.pop(f"JSONValue{JSON_DEPTH}")
    return {**levels, "JSONValue": {"description": "Any JSON value.", **top}}


#: A 400's body: one key per bad field with its messages (keyed by index inside
#: a list), ``non_field_errors`` for the whole request, or ``detail`` for
#: malformed JSON. Written out, since no marshmallow field says "any key".
VALIDATION_ERROR = {
    "type": "object",
    "properties": {"non_field_errors": _MESSAGES, "detail": {"type": "string"}},
    "additionalProperties": {
        "anyOf": [_MESSAGES, {"type": "object", "additionalProperties": _MESSAGES}, {"type": "string"}]
    },
    "example": {
        "title": ["A portfolio with this title already exists."],
        "tags": {"1": ["Not a valid integer."]},
    },
}

_STRING, _URI, _INTEGER = {"type": "string"}, {"type": "string", "format": "uri"}, {"type": "integer"}
HEADERS = {
    "ETag": {"description": "This version of the portfolio; send it back in `If-Match`.", "schema": _STRING},
    "Location": {"description": "The URL of what was made.", "schema": _URI},
    "Retry-After": {"description": "Seconds to wait before trying again.", "schema": _INTEGER},
    "WWW-Authenticate": {"description": "`Token`: the scheme to authenticate with.", "schema": _STRING},
}

ERROR_RESPONSES = {
    "400": ("Invalid input: one key per bad field, or `detail` for malformed JSON.", "ValidationError"),
    "401": ("No, bad, revoked or expired token.", "Error"),
    "403": ("The token's user lacks the permission.", "Error"),
    "404": ("Not found.", "Error"),
    "413": ("Body larger than the upload limit.", "Error"),
    "415": ("Body is not of the expected content type.", "Error"),
}
#: Headers every response of a status carries.
STATUS_HEADERS = {"201": ["Location"], "401": ["WWW-Authenticate"], "429": ["Retry-After"]}


def _error(status: str) -> dict:
    description, schema = ERROR_RESPONSES[status]
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


class Converter(OpenAPIConverter):
    """apispec's converter, with request and response components told apart."""

    def schema2jsonschema(self, schema):
        jsonschema = super().schema2jsonschema(schema)
        properties = jsonschema["properties"]
        if getattr(schema, "request_of", None) is not None:
            for prop in properties.values():
                prop.pop("writeOnly", None)
                if schema.partial:
                    prop.pop("default", None)  # a PATCH leaves out what it does not send
            return jsonschema
        for name in [name for name, prop in properties.items() if prop.pop("writeOnly", False)]:
            del properties[name]
        for prop in properties.values():
            prop.pop("readOnly", None)
        jsonschema["required"] = list(properties)
        jsonschema.pop("additionalProperties", None)  # answers may gain fields; clients keep working
        return jsonschema


@functools.cache
def request_schema(schema: type[Schema], patched: bool) -> Schema:
    """The request body of a schema class: its writable fields, all optional when ``patched``.

    ``UserSchema`` gives ``UserRequestSchema`` (documented as ``UserRequest``)
    and ``PatchedUserRequestSchema``.
    """
    stem = schema.__name__.removesuffix("Schema")
    name = f"{'Patched' if patched else ''}{stem}RequestSchema"
    request_class = type(name, (schema,), {"request_of": schema})
    read_only = [field_name for field_name, field in schema._declared_fields.items() if field.dump_only]
    return request_class(exclude=read_only, partial=patched)


def _path_parameters(rule) -> list[dict]:
    return [
        {
            "name": match["name"],
            "in": "path",
            "required": True,
            "schema": CONVERTER_TYPES.get(match["converter"] or "", {"type": "string"}),
        }
        for match in PATH_ARGUMENT.finditer(rule.rule)
    ]


def _json(schema) -> dict:
    return {"application/json": {"schema": schema}}


def _operation(view, method: str, has_path_args: bool) -> dict:
    declared: Contract = view.contract
    summary, _, description = (view.__doc__ or "").strip().partition("\n")
    operation: dict = {"tags": [declared.tag], "summary": summary.strip(), "operationId": view.__name__}
    if description.strip():
        operation["description"] = description.strip()
    parameters: list[dict] = [{"in": "query", "schema": schema} for schema in declared.query]
    parameters += [*declared.parameters, *([IF_MATCH] if declared.if_match else [])]
    if parameters:
        operation["parameters"] = parameters
    if declared.body is not None:
        body = request_schema(declared.body, method == "PATCH")
        content = {"multipart/form-data": {"schema": body}} if declared.form else _json(body)
        operation["requestBody"] = {"required": True, "content": content}
    answer: dict = {"description": HTTPStatus(declared.status).phrase}
    if declared.response is not None:
        answer["content"] = _json(declared.response)
    if declared.headers:
        answer["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in declared.headers}
    responses = {str(declared.status): answer}
    if declared.if_match:
        responses["412"] = {"description": "`If-Match` does not match.", "content": _json(ErrorSchema)}
    for code, (text, schema) in declared.other.items():
        responses[str(code)] = {"description": text, "content": _json(schema)}
    operation["responses"] = responses

    access = getattr(view, "access", None)
    requirement = getattr(access, "openapi_description", None)
    if requirement:
        operation["description"] = (operation.get("description", "") + "\n\n" + requirement).strip()
    if getattr(access, "needs_token", False):
        operation["security"] = [{"Token": []}]
        responses.setdefault("403", _error("403"))
    else:
        operation["security"] = [{}, {"Token": []}]
    responses.setdefault("401", _error("401"))
    if method in WRITE_METHODS or operation.get("parameters"):
        responses.setdefault("400", _error("400"))
    if method in WRITE_METHODS:
        responses.setdefault("413", _error("413"))
        responses.setdefault("415", _error("415"))
    if has_path_args or any(schema.__name__ == "PageQuerySchema" for schema in declared.query):
        responses.setdefault("404", _error("404"))  # no such object, or a page past the last
    for status, names in STATUS_HEADERS.items():
        if status in responses:
            headers = responses[status].setdefault("headers", {})
            for name in names:
                headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})
    return operation


def build_spec(app: Flask) -> dict:
    """The OpenAPI 3 document of every ``/api`` route of ``app`` (``servers`` is the caller's to add)."""
    plugin = MarshmallowPlugin()
    plugin.Converter = Converter
    spec = APISpec(
        title="portfolio-service",
        version=__version__,
        openapi_version="3.1.0",
        plugins=[plugin],
        info={
            "description": "Portfolios, employers, tags, links, meta and a media library. "
            "Authenticate with `Authorization: Token <key>`."
        },
    )
    plugin.map_to_openapi_type(UTCDateTime, "string", "date-time")
    plugin.map_to_openapi_type(fields.Url, "string", "uri")  # apispec says "url", which no client knows
    spec.components.security_scheme(
        "Token",
        {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "The word `Token`, a space, then the key: `Token 3f0c...`.",
        },
    )
    for name, header in HEADERS.items():
        spec.components.header(name, header)
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.schema("ValidationError", VALIDATION_ERROR)
    for name, schema in _json_levels().items():
        spec.components.schema(name, schema)

    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.rule.startswith("/api/"):
            continue
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "contract"):
            continue  # not an API operation (the docs page and its assets)
        parameters = _path_parameters(rule)
        operations = {
            method.lower(): _operation(view, method, bool(parameters))
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        }
        path = PATH_ARGUMENT.sub(r"{\g<name>}", rule.rule)
        spec.path(path=path, operations=operations, parameters=parameters)
    return spec.to_dict()
