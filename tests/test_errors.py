"""Every failure answers the contract's JSON shape, never HTML."""

import io
import json
import logging

import pytest
from marshmallow import fields
from sqlalchemy.exc import OperationalError
from werkzeug.test import EnvironBuilder, run_wsgi_app

from portfolio_service.fields import Schema
from portfolio_service.parsing import MAX_JSON_BODY, load_body


class EchoSchema(Schema):
    title = fields.String(required=True)
    id = fields.Integer(dump_only=True)


@pytest.fixture
def app(app):
    """The app with two extra routes: one that echoes a body, one that crashes."""

    @app.post("/api/_test/echo")
    def echo():
        return load_body(EchoSchema())

    @app.get("/api/_test/crash")
    def crash():
        raise RuntimeError("secret internals: password=hunter2")

    return app


def test_unknown_route_is_json_404(client):
    response = client.get("/api/nowhere")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json() == {"detail": "Not found."}


def test_unknown_route_outside_api_is_json_too(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 404
    assert response.get_json() == {"detail": "Not found."}


def test_wrong_method_is_json_405_with_allow(client):
    response = client.delete("/api/health")
    assert response.status_code == 405
    assert response.get_json() == {"detail": 'Method "DELETE" not allowed.'}
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_400_parse_error(client):
    response = client.post("/api/_test/echo", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["detail"].startswith("JSON parse error - ")


def test_nan_is_not_json(client):
    response = client.post("/api/_test/echo", data='{"title": NaN}', content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["detail"].startswith("JSON parse error - ")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_other_content_type_is_415(client, content_type):
    response = client.post("/api/_test/echo", data='{"title": "x"}', content_type=content_type)
    assert response.status_code == 415
    assert response.get_json()["detail"].startswith("Unsupported media type")


def test_json_with_charset_is_accepted(client):
    response = client.post(
        "/api/_test/echo", data='{"title": "x"}', content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 200
    assert response.get_json() == {"title": "x"}


def test_oversize_body_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post("/api/_test/echo", data="x" * 101, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json() == {"detail": "Request body is larger than the upload limit."}


def test_validation_errors_name_each_field(client):
    response = client.post("/api/_test/echo", json={"titel": "x", "id": 3})
    assert response.status_code == 400
    assert response.get_json() == {
        "title": ["Missing data for required field."],
        "titel": ["Unknown field."],
        "id": ["This field is read-only."],
    }


def test_null_for_non_nullable_field_is_400(client):
    response = client.post("/api/_test/echo", json={"title": None})
    assert response.get_json() == {"title": ["Field may not be null."]}


def test_non_object_body_is_non_field_error(client):
    response = client.post("/api/_test/echo", json=[1, 2])
    assert response.status_code == 400
    assert list(response.get_json()) == ["non_field_errors"]


def test_unhandled_exception_is_logged_and_hidden(client, caplog):
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/_test/crash")
    assert response.status_code == 500
    assert response.get_json() == {"detail": "Internal server error."}
    assert b"hunter2" not in response.data and b"Traceback" not in response.data
    assert any(record.exc_info and "hunter2" in str(record.exc_info[1]) for record in caplog.records)


def test_each_request_is_logged_once(client, caplog):
    with caplog.at_level(logging.INFO, logger="portfolio_service.requests"):
        client.get("/api/health?x=1")
    lines = [r.getMessage() for r in caplog.records if r.name == "portfolio_service.requests"]
    assert len(lines) == 1
    method, path, status, duration = lines[0].split()
    assert (method, path, status) == ("GET", "/api/health?x=1", "200")
    assert duration.endswith("ms")


class CountingStream(io.RawIOBase):
    """An endless JSON string, counting what the server reads of it."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = (b'{"username": "' if self.read_bytes == 0 else b"a" * len(buffer))[: len(buffer)]
        buffer[: len(chunk)] = chunk
        self.read_bytes += len(chunk)
        return len(chunk)


def test_a_chunked_json_body_is_read_no_further_than_the_json_limit(app):
    """An anonymous chunked body once read to about 20 MiB (the upload limit) before its 413."""
    stream = CountingStream()
    environ = EnvironBuilder(
        path="/api/auth/login", method="POST", content_type="application/json"
    ).get_environ()
    # As gunicorn hands over a chunked body: no length, a stream that ends when the body does.
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": io.BufferedReader(stream), "wsgi.input_terminated": True})
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    body, status, _headers = run_wsgi_app(app, environ, buffered=True)
    assert status == "413 REQUEST ENTITY TOO LARGE"
    assert json.loads(b"".join(body)) == {"detail": "Request body is larger than the upload limit."}
    assert stream.read_bytes <= MAX_JSON_BODY + 64 * 1024


class LostRace(Exception):
    """What psycopg raises for a deadlock: its SQLSTATE is on the exception."""

    sqlstate = "40P01"


def test_a_lost_race_is_retried_from_the_start(app, client):
    calls = []

    @app.post("/api/_test/race")
    def race():
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("UPDATE portfolio ...", {}, LostRace())
        return {"attempts": len(calls)}

    response = client.post("/api/_test/race", json={})
    assert response.status_code == 200 and response.get_json() == {"attempts": 3}


def test_a_race_lost_on_every_try_is_503_with_retry_after(app, client, caplog):
    calls = []

    @app.post("/api/_test/always")
    def always():
        calls.append(1)
        raise OperationalError("UPDATE portfolio ...", {}, LostRace())

    response = client.post("/api/_test/always", json={})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.get_json() == {"detail": "The database is busy with concurrent changes; try again."}
    assert len(calls) == 3
    assert "Traceback" not in caplog.text


def test_other_database_errors_are_not_retried(app, client):
    calls = []

    @app.post("/api/_test/broken")
    def broken():
        calls.append(1)
        raise OperationalError("SELECT ...", {}, Exception("disk I/O error"))

    assert client.post("/api/_test/broken", json={}).status_code == 500
    assert len(calls) == 1
