"""Login under attack: throttles that hold under concurrency, no lock held by the hash, equal work."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from portfolio_service.auth import login as login_module
from portfolio_service.auth.models import ApiToken, LoginAttempt, User
from portfolio_service.extensions import db

from .factories import PASSWORD, auth, login, make_portfolio, make_token, make_user


@pytest.fixture
def hash_checks(monkeypatch):
    """The hashes each login checked a password against, in order."""
    checked = []
    real = login_module.check_password_hash

    def spy(password_hash, password):
        checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(login_module, "check_password_hash", spy)
    return checked


@pytest.mark.parametrize(
    ("username", "password", "status"),
    [
        ("alice", PASSWORD, 200),
        ("alice", "wrong password", 400),
        ("nobody", PASSWORD, 400),
        ("inactive", PASSWORD, 400),
    ],
)
def test_every_outcome_checks_one_password(app, client, alice, hash_checks, username, password, status):
    """An inactive or unknown user costs what a real one does: timing tells nothing."""
    with app.app_context():
        make_user("inactive", active=False)
    assert login(client, username, password).status_code == status
    assert len(hash_checks) == 1
    assert hash_checks[0].startswith("pbkdf2:sha256:1$")  # the configured method, dummy or real


def test_the_password_is_checked_with_no_write_lock_held(app, alice, monkeypatch):
    """While one login's hash runs, another client's PATCH commits: the login holds no write lock.

    Were the lock held, the PATCH would wait out SQLite's busy timeout and fail
    (or, on PostgreSQL, wait on the row): the hash is held until it answers.
    """
    with app.app_context():
        portfolio_id = make_portfolio("Busy").id
        editor = auth(make_token(db.session.get(User, alice)))
    checking, release = threading.Event(), threading.Event()
    real = login_module.check_password_hash

    def slow_check(password_hash, password):
        checking.set()
        release.wait(30)
        return real(password_hash, password)

    monkeypatch.setattr(login_module, "check_password_hash", slow_check)
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(lambda: login(app.test_client()).status_code)
        assert checking.wait(30)
        try:
            patched = app.test_client().patch(
                f"/api/portfolios/{portfolio_id}", json={"order": 7}, headers=editor
            )
        finally:
            release.set()
        assert pending.result() == 200
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["order"] == 7


def test_concurrent_guesses_cannot_pass_the_failure_limit(app, alice):
    """Twelve wrong passwords at once: exactly five are checked, seven are throttled (both databases)."""
    barrier = threading.Barrier(12)

    def guess(_):
        client = app.test_client()
        barrier.wait(30)
        return login(client, password="wrong password").status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = sorted(pool.map(guess, range(12)))
    assert statuses == [400] * 5 + [429] * 7


def test_successful_logins_are_limited_too(client, alice):
    for _ in range(login_module.THROTTLE_SUCCESSES):
        assert login(client).status_code == 200
    throttled = login(client)
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0


def test_a_user_keeps_at_most_ten_login_keys(app, client, alice, monkeypatch):
    monkeypatch.setattr(login_module, "THROTTLE_SUCCESSES", 100)
    keys = [login(client).get_json()["token"] for _ in range(login_module.MAX_LOGIN_KEYS + 3)]
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.from_login))
        attempts = db.session.scalar(select(func.count()).select_from(LoginAttempt))
    assert stored == login_module.MAX_LOGIN_KEYS
    assert attempts == len(keys)
    assert client.get("/api/auth/me", headers=auth(keys[0])).status_code == 401  # the oldest went
    assert client.get("/api/auth/me", headers=auth(keys[-1])).status_code == 200


def test_usernames_are_matched_whatever_their_case(client, alice):
    response = login(client, "ALICE")
    assert response.status_code == 200
    assert response.get_json()["user"]["username"] == "alice"
