"""Who holds which keys: deactivation, admins revoking, limits, and one name per user whatever its case."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from portfolio_service.auth import tokens
from portfolio_service.auth.models import ApiToken, User
from portfolio_service.extensions import db

from .factories import auth, make_token, make_user


@pytest.fixture
def bob(app):
    """A staff user with two keys: ``(id, [key, key])``."""
    with app.app_context():
        user = make_user("bob", staff=True, permissions=[4101])
        return user.id, [make_token(user, name="laptop"), make_token(user, name="ci")]


def test_deactivating_a_user_revokes_every_key_for_good(client, admin_headers, bob):
    user_id, keys = bob
    assert (
        client.patch(
            f"/api/auth/users/{user_id}", json={"is_active": False}, headers=admin_headers
        ).status_code
        == 200
    )
    assert (
        client.patch(
            f"/api/auth/users/{user_id}", json={"is_active": True}, headers=admin_headers
        ).status_code
        == 200
    )
    for key in keys:
        response = client.get("/api/auth/me", headers=auth(key))
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Token"


def test_admins_list_and_revoke_another_users_keys(app, client, admin_headers, bob):
    user_id, keys = bob
    listed = client.get(f"/api/auth/users/{user_id}/tokens", headers=admin_headers)
    assert listed.status_code == 200
    names = [token["name"] for token in listed.get_json()["results"]]
    assert names == ["laptop", "ci"]
    assert all("key" not in token for token in listed.get_json()["results"])

    laptop = listed.get_json()["results"][0]["id"]
    assert (
        client.delete(f"/api/auth/users/{user_id}/tokens/{laptop}", headers=admin_headers).status_code == 204
    )
    assert client.get("/api/auth/me", headers=auth(keys[0])).status_code == 401
    assert client.get("/api/auth/me", headers=auth(keys[1])).status_code == 200
    again = client.delete(f"/api/auth/users/{user_id}/tokens/{laptop}", headers=admin_headers)
    assert again.status_code == 404 and again.get_json() == {"detail": "Not found."}
    with app.app_context():
        assert db.session.get(ApiToken, laptop).revoked_at is not None


def test_only_admins_see_other_users_keys(client, headers, bob):
    user_id, _ = bob
    staff = headers(4101, 4203)
    assert client.get(f"/api/auth/users/{user_id}/tokens", headers=staff).status_code == 403
    assert client.get(f"/api/auth/users/{user_id}/tokens").status_code == 401


def test_a_key_of_another_user_is_not_found_under_this_one(app, client, admin_headers, bob):
    user_id, _ = bob
    with app.app_context():
        other = make_user("other")
        make_token(other)
        other_token = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == other.id))
    response = client.delete(f"/api/auth/users/{user_id}/tokens/{other_token}", headers=admin_headers)
    assert response.status_code == 404


def test_named_keys_are_capped(client, headers, monkeypatch):
    monkeypatch.setattr(tokens, "MAX_API_KEYS", 2)
    caller = headers(4101)  # holds one key already
    assert client.post("/api/auth/tokens", json={"name": "second"}, headers=caller).status_code == 201
    refused = client.post("/api/auth/tokens", json={"name": "third"}, headers=caller)
    assert refused.status_code == 400
    assert refused.get_json() == {"non_field_errors": ["A user holds at most 2 API keys: revoke one first."]}


@pytest.mark.parametrize("name", ["ADMIN", "Admin", "aDmIn"])
def test_usernames_are_unique_whatever_their_case(app, client, admin_headers, name):
    with app.app_context():
        make_user("admin")
        count = len(db.session.scalars(select(User.id)).all())
    response = client.post(
        "/api/auth/users", json={"username": name, "password": "longenough"}, headers=admin_headers
    )
    assert response.status_code == 400
    assert response.get_json() == {"username": ["A user with this username already exists."]}
    with app.app_context():
        assert len(db.session.scalars(select(User.id)).all()) == count


def test_renaming_to_another_case_of_ones_own_name_is_fine(app, client, admin_headers, bob):
    user_id, _ = bob
    response = client.patch(f"/api/auth/users/{user_id}", json={"username": "Bob"}, headers=admin_headers)
    assert response.status_code == 200 and response.get_json()["username"] == "Bob"


def test_the_cli_refuses_a_name_taken_in_another_case(app, runner):
    with app.app_context():
        make_user("admin")
    result = runner.invoke(args=["auth", "create-user", "ADMIN", "--password", "longenough"])
    assert result.exit_code != 0 and "already exists" in result.output


def test_the_database_refuses_a_name_taken_in_another_case(app):
    """The unique index is the backstop for two creates racing past the check."""
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        make_user("admin")
        with pytest.raises(IntegrityError):
            make_user("ADMIN")


def test_two_admins_demoting_each_other_at_once_leave_one(app):
    """The last-admin guard locks the admins' rows: of two crossed demotions, one is refused."""
    for _ in range(10):
        with app.app_context():
            db.session.execute(db.delete(User))
            db.session.commit()
            first, second = make_user(admin=True), make_user(admin=True)
            keys = {first.id: auth(make_token(first)), second.id: auth(make_token(second))}
        barrier = threading.Barrier(2)

        def demote(pair, barrier=barrier, keys=keys):
            actor, target = pair
            client = app.test_client()
            barrier.wait(30)
            return client.patch(f"/api/auth/users/{target}", json={"is_admin": False}, headers=keys[actor])

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(demote, [(first.id, second.id), (second.id, first.id)]))
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses in ([200, 400], [200, 403]), [a.get_json() for a in answers]
        with app.app_context():
            admins = db.session.scalars(select(User.id).where(User.is_admin, User.is_active)).all()
        assert len(admins) == 1
