"""The console in Chromium: the publishing window, a draft published, a revision restored, a preview
link opened with no key, and the audit log; each result checked through the public API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import requests
from playwright.sync_api import expect

from .conftest import announced, check, needs_browser, sign_in

pytestmark = needs_browser


def made(server, title: str) -> dict:
    response = server.api("POST", "/api/portfolios", json={"title": title, "excerpt": "first"})
    assert response.status_code == 201, response.text
    return response.json()


def anonymous(server, portfolio: dict) -> requests.Response:
    return requests.get(f"{server.base}/api/portfolios/{portfolio['id']}", timeout=10)


def minute(delta: timedelta) -> str:
    """A datetime-local value (UTC), ``delta`` from now."""
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M")


def edit(page, portfolio: dict) -> None:
    page.goto(f"/console/#/portfolios/{portfolio['id']}")
    page.get_by_role("heading", name=portfolio["title"], level=1).wait_for()


def test_a_publishing_window_set_in_the_editor_hides_the_portfolio_until_it_opens(page, server):
    portfolio = made(server, "Embargoed case study")
    sign_in(page)
    edit(page, portfolio)
    later = minute(timedelta(days=2))
    page.get_by_label("Publish at", exact=True).fill(later)
    check(page, "publish-window")
    page.get_by_role("button", name="Save", exact=True).click()
    announced(page, "Saved.")
    assert anonymous(server, portfolio).status_code == 404
    stored = server.api("GET", f"/api/portfolios/{portfolio['id']}").json()
    assert stored["publish_at"] == f"{later}:00Z"

    page.get_by_label("Publish at", exact=True).fill(minute(timedelta(minutes=-5)))
    page.get_by_label("Unpublish at").fill(minute(timedelta(minutes=-10)))
    page.get_by_role("button", name="Save", exact=True).click()
    announced(page, "unpublish_at: Must be after publish_at.", role="alert")
    page.get_by_label("Unpublish at").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    announced(page, "Saved.")
    assert anonymous(server, portfolio).status_code == 200


def test_a_draft_saved_aside_then_published(page, server):
    portfolio = made(server, "Harbour rebrand")
    live = anonymous(server, portfolio)
    sign_in(page)
    edit(page, portfolio)
    page.get_by_label("Excerpt").fill("A calmer, bluer harbour.")
    page.get_by_role("button", name="Save as draft").click()
    announced(page, "Draft saved. The live portfolio is unchanged.")
    page.get_by_text("You are editing the draft.").wait_for()
    check(page, "draft")
    again = anonymous(server, portfolio)
    assert again.content == live.content and again.headers["ETag"] == live.headers["ETag"]
    draft = server.api("GET", f"/api/portfolios/{portfolio['id']}/draft").json()
    assert draft["excerpt"] == "A calmer, bluer harbour." and draft["has_draft"] is True

    page.reload()  # a new visit: the editor says a draft is waiting
    page.get_by_text("This portfolio has a draft that is not published yet.").wait_for()
    page.get_by_role("button", name="Publish draft").click()
    announced(page, "Draft published.")
    assert anonymous(server, portfolio).json()["excerpt"] == "A calmer, bluer harbour."
    assert server.api("GET", f"/api/portfolios/{portfolio['id']}/draft").status_code == 404


def test_two_revisions_compared_side_by_side_and_one_restored(page, server):
    portfolio = made(server, "Orchard cidery")
    path = f"/api/portfolios/{portfolio['id']}"
    server.api("PATCH", path, json={"excerpt": "second"})
    server.api("PATCH", path, json={"excerpt": "third", "title": "Orchard cidery shop"})
    sign_in(page)
    page.goto(f"/console/#/portfolios/{portfolio['id']}")
    page.get_by_role("heading", name="Orchard cidery shop", level=1).wait_for()
    page.get_by_role("checkbox", name="Compare revision 1").check()
    page.get_by_role("checkbox", name="Compare revision 3").check()
    diff = page.get_by_role("table", name="Revision 1 and revision 3, side by side")
    diff.get_by_role("row").filter(has_text="Orchard cidery shop").filter(has_text="(differs)").wait_for()
    check(page, "revisions")
    page.get_by_role("button", name="Restore revision 1").click()
    page.get_by_role("dialog", name="Restore revision 1?").get_by_role("button", name="Restore").click()
    announced(page, "Revision 1 restored.")
    page.get_by_role("heading", name="Orchard cidery", level=1).wait_for()
    now = server.api("GET", path).json()
    assert (now["title"], now["excerpt"]) == ("Orchard cidery", "first")
    latest = server.api("GET", f"{path}/revisions").json()["results"][0]
    assert (latest["number"], latest["action"]) == (4, "restore")


def test_a_preview_link_opens_the_draft_in_a_browser_with_no_key(page, server, browser):
    portfolio = made(server, "Quiet library")
    server.api("PATCH", f"/api/portfolios/{portfolio['id']}", json={"is_active": False})
    server.api("PATCH", f"/api/portfolios/{portfolio['id']}/draft", json={"excerpt": "For the client's eyes"})
    sign_in(page)
    edit(page, portfolio)
    form = page.get_by_role("form", name="New preview link")
    form.get_by_label("Uses (empty: no limit)").fill("1")
    form.get_by_role("button", name="Make preview link").click()
    announced(page, "Preview link made.")
    url = page.locator("#new-preview-link").inner_text()
    check(page, "preview-links")

    stranger = browser.new_context()
    try:
        visit = stranger.new_page()
        response = visit.goto(url)
        assert response.status == 200 and response.headers["x-robots-tag"] == "noindex"
        assert json.loads(visit.locator("body").inner_text())["excerpt"] == "For the client's eyes"
        assert visit.goto(url).status == 404  # its one use is spent
    finally:
        stranger.close()
    links = server.api("GET", f"/api/portfolios/{portfolio['id']}/share-links").json()["results"]
    assert (links[0]["uses"], links[0]["max_uses"]) == (1, 1)


def test_admins_read_the_audit_log_filtered(page, server):
    portfolio = made(server, "Audited atelier")
    server.api("PATCH", f"/api/portfolios/{portfolio['id']}", json={"excerpt": "changed"})
    sign_in(page)
    page.get_by_role("link", name="Audit log").click()
    filters = page.get_by_role("search", name="Filter the audit log")
    filters.get_by_label("Object type").fill("portfolio")
    filters.get_by_label("Object id").fill(str(portfolio["id"]))
    filters.get_by_role("button", name="Filter").click()
    rows = page.get_by_role("table", name="Audit entries, newest first").get_by_role("row")
    expect(rows).to_have_count(3)  # the header, the update, the create
    rows.filter(has_text="excerpt: first → changed").wait_for()
    assert "object_type=portfolio" in page.url
    check(page, "audit")
