"""/api/docs renders in a real headless Chromium, with no network beyond the server itself."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .servers import gunicorn, server_env

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (make test installs it with apt-get as root)"
)
def test_docs_page_renders_every_operation(tmp_path):
    with gunicorn(server_env(tmp_path), workers=1) as (base, _process):
        dom = subprocess.run(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tmp_path / 'chromium'}", "--virtual-time-budget=10000", "--dump-dom",
                f"{base}/api/docs",
            ],
            capture_output=True, text=True, timeout=120,
        ).stdout  # fmt: skip
    # Swagger UI drew the page from the OpenAPI document: operations and the Authorize button.
    assert 'class="swagger-ui"' in dom
    assert "/api/portfolios/{portfolio_id}" in dom
    assert dom.count('class="opblock-summary-method"') >= 40
    assert "Authorize" in dom
