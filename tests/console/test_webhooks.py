"""The console in Chromium: an admin makes a webhook (its secret shown once), pings it, reads the
delivery log with its attempts, redelivers, edits and deletes it; a real receiver on 127.0.0.1 checks
the signatures with the ``standardwebhooks`` package."""

from __future__ import annotations

from standardwebhooks import Webhook as Verifier

from ..receiver import receiver
from ..servers import flask
from .conftest import announced, check, needs_browser, sign_in

pytestmark = needs_browser


def test_an_admin_makes_pings_reads_the_log_redelivers_and_deletes_a_webhook(page, server):
    with receiver() as site:
        sign_in(page)
        page.get_by_role("link", name="Webhooks").click()
        form = page.get_by_role("form", name="New webhook")
        form.get_by_label("URL").fill(site.url)
        form.get_by_label("Description").fill("Netlify build hook")
        form.get_by_label("All events").uncheck()
        form.get_by_label("portfolio.published").check()
        form.get_by_label("portfolio.updated").check()
        form.get_by_role("button", name="Make webhook").click()
        announced(page, "Webhook made.")
        secret = page.locator("#new-secret").inner_text()
        assert secret.startswith("whsec_")
        check(page, "webhooks")
        made = server.api("GET", "/api/webhooks").json()["results"][-1]
        assert (made["url"], made["events"]) == (site.url, ["portfolio.published", "portfolio.updated"])
        assert "secret" not in made

        page.get_by_role("link", name=site.url).click()
        page.get_by_role("button", name="Send a ping").click()
        announced(page, "Ping sent.")
        flask(server.env, "jobs", "run")
        (got,) = site.wait(1)
        assert Verifier(secret).verify(got.body, got.headers)["data"]["events"][0]["type"] == "ping"
        page.get_by_role("button", name="Refresh the log").click()
        log = page.get_by_role("table", name="Deliveries, newest first")
        log.get_by_role("row").filter(has_text="succeeded").filter(has_text=": 200 (").wait_for()
        check(page, "webhook-log")

        page.get_by_role("button", name="Redeliver").first.click()
        announced(page, "Delivery queued again.")
        flask(server.env, "jobs", "run")
        again = site.wait(2)[1]
        assert again.headers["webhook-id"] == got.headers["webhook-id"]
        Verifier(secret).verify(again.body, again.headers)

        edit = page.get_by_role("form", name="Edit webhook")
        edit.get_by_label("Active").uncheck()
        edit.get_by_role("button", name="Save webhook").click()
        announced(page, "Webhook saved.")
        assert server.api("GET", f"/api/webhooks/{made['id']}").json()["is_active"] is False

        page.get_by_role("button", name="Delete webhook").click()
        page.get_by_role("dialog", name="Delete this webhook?").get_by_role(
            "button", name="Delete webhook"
        ).click()
        announced(page, "Webhook deleted.")
        assert server.api("GET", f"/api/webhooks/{made['id']}").status_code == 404
