"""Section 8: the publishing window at the second, drafts, revisions and restore, preview links."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portfolio_service.audit.models import AuditEntry
from portfolio_service.extensions import db
from portfolio_service.portfolio.documents import current_versions
from portfolio_service.portfolio.publishing import schedule
from portfolio_service.portfolio.publishing.models import Draft, Revision, ShareLink

from .conftest import make_app

NOON = datetime(2026, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
HALF = timedelta(milliseconds=500)


def url(world, rest: str = "") -> str:
    return f"/api/portfolios/{world['id']}{rest}"


def public_reads(client, world) -> list[int]:
    """Status of every anonymous read that shows the portfolio: detail, slug, list, links, meta."""
    listed = client.get("/api/portfolios").get_json()["results"]
    return [
        client.get(url(world)).status_code,
        client.get("/api/portfolios/slug/wordpress-site").status_code,
        200 if any(p["id"] == world["id"] for p in listed) else 404,
        client.get(url(world, "/links")).status_code,
        client.get(url(world, "/meta")).status_code,
    ]


def test_the_window_opens_and_closes_at_the_stated_second(client, world, editor, clock):
    clock.frozen = NOON - timedelta(hours=1)
    window = {"publish_at": "2026-06-01T12:00:00Z", "unpublish_at": "2026-06-01T13:00:00Z"}
    patched = client.patch(url(world), json=window, headers=editor)
    assert patched.status_code == 200
    assert (patched.get_json()["publish_at"], patched.get_json()["unpublish_at"]) == tuple(window.values())
    assert public_reads(client, world) == [404] * 5  # the documents are cached from here on
    clock.frozen = NOON - HALF
    assert public_reads(client, world) == [404] * 5
    clock.frozen = NOON + HALF
    assert public_reads(client, world) == [200] * 5
    clock.frozen = NOON + timedelta(hours=1) - HALF
    assert public_reads(client, world) == [200] * 5
    clock.frozen = NOON + timedelta(hours=1)
    assert public_reads(client, world) == [404] * 5
    # Editors with 4201 still see it, and the document says why the public does not.
    assert client.get(url(world), headers=editor).get_json()["unpublish_at"] == "2026-06-01T13:00:00Z"


@pytest.mark.parametrize(
    "body",
    [
        {"publish_at": "2026-06-01T12:00:00Z", "unpublish_at": "2026-06-01T12:00:00Z"},
        {"publish_at": "2026-06-01T12:00:00Z", "unpublish_at": "2026-06-01T11:00:00Z"},
    ],
)
def test_an_unpublish_not_after_the_publish_is_a_400(client, world, editor, body):
    response = client.patch(url(world), json=body, headers=editor)
    assert response.status_code == 400
    assert response.get_json() == {"unpublish_at": ["Must be after publish_at."]}
    assert client.get(url(world), headers=editor).get_json()["publish_at"] is None


def test_the_window_is_checked_against_the_stored_half(client, world, editor):
    assert (
        client.patch(url(world), json={"publish_at": "2026-06-01T12:00:00Z"}, headers=editor).status_code
        == 200
    )
    response = client.patch(url(world), json={"unpublish_at": "2026-06-01T11:59:59Z"}, headers=editor)
    assert response.status_code == 400 and "unpublish_at" in response.get_json()


def test_the_boundary_job_sends_published_and_unpublished(app, client, world, editor, clock):
    sent = []
    with schedule.published.connected_to(lambda _s, **kw: sent.append(("published", kw["portfolio_id"]))):
        with schedule.unpublished.connected_to(
            lambda _s, **kw: sent.append(("unpublished", kw["portfolio_id"]))
        ):
            clock.frozen = NOON - timedelta(minutes=5)
            client.patch(url(world), json={"publish_at": "2026-06-01T12:00:00Z"}, headers=editor)
            assert sent == [("unpublished", world["id"])]  # the write itself hid it
            with app.app_context():
                schedule.find_schedule_boundaries()  # the first look sets the mark
                clock.frozen = NOON - HALF
                schedule.find_schedule_boundaries()
                assert sent == [("unpublished", world["id"])]
                clock.frozen = NOON + HALF
                schedule.find_schedule_boundaries()
                assert sent[-1] == ("published", world["id"])
                schedule.find_schedule_boundaries()
                assert len(sent) == 2  # each boundary once


def test_a_write_that_moves_the_window_past_now_is_told_once(app, client, world, editor, clock):
    sent = []
    with schedule.published.connected_to(lambda _s, **kw: sent.append(kw["portfolio_id"])):
        clock.frozen = NOON - timedelta(minutes=5)
        client.patch(url(world), json={"publish_at": "2026-06-01T13:00:00Z"}, headers=editor)  # hidden
        with app.app_context():
            schedule.find_schedule_boundaries()  # the mark
        clock.frozen = NOON
        client.patch(url(world), json={"publish_at": "2026-06-01T11:59:00Z"}, headers=editor)  # public now
        assert sent == [world["id"]]
        clock.frozen = NOON + timedelta(seconds=30)
        with app.app_context():
            schedule.find_schedule_boundaries()  # 11:59 lies in (mark, now]: the write told it already
        assert sent == [world["id"]]


# --------------------------------------------------------------------------- drafts


def test_a_draft_leaves_the_live_portfolio_and_its_etag_alone_until_published(client, world, editor, app):
    live = client.get(url(world))
    drafted = client.patch(
        url(world, "/draft"), json={"title": "New title", "tags": [world["sites"]]}, headers=editor
    )
    assert drafted.status_code == 200, drafted.get_json()
    body = drafted.get_json()
    assert body["title"] == "New title" and body["has_draft"] is True
    assert [t["id"] for t in body["tags_data"]] == [world["sites"]]
    assert "ETag" not in drafted.headers
    # More changes add to the draft.
    again = client.patch(url(world, "/draft"), json={"excerpt": "changed"}, headers=editor).get_json()
    assert (again["title"], again["excerpt"]) == ("New title", "changed")

    after = client.get(url(world))
    assert after.data == live.data and after.headers["ETag"] == live.headers["ETag"]
    assert after.get_json()["has_draft"] is False
    as_editor = client.get(url(world), headers=editor)
    assert as_editor.get_json()["has_draft"] is True and as_editor.headers["ETag"] == live.headers["ETag"]
    assert client.get(url(world, "/draft"), headers=editor).get_json() == again

    stale = client.post(url(world, "/draft/publish"), headers={**editor, "If-Match": '"nope"'})
    assert stale.status_code == 412
    published = client.post(
        url(world, "/draft/publish"), headers={**editor, "If-Match": live.headers["ETag"]}
    )
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["title"] == "New title" and published.get_json()["has_draft"] is False
    assert client.get(url(world)).get_json()["excerpt"] == "changed"
    assert client.get(url(world, "/draft"), headers=editor).status_code == 404
    with app.app_context():
        revision = db.session.scalar(select(Revision).order_by(Revision.id.desc()))
        assert revision.action == "publish" and revision.changes["title"] == ["Wordpress site", "New title"]


def test_a_draft_is_validated_like_a_patch(client, world, editor, app):
    response = client.patch(url(world, "/draft"), json={"tags": [999], "titel": "x"}, headers=editor)
    assert response.status_code == 400
    assert set(response.get_json()) == {"tags", "titel"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_a_draft_naming_a_media_deleted_since_is_a_400_at_publish_and_nothing_changes(
    client, world, editor, staff, app
):
    client.patch(url(world, "/draft"), json={"image": world["other"], "title": "T2"}, headers=editor)
    assert client.delete(f"/api/media/{world['other']}", headers=staff).status_code == 204
    before = client.get(url(world), headers=editor).data
    response = client.post(url(world, "/draft/publish"), headers=editor)
    assert response.status_code == 400 and list(response.get_json()) == ["image"]
    assert client.get(url(world), headers=editor).data == before
    with app.app_context():
        assert db.session.get(Draft, world["id"]) is not None


def test_discarding_a_draft(client, world, editor):
    client.patch(url(world, "/draft"), json={"title": "Gone soon"}, headers=editor)
    assert client.delete(url(world, "/draft"), headers=editor).status_code == 204
    assert client.get(url(world, "/draft"), headers=editor).status_code == 404
    assert client.delete(url(world, "/draft"), headers=editor).status_code == 404
    assert client.get(url(world)).get_json()["title"] == "Wordpress site"


# --------------------------------------------------------------------------- revisions


def test_every_live_change_is_a_numbered_revision_and_restore_is_exact(client, world, editor):
    client.patch(url(world), json={"title": "Second", "tags": [world["webs"]]}, headers=editor)
    link = client.post(
        url(world, "/links"), json={"name": "Site", "url": "https://a.example"}, headers=editor
    )
    client.post(url(world, "/meta"), json={"key": "stack", "value_text": "flask"}, headers=editor)
    wanted = client.get(url(world, "/revisions"), headers=editor).get_json()
    assert [r["number"] for r in wanted["results"]] == [3, 2, 1]
    assert [r["action"] for r in wanted["results"]] == ["meta", "links", "update"]
    assert wanted["results"][2]["changes"]["title"] == ["Wordpress site", "Second"]
    assert wanted["results"][2]["user"]["username"]
    three = client.get(url(world, "/revisions/3"), headers=editor).get_json()
    assert three["document"] == client.get(url(world), headers=editor).get_json() | {"has_draft": False}

    client.patch(url(world), json={"title": "Third", "image": None, "is_active": False}, headers=editor)
    client.delete(url(world, f"/links/{link.get_json()['id']}"), headers=editor)
    restored = client.post(url(world, "/revisions/3/restore"), headers=editor)
    assert restored.status_code == 200, restored.get_json()
    now = restored.get_json()
    assert {k: v for k, v in now.items() if k != "updated_at"} == {
        k: v for k, v in three["document"].items() if k != "updated_at"
    }
    latest = client.get(url(world, "/revisions"), headers=editor).get_json()["results"][0]
    assert latest["action"] == "restore" and latest["number"] == 6
    assert client.get(url(world, "/revisions/99"), headers=editor).status_code == 404


def test_restoring_a_revision_whose_tag_is_gone_is_a_400_naming_it(client, world, editor, headers):
    client.patch(url(world), json={"title": "Second"}, headers=editor)
    assert client.delete(f"/api/tags/{world['webs']}", headers=headers(4404)).status_code == 204
    before = client.get(url(world), headers=editor).data
    response = client.post(url(world, "/revisions/1/restore"), headers=editor)
    assert response.status_code == 400 and list(response.get_json()) == ["tags"]
    assert client.get(url(world), headers=editor).data == before


def test_a_change_made_without_a_revision_does_not_falsify_later_documents(client, world, editor, headers):
    """A tag renamed is no revision of the portfolio; the next revision's document still shows it renamed,
    and restoring it works."""
    client.patch(url(world), json={"title": "Second"}, headers=editor)
    client.patch(f"/api/tags/{world['sites']}", json={"name": "websites"}, headers=headers(4403))
    client.patch(url(world), json={"title": "Third"}, headers=editor)
    live = client.get(url(world), headers=editor).get_json()
    two = client.get(url(world, "/revisions/2"), headers=editor).get_json()["document"]
    assert two == live | {"has_draft": False}
    assert {t["name"] for t in two["tags_data"]} == {"websites", "webs"}
    assert client.post(url(world, "/revisions/2/restore"), headers=editor).status_code == 200


def test_restoring_meta_whose_keys_were_swapped_since(client, world, editor):
    one = client.post(url(world, "/meta"), json={"key": "a", "value_text": "1"}, headers=editor).get_json()
    two = client.post(url(world, "/meta"), json={"key": "b", "value_text": "2"}, headers=editor).get_json()
    client.patch(url(world, f"/meta/{one['id']}"), json={"key": "c"}, headers=editor)
    client.patch(url(world, f"/meta/{two['id']}"), json={"key": "a"}, headers=editor)
    client.patch(url(world, f"/meta/{one['id']}"), json={"key": "b"}, headers=editor)
    restored = client.post(url(world, "/revisions/2/restore"), headers=editor)
    assert restored.status_code == 200, restored.get_json()
    assert [(m["id"], m["key"]) for m in restored.get_json()["meta"]] == [(one["id"], "a"), (two["id"], "b")]


def test_revisions_grow_with_the_changes_and_rebuild_any_document(client, world, editor, app):
    for n in range(120):
        client.patch(url(world), json={"order": n + 2}, headers=editor)
    assert client.get(url(world, "/revisions/77"), headers=editor).get_json()["document"]["order"] == 78
    with app.app_context():
        snapshots = db.session.scalar(
            select(func.count()).select_from(Revision).where(Revision.snapshot.isnot(None))
        )
        assert snapshots == 3  # revisions 1, 50 and 100
        sizes = [
            len(str(r.changes))
            for r in db.session.scalars(select(Revision).where(Revision.snapshot.is_(None)))
        ]
        assert max(sizes) < 200  # an order and updated_at, not the document


def test_revisions_diff_against_the_last_one_whichever_process_made_it(tmp_path, app, client, world, editor):
    """Each process remembers the last revision it wrote; another process's revision, or one rolled
    back, is read from the database instead."""
    other = make_app(tmp_path / "other", create_tables=False, DATABASE_URL=app.config["DATABASE_URL"])
    client.patch(url(world), json={"title": "Second"}, headers=editor)
    other.test_client().patch(url(world), json={"title": "Third"}, headers=editor)
    client.patch(url(world), json={"title": "Fourth"}, headers=editor)
    revisions = client.get(url(world, "/revisions"), headers=editor).get_json()["results"]
    assert [r["changes"]["title"] for r in reversed(revisions)] == [
        ["Wordpress site", "Second"],
        ["Second", "Third"],
        ["Third", "Fourth"],
    ]


def test_a_rolled_back_revision_is_not_remembered(client, world, editor, monkeypatch):
    from portfolio_service.portfolio.publishing import changes

    client.patch(url(world), json={"title": "Second"}, headers=editor)
    with monkeypatch.context() as patched:
        patched.setattr(changes, "record", lambda *args: 1 / 0)  # the audit entry fails, after the revision
        failed = client.patch(url(world), json={"title": "Lost"}, headers=editor)
    assert failed.status_code == 500 and failed.is_json
    client.patch(url(world), json={"title": "Third"}, headers=editor)
    revisions = client.get(url(world, "/revisions"), headers=editor).get_json()["results"]
    assert [(r["number"], r["changes"]["title"]) for r in revisions] == [
        (2, ["Second", "Third"]),
        (1, ["Wordpress site", "Second"]),
    ]
    assert client.get(url(world, "/revisions/2"), headers=editor).get_json()["document"]["title"] == "Third"


def test_a_write_that_changes_nothing_records_nothing_from_any_host(client, world, editor, app):
    """Media URLs follow the request's host: a write from another host that changes nothing finds the
    document moved, yet records no revision and sends no event; its next real change logs only itself."""
    from portfolio_service.webhooks.models import OutboxEvent, Webhook

    with app.app_context():  # one listens, so events are written
        db.session.add(Webhook(url="https://hooks.example/x", events=["*"], secret_encrypted="-"))
        db.session.commit()
    client.patch(url(world), json={"title": "Second"}, headers=editor)
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(OutboxEvent))
        assert events == 1
    elsewhere = {"headers": editor, "base_url": "http://127.0.0.1"}
    again = client.patch(url(world), json={"title": "Second"}, **elsewhere)
    assert again.status_code == 200 and again.get_json()["image_data"]["f"].startswith("http://127.0.0.1/")
    revisions = client.get(url(world, "/revisions"), headers=editor).get_json()["results"]
    assert [r["number"] for r in revisions] == [1]
    third = client.patch(url(world), json={"title": "Third"}, **elsewhere)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == events + 1
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.changes) == ("update", {"title": ["Second", "Third"]})
    two = client.get(url(world, "/revisions/2"), **elsewhere).get_json()["document"]
    assert two == third.get_json() | {"has_draft": False}  # exact, with this host's URLs


def test_a_write_answers_an_editor_whether_a_draft_waits(client, world, editor, app):
    assert client.patch(url(world, "/draft"), json={"excerpt": "later"}, headers=editor).status_code == 200
    patched = client.patch(url(world), json={"title": "Now"}, headers=editor)
    assert patched.get_json()["has_draft"] is True
    assert patched.headers["ETag"] == client.get(url(world)).headers["ETag"]  # the live version's
    published = client.post(url(world, "/draft/publish"), headers=editor).get_json()
    assert published["has_draft"] is False and published["excerpt"] == "later"
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
        assert entry.changes == {"title": ["Wordpress site", "Now"]}


def test_the_audit_log_names_related_objects_by_id(client, world, editor, app):
    client.patch(url(world), json={"tags": [world["webs"]], "image": None}, headers=editor)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "update"))
    assert entry.changes == {
        "tags": [sorted([world["sites"], world["webs"]]), [world["webs"]]],
        "image": [world["image"], None],
    }


# --------------------------------------------------------------------------- preview links


def test_a_preview_link_shows_the_draft_to_anyone_until_it_runs_out(client, world, editor, app, clock):
    client.patch(url(world), json={"is_active": False}, headers=editor)
    client.patch(url(world, "/draft"), json={"title": "For the client"}, headers=editor)
    clock.frozen = NOON
    made = client.post(
        url(world, "/share-links"), json={"expires_at": "2026-06-02T12:00:00Z", "max_uses": 2}, headers=editor
    )
    assert made.status_code == 201, made.get_json()
    link = made.get_json()
    assert len(link["token"]) >= 40 and link["url"].endswith(f"/api/shared/{link['token']}")
    with app.app_context():
        stored = db.session.get(ShareLink, link["id"])
        assert link["token"] not in stored.token_hash and len(stored.token_hash) == 64
        assert link["token"] not in str(db.session.scalars(select(AuditEntry.changes)).all())
    shown = client.get(f"/api/shared/{link['token']}")
    assert shown.status_code == 200 and shown.get_json()["title"] == "For the client"
    assert shown.headers["Cache-Control"] == "no-store" and shown.headers["X-Robots-Tag"] == "noindex"
    assert client.get(f"/api/shared/{link['token']}").status_code == 200
    used_up = client.get(f"/api/shared/{link['token']}")
    listed = client.get(url(world, "/share-links"), headers=editor).get_json()["results"]
    assert listed[0]["uses"] == 2 and "token" not in listed[0]

    other = client.post(
        url(world, "/share-links"), json={"expires_at": "2026-06-01T13:00:00Z"}, headers=editor
    )
    revoked = client.post(
        url(world, "/share-links"), json={"expires_at": "2026-06-01T13:00:00Z"}, headers=editor
    )
    client.delete(url(world, f"/share-links/{revoked.get_json()['id']}"), headers=editor)
    assert client.get(f"/api/shared/{other.get_json()['token']}").status_code == 200
    clock.frozen = NOON + timedelta(hours=1)
    expired = client.get(f"/api/shared/{other.get_json()['token']}")
    answers = [
        used_up,
        expired,
        client.get(f"/api/shared/{revoked.get_json()['token']}"),
        client.get("/api/shared/x"),
    ]
    assert {(a.status_code, a.data) for a in answers} == {(404, b'{"detail":"Not found."}')}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"expires_at": "2026-05-31T12:00:00Z"}, "expires_at"),
        ({"expires_at": "2026-07-02T12:00:00Z"}, "expires_at"),
        ({}, "expires_at"),
        ({"expires_at": "2026-06-02T12:00:00Z", "max_uses": 0}, "max_uses"),
    ],
)
def test_bad_preview_links_are_400s(client, world, editor, clock, body, field):
    clock.frozen = NOON
    response = client.post(url(world, "/share-links"), json=body, headers=editor)
    assert response.status_code == 400 and list(response.get_json()) == [field]


def test_editors_learn_which_portfolios_have_a_draft_whichever_process_changed_them(
    tmp_path, app, client, world, editor
):
    """Each process remembers which portfolios have a draft until the drafts' version moves: with a
    draft saved, discarded or deleted with its portfolio by another process."""
    other = make_app(
        tmp_path / "other", create_tables=False, DATABASE_URL=app.config["DATABASE_URL"]
    ).test_client()

    def has_draft(portfolio_id: int) -> tuple[bool, bool]:
        detail = client.get(f"/api/portfolios/{portfolio_id}", headers=editor).get_json()
        listed = client.get("/api/portfolios?page_size=100", headers=editor).get_json()["results"]
        return detail["has_draft"], next(p["has_draft"] for p in listed if p["id"] == portfolio_id)

    assert has_draft(world["id"]) == (False, False)
    other.patch(url(world, "/draft"), json={"title": "Elsewhere"}, headers=editor)
    assert has_draft(world["id"]) == (True, True)
    with app.app_context():
        version = current_versions().drafts
    other.patch(url(world, "/draft"), json={"excerpt": "More"}, headers=editor)  # the same draft, changed:
    with app.app_context():
        assert current_versions().drafts == version  # which portfolios have one did not move
    other.delete(url(world, "/draft"), headers=editor)
    assert has_draft(world["id"]) == (False, False)

    # The newest portfolio, drafted and deleted: SQLite may give its id to the next one made.
    doomed = other.post("/api/portfolios", json={"title": "Doomed"}, headers=editor).get_json()["id"]
    other.patch(f"/api/portfolios/{doomed}/draft", json={"title": "Never"}, headers=editor)
    assert has_draft(doomed) == (True, True)
    assert other.delete(f"/api/portfolios/{doomed}", headers=editor).status_code == 204
    made = other.post("/api/portfolios", json={"title": "Fresh"}, headers=editor).get_json()["id"]
    assert has_draft(made) == (False, False)


def test_a_transaction_that_writes_drafts_neither_uses_nor_keeps_what_is_remembered(
    app, client, world, editor
):
    """Its own draft shows to it, and what it saw is forgotten with its rollback, even once it moved
    the versions (as a commit does first): the next process to reach that version knows better."""
    from portfolio_service.portfolio.documents import current_versions
    from portfolio_service.portfolio.documents.versions import move_versions
    from portfolio_service.portfolio.publishing.drafts import drafted_ids

    from .factories import make_portfolio

    with app.app_context():
        version = current_versions().drafts
        doomed = make_portfolio("Doomed").id
        assert drafted_ids(version) == frozenset()  # remembered
        db.session.add(Draft(portfolio_id=world["id"], changes={"title": "Rolled back"}))
        assert drafted_ids(version) == {world["id"]}
        move_versions(db.session)
        assert drafted_ids(version + 1) == {world["id"]}
        db.session.rollback()
    # Another write takes the drafts to that same version, with no draft at all.
    assert client.delete(f"/api/portfolios/{doomed}", headers=editor).status_code == 204
    with app.app_context():
        assert current_versions().drafts == version + 1
    assert client.get(url(world), headers=editor).get_json()["has_draft"] is False
