"""Section 8's audit log: one entry per write, through every write route and the CLI, no secrets."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from portfolio_service.audit.models import AuditEntry
from portfolio_service.database import utcnow
from portfolio_service.extensions import db

from .factories import PASSWORD, auth, make_token, make_user
from .images import image_bytes

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def entries(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_every_write_route_of_the_url_map_writes_one_entry(app, client, world):
    """Each step is one successful write; a write route with no step here fails the test."""
    with app.app_context():
        admin = make_user("root", admin=True, staff=True)
        admin_id, headers = admin.id, auth(make_token(admin))
        dora_id = make_user("dora", staff=True).id
    pid, ids = world["id"], {}

    def remember(name):
        return lambda body: ids.__setitem__(name, body["id"])

    steps = [
        ("auth.login", "POST", "/api/auth/login", {"json": {"username": "dora", "password": PASSWORD}}, None),
        ("auth.create_token", "POST", "/api/auth/tokens", {"json": {"name": "ci"}}, remember("token")),
        ("auth.revoke_token", "DELETE", lambda: f"/api/auth/tokens/{ids['token']}", {}, None),
        ("auth.create_user", "POST", "/api/auth/users",
         {"json": {"username": "eve", "password": "long-enough-1", "is_staff": True}}, remember("user")),
        ("auth.update_user", "PATCH", lambda: f"/api/auth/users/{ids['user']}",
         {"json": {"permissions": [4101], "password": "long-enough-2"}}, None),
        ("auth.revoke_user_token", "DELETE", lambda: f"/api/auth/users/{ids['user']}/tokens/{ids['eve_token']}",
         {}, None),
        ("auth.delete_user", "DELETE", lambda: f"/api/auth/users/{ids['user']}", {}, None),
        ("media.upload_media", "POST", "/api/media",
         {"data": {"file": (io.BytesIO(image_bytes("PNG")), "a.png")}, "content_type": "multipart/form-data"},
         remember("media")),
        ("media.update_media", "PATCH", lambda: f"/api/media/{ids['media']}", {"json": {"alt": "A"}}, None),
        ("media.remake_variants", "POST", lambda: f"/api/media/{ids['media']}/variants", {}, None),
        ("media.delete_media", "DELETE", lambda: f"/api/media/{ids['media']}", {}, None),
        ("portfolio.create_employer", "POST", "/api/employers", {"json": {"name": "ACME"}}, remember("employer")),
        ("portfolio.update_employer", "PATCH", lambda: f"/api/employers/{ids['employer']}",
         {"json": {"name": "ACME 2"}}, None),
        ("portfolio.delete_employer", "DELETE", lambda: f"/api/employers/{ids['employer']}", {}, None),
        ("portfolio.create_tag", "POST", "/api/tags", {"json": {"name": "red"}}, remember("tag")),
        ("portfolio.update_tag", "PATCH", lambda: f"/api/tags/{ids['tag']}", {"json": {"name": "blue"}}, None),
        ("portfolio.delete_tag", "DELETE", lambda: f"/api/tags/{ids['tag']}", {}, None),
        ("portfolio.create_portfolio", "POST", "/api/portfolios", {"json": {"title": "New"}}, remember("portfolio")),
        ("portfolio.update_portfolio", "PATCH", f"/api/portfolios/{pid}", {"json": {"title": "T2"}}, None),
        ("portfolio.replace_portfolio", "PUT", f"/api/portfolios/{pid}", {"json": {"title": "T3"}}, None),
        ("portfolio.create_link", "POST", f"/api/portfolios/{pid}/links", {"json": {"name": "L"}}, remember("link")),
        ("portfolio.update_link", "PATCH", lambda: f"/api/portfolios/{pid}/links/{ids['link']}",
         {"json": {"name": "L2"}}, None),
        ("portfolio.delete_link", "DELETE", lambda: f"/api/portfolios/{pid}/links/{ids['link']}", {}, None),
        ("portfolio.create_meta", "POST", f"/api/portfolios/{pid}/meta", {"json": {"key": "k"}}, remember("meta")),
        ("portfolio.update_meta", "PATCH", lambda: f"/api/portfolios/{pid}/meta/{ids['meta']}",
         {"json": {"value_text": "v"}}, None),
        ("portfolio.delete_meta", "DELETE", lambda: f"/api/portfolios/{pid}/meta/{ids['meta']}", {}, None),
        ("portfolio.update_draft", "PATCH", f"/api/portfolios/{pid}/draft", {"json": {"excerpt": "d"}}, None),
        ("portfolio.publish_draft", "POST", f"/api/portfolios/{pid}/draft/publish", {}, None),
        ("portfolio.delete_draft", "DELETE", f"/api/portfolios/{pid}/draft", {}, None),
        ("portfolio.restore_revision", "POST", f"/api/portfolios/{pid}/revisions/1/restore", {}, None),
        ("portfolio.create_share_link", "POST", f"/api/portfolios/{pid}/share-links",
         {"json": {"expires_at": (utcnow() + timedelta(days=1)).isoformat()}}, remember("share")),
        ("portfolio.delete_share_link", "DELETE", lambda: f"/api/portfolios/{pid}/share-links/{ids['share']}",
         {}, None),
        ("webhooks.create_webhook", "POST", "/api/webhooks",
         {"json": {"url": "http://93.184.216.34/hook", "events": ["*"]}}, remember("webhook")),
        ("webhooks.update_webhook", "PATCH", lambda: f"/api/webhooks/{ids['webhook']}",
         {"json": {"description": "site"}}, None),
        ("webhooks.ping", "POST", lambda: f"/api/webhooks/{ids['webhook']}/ping", {}, remember("delivery")),
        ("webhooks.redeliver", "POST",
         lambda: f"/api/webhooks/{ids['webhook']}/deliveries/{ids['delivery']}/redeliver", {}, None),
        ("webhooks.delete_webhook", "DELETE", lambda: f"/api/webhooks/{ids['webhook']}", {}, None),
        ("portfolio.delete_portfolio", "DELETE", lambda: f"/api/portfolios/{ids['portfolio']}", {}, None),
        ("auth.logout", "POST", "/api/auth/logout", {}, None),
    ]  # fmt: skip
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if rule.methods & WRITES}
    assert {step[0] for step in steps} == routes, "every write route needs a step here, and an audit entry"

    seen = len(entries(app))
    for endpoint, method, path, kwargs, keep in steps:
        if endpoint == "portfolio.delete_draft":  # publishing removed it: make another
            client.patch(f"/api/portfolios/{pid}/draft", json={"excerpt": "e"}, headers=headers)
            seen += 1
        if endpoint == "auth.revoke_user_token":
            with app.app_context():
                from portfolio_service.auth.models import User

                ids["eve_token"] = _token_id(make_token(db.session.get(User, ids["user"])))
        response = client.open(path() if callable(path) else path, method=method, headers=headers, **kwargs)
        assert response.status_code < 300, (endpoint, response.status_code, response.get_json())
        if keep:
            keep(response.get_json())
        now = entries(app)
        assert len(now) == seen + 1, f"{endpoint} wrote {len(now) - seen} audit entries"
        seen = len(now)
        last = now[-1]
        assert last.user_id == (dora_id if endpoint == "auth.login" else admin_id), endpoint
        assert last.ip == "127.0.0.1", endpoint
    logged = str([(e.action, e.changes) for e in entries(app)])
    for secret in (PASSWORD, "long-enough-1", "long-enough-2", "whsec_"):
        assert secret not in logged


def _token_id(key: str) -> int:
    from portfolio_service.auth.models import ApiToken, hash_key

    return db.session.scalar(select(ApiToken.id).where(ApiToken.key_hash == hash_key(key)))


def test_a_failed_login_is_logged_without_the_password(app, client, alice):
    response = client.post("/api/auth/login", json={"username": "alice", "password": "wrong-password"})
    assert response.status_code == 400
    last = entries(app)[-1]
    assert (last.action, last.object_type, last.object_id, last.user_id) == (
        "login_failed",
        "user",
        alice,
        None,
    )
    assert last.changes == {"username": [None, "alice"]} and "wrong-password" not in str(last.changes)


def test_a_failed_write_leaves_no_entry(app, client, world, headers):
    editor = headers(4203)
    before = len(entries(app))
    assert (
        client.patch(f"/api/portfolios/{world['id']}", json={"tags": [999]}, headers=editor).status_code
        == 400
    )
    assert len(entries(app)) == before


def test_cli_writes_are_logged_with_no_user(app, runner):
    result = runner.invoke(args=["auth", "create-user", "fred", "--password", "a-long-secret", "--staff"])
    assert result.exit_code == 0, result.output
    token = runner.invoke(args=["auth", "create-token", "fred"])
    key = token.output.strip().splitlines()[-1]
    made = entries(app)[-2:]
    assert [(e.action, e.object_type, e.user_id, e.ip) for e in made] == [
        ("create", "user", None, None),
        ("create", "token", None, None),
    ]
    assert made[0].changes["password"] == ["[redacted]", "[redacted]"]
    assert "a-long-secret" not in str(made[0].changes) and key not in str(made[1].changes)


def test_the_log_is_for_admins_newest_first_and_filtered(app, client, world, headers):
    admin = headers(admin=True)
    client.patch(f"/api/portfolios/{world['id']}", json={"title": "A"}, headers=admin)
    client.post("/api/tags", json={"name": "x"}, headers=admin)
    assert client.get("/api/audit", headers=headers(4201, 4202, 4203)).status_code == 403
    everything = client.get("/api/audit", headers=admin).get_json()
    assert [e["object_type"] for e in everything["results"][:2]] == ["tag", "portfolio"]
    only = client.get(f"/api/audit?object_type=portfolio&object_id={world['id']}", headers=admin).get_json()
    assert only["count"] == 1 and only["results"][0]["changes"]["title"] == ["Wordpress site", "A"]
    assert set(only["results"][0]) == {
        "id",
        "at",
        "user",
        "action",
        "object_type",
        "object_id",
        "changes",
        "ip",
    }
    assert client.get("/api/audit?since=2999-01-01", headers=admin).get_json()["count"] == 0
    assert client.get("/api/audit?action=update&user=abc", headers=admin).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == everything["count"]
