"""Section 10 for real: gunicorn, ``flask jobs worker`` processes and a receiver on 127.0.0.1.

Deliveries are checked with the ``standardwebhooks`` package, a verifier nobody here wrote.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from datetime import datetime, timedelta, timezone

import orjson
import pytest
import requests
from standardwebhooks import Webhook as Verifier

from .receiver import receiver
from .servers import admin_headers, gunicorn, server_env
from .test_jobs_worker import start_worker, wait_for

pytestmark = pytest.mark.slow

QUEUES = [
    "sqlite",
    pytest.param(
        "redis",
        marks=pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="make test starts a Redis"),
    ),
]


@contextlib.contextmanager
def service(tmp_path, *worker_options: str, queue: str = "sqlite", **settings: str):
    """gunicorn and one worker, deliveries to 127.0.0.1 allowed; yields (api, worker, env, log)."""
    if queue == "redis":
        import redis

        redis.Redis.from_url(os.environ["TEST_REDIS_URL"]).flushdb()
        settings["JOBS_URL"] = os.environ["TEST_REDIS_URL"]
    env = server_env(tmp_path, WEBHOOK_ALLOW_PRIVATE="1", WEBHOOK_DEBOUNCE_SECONDS="2", **settings)
    with gunicorn(env, workers=1) as (base, _server), open(tmp_path / "worker.log", "w+") as log:
        headers = admin_headers(env)

        def api(method: str, path: str, **kwargs) -> requests.Response:
            return requests.request(method, f"{base}{path}", headers=headers, timeout=15, **kwargs)

        worker = start_worker(env, log, *worker_options)
        try:
            wait_for(lambda: api("GET", "/api/jobs").json()["workers"], what="the worker's heartbeat")
            yield api, worker, env, log
        finally:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=30)
        log.seek(0)
        assert "Traceback" not in log.read()


def hook(api, url: str, events=("*",)) -> dict:
    made = api("POST", "/api/webhooks", json={"url": url, "events": list(events)})
    assert made.status_code == 201, made.text
    return made.json()


def deliveries(api, webhook: dict) -> list[dict]:
    return api("GET", f"/api/webhooks/{webhook['id']}/deliveries").json()["results"]


@pytest.mark.parametrize("queue", QUEUES)
def test_ten_quick_edits_are_one_delivery_that_verifies(tmp_path, queue):
    with service(tmp_path, queue=queue) as (api, _worker, _env, _log), receiver() as site:
        portfolio = api("POST", "/api/portfolios", json={"title": "Harbour"}).json()
        time.sleep(4)  # its "published" goes out (to no webhook) before the webhook exists
        webhook = hook(api, site.url)
        start = time.monotonic()
        for n in range(10):
            assert (
                api("PATCH", f"/api/portfolios/{portfolio['id']}", json={"order": n + 1}).status_code == 200
            )
        assert time.monotonic() - start < 2
        (got,) = site.wait(1, timeout=30)
        time.sleep(3)  # nothing else follows
        assert len(site.got) == 1
        log = wait_for(lambda: (found := deliveries(api, webhook))[0]["attempts"] and found, what="the log")
    assert len(log) == 1 and log[0]["status"] == "succeeded" and len(log[0]["events"]) == 10
    payload = Verifier(webhook["secret"]).verify(got.body, got.headers)
    assert payload["type"] == "batch"
    assert [event["type"] for event in payload["data"]["events"]] == ["portfolio.updated"] * 10
    assert {(event["object_id"], event["slug"]) for event in payload["data"]["events"]} == {
        (portfolio["id"], "harbour")
    }


@pytest.mark.parametrize("queue", QUEUES)
def test_a_receiver_failing_twice_gets_three_attempts_with_growing_waits(tmp_path, queue):
    with (
        service(tmp_path, queue=queue, WEBHOOK_RETRY_SCHEDULE="1,3,9") as (api, *_),
        receiver(500, 500) as site,
    ):
        webhook = hook(api, site.url)
        assert api("POST", f"/api/webhooks/{webhook['id']}/ping").status_code == 202
        got = site.wait(3, timeout=60)
        first, second = got[1].at - got[0].at, got[2].at - got[1].at
        assert 0.9 <= first < second, (first, second)
        assert len({item.headers["webhook-id"] for item in got}) == 1
        log = wait_for(
            lambda: (found := deliveries(api, webhook))[0]["status"] == "succeeded" and found, what="success"
        )
    assert [attempt["status_code"] for attempt in log[0]["attempts"]] == [500, 500, 200]
    assert log[0]["events"][0]["type"] == "ping"


def test_a_receiver_that_never_answers_times_out_while_others_are_served(tmp_path):
    with (
        service(tmp_path, "--threads", "2", WEBHOOK_RETRY_SCHEDULE="600") as (api, *_),
        receiver(None) as silent,
        receiver() as ready,
    ):
        stuck, fine = hook(api, silent.url), hook(api, ready.url)
        api("POST", f"/api/webhooks/{stuck['id']}/ping")
        silent.wait(1)
        started = time.monotonic()
        api("POST", f"/api/webhooks/{fine['id']}/ping")
        ready.wait(1, timeout=8)
        assert time.monotonic() - started < 8  # served while the other hangs
        attempt = wait_for(lambda: deliveries(api, stuck)[0]["attempts"], timeout=30, what="the timeout")[0]
    assert attempt["status_code"] is None and "timed out" in attempt["error"].lower()
    assert 10_000 <= attempt["duration_ms"] < 13_000


def test_an_inactive_portfolio_sends_nothing(tmp_path):
    with service(tmp_path) as (api, *_), receiver() as site:
        hook(api, site.url)
        portfolio = api("POST", "/api/portfolios", json={"title": "Draft work", "is_active": False}).json()
        for n in range(3):
            api("PATCH", f"/api/portfolios/{portfolio['id']}", json={"order": n})
        api("POST", f"/api/portfolios/{portfolio['id']}/links", json={"name": "L"})
        time.sleep(6)
        assert site.got == []


def test_a_scheduled_publish_is_sent_within_a_minute_of_its_time(tmp_path):
    with service(tmp_path) as (api, *_), receiver() as site:
        webhook = hook(api, site.url, events=["portfolio.published"])
        publish_at = (datetime.now(timezone.utc) + timedelta(seconds=5)).replace(microsecond=0)
        made = api(
            "POST", "/api/portfolios", json={"title": "Embargoed", "publish_at": publish_at.isoformat()}
        )
        assert made.status_code == 201
        (got,) = site.wait(1, timeout=70)
        arrived = datetime.now(timezone.utc)
    assert timedelta(0) <= arrived - publish_at < timedelta(seconds=60)
    event = Verifier(webhook["secret"]).verify(got.body, got.headers)["data"]["events"][0]
    assert (event["type"], event["object_id"], event["slug"]) == (
        "portfolio.published",
        made.json()["id"],
        "embargoed",
    )


@pytest.mark.parametrize("queue", QUEUES)
def test_a_worker_killed_mid_delivery_leaves_it_to_be_sent_again(tmp_path, queue):
    with (
        service(tmp_path, queue=queue, WEBHOOK_TIMEOUT="3") as (api, worker, env, log),
        receiver(None) as site,
    ):
        webhook = hook(api, site.url)
        api("POST", f"/api/webhooks/{webhook['id']}/ping")
        site.wait(1)
        os.kill(worker.pid, signal.SIGKILL)  # mid-request: no attempt recorded
        worker.wait()
        assert deliveries(api, webhook)[0]["attempts"] == []
        second = start_worker(env, log)
        try:
            got = site.wait(2, timeout=120)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
    assert got[0].headers["webhook-id"] == got[1].headers["webhook-id"]  # receivers dedupe by it
    Verifier(webhook["secret"]).verify(got[1].body, got[1].headers)
    assert orjson.loads(got[1].body) == orjson.loads(got[0].body)
