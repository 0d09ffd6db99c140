"""Section 10 in one process: the webhook endpoints, the SSRF guard, the outbox written with each
change, batching, and signatures a Standard Webhooks library verifies (a real receiver on 127.0.0.1)."""

from __future__ import annotations

import base64
import ipaddress
from datetime import datetime, timedelta, timezone

import orjson
import pytest
from sqlalchemy import select, text, update
from standardwebhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from portfolio_service.audit.models import AuditEntry
from portfolio_service.extensions import db
from portfolio_service.jobs import run_pending
from portfolio_service.webhooks import delivery as sending
from portfolio_service.webhooks import guard
from portfolio_service.webhooks.models import Delivery, OutboxEvent

from .conftest import make_app
from .factories import auth, make_token, make_user
from .receiver import receiver


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path, WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_DEBOUNCE_SECONDS=0.0)


@pytest.fixture
def admin(app):
    with app.app_context():
        return auth(make_token(make_user("root", admin=True)))


def events(app) -> list[tuple[str, str, int]]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
        return [(row.type, row.object_type, row.object_id) for row in rows]


def test_a_webhook_is_made_with_a_secret_shown_once_and_kept_encrypted(app, client, admin):
    made = client.post("/api/webhooks", json={"url": "http://127.0.0.1:9/h", "events": ["*"]}, headers=admin)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert set(body) == {"id", "url", "events", "is_active", "description", "created_at", "secret"}
    assert body["secret"].startswith("whsec_") and len(base64.b64decode(body["secret"][6:])) >= 24
    assert made.headers["Location"].endswith(f"/api/webhooks/{body['id']}")
    read = client.get(f"/api/webhooks/{body['id']}", headers=admin).get_json()
    assert "secret" not in read and read["is_active"] is True
    assert "secret" not in client.get("/api/webhooks", headers=admin).get_json()["results"][0]
    with app.app_context():
        stored = db.session.execute(text("SELECT * FROM webhook")).mappings().one()
        assert body["secret"] not in str(dict(stored)) and body["secret"][6:] not in str(dict(stored))
        entries = db.session.execute(text("SELECT changes FROM audit_entry")).scalars().all()
        assert body["secret"][6:] not in str(entries)
    patched = client.patch(f"/api/webhooks/{body['id']}", json={"is_active": False}, headers=admin)
    assert patched.get_json()["is_active"] is False
    assert client.delete(f"/api/webhooks/{body['id']}", headers=admin).status_code == 204
    assert client.get(f"/api/webhooks/{body['id']}", headers=admin).status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": "ftp://example.com/", "events": ["*"]}, "url"),
        ({"url": "http://127.0.0.1/", "events": ["portfolio.sneezed"]}, "events"),
        ({"url": "http://127.0.0.1/", "events": []}, "events"),
        ({"events": ["*"]}, "url"),
        ({"url": "http://127.0.0.1/", "events": ["*"], "secret": "mine"}, "secret"),
    ],
)
def test_bad_webhooks_are_400s(client, admin, body, field):
    response = client.post("/api/webhooks", json=body, headers=admin)
    assert response.status_code == 400 and field in response.get_json()


def test_only_admins_manage_webhooks(client, headers):
    assert client.get("/api/webhooks", headers=headers(4201, 4202, 4203, 4204)).status_code == 403
    assert client.get("/api/webhooks").status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
        "http://100.100.100.200/latest/meta-data",  # shared address space: a cloud's metadata service
        "http://[fec0::1]/hook",  # site-local
        "http://[2002:a00:1::1]/hook",  # 6to4 carrying 10.0.0.1
        "http://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "http://[::7f00:1]/hook",  # IPv4-compatible 127.0.0.1
    ],
)
def test_private_addresses_are_refused_without_the_setting(tmp_path, url):
    app = make_app(tmp_path)  # WEBHOOK_ALLOW_PRIVATE is off by default
    with app.app_context():
        headers = auth(make_token(make_user("root", admin=True)))
    response = app.test_client().post("/api/webhooks", json={"url": url, "events": ["*"]}, headers=headers)
    assert response.status_code == 400
    assert "WEBHOOK_ALLOW_PRIVATE" in response.get_json()["url"][0]


def test_an_impossible_port_is_a_400_not_a_500(client, admin):
    response = client.post(
        "/api/webhooks", json={"url": "http://93.184.216.34:99999/", "events": ["*"]}, headers=admin
    )
    assert response.status_code == 400 and "url" in response.get_json()


def test_the_audit_log_shows_a_webhook_url_without_its_secret_path(app, client, admin):
    hook_url = "https://user:pw@93.184.216.34/build_hooks/s3cr3t-token?x=1"
    made = client.post("/api/webhooks", json={"url": hook_url, "events": ["*"]}, headers=admin).get_json()
    client.patch(
        f"/api/webhooks/{made['id']}", json={"url": "https://93.184.216.34/other-s3cr3t"}, headers=admin
    )
    client.delete(f"/api/webhooks/{made['id']}", headers=admin)
    with app.app_context():
        logged = [changes.get("url") for changes in db.session.scalars(select(AuditEntry.changes)) if changes]
    assert [url for url in logged if url] == [
        [None, "https://93.184.216.34/…"],
        ["https://93.184.216.34/…", "https://93.184.216.34/…"],
        ["https://93.184.216.34/…", None],
    ]


def test_a_secret_that_no_longer_opens_is_a_failed_attempt_not_a_stuck_delivery(app, client, admin):
    app.config["WEBHOOK_RETRY_SCHEDULE"] = []
    with receiver() as hook:
        made = client.post("/api/webhooks", json={"url": hook.url, "events": ["*"]}, headers=admin).get_json()
        delivery_id = client.post(f"/api/webhooks/{made['id']}/ping", headers=admin).get_json()["id"]
        app.config["SECRET_KEY"] = "rotated"
        with app.app_context():
            sending.deliver(delivery_id)
        assert hook.got == []
    with app.app_context():
        delivery = db.session.get(Delivery, delivery_id)
        assert delivery.status == "failed" and delivery.attempts[0]["error"].startswith("InvalidToken")
        assert delivery.claimed_until is None


def test_a_delivery_whose_attempt_runs_is_not_sent_again_meanwhile(app, client, admin):
    with receiver() as hook:
        made = client.post("/api/webhooks", json={"url": hook.url, "events": ["*"]}, headers=admin).get_json()
        delivery_id = client.post(f"/api/webhooks/{made['id']}/ping", headers=admin).get_json()["id"]
        with app.app_context():
            lease = sending.claim(delivery_id)  # another worker's attempt is running
            assert lease is not None
            client.post(f"/api/webhooks/{made['id']}/deliveries/{delivery_id}/redeliver", headers=admin)
            sending.deliver(delivery_id)  # the redelivery's job: refused while the lease runs
            sending.sweep_webhooks()
        assert hook.got == []


def test_an_ipv4_address_inside_ipv6_is_judged_as_ipv4():
    assert guard._private(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert guard._private(ipaddress.ip_address("::ffff:10.0.0.1"))
    assert not guard._private(ipaddress.ip_address("::ffff:93.184.216.34"))
    assert not guard._private(ipaddress.ip_address("93.184.216.34"))


def test_a_delivery_checks_the_address_again_when_it_connects(app, client, admin):
    """Saved while allowed (think: DNS pointed elsewhere then), refused at delivery: no request is made."""
    with receiver() as hook:
        made = client.post("/api/webhooks", json={"url": hook.url, "events": ["*"]}, headers=admin).get_json()
        ping = client.post(f"/api/webhooks/{made['id']}/ping", headers=admin)
        assert ping.status_code == 202 and ping.get_json()["status"] == "pending"
        app.config["WEBHOOK_ALLOW_PRIVATE"] = False
        with app.app_context():
            sending.deliver(ping.get_json()["id"])
        assert hook.got == []
    attempt = client.get(f"/api/webhooks/{made['id']}/deliveries", headers=admin).get_json()["results"][0][
        "attempts"
    ]
    assert attempt[0]["status_code"] is None and "WEBHOOK_ALLOW_PRIVATE" in attempt[0]["error"]


def world_portfolio(client, admin, **fields) -> dict:
    response = client.post("/api/portfolios", json={"title": "Case", **fields}, headers=admin)
    assert response.status_code == 201
    return response.get_json()


def listen(client, admin, events=("*",)) -> dict:
    made = client.post(
        "/api/webhooks", json={"url": "http://127.0.0.1:9/h", "events": list(events)}, headers=admin
    )
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def test_events_are_written_with_the_change_and_only_for_what_the_public_sees(app, client, admin):
    listen(client, admin)
    live = world_portfolio(client, admin)
    hidden = world_portfolio(client, admin, title="Hidden", is_active=False)
    assert events(app) == [("portfolio.published", "portfolio", live["id"])]
    client.patch(f"/api/portfolios/{live['id']}", json={"excerpt": "x"}, headers=admin)
    client.patch(
        f"/api/portfolios/{hidden['id']}", json={"excerpt": "y"}, headers=admin
    )  # not public: nothing
    client.patch(f"/api/portfolios/{live['id']}", json={"tags": [999]}, headers=admin)  # a 400: nothing
    client.patch(f"/api/portfolios/{live['id']}", json={"excerpt": "x"}, headers=admin)  # no change: nothing
    client.patch(
        f"/api/portfolios/{live['id']}/draft", json={"excerpt": "z"}, headers=admin
    )  # a draft: nothing
    client.patch(f"/api/portfolios/{live['id']}", json={"is_active": False}, headers=admin)
    client.patch(f"/api/portfolios/{hidden['id']}", json={"is_active": True}, headers=admin)
    client.post(f"/api/portfolios/{hidden['id']}/links", json={"name": "L"}, headers=admin)
    tag = client.post("/api/tags", json={"name": "t"}, headers=admin).get_json()
    client.patch(f"/api/tags/{tag['id']}", json={"name": "u"}, headers=admin)
    client.delete(f"/api/portfolios/{hidden['id']}", headers=admin)
    client.delete(f"/api/portfolios/{live['id']}", headers=admin)  # not public any more: nothing
    assert events(app) == [
        ("portfolio.published", "portfolio", live["id"]),
        ("portfolio.updated", "portfolio", live["id"]),
        ("portfolio.unpublished", "portfolio", live["id"]),
        ("portfolio.published", "portfolio", hidden["id"]),
        ("portfolio.updated", "portfolio", hidden["id"]),
        ("tag.updated", "tag", tag["id"]),
        ("portfolio.deleted", "portfolio", hidden["id"]),
    ]
    with app.app_context():
        slugs = db.session.scalars(select(OutboxEvent.slug).where(OutboxEvent.object_type == "portfolio"))
        assert set(slugs) == {"case", "hidden"}


def test_an_event_no_active_webhook_wants_is_not_written(app, client, admin, tmp_path):
    """Known under the version row's lock: a webhook changed by another process counts at once."""
    live = world_portfolio(client, admin)
    url = f"/api/portfolios/{live['id']}"
    client.patch(url, json={"excerpt": "a"}, headers=admin)
    assert events(app) == []  # no webhook at all
    hook = listen(client, admin, ["tag.updated"])
    client.patch(url, json={"excerpt": "b"}, headers=admin)
    assert events(app) == []  # one that wants other events

    other = make_app(tmp_path / "other", create_tables=False, DATABASE_URL=app.config["DATABASE_URL"])
    changed = other.test_client().patch(
        f"/api/webhooks/{hook['id']}", json={"events": ["portfolio.updated"]}, headers=admin
    )
    assert changed.status_code == 200, changed.get_json()
    client.patch(url, json={"excerpt": "c"}, headers=admin)
    assert events(app) == [("portfolio.updated", "portfolio", live["id"])]

    other.test_client().patch(f"/api/webhooks/{hook['id']}", json={"is_active": False}, headers=admin)
    client.patch(url, json={"excerpt": "d"}, headers=admin)
    assert events(app) == [("portfolio.updated", "portfolio", live["id"])]  # inactive: nothing more
    with app.app_context():
        assert db.session.scalar(text("SELECT webhooks_version FROM content_version")) == 3


def test_events_in_one_window_go_out_as_one_signed_delivery(app, client, admin, clock):
    app.config["WEBHOOK_DEBOUNCE_SECONDS"] = 5.0
    with receiver() as hook:
        made = client.post(
            "/api/webhooks", json={"url": hook.url, "events": ["portfolio.updated"]}, headers=admin
        ).get_json()
        client.post("/api/webhooks", json={"url": hook.url, "events": ["tag.updated"]}, headers=admin)
        portfolio = world_portfolio(client, admin)
        for n in range(3):
            client.patch(f"/api/portfolios/{portfolio['id']}", json={"order": n + 1}, headers=admin)
        clock.frozen = datetime.now(timezone.utc) + timedelta(seconds=6)  # the window has closed
        with app.app_context():
            sending.dispatch_events()
            deliveries = db.session.scalars(select(Delivery)).all()
            assert len(deliveries) == 1  # the tag webhook wants none of these
            sending.deliver(deliveries[0].id)
        (got,) = hook.wait(1)
    payload = Verifier(made["secret"]).verify(got.body, got.headers)
    assert payload["type"] == "batch"
    assert [e["type"] for e in payload["data"]["events"]] == ["portfolio.updated"] * 3
    assert {e["slug"] for e in payload["data"]["events"]} == {"case"}
    assert got.headers["webhook-id"].startswith("msg_")

    with pytest.raises(WebhookVerificationError):
        Verifier(made["secret"]).verify(got.body.replace(b"case", b"evil"), got.headers)
    stale = str(int(got.headers["webhook-timestamp"]) - 301)
    with pytest.raises(WebhookVerificationError):
        Verifier(made["secret"]).verify(got.body, {**got.headers, "webhook-timestamp": stale})
    log = client.get(f"/api/webhooks/{made['id']}/deliveries", headers=admin).get_json()["results"]
    assert log[0]["status"] == "succeeded" and log[0]["attempts"][0]["status_code"] == 200
    assert [e["type"] for e in log[0]["events"]] == ["portfolio.updated"] * 3


def test_a_failed_attempt_waits_its_turn_then_is_given_up(app, client, admin):
    app.config["WEBHOOK_RETRY_SCHEDULE"] = [0.0, 0.0]
    with receiver(500, 503, 500) as hook:
        made = client.post("/api/webhooks", json={"url": hook.url, "events": ["*"]}, headers=admin).get_json()
        delivery_id = client.post(f"/api/webhooks/{made['id']}/ping", headers=admin).get_json()["id"]
        with app.app_context():
            for _ in range(4):
                sending.deliver(delivery_id)  # the fourth finds it failed, and sends nothing
        hook.wait(3)
        assert len(hook.got) == 3
    ids = {got.headers["webhook-id"] for got in hook.got}
    assert len(ids) == 1  # one message, tried three times
    log = client.get(f"/api/webhooks/{made['id']}/deliveries", headers=admin).get_json()["results"][0]
    assert log["status"] == "failed" and [a["status_code"] for a in log["attempts"]] == [500, 503, 500]
    redone = client.post(f"/api/webhooks/{made['id']}/deliveries/{delivery_id}/redeliver", headers=admin)
    assert redone.status_code == 202 and redone.get_json()["status"] == "pending"


def test_a_redirect_is_not_followed(app, client, admin):
    with receiver(302) as hook:
        made = client.post("/api/webhooks", json={"url": hook.url, "events": ["*"]}, headers=admin).get_json()
        delivery_id = client.post(f"/api/webhooks/{made['id']}/ping", headers=admin).get_json()["id"]
        with app.app_context():
            sending.deliver(delivery_id)
        hook.wait(1)
    with app.app_context():
        delivery = db.session.get(Delivery, delivery_id)
        assert delivery.attempts[0]["status_code"] == 302 and delivery.status == "pending"  # a retry waits


def test_the_sweep_batches_events_the_queue_missed(app, client, admin):
    with receiver() as hook:
        client.post("/api/webhooks", json={"url": hook.url, "events": ["*"]}, headers=admin)
        world_portfolio(client, admin)
        long_ago = datetime.now(timezone.utc) - timedelta(minutes=5)
        with app.app_context():
            db.session.execute(update(OutboxEvent).values(at=long_ago))
            db.session.commit()
        app.extensions["jobs"].huey.flush()  # the queued batch is lost
        with app.app_context():
            sending.sweep_webhooks()
        assert run_pending(app) == 2  # the batch, then its delivery
        got = hook.wait(1)
    assert orjson.loads(got[0].body)["data"]["events"][0]["type"] == "portfolio.published"
