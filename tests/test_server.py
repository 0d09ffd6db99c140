"""The server users run is the one that is tested: real gunicorn, real SQLite file."""

import re
from pathlib import Path

import pytest
import requests

from .servers import gunicorn, server_env

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
