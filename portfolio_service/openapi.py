"""The OpenAPI document, built by apispec from the views' docstrings and schemas.

Each view documents its own operation in YAML after ``---`` in its docstring,
naming marshmallow schemas by class. What is the same for every operation is
added here from the URL map instead of being repeated in each docstring: path
parameters, the ``Token`` security requirement and permission code (from the
view's ``@permission``), and the contract's error responses.
"""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.yaml_utils import load_operations_from_docstring
from flask import Flask
from marshmallow import Schema, fields

from . import __version__

PATH_ARGUMENT = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[^<>]+)>")
YAML_SEPARATOR = re.compile(r"^\s*---\s*$", re.M)
WRITE_METHODS = {"POST", "PUT", "PATCH"}
CONVERTER_TYPES = {"int": {"type": "integer", "minimum": 0}, "path": {"type": "string"}}


class ErrorSchema(Schema):
    """``{"detail": "..."}``."""

    detail = fields.String(required=True)


class ValidationErrorSchema(Schema):
    """One key per bad field (``non_field_errors`` for the whole request) or ``detail``."""

    class Meta:
        unknown = "include"


ERROR_RESPONSES = {
    "400": ("Invalid input: one key per bad field, or `detail` for malformed JSON.", "ValidationError"),
    "401": ("No, bad, revoked or expired token.", "Error"),
    "403": ("The token's user lacks the permission.", "Error"),
    "404": ("Not found.", "Error"),
    "413": ("Body larger than the upload limit.", "Error"),
    "415": ("Body is not of the expected content type.", "Error"),
}


def _error(status: str) -> dict:
    description, schema = ERROR_RESPONSES[status]
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


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
    responses = operation.setdefault("responses", {})
    responses = {str(status): value for status, value in responses.items()}
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
    return operation


def build_spec(app: Flask) -> dict:
    """The OpenAPI 3 document of every ``/api`` route of ``app``."""
    spec = APISpec(
        title="portfolio-service",
        version=__version__,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Portfolios, employers, tags, links, meta and a media library. "
            "Authenticate with `Authorization: Token <key>`."
        },
    )
    spec.components.security_scheme(
        "Token",
        {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "The word `Token`, a space, then the key: `Token 3f0c...`.",
        },
    )
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.schema("ValidationError", schema=ValidationErrorSchema)

    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.rule.startswith("/api/"):
            continue
        view = app.view_functions[rule.endpoint]
        if not YAML_SEPARATOR.search(view.__doc__ or ""):
            continue  # not an API operation (the docs page and its assets)
        documented = load_operations_from_docstring(view.__doc__)
        parameters = _path_parameters(rule)
        operations = {
            method.lower(): _operation(view, method, documented.get(method.lower(), {}), bool(parameters))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
        }
        path = PATH_ARGUMENT.sub(r"{\g<name>}", rule.rule)
        spec.path(path=path, operations=operations, parameters=parameters)
    return spec.to_dict()
