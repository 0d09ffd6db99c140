"""The one place where failures become the contract's JSON error bodies."""

from __future__ import annotations

import logging
import re

from flask import Flask, jsonify, request
from marshmallow import ValidationError
from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from .database import is_busy
from .extensions import Base, db

log = logging.getLogger(__name__)

HTTP_DETAILS = {
    400: "Bad request.",
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    413: "Request body is larger than the upload limit.",
    415: "Unsupported media type.",
}


class APIError(Exception):
    """An error with a status and a ``{"detail": ...}`` body (plus extra keys)."""

    status = 400
    detail = "Bad request."
    headers: dict[str, str] = {}

    def __init__(self, detail: str | None = None, **extra):
        super().__init__(detail or self.detail)
        if detail:
            self.detail = detail
        self.extra = extra

    def body(self) -> dict:
        return {"detail": self.detail, **self.extra}


class ParseError(APIError):
    status = 400
    detail = "Malformed request."


class NotAuthenticated(APIError):
    status = 401
    detail = HTTP_DETAILS[401]
    headers = {"WWW-Authenticate": "Token"}


class PermissionDenied(APIError):
    status = 403
    detail = HTTP_DETAILS[403]


class NotFound(APIError):
    status = 404
    detail = HTTP_DETAILS[404]


class Conflict(APIError):
    status = 409
    detail = "The request conflicts with the current state."


class PreconditionFailed(APIError):
    status = 412
    detail = "The resource has changed since If-Match was read."


class UnsupportedMediaType(APIError):
    status = 415
    detail = HTTP_DETAILS[415]


class ServiceUnavailable(APIError):
    status = 503
    detail = "The database is busy with concurrent changes; try again."
    headers = {"Retry-After": "1"}


class Throttled(APIError):
    status = 429
    detail = "Request was throttled."

    def __init__(self, retry_after: int):
        super().__init__(f"Request was throttled. Expected available in {retry_after} seconds.")
        self.headers = {"Retry-After": str(retry_after)}


def field_errors(messages: dict | list | str) -> dict:
    """Marshmallow's messages in the contract's shape (``_schema`` → ``non_field_errors``)."""
    if not isinstance(messages, dict):
        messages = {"_schema": messages if isinstance(messages, list) else [messages]}
    body = dict(messages)
    if "_schema" in body:
        body["non_field_errors"] = body.pop("_schema")
    return body


def _response(body: dict, status: int, headers: dict | None = None):
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def handle_api_error(error: APIError):
    return _response(error.body(), error.status, error.headers)


def handle_validation_error(error: ValidationError):
    return _response(field_errors(error.messages), 400)


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    if status == 405:
        detail = f'Method "{request.method}" not allowed.'
    elif isinstance(error, SecurityError):
        detail = "This server does not answer for that Host (see ALLOWED_HOSTS)."
    else:
        detail = HTTP_DETAILS.get(status) or error.description or error.name
    response = _response({"detail": detail}, status)
    # Keep headers Werkzeug computed, such as Allow on a 405.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def unique_message(model_name: str, field: str) -> str:
    """The one wording of a uniqueness clash, from the validators and from the database."""
    return f"A {model_name} with this {field} already exists."


# "UNIQUE constraint failed: meta.portfolio_id, meta.key": the last column names the field.
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?:\w+\.\w+, )*(\w+)\.(\w+)")


def _unique_violation(error: IntegrityError) -> tuple[str, str] | None:
    """(table, column) of the unique constraint a write broke, on SQLite or PostgreSQL."""
    match = _SQLITE_UNIQUE.search(str(error.orig))
    if match:
        return match[1], match[2]
    constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None) or ""
    for table in db.metadata.tables.values():
        for unique in table.constraints:
            if unique.name == constraint and isinstance(unique, UniqueConstraint):
                return table.name, list(unique.columns)[-1].name
    return None


def handle_integrity_error(error: IntegrityError):
    """A race the validators could not see: the same 400 they would have given."""
    db.session.rollback()
    violation = _unique_violation(error)
    if violation is None:
        log.warning("Integrity error: %s", error.orig)
        return _response({"non_field_errors": ["The request conflicts with a concurrent change."]}, 400)
    table, column = violation
    model_name = next(
        (m.class_.__name__.lower() for m in Base.registry.mappers if m.class_.__tablename__ == table), table
    )
    return _response({column: [unique_message(model_name, column)]}, 400)


def handle_operational_error(error: OperationalError):
    """A lock not granted, or a race lost on every retry: 503, try again; anything else is a 500."""
    db.session.rollback()
    if is_busy(error):
        log.warning("Database busy: %s", error.orig)
        return handle_api_error(ServiceUnavailable())
    return handle_unexpected_error(error)


def handle_unexpected_error(error: Exception):
    log.exception("Unhandled exception", exc_info=error)
    return _response({"detail": "Internal server error."}, 500)


def register_error_handlers(app: Flask) -> None:
    """Route every failure of every route through the handlers above."""
    app.register_error_handler(APIError, handle_api_error)
    app.register_error_handler(ValidationError, handle_validation_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(OperationalError, handle_operational_error)
    app.register_error_handler(Exception, handle_unexpected_error)
