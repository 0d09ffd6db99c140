"""Login, logout, me, the caller's API keys, throttling and the CLI."""

import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select

from portfolio_service.auth.models import ApiToken, LoginAttempt, User, hash_key
from portfolio_service.extensions import db

from .factories import PASSWORD, auth, login, make_token, make_user
from .images import PDF


def test_login_returns_a_key_and_the_user(client, alice, app):
    response = login(client)
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"] == {
        "id": alice,
        "username": "alice",
        "is_active": True,
        "is_staff": True,
        "is_admin": False,
        "permissions": [4101, 4203],
    }
    assert len(body["token"]) >= 40
    me = client.get("/api/auth/me", headers=auth(body["token"]))
    assert me.status_code == 200 and me.get_json()["username"] == "alice"
    with app.app_context():
        stored = db.session.scalars(select(ApiToken.key_hash)).all()
    assert stored == [hash_key(body["token"])]  # only the hash is kept


@pytest.mark.parametrize(
    "credentials",
    [{"username": "alice", "password": "wrong password"}, {"username": "nobody", "password": PASSWORD}],
)
def test_wrong_credentials_are_400(client, alice, credentials):
    response = client.post("/api/auth/login", json=credentials)
    assert response.status_code == 400
    assert response.get_json() == {"non_field_errors": ["Unable to log in with provided credentials."]}


def test_inactive_user_cannot_log_in(client, app):
    with app.app_context():
        make_user("sleepy", active=False)
    assert login(client, "sleepy").status_code == 400


def test_login_needs_both_fields(client):
    response = client.post("/api/auth/login", json={"username": "alice"})
    assert response.get_json() == {"password": ["Missing data for required field."]}


def test_logout_revokes_only_the_token_used(client, alice, app):
    first = login(client).get_json()["token"]
    second = login(client).get_json()["token"]
    assert client.post("/api/auth/logout", headers=auth(first)).status_code == 204
    assert client.get("/api/auth/me", headers=auth(first)).status_code == 401
    assert client.get("/api/auth/me", headers=auth(second)).status_code == 200


def test_named_tokens_list_create_revoke(client, alice, app):
    session = auth(login(client).get_json()["token"])
    expires = (datetime.now(timezone.utc) + timedelta(days=7)).isoformat()
    created = client.post("/api/auth/tokens", json={"name": "ci", "expires_at": expires}, headers=session)
    assert created.status_code == 201
    body = created.get_json()
    assert set(body) == {"id", "name", "created_at", "last_used_at", "expires_at", "key"}
    assert created.headers["Location"] == f"http://localhost/api/auth/tokens/{body['id']}"
    assert client.get("/api/auth/me", headers=auth(body["key"])).status_code == 200

    listed = client.get("/api/auth/tokens", headers=session).get_json()
    assert listed["count"] == 2
    assert all("key" not in token for token in listed["results"])
    assert body["key"] not in str(listed)
    assert {token["name"] for token in listed["results"]} == {"login", "ci"}

    assert client.delete(f"/api/auth/tokens/{body['id']}", headers=session).status_code == 204
    assert client.get("/api/auth/me", headers=auth(body["key"])).status_code == 401
    assert client.get("/api/auth/tokens", headers=session).get_json()["count"] == 1


def test_cannot_revoke_someone_elses_token(client, alice, app, headers):
    with app.app_context():
        other = make_user("bob")
        make_token(other)
        bobs = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == other.id))
    session = auth(login(client).get_json()["token"])
    assert client.delete(f"/api/auth/tokens/{bobs}", headers=session).status_code == 404


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"name": ["Missing data for required field."]}),
        ({"name": "x", "expires_at": "2001-01-01"}, {"expires_at": ["Must be in the future."]}),
        ({"name": "x", "expires_at": "soon"}, {"expires_at": ["Not a valid datetime."]}),
        ({"name": "x", "key": "mine"}, {"key": ["This field is read-only."]}),
    ],
)
def test_token_creation_errors(client, headers, body, errors):
    response = client.post("/api/auth/tokens", json=body, headers=headers())
    assert response.status_code == 400
    assert response.get_json() == errors


def test_last_used_at_is_written_at_most_once_a_minute(client, app, alice):
    with app.app_context():
        key = make_token(db.session.get(User, alice))
    client.get("/api/auth/me", headers=auth(key))
    with app.app_context():
        first = db.session.scalar(select(ApiToken.last_used_at))
        assert first is not None
        db.session.execute(db.update(ApiToken).values(last_used_at=first - timedelta(seconds=30)))
        db.session.commit()
    client.get("/api/auth/me", headers=auth(key))
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) == first - timedelta(seconds=30)
        db.session.execute(db.update(ApiToken).values(last_used_at=first - timedelta(seconds=61)))
        db.session.commit()
    client.get("/api/auth/me", headers=auth(key))
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) >= first


# Throttling


def test_sixth_failure_is_429_with_retry_after(client, alice):
    for _ in range(5):
        assert login(client, password="nope nope nope").status_code == 400
    response = login(client)  # even the right password
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 15 * 60
    assert "throttled" in response.get_json()["detail"]


def test_throttle_counts_per_client_address_across_usernames(client, alice):
    for n in range(5):
        login(client, f"guess{n}", "nope nope nope")
    assert login(client).status_code == 429
    other = login(client, environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other.status_code == 200  # another client for a username not guessed at


def test_throttle_uses_the_forwarded_address_behind_a_trusted_proxy(tmp_path):
    from .conftest import make_app

    app = make_app(tmp_path, TRUSTED_PROXIES=1)
    client = app.test_client()
    with app.app_context():
        make_user("zoe")
    for n in range(5):
        login(client, f"guess{n}", "nope nope nope", headers={"X-Forwarded-For": "203.0.113.7"})
    assert login(client, "zoe", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    assert login(client, "zoe", headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 200


def test_login_works_again_after_the_window(client, alice, app):
    for _ in range(5):
        login(client, password="nope nope nope")
    assert login(client).status_code == 429
    with app.app_context():
        past = datetime.now(timezone.utc) - timedelta(minutes=15, seconds=1)
        db.session.execute(db.update(LoginAttempt).values(created_at=past))
        db.session.commit()
    assert login(client).status_code == 200


# CLI


def test_cli_create_user_and_token(runner, app, client):
    result = runner.invoke(
        args=["auth", "create-user", "dave", "--password", "longenough", "--staff", "--permission", "4203"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        dave = db.session.scalar(select(User).where(User.username == "dave"))
        assert dave.is_staff and not dave.is_admin and list(dave.permissions) == [4203]
        assert dave.password_hash != "longenough"

    result = runner.invoke(args=["auth", "create-token", "dave", "--name", "laptop"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    me = client.get("/api/auth/me", headers=auth(key)).get_json()
    assert me["username"] == "dave" and me["permissions"] == [4203]


def test_cli_create_user_prompts_for_the_password(runner, app):
    result = runner.invoke(args=["auth", "create-user", "erin", "--admin"], input="longenough\nlongenough\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "erin")).check_password("longenough")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["auth", "create-user", "alice", "--password", "longenough"], "already exists"),
        (["auth", "create-user", "frank", "--password", "longenough", "--permission", "1234"], "1234"),
        (["auth", "create-user", "frank", "--password", "short"], "at least 8"),
        (["auth", "create-token", "nobody"], "No user"),
    ],
)
def test_cli_errors_exit_non_zero(runner, alice, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


class RecordedBody(io.BytesIO):
    """A request body that notes in ``events`` when it is read."""

    def __init__(self, data: bytes, events: list):
        super().__init__(data)
        self.events = events

    def read(self, *args):
        self.events.append("body read")
        return super().read(*args)

    def readinto(self, buffer):
        self.events.append("body read")
        return super().readinto(buffer)


@pytest.mark.parametrize(
    ("path", "code", "content_type", "body", "expected"),
    [
        # A small JSON body is read before the first transaction begins (on SQLite it
        # holds the write lock), which then runs on from the key lookup through the view.
        ("/api/tags", 4402, "application/json", b'{"name": "web"}', ["body read", "begin", "commit"]),
        # A body of unknown length (chunked) may be large: it is read after, too.
        ("/api/tags", 4402, "application/json", None, ["begin", "commit", "body read", "begin", "commit"]),
        # Any other body (an upload) is read after the lookup's transaction ended.
        (
            "/api/media",
            4102,
            "multipart/form-data; boundary=b",
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
            + PDF
            + b"\r\n--b--\r\n",
            ["begin", "commit", "body read", "begin", "commit"],
        ),
    ],
)
def test_no_transaction_is_open_while_a_body_is_read(app, client, path, code, content_type, body, expected):
    with app.app_context():
        engine, key = db.engine, make_token(make_user(staff=True, permissions=[code]))
    client.get("/api/auth/me", headers=auth(key))  # its first use is recorded; not what this is about
    events = []
    listeners = [
        ("begin", lambda conn: events.append("begin")),
        ("commit", lambda conn: events.append("commit")),
    ]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    headers, environ = auth(key), {}
    if body is None:  # sent chunked: no length known, the stream ends the body (gunicorn marks it so)
        body, headers["Transfer-Encoding"], environ["wsgi.input_terminated"] = (
            b'{"name": "web"}',
            "chunked",
            True,
        )
    try:
        response = client.post(
            path,
            input_stream=RecordedBody(body, events),
            content_type=content_type,
            headers=headers,
            environ_overrides=environ,
        )
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    assert response.status_code == 201, response.get_json()
    reads = [index for index, name in enumerate(events) if name == "body read"]
    assert [name for name in events if name != "body read"] == [
        name for name in expected if name != "body read"
    ]
    assert reads[0] == expected.index("body read")
