"""Who may call what: the full matrix per permission family, and a decision on every route."""

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from portfolio_service.auth.models import ApiToken
from portfolio_service.auth.permissions import ANYONE, AUTHENTICATED, Perm, permission
from portfolio_service.extensions import db

from .factories import auth, make_token, make_user

#: One endpoint per permission family: (method, url, code guarding it, JSON body).
#: Anything but 401/403 means "let in" (a 400 for an empty body still proves access).
ENDPOINTS = [
    ("GET", "/api/_test/guarded", Perm.PORTFOLIO_UPDATE, None),
]


@pytest.fixture
def app(app):
    @app.get("/api/_test/guarded")
    @permission(Perm.PORTFOLIO_UPDATE)
    def guarded():
        return {"ok": True}

    return app


def _key(app, case: str, code: Perm) -> str | None:
    """An API key for one row of the matrix (None: no Authorization header)."""
    with app.app_context():
        if case == "anonymous":
            return None
        if case == "bad token":
            return "not-a-real-key"
        kinds = {
            "staff without the code": dict(staff=True, permissions=[p for p in Perm if p != code][:3]),
            "non-staff with the code": dict(staff=False, permissions=[code]),
            "staff with the code": dict(staff=True, permissions=[code]),
            "admin": dict(admin=True),
            "inactive user": dict(staff=True, admin=True, active=False, permissions=[code]),
        }
        user = make_user(**kinds.get(case, dict(admin=True)))
        if case == "expired token":
            return make_token(user, expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
        key = make_token(user)
        if case == "revoked token":
            token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
            token.revoked_at = datetime.now(timezone.utc)
            db.session.commit()
        return key


MATRIX = {
    "anonymous": 401,
    "bad token": 401,
    "expired token": 401,
    "revoked token": 401,
    "inactive user": 401,
    "staff without the code": 403,
    "non-staff with the code": 403,
    "staff with the code": "allowed",
    "admin": "allowed",
}


@pytest.mark.parametrize(
    ("method", "url", "code", "body"), ENDPOINTS, ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS]
)
@pytest.mark.parametrize(("case", "expected"), MATRIX.items(), ids=list(MATRIX))
def test_permission_matrix(app, client, method, url, code, body, case, expected):
    key = _key(app, case, code)
    headers = auth(key) if key else {}
    response = client.open(url, method=method, json=body, headers=headers)
    if expected == "allowed":
        assert response.status_code not in (401, 403), response.get_json()
    else:
        assert response.status_code == expected
        assert response.get_json()["detail"]
    if expected == 401:
        assert response.headers["WWW-Authenticate"] == "Token"


def test_bad_token_on_a_public_route_is_401(client):
    response = client.get("/api/health", headers=auth("nope"))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.get_json() == {"detail": "Invalid token."}


@pytest.mark.parametrize("header", ["Bearer abc", "Token", "Token a b", "token"])
def test_malformed_authorization_header_is_401(client, header):
    response = client.get("/api/health", headers={"Authorization": header})
    assert response.status_code == 401
    assert "Invalid token header" in response.get_json()["detail"]


@pytest.mark.parametrize(("url", "admin_only"), [("/api/auth/users", True), ("/api/auth/me", False)])
def test_admin_and_authenticated_routes(client, headers, url, admin_only):
    assert client.get(url).status_code == 401
    staff_with_everything = headers(*Perm)
    assert client.get(url, headers=staff_with_everything).status_code == (403 if admin_only else 200)
    assert client.get(url, headers=headers(admin=True)).status_code == 200


def test_every_route_declares_who_may_call_it(app):
    """A new view without ``@permission`` fails here, so no endpoint is open by accident."""
    undecided = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if not hasattr(app.view_functions[rule.endpoint], "access")
    ]
    assert undecided == []


def _requests(app):
    """Every (method, url, access) of the URL map, path arguments filled with 1."""
    for rule in app.url_map.iter_rules():
        access = app.view_functions[rule.endpoint].access
        url = re.sub(
            r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: "1" if m[1] != "filename" else "swagger-ui.css", rule.rule
        )
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url, access


def test_every_endpoint_enforces_its_declared_access(app, client, headers):
    """Walks the URL map: anonymous callers and staff without codes are refused wherever a token is needed."""
    checked = 0
    for method, url, access in _requests(app):
        with client.open(url, method=method) as anonymous:
            status = anonymous.status_code
            challenge = anonymous.headers.get("WWW-Authenticate")
        if access is ANYONE:
            assert status not in (401, 403), (method, url)
            continue
        assert (status, challenge) == (401, "Token"), (method, url)
        # A fresh key each time: logout revokes the one it is called with.
        with client.open(url, method=method, headers=headers()) as no_codes:
            if access is AUTHENTICATED:
                assert no_codes.status_code != 403, (method, url)
            else:
                assert no_codes.status_code == 403, (method, url)
                assert no_codes.get_json() == {"detail": "You do not have permission to perform this action."}
        checked += 1
    assert checked > 30  # every protected operation of the API was reached


# Decisions a view makes itself with ``has_permission`` (the URL map's ``@permission``
# says only "anyone"): each gets a test of who sees what.

INACTIVE_READS = [
    "/api/portfolios/{id}",
    "/api/portfolios/slug/hidden-work",
    "/api/portfolios/{id}/links",
    "/api/portfolios/{id}/meta",
]


@pytest.fixture
def hidden(app):
    """An inactive portfolio, and an active one."""
    from .factories import make_portfolio

    with app.app_context():
        make_portfolio("Shown work", slug="shown-work")
        return make_portfolio("Hidden work", slug="hidden-work", is_active=False).id


@pytest.mark.parametrize("url", INACTIVE_READS)
@pytest.mark.parametrize(
    ("caller", "codes", "status"),
    [
        ("anonymous", (), 404),
        ("staff without 4201", (4101, 4202, 4203, 4204), 404),  # even the codes that write it
        ("non-staff with 4201", (4201,), 404),
        ("staff with 4201", (4201,), 200),
        ("admin", (), 200),
    ],
)
def test_inactive_portfolios_are_read_with_4201_only(client, headers, hidden, url, caller, codes, status):
    given = (
        {}
        if caller == "anonymous"
        else headers(*codes, staff=caller != "non-staff with 4201", admin=caller == "admin")
    )
    response = client.get(url.format(id=hidden), headers=given)
    assert response.status_code == status
    if status == 404:
        assert response.get_json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("codes", "admin", "shown"),
    [
        ((4203,), False, ["Shown work"]),  # ?is_active=false is honoured only with 4201
        ((4201,), False, ["Hidden work"]),
        ((), True, ["Hidden work"]),
    ],
)
def test_the_list_shows_and_filters_inactive_portfolios_with_4201_only(
    client, headers, hidden, codes, admin, shown
):
    everyone = client.get("/api/portfolios", headers=headers(*codes, admin=admin)).get_json()
    assert len(everyone["results"]) == (1 if shown == ["Shown work"] else 2)
    filtered = client.get("/api/portfolios?is_active=false", headers=headers(*codes, admin=admin)).get_json()
    assert [p["title"] for p in filtered["results"]] == shown
