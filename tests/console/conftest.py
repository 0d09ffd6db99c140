"""Fixtures for the console's browser tests: a real gunicorn with demo data, Debian's Chromium driven by
Playwright, axe-core on every screen, and screenshots to look at (``tests/console/screenshots/``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests

from ..servers import admin_headers, flask, gunicorn, server_env

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "longenough"
#: Chromium's own connections are refused on a machine with no internet: do not make them.
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip

needs_browser = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make test installs it as root)"),
    pytest.mark.skipif(
        not (ROOT / "console" / "dist" / "index.html").exists(),
        reason="the console is not built (make test builds it)",
    ),
]


class Server:
    """The running service: its base URL, and the API as an admin sees it (for checks behind the browser)."""

    def __init__(self, base: str, env: dict, headers: dict):
        self.base, self.env, self.headers = base, env, headers

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("headers", self.headers)
        return requests.request(method, f"{self.base}{path}", timeout=10, **kwargs)

    def user(self, username: str, *codes: int) -> str:
        """A staff user with ``codes``, made as an operator would; its name."""
        flask(self.env, "auth", "create-user", username, "--password", PASSWORD, "--staff",
              *(arg for code in codes for arg in ("--permission", str(code))))  # fmt: skip
        return username


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # Jobs run by `flask jobs run`; webhooks may call the tests' receivers on 127.0.0.1.
    env = server_env(tmp_path_factory.mktemp("console"), JOB_RETRY_DELAY="0", WEBHOOK_ALLOW_PRIVATE="1")
    with gunicorn(env, workers=2) as (base, _process):
        headers = admin_headers(env, "root")
        flask(env, "seed")
        yield Server(base, env, headers)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser context (no key in it) on a desktop-sized window; CSP and script errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server.base)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: message.type == "error"
        and "Content Security Policy" in message.text
        and problems.append(message.text),
    )
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert problems == []


def sign_in(page, username: str = "root", password: str = PASSWORD) -> None:
    page.goto("/console/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def check(page, name: str) -> None:
    """axe-core on the screen as it is: no serious or critical violation; and a screenshot of it."""
    page.wait_for_load_state("networkidle")
    page.evaluate(AXE.read_text())  # through DevTools: the page's CSP allows no injected script tag
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    grave = [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    assert grave == [], f"axe on {name}: {grave}"


def announced(page, text: str, role: str = "status") -> str:
    """Wait until the status line's live region (``status``, or ``alert`` for errors) says ``text``."""
    region = page.locator(".status").get_by_role(role).filter(has_text=text)
    region.wait_for()
    return region.inner_text()
