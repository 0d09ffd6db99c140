"""The server users run is the one that is tested: real gunicorn, real SQLite file."""

import re
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from .servers import flask, gunicorn, server_env

pytestmark = pytest.mark.slow


def test_gunicorn_serves_health_and_docs(tmp_path):
    with gunicorn(server_env(tmp_path), workers=2) as (base, process):
        health = requests.get(f"{base}/api/health", timeout=5)
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "ok", "storage": "ok"}

        docs = requests.get(f"{base}/api/docs", timeout=5)
        assert docs.status_code == 200
        assert "swagger-ui" in docs.text
        bundle = requests.get(f"{base}/api/docs/swagger-ui-bundle.js", timeout=5)
        assert bundle.status_code == 200 and len(bundle.content) > 100_000

        missing = requests.get(f"{base}/nowhere", timeout=5)
        assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}

        workers = re.findall(r"Booting worker with pid: (\d+)", Path(process.log.name).read_text())
        assert len(workers) == 2


def admin_key(env) -> str:
    flask(env, "auth", "create-user", "root", "--password", "longenough", "--admin")
    return flask(env, "auth", "create-token", "root").stdout.strip().splitlines()[-1]


def test_concurrent_writes_through_two_workers(tmp_path):
    """16 PATCHes of one portfolio's tags and 16 tag creations at once: no 5xx, a consistent end."""
    env = server_env(tmp_path)
    with gunicorn(env, workers=2) as (base, _process):
        headers = {"Authorization": f"Token {admin_key(env)}"}
        session = requests.Session()
        tags = [
            session.post(f"{base}/api/tags", json={"name": f"t{i}"}, headers=headers).json()["id"]
            for i in range(4)
        ]
        portfolio = session.post(f"{base}/api/portfolios", json={"title": "Busy"}, headers=headers).json()
        sent = [[tags[i % 4], tags[(i + 1) % 4]] for i in range(16)]

        def patch(tag_ids):
            return requests.patch(
                f"{base}/api/portfolios/{portfolio['id']}",
                json={"tags": tag_ids},
                headers=headers,
                timeout=30,
            )

        def create(i):
            return requests.post(f"{base}/api/tags", json={"name": f"new {i}"}, headers=headers, timeout=30)

        with ThreadPoolExecutor(max_workers=32) as pool:
            patches = list(pool.map(patch, sent))
            creations = list(pool.map(create, range(16)))

        assert [r.status_code for r in patches] == [200] * 16
        assert [r.status_code for r in creations] == [201] * 16
        final = session.get(f"{base}/api/portfolios/{portfolio['id']}").json()
        assert sorted(t["id"] for t in final["tags_data"]) in [sorted(s) for s in sent]
        assert session.get(f"{base}/api/tags?page_size=100").json()["count"] == 20


def test_concurrent_duplicate_names_are_400_not_500(tmp_path):
    env = server_env(tmp_path)
    with gunicorn(env, workers=2) as (base, _process):
        headers = {"Authorization": f"Token {admin_key(env)}"}

        def create(_):
            return requests.post(f"{base}/api/tags", json={"name": "same"}, headers=headers, timeout=30)

        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(pool.map(create, range(8)))
        codes = sorted(r.status_code for r in responses)
        assert codes == [201] + [400] * 7
        assert all(
            r.json() == {"name": ["A tag with this name already exists."]}
            for r in responses
            if r.status_code == 400
        )


class SlowClient:
    """A client that sends its request a few bytes at a time, as a slowloris does."""

    def __init__(self, base: str, request: bytes):
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=5)
        self.remaining = request

    def trickle(self) -> None:
        if self.remaining:
            try:
                self.sock.sendall(self.remaining[:2])
            except OSError:
                return  # the server gave up on us: fine
            self.remaining = self.remaining[2:]


def test_slow_clients_do_not_take_the_default_server_offline(tmp_path):
    """8 clients trickling headers and 2 sending less body than they announced; normal requests go on.

    The default set-up is what ``boot.sh`` runs: gunicorn.conf.py, 2 workers.
    Each normal request may take 10 s at most: a liveness bound, not a speed
    figure (sync workers held them for up to 60 s).
    """
    with gunicorn(server_env(tmp_path), workers=2) as (base, _process):
        headers = (
            b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Padding: " + b"a" * 4000 + b"\r\n\r\n"
        )
        short_body = (
            b"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n" + b'{"username": "' + b"x" * 4000
        )
        slow = [SlowClient(base, headers) for _ in range(8)] + [
            SlowClient(base, short_body) for _ in range(2)
        ]
        try:
            for client in slow:
                client.trickle()
            answers = []
            for _ in range(20):
                for client in slow:
                    client.trickle()
                answers.append(requests.get(f"{base}/api/portfolios", timeout=10).status_code)
            assert answers == [200] * 20
            assert all(client.remaining for client in slow)  # still trickling throughout
        finally:
            for client in slow:
                client.sock.close()


def test_proxy_headers_are_ignored_unless_proxies_are_trusted(tmp_path):
    """With TRUSTED_PROXIES=0 (the default) no X-Forwarded-* or SCRIPT_NAME header changes a URL."""
    with gunicorn(server_env(tmp_path), workers=1) as (base, _process):
        forged = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Prefix": "/evil",
            "SCRIPT_NAME": "/evil",
        }
        response = requests.get(f"{base}/api/openapi.json", headers=forged, timeout=10)
        assert response.status_code == 200
        assert response.json()["servers"] == [{"url": base}]
        listed = requests.get(f"{base}/api/portfolios?page_size=1", headers=forged, timeout=10)
        assert listed.status_code == 200
        evil_host = requests.get(f"{base}/api/portfolios", headers={"Host": "evil.example"}, timeout=10)
        assert evil_host.status_code == 400 and evil_host.json()["detail"].startswith("This server does not")


def test_proxy_headers_are_honoured_from_a_trusted_proxy(tmp_path):
    env = server_env(tmp_path, TRUSTED_PROXIES="1", ALLOWED_HOSTS="api.example.com")
    with gunicorn(env, workers=1) as (base, _process):
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example.com"}
        response = requests.get(f"{base}/api/openapi.json", headers=forwarded, timeout=10)
        assert response.status_code == 200
        assert response.json()["servers"] == [{"url": "https://api.example.com"}]
