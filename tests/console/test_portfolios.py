"""The console in Chromium: portfolios made and edited, 400s at their fields, a 412 and its dialog.

Each test checks what the browser did through the public API, as any other client would see it.
"""

from __future__ import annotations

import re

import pytest

from .conftest import announced, check, needs_browser, sign_in

pytestmark = needs_browser


def by_slug(server, slug: str) -> dict:
    response = server.api("GET", f"/api/portfolios/slug/{slug}")
    assert response.status_code == 200, response.text
    return response.json()


def open_portfolio(page, title: str) -> None:
    page.goto("/console/#/portfolios")
    page.get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title, level=1).wait_for()


def test_creating_a_portfolio_with_everything_of_the_source_page(page, server):
    sign_in(page)
    check(page, "portfolios")
    page.get_by_role("link", name="New portfolio").click()
    page.get_by_label("Title").fill("Harbour museum site")
    # Left empty, the slug is the server's to make from the title: the field shows what it will be.
    assert page.get_by_label("Slug").get_attribute("placeholder") == "harbour-museum-site"
    page.get_by_label("Excerpt").fill("A site for the harbour museum.")
    page.get_by_label("Completed").fill("2026-05-01")

    page.get_by_role("searchbox", name="Find an employer").fill("Contoso")
    page.get_by_role("button", name="Contoso Bank").click()
    page.get_by_role("searchbox", name="Add a tag").fill("brand")
    page.get_by_role("button", name="branding", exact=True).wait_for()
    page.get_by_role("searchbox", name="Add a tag").press("Enter")  # picks the first match; never submits
    page.get_by_role("list", name="Tags of this portfolio").get_by_text("branding").wait_for()
    assert page.url.endswith("#/portfolios/new")
    page.get_by_role("searchbox", name="Add a tag").fill("Museums")
    page.get_by_role("button", name="Create tag “Museums”").click()
    page.get_by_role("list", name="Tags of this portfolio").get_by_text("Museums").wait_for()

    page.get_by_role("button", name="Choose cover image").click()
    page.get_by_role("dialog", name="Choose an image").get_by_role("button", name="Demo: sunrise.jpg").click()
    page.get_by_role("button", name="Add images").click()
    dialog = page.get_by_role("dialog", name="Add images")
    dialog.get_by_role("button", name="Demo: ocean.jpg").click()
    dialog.get_by_role("button", name="Demo: forest.png").click()
    check(page, "gallery-picker")
    dialog.get_by_role("button", name="Add 2 selected").click()
    check(page, "new-portfolio")
    page.get_by_role("button", name="Create portfolio").click()
    page.get_by_role("heading", name="Harbour museum site", level=1).wait_for()
    assert re.search(r"#/portfolios/\d+$", page.url)

    new_link = page.get_by_role("form", name="New link")
    new_link.get_by_label("Name").fill("Live")
    new_link.get_by_label("URL").fill("https://museum.example.com")
    new_link.get_by_role("button", name="Add link").click()
    page.get_by_role("form", name="Link Live").wait_for()
    new_meta = page.get_by_role("form", name="New meta")
    new_meta.get_by_label("Key").fill("client")
    new_meta.get_by_label("Text value").fill("Harbour Trust")
    new_meta.get_by_role("button", name="Add meta").click()
    page.get_by_role("form", name="Meta client").wait_for()
    check(page, "editor")

    made = by_slug(server, "harbour-museum-site")
    assert (made["title"], made["slug"], made["excerpt"], made["completed_at"]) == (
        "Harbour museum site", "harbour-museum-site", "A site for the harbour museum.", "2026-05-01T00:00:00Z"
    )  # fmt: skip
    assert made["employer_data"]["name"] == "Contoso Bank"
    assert sorted(tag["name"] for tag in made["tags_data"]) == ["Museums", "branding"]
    assert made["image_data"]["name"] == "Demo: sunrise.jpg"
    assert [media["name"] for media in made["images_data"]] == ["Demo: ocean.jpg", "Demo: forest.png"]
    assert [(link["name"], link["url"]) for link in made["links_data"]] == [
        ("Live", "https://museum.example.com")
    ]
    assert [(meta["key"], meta["value_text"]) for meta in made["meta"]] == [("client", "Harbour Trust")]


def test_an_edit_and_a_keyboard_reorder_show_through_the_public_api(page, server):
    # A time of day the date field does not show: an edit elsewhere must not cut it to midnight.
    brand_book = by_slug(server, "brand-book")["id"]
    server.api("PATCH", f"/api/portfolios/{brand_book}", json={"completed_at": "2023-06-01T15:30:00Z"})
    before = by_slug(server, "brand-book")
    sign_in(page)
    open_portfolio(page, "Brand book")
    page.get_by_label("Excerpt").fill("The brand book, reprinted.")
    first = page.locator(".gallery-list li").first
    first.focus()
    first.press("Alt+ArrowRight")  # the first gallery image moves one place later
    announced(page, "moved to position 2 of")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved.").wait_for()

    after = requests_public(server, "brand-book")
    assert after["excerpt"] == "The brand book, reprinted."
    ids = [media["id"] for media in before["images_data"]]
    assert [media["id"] for media in after["images_data"]] == [ids[1], ids[0], *ids[2:]]
    assert after["updated_at"] > before["updated_at"]
    assert after["completed_at"] == "2023-06-01T15:30:00Z"


def requests_public(server, slug: str) -> dict:
    """The portfolio as an anonymous visitor of the public site reads it."""
    response = server.api("GET", f"/api/portfolios/slug/{slug}", headers={})
    assert response.status_code == 200
    return response.json()


def test_a_400_is_shown_at_its_field_and_nothing_changes(page, server):
    before = by_slug(server, "annual-report")
    sign_in(page)
    open_portfolio(page, "Annual report")
    page.get_by_label("Slug").fill("Not A Slug")
    page.get_by_label("Title").fill("Brand book")  # taken
    page.get_by_role("button", name="Save", exact=True).click()
    slug_errors = page.locator('ul.errors[data-field="slug"]')
    slug_errors.wait_for()
    assert slug_errors.inner_text() == "Use lowercase letters, digits and single hyphens."
    assert page.get_by_label("Slug").get_attribute("aria-invalid") == "true"
    title_errors = page.locator('ul.errors[data-field="title"]')
    assert "already exists" in title_errors.inner_text()
    assert page.get_by_label("Title").get_attribute("aria-describedby").endswith("-errors")
    assert announced(page, "Error:", role="alert").startswith("Error: ")
    check(page, "editor-400")
    assert by_slug(server, "annual-report") == before


@pytest.mark.parametrize("choice", ["Overwrite with mine", "Reload theirs (discard mine)"])
def test_a_412_opens_a_dialog_with_the_newer_version(page, server, choice):
    sign_in(page)
    open_portfolio(page, "Showroom kiosk")
    # A second client saves first.
    current = server.api("GET", "/api/portfolios/slug/showroom-kiosk")
    theirs = server.api(
        "PATCH", f"/api/portfolios/{current.json()['id']}",
        json={"excerpt": "Their excerpt."}, headers={**server.headers, "If-Match": current.headers["ETag"]},
    )  # fmt: skip
    assert theirs.status_code == 200
    page.get_by_label("Order").fill("42")
    page.get_by_role("button", name="Save", exact=True).click()
    dialog = page.get_by_role("dialog", name="This portfolio has changed")
    dialog.wait_for()
    row = dialog.get_by_role("row", name=re.compile("^Excerpt"))
    assert "Their excerpt." in row.inner_text()
    check(page, "conflict")
    dialog.get_by_role("button", name=choice).click()
    dialog.wait_for(state="hidden")

    after = by_slug(server, "showroom-kiosk")
    if choice == "Overwrite with mine":
        assert (after["order"], after["excerpt"]) == (42, current.json()["excerpt"])
        page.get_by_text("Saved.").wait_for()
    else:
        assert (after["order"], after["excerpt"]) == (current.json()["order"], "Their excerpt.")
        assert page.get_by_label("Excerpt").input_value() == "Their excerpt."
        # Saving now goes through: the page holds the newer ETag.
        page.get_by_label("Order").fill("7")
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("Saved.").wait_for()
        assert by_slug(server, "showroom-kiosk")["order"] == 7


def test_a_link_saved_after_someone_else_saved_the_fields_opens_the_conflict(page, server):
    """Saving a link moves the ETag: the editor must not then PATCH over a title it never saw."""
    sign_in(page)
    open_portfolio(page, "Catalogue site")
    current = by_slug(server, "catalogue-site")
    server.api("PATCH", f"/api/portfolios/{current['id']}", json={"title": "Catalogue site, relaunched"})
    new_link = page.get_by_role("form", name="New link")
    new_link.get_by_label("Name").fill("Press")
    new_link.get_by_role("button", name="Add link").click()
    dialog = page.get_by_role("dialog", name="This portfolio has changed")
    assert "Catalogue site, relaunched" in dialog.get_by_role("row", name=re.compile("^Title")).inner_text()
    dialog.get_by_role("button", name="Reload theirs (discard mine)").click()
    assert page.get_by_label("Title").input_value() == "Catalogue site, relaunched"
    page.get_by_label("Excerpt").fill("Relaunched in 2026.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved.").wait_for()
    after = by_slug(server, "catalogue-site")
    assert (after["title"], after["excerpt"]) == ("Catalogue site, relaunched", "Relaunched in 2026.")
    assert [link["name"] for link in after["links_data"]][-1] == "Press"
