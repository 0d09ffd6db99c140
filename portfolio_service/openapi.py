"""The OpenAPI document, built by apispec from the views' docstrings and schemas.

Each view documents its own operation in YAML after ``---`` in its docstring,
naming marshmallow schemas by class. What is the same for every operation is
added here from the URL map instead of being repeated in each docstring: path
parameters, the ``Token`` security requirement and permission code (from the
view's ``@permission``), the contract's error responses and their headers.

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

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from apispec.yaml_utils import load_operations_from_docstring
from flask import Flask
from marshmallow import Schema, class_registry, fields

from . import __version__
from .fields import UTCDateTime

PATH_ARGUMENT = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[^<>]+)>")
YAML_SEPARATOR = re.compile(r"^\s*---\s*$", re.M)
WRITE_METHODS = {"POST", "PUT", "PATCH"}
CONVERTER_TYPES = {"int": {"type": "integer", "minimum": 0}, "path": {"type": "string"}}


class ErrorSchema(Schema):
    """``{"detail": "..."}``."""

    detail = fields.String(required=True)


_MESSAGES = {"type": "array", "items": {"type": "string"}}

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
def request_schema(name: str, patched: bool) -> Schema:
    """The request body of a schema class: its writable fields, all optional when ``patched``.

    ``UserSchema`` gives ``UserRequestSchema`` (documented as ``UserRequest``)
    and ``PatchedUserRequestSchema``.
    """
    schema = class_registry.get_class(name)
    stem = schema.__name__.removesuffix("Schema")
    name = f"{'Patched' if patched else ''}{stem}RequestSchema"
    request_class = type(name, (schema,), {"request_of": schema})
    read_only = [field_name for field_name, field in schema._declared_fields.items() if field.dump_only]
    return request_class(exclude=read_only, partial=patched)


def _request_bodies(operation: dict, method: str) -> None:
    """Point each request body at the request component of the schema it names."""
    for content in operation.get("requestBody", {}).get("content", {}).values():
        if isinstance(content.get("schema"), str):
            content["schema"] = request_schema(content["schema"], method == "PATCH")


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


def _operation(view, method: str, documented: dict, has_path_args: bool) -> dict:
    operation = dict(documented)
    summary, _, _ = (view.__doc__ or "").strip().partition("\n")
    operation.setdefault("summary", summary.strip())
    operation.setdefault("operationId", view.__name__)
    _request_bodies(operation, method)
    responses = {str(status): value for status, value in operation.setdefault("responses", {}).items()}
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
    if has_path_args or "PageQuerySchema" in str(operation.get("parameters")):
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

    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.rule.startswith("/api/"):
            continue
        view = app.view_functions[rule.endpoint]
        if not YAML_SEPARATOR.search(view.__doc__ or ""):
            continue  # not an API operation (the docs page and its assets)
        documented = load_operations_from_docstring(view.__doc__ or "")
        parameters = _path_parameters(rule)
        operations = {
            method.lower(): _operation(view, method, documented.get(method.lower(), {}), bool(parameters))
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        }
        path = PATH_ARGUMENT.sub(r"{\g<name>}", rule.rule)
        spec.path(path=path, operations=operations, parameters=parameters)
    return spec.to_dict()
