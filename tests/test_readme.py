"""The README's walk-through and the source page's examples, run against the real gunicorn."""

from __future__ import annotations

import ast
import os
import re
import subprocess

import pytest
import requests

from .servers import BIN, ROOT, flask, gunicorn, server_env
from .shapes import PORTFOLIO_KEYS

pytestmark = pytest.mark.slow

README = (ROOT / "README.md").read_text()
DOCUMENTED_BASE = "http://127.0.0.1:8000"


def block(name: str) -> str:
    """The fenced code between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    section = re.search(rf"<!-- {name}:start -->\n```\w+\n(.*?)```\n<!-- {name}:end -->", README, re.S)
    assert section, name
    return section[1]


@pytest.fixture
def demo_server(tmp_path):
    """gunicorn on a seeded instance, with the admin password and key that first-run printed."""
    env = server_env(tmp_path, PORTFOLIO_ENV="development")
    flask(env, "db", "upgrade")
    printed = flask(env, "first-run").stdout
    password = re.search(r"password:\s+(\S+)", printed)[1]
    key = re.search(r"API key:\s+(\S+)", printed)[1]
    with gunicorn(env, workers=2) as (base, _process):
        yield base, password, key


def run_in(tmp_path, args, **kwargs):
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    if not (work / ".venv").exists():
        os.symlink(ROOT / ".venv", work / ".venv")
    return subprocess.run(args, cwd=work, capture_output=True, text=True, timeout=120, **kwargs)


def test_walkthrough_runs(demo_server, tmp_path):
    base, password, _key = demo_server
    script = "set -euo pipefail\n" + block("walkthrough").replace(DOCUMENTED_BASE, base)
    result = run_in(tmp_path, ["bash", "-c", script], env={**os.environ, "PASSWORD": password})
    assert result.returncode == 0, result.stderr + result.stdout
    portfolio = requests.get(f"{base}/api/portfolios/slug/wordpress-site", timeout=5).json()
    assert portfolio["excerpt"] == "Rebuilt in 2025"
    assert portfolio["image_data"]["name"] == "Team photo"
    assert portfolio["image_data"]["width"] == 1200


def test_source_page_examples_run(demo_server, tmp_path):
    base, _password, key = demo_server
    code = block("requests").replace(DOCUMENTED_BASE, base).replace("<your_api_key>", key)
    result = run_in(tmp_path, [str(BIN / "python"), "-c", code])
    assert result.returncode == 0, result.stderr
    printed = [ast.literal_eval(line) for line in result.stdout.splitlines()]
    assert len(printed) == 3
    assert all(list(body) == PORTFOLIO_KEYS for body in printed)
    renamed, with_image, without_image = printed
    assert renamed["title"] == "DjangoSite"
    assert with_image["image_data"]["type"].startswith("image/")
    assert without_image["image_data"] is None
    assert requests.get(f"{base}/api/portfolios/{renamed['id']}", timeout=5).json()["title"] == "DjangoSite"
