"""The server users run is the one that is tested: real gunicorn, real SQLite file."""

import re
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
