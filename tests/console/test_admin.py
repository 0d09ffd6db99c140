"""The console in Chromium: signing in and out, the media library, what a restricted user is offered,
users and API keys. What the browser did is checked through the public API."""

from __future__ import annotations

import requests

from ..images import image_bytes
from .conftest import check, needs_browser, sign_in

pytestmark = needs_browser

KEY = "portfolio-console-key"


def test_sign_in_keeps_the_key_in_the_tab_and_sign_out_revokes_it(page, server):
    page.goto("/console/")
    check(page, "sign-in")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Unable to log in with provided credentials.").wait_for()
    check(page, "sign-in-error")

    sign_in(page)
    key = page.evaluate(f"sessionStorage.getItem('{KEY}')")
    assert page.evaluate(f"localStorage.getItem('{KEY}')") is None
    assert page.context.cookies() == []
    me = requests.get(f"{server.base}/api/auth/me", headers={"Authorization": f"Token {key}"}, timeout=10)
    assert me.json()["username"] == "root"

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.evaluate(f"sessionStorage.getItem('{KEY}')") is None
    after = requests.get(f"{server.base}/api/auth/me", headers={"Authorization": f"Token {key}"}, timeout=10)
    assert after.status_code == 401


def test_uploading_many_files_then_deleting_a_media_in_use(page, server, tmp_path):
    sign_in(page)
    page.goto("/console/#/media")
    page.get_by_role("heading", name="Media library").wait_for()
    files = []
    for name in ("dock-1.jpg", "dock-2.jpg", "dock-3.jpg"):
        (tmp_path / name).write_bytes(image_bytes("JPEG", (640, 480)))
        files.append(tmp_path / name)
    page.get_by_label("Upload files").set_input_files(files)
    for name in ("dock-1.jpg", "dock-2.jpg", "dock-3.jpg"):
        page.get_by_role("progressbar", name=f"Upload of {name}").wait_for()
    page.get_by_role("form", name="Details of dock-3.jpg").wait_for()
    uploaded = server.api("GET", "/api/media", params={"search": "dock-"}).json()
    assert sorted(media["name"] for media in uploaded["results"]) == [
        "dock-1.jpg",
        "dock-2.jpg",
        "dock-3.jpg",
    ]

    # Name and alt text edited in place.
    tile = page.get_by_role("form", name="Details of dock-1.jpg")
    tile.get_by_label("Alt text").fill("Cranes at the dock")
    tile.get_by_role("button", name="Save").click()
    page.get_by_text("dock-1.jpg saved.").wait_for()
    dock = next(media for media in uploaded["results"] if media["name"] == "dock-1.jpg")
    assert server.api("GET", f"/api/media/{dock['id']}").json()["alt"] == "Cranes at the dock"
    check(page, "media")

    portfolio = server.api("POST", "/api/portfolios", json={"title": "Dockside", "image": dock["id"]}).json()
    page.reload()
    page.get_by_role("form", name="Details of dock-1.jpg").get_by_role("button", name="Delete").click()
    page.get_by_role("dialog", name="Delete dock-1.jpg?").get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog", name="This media is still used")
    dialog.get_by_role("link", name=f"portfolio {portfolio['id']}").wait_for()
    assert "(image)" in dialog.inner_text()
    check(page, "media-references")
    assert server.api("GET", f"/api/media/{dock['id']}").status_code == 200  # nothing deleted yet
    dialog.get_by_role("button", name="Delete anyway").click()
    page.get_by_text("dock-1.jpg deleted.").wait_for()

    unused = next(media for media in uploaded["results"] if media["name"] == "dock-2.jpg")
    page.get_by_role("form", name="Details of dock-2.jpg").get_by_role("button", name="Delete").click()
    confirm = page.get_by_role("dialog", name="Delete dock-2.jpg?")
    confirm.get_by_role("button", name="Keep it").click()
    assert server.api("GET", f"/api/media/{unused['id']}").status_code == 200
    page.get_by_role("form", name="Details of dock-2.jpg").get_by_role("button", name="Delete").click()
    confirm.get_by_role("button", name="Delete").click()
    page.get_by_text("dock-2.jpg deleted.").wait_for()
    assert server.api("GET", f"/api/media/{unused['id']}").status_code == 404
    assert server.api("GET", f"/api/media/{dock['id']}").status_code == 404
    assert server.api("GET", f"/api/portfolios/{portfolio['id']}").json()["image_data"] is None


def test_a_user_with_only_4203_is_offered_no_delete_and_no_upload(page, server):
    editor = server.user("eddie", 4203)
    sign_in(page, editor)
    sections = page.get_by_role("navigation", name="Sections").inner_text()
    assert "Media" not in sections and "Users" not in sections
    assert page.get_by_role("link", name="New portfolio").count() == 0
    check(page, "portfolios-4203")

    page.get_by_role("link", name="Mobile ordering app").click()
    page.get_by_role("button", name="Save", exact=True).wait_for()
    assert page.get_by_role("button", name="Delete portfolio").count() == 0
    assert page.get_by_role("button", name="Choose cover image").count() == 0  # the library needs 4101
    assert page.get_by_role("button", name="Add images").count() == 0
    assert page.get_by_label("Upload files").count() == 0
    page.get_by_role("searchbox", name="Add a tag").fill("no such tag")
    assert page.get_by_role("button", name="Create tag “no such tag”").count() == 0  # needs 4402
    page.get_by_label("Excerpt").fill("Edited by Eddie.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Saved.").wait_for()
    assert (
        server.api("GET", "/api/portfolios/slug/mobile-ordering-app").json()["excerpt"] == "Edited by Eddie."
    )
    check(page, "editor-4203")

    page.goto("/console/#/tags")
    page.get_by_role("heading", name="Tags").wait_for()
    assert page.get_by_text("New tag").count() == 0
    assert page.get_by_role("button", name="Delete").count() == 0
    page.goto("/console/#/media")
    page.get_by_role("heading", name="Not found").wait_for()


def test_an_api_key_is_shown_once_and_revoked(page, server):
    sign_in(page)
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("deploy hook")
    page.get_by_role("button", name="Make key").click()
    key = page.locator("#new-key").inner_text()
    headers = {"Authorization": f"Token {key}"}
    assert requests.get(f"{server.base}/api/auth/me", headers=headers, timeout=10).status_code == 200
    check(page, "keys")
    page.get_by_role("button", name="Done").click()
    assert page.locator("#new-key").count() == 0  # shown once

    page.get_by_role("button", name="Revoke deploy hook").click()
    page.get_by_role("dialog", name="Revoke this key?").get_by_role("button", name="Revoke key").click()
    page.get_by_text("Key deploy hook revoked.").wait_for()
    assert requests.get(f"{server.base}/api/auth/me", headers=headers, timeout=10).status_code == 401
    page.get_by_role("cell", name="deploy hook", exact=True).wait_for(state="detached")
    tokens = server.api("GET", "/api/auth/tokens").json()["results"]
    assert "deploy hook" not in [token["name"] for token in tokens]


def test_an_admin_gives_a_new_user_permission_codes(page, server):
    sign_in(page)
    page.get_by_role("link", name="Users").click()
    page.get_by_text("New user").click()
    form = page.get_by_role("form", name="new user")
    form.get_by_label("Username").fill("writer")
    form.get_by_label("Password").fill("a long password")
    form.get_by_label("4202 create portfolios").check()
    form.get_by_label("4203 update portfolios (PATCH, PUT) and their links and meta").check()
    check(page, "users")
    form.get_by_role("button", name="Create user").click()
    page.get_by_role("heading", name="writer").wait_for()
    users = server.api("GET", "/api/auth/users").json()["results"]
    writer = next(user for user in users if user["username"] == "writer")
    assert (writer["is_staff"], writer["is_admin"], writer["permissions"]) == (True, False, [4202, 4203])
