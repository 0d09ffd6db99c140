"""Operations endpoints: health, the OpenAPI document and its interactive page."""

from __future__ import annotations

import logging
import os

import click
import flask_swagger_ui
import orjson
from flask import Blueprint, current_app, jsonify, request, send_from_directory
from marshmallow import Schema, fields
from sqlalchemy import text

from .auth.permissions import ANYONE, permission
from .extensions import db
from .media import get_storage
from .openapi import build_spec, contract

bp = Blueprint("ops", __name__, url_prefix="/api", cli_group=None)
#: Swagger UI's files as flask-swagger-ui ships them; only the files are used, not its blueprint.
SWAGGER_UI = os.path.join(os.path.dirname(flask_swagger_ui.__file__), "dist")
log = logging.getLogger(__name__)

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>portfolio-service API</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/init.js"></script>
</body>
</html>
"""

# "Authorize" takes the bare key too: the interceptor adds the "Token " scheme.
DOCS_INIT = """window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
  requestInterceptor: function (request) {
    var header = request.headers.Authorization;
    if (header && !/^Token /.test(header)) request.headers.Authorization = "Token " + header;
    return request;
  }
});
"""


class HealthSchema(Schema):
    """``ok`` or ``error`` for the service and each part it depends on."""

    status = fields.String(required=True)
    database = fields.String(required=True)
    storage = fields.String(required=True)


def _check(name: str, probe) -> str:
    try:
        probe()
    except Exception:
        log.exception("Health check of %s failed", name)
        return "error"
    return "ok"


@bp.get("/health")
@permission(ANYONE)
@contract(
    "operations",
    response=HealthSchema,
    other={503: ("A part failed; it is named with `error`.", HealthSchema)},
)
def health():
    """Report whether the database and the media storage answer."""
    parts = {
        "database": _check("database", lambda: db.session.execute(text("SELECT 1"))),
        "storage": _check("storage", lambda: get_storage().check()),
    }
    healthy = all(state == "ok" for state in parts.values())
    return jsonify(status="ok" if healthy else "error", **parts), 200 if healthy else 503


@bp.get("/openapi.json")
@permission(ANYONE)
def openapi_document():
    """The OpenAPI 3 document of this API, with this server as its base."""
    spec = current_app.extensions.get("openapi")
    if spec is None:
        spec = current_app.extensions["openapi"] = build_spec(current_app)
    return jsonify({**spec, "servers": [{"url": request.url_root.rstrip("/")}]})


@bp.get("/docs")
@permission(ANYONE)
def docs_page():
    """An interactive page for the API, served without any CDN."""
    return DOCS_PAGE, 200, {"Content-Type": "text/html; charset=utf-8"}


@bp.get("/docs/init.js")
@permission(ANYONE)
def docs_init():
    """The script that points Swagger UI at the OpenAPI document."""
    return DOCS_INIT, 200, {"Content-Type": "text/javascript; charset=utf-8"}


@bp.get("/docs/<any('swagger-ui.css', 'swagger-ui-bundle.js'):filename>")
@permission(ANYONE)
def docs_asset(filename: str):
    """Swagger UI's own files (5.x, which reads OpenAPI 3.1), from the installed ``flask-swagger-ui``."""
    return send_from_directory(SWAGGER_UI, filename, max_age=86400)


@bp.cli.command("openapi")
def openapi_command():
    """Print the OpenAPI document, for client generators (openapi-typescript, openapi-python-client)."""
    spec = {**build_spec(current_app), "servers": [{"url": "/"}]}
    click.echo(orjson.dumps(spec, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
