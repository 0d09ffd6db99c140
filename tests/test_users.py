"""The admins' users API: create, read, update, delete, and what a change does to the user's keys."""

import pytest
from sqlalchemy import select

from portfolio_service.auth.models import User
from portfolio_service.extensions import db

from .factories import auth, login, make_user


def test_admin_creates_reads_updates_and_deletes_a_user(client, admin_headers, app):
    created = client.post(
        "/api/auth/users",
        json={"username": "carol", "password": "s3cret-enough", "is_staff": True, "permissions": [4202]},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.get_json()
    user = created.get_json()
    assert "password" not in user
    assert created.headers["Location"] == f"http://localhost/api/auth/users/{user['id']}"
    assert user["permissions"] == [4202] and user["is_staff"] and not user["is_admin"]
    assert login(client, "carol", "s3cret-enough").status_code == 200

    url = f"/api/auth/users/{user['id']}"
    assert client.get(url, headers=admin_headers).get_json() == user
    patched = client.patch(
        url, json={"permissions": [4203, 4101], "password": "another-one"}, headers=admin_headers
    )
    assert patched.get_json()["permissions"] == [4101, 4203]
    assert login(client, "carol", "another-one").status_code == 200
    assert login(client, "carol", "s3cret-enough").status_code == 400

    assert client.delete(url, headers=admin_headers).status_code == 204
    assert client.get(url, headers=admin_headers).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "carol")) is None


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"username": "x", "password": "longenough", "permissions": [9999]},
            {"permissions": {"0": ["Unknown permission code."]}},
        ),
        (
            {"username": "x", "password": "longenough", "permissions": [4101, 4101]},
            {"permissions": ["Duplicate values: 4101."]},
        ),
        ({"username": "x", "password": "short"}, {"password": ["Length must be between 8 and 256."]}),
        (
            {"username": "bad name", "password": "longenough"},
            {"username": ["Letters, digits and @/./+/-/_ only, at most 150."]},
        ),
        ({"password": "longenough"}, {"username": ["Missing data for required field."]}),
        ({"username": "x", "password": "longenough", "id": 5}, {"id": ["This field is read-only."]}),
        (
            {"username": "x", "password": "longenough", "is_staff": None},
            {"is_staff": ["Field may not be null."]},
        ),
    ],
)
def test_user_validation_errors_change_nothing(client, admin_headers, app, body, errors):
    response = client.post("/api/auth/users", json=body, headers=admin_headers)
    assert response.status_code == 400
    assert response.get_json() == errors
    with app.app_context():
        assert db.session.scalar(select(db.func.count(User.id))) == 1  # just the admin


def test_duplicate_username_is_400(client, admin_headers, alice):
    response = client.post(
        "/api/auth/users", json={"username": "alice", "password": "longenough"}, headers=admin_headers
    )
    assert response.get_json() == {"username": ["A user with this username already exists."]}


def test_renaming_a_user_to_its_own_name_is_fine(client, admin_headers, alice):
    response = client.patch(f"/api/auth/users/{alice}", json={"username": "alice"}, headers=admin_headers)
    assert response.status_code == 200


def test_last_active_admin_cannot_remove_themselves(client, app, admin_headers):
    me = client.get("/api/auth/me", headers=admin_headers).get_json()["id"]
    url = f"/api/auth/users/{me}"
    for change in ({"is_admin": False}, {"is_active": False}):
        response = client.patch(url, json=change, headers=admin_headers)
        assert response.status_code == 400
        assert response.get_json() == {"non_field_errors": ["At least one active admin must remain."]}
    assert client.delete(url, headers=admin_headers).status_code == 400
    assert client.get(url, headers=admin_headers).get_json()["is_admin"] is True

    with app.app_context():
        make_user("second-admin", admin=True)
    assert client.patch(url, json={"is_admin": False}, headers=admin_headers).status_code == 200


def test_a_new_password_revokes_the_users_keys(client, admin_headers, alice, app):
    old_key = login(client).get_json()["token"]
    assert client.get("/api/auth/me", headers=auth(old_key)).status_code == 200
    response = client.patch(
        f"/api/auth/users/{alice}", json={"password": "a-brand-new-one"}, headers=admin_headers
    )
    assert response.status_code == 200
    assert client.get("/api/auth/me", headers=auth(old_key)).status_code == 401
    assert client.get("/api/auth/me", headers=admin_headers).status_code == 200  # the admin's own key stays
    assert login(client, password="a-brand-new-one").status_code == 200


def test_permission_codes_are_listed_with_what_they_allow(client, headers):
    response = client.get("/api/auth/permissions", headers=headers(staff=True))
    assert response.status_code == 200
    codes = response.get_json()["permissions"]
    assert [code["code"] for code in codes] == [
        4101, 4102, 4103, 4104, 4201, 4202, 4203, 4204, 4302, 4303, 4304, 4402, 4403, 4404
    ]  # fmt: skip
    assert codes[6] == {"code": 4203, "allows": "update portfolios (PATCH, PUT) and their links and meta"}
    anonymous = client.get("/api/auth/permissions")
    assert (anonymous.status_code, anonymous.headers["WWW-Authenticate"]) == (401, "Token")
