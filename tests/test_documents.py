"""Rendered documents are exact: any change to what a portfolio shows is on the next read."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from portfolio_service.extensions import db
from portfolio_service.media.models import Media
from portfolio_service.parsing import load_body
from portfolio_service.portfolio.documents import VERSIONS_QUERY, commit
from portfolio_service.portfolio.documents import builder as build_module
from portfolio_service.portfolio.models import Link, Meta, Portfolio
from portfolio_service.portfolio.schemas import portfolio_update_schema
from portfolio_service.portfolio.writes import apply_changes, portfolio_for_update

from .factories import make_employer, make_media, make_portfolio, make_tag
from .images import image_bytes


@pytest.fixture
def shown(app):
    with app.app_context():
        media, other = make_media("logo.png"), make_media("brochure.pdf", image=False)
        employer, tag = make_employer("ACME", image=media), make_tag("web", image=media)
        portfolio = make_portfolio("Site", image=media, employer=employer, tags=[tag])
        portfolio.images = [media]
        portfolio.links = [Link(name="Live", image=media)]
        portfolio.meta = [Meta(key="pdf", value_file=other)]
        db.session.commit()
        return dict(portfolio=portfolio.id, media=media.id, other=other.id, employer=employer.id, tag=tag.id,
                    link=portfolio.links[0].id, meta=portfolio.meta[0].id)  # fmt: skip


@pytest.mark.parametrize(
    ("method", "url", "body", "seen"),
    [
        ("PATCH", "/api/media/{media}", {"name": "New logo"}, lambda d: d["image_data"]["name"]),
        (
            "PATCH",
            "/api/media/{media}",
            {"name": "New logo"},
            lambda d: d["tags_data"][0]["image_data"]["name"],
        ),
        ("PATCH", "/api/media/{media}", {"name": "New logo"}, lambda d: d["images_data"][0]["name"]),
        ("PATCH", "/api/employers/{employer}", {"name": "ACME Corp"}, lambda d: d["employer_data"]["name"]),
        ("PATCH", "/api/tags/{tag}", {"name": "websites"}, lambda d: d["tags_data"][0]["name"]),
        (
            "PATCH",
            "/api/portfolios/{portfolio}/links/{link}",
            {"name": "Live site"},
            lambda d: d["links_data"][0]["name"],
        ),
        ("POST", "/api/portfolios/{portfolio}/links", {"name": "Repo"}, lambda d: len(d["links_data"])),
        (
            "PATCH",
            "/api/portfolios/{portfolio}/meta/{meta}",
            {"value_text": "v2"},
            lambda d: d["meta"][0]["value_text"],
        ),
        ("DELETE", "/api/portfolios/{portfolio}/meta/{meta}", None, lambda d: len(d["meta"])),
        ("DELETE", "/api/media/{other}?force=true", None, lambda d: d["meta"][0]["value_file"]),
        ("DELETE", "/api/employers/{employer}", None, lambda d: d["employer_data"]),
        ("DELETE", "/api/tags/{tag}", None, lambda d: d["tags_data"]),
    ],
)
def test_a_nested_change_shows_on_the_next_read(client, admin_headers, shown, method, url, body, seen):
    detail = f"/api/portfolios/{shown['portfolio']}"
    before = client.get(detail)
    assert client.get(detail).get_data() == before.get_data()  # now served from memory
    listed = client.get("/api/portfolios").get_json()["results"][0]

    response = client.open(url.format(**shown), method=method, json=body, headers=admin_headers)
    assert response.status_code in (200, 201, 204), response.get_json()

    after = client.get(detail)
    assert seen(after.get_json()) != seen(before.get_json())
    assert after.headers["ETag"] != before.headers["ETag"]
    assert seen(client.get("/api/portfolios").get_json()["results"][0]) != seen(listed)


def test_conditional_get_and_cache_headers(client, admin_headers, shown):
    url = f"/api/portfolios/{shown['portfolio']}"
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert "Authorization" in first.headers["Vary"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    for name in ("ETag", "Cache-Control", "Vary"):  # what the 200 would have sent (RFC 9110)
        assert again.headers[name] == first.headers[name]
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(url, headers=admin_headers).headers["Cache-Control"] == "private, no-cache"


def test_two_apps_on_one_database_never_serve_stale_documents(app, tmp_path, admin_headers, shown):
    """Two processes (two apps here) keep their own documents, validated against the shared version."""
    from .conftest import make_app

    other = make_app(tmp_path / "other", create_tables=False, DATABASE_URL=app.config["DATABASE_URL"])
    first, second = app.test_client(), other.test_client()
    url = f"/api/portfolios/{shown['portfolio']}"
    assert first.get(url).get_data() == second.get(url).get_data()
    first.patch(
        f"/api/tags/{shown['tag']}", json={"name": "changed through the first"}, headers=admin_headers
    )
    assert second.get(url).get_json()["tags_data"][0]["name"] == "changed through the first"


def test_regenerated_thumbnails_show_on_the_next_read(client, runner, admin_headers):
    """Rendered media outlive portfolio edits, not a change to their thumbnails."""
    from .media_helpers import upload

    image = upload(client, admin_headers, image_bytes(size=(400, 300)), "photo.jpg").get_json()
    created = client.post(
        "/api/portfolios", json={"title": "Photo", "image": image["id"]}, headers=admin_headers
    )
    url = created.headers["Location"]
    assert [t["size"] for t in client.get(url).get_json()["image_data"]["thumbnails"]] == [64, 128, 512, 1080]

    assert runner.invoke(args=["media", "regenerate-thumbnails", "--sizes", "96,32"]).exit_code == 0
    shown = client.get(url).get_json()["image_data"]
    assert [t["size"] for t in shown["thumbnails"]] == [32, 96]
    assert shown == client.get(f"/api/media/{image['id']}", headers=admin_headers).get_json()


def test_a_write_answers_with_the_document_the_next_read_serves(app, client, admin_headers, shown):
    url = f"/api/portfolios/{shown['portfolio']}"
    client.get(url)
    patched = client.patch(url, json={"title": "Site 2", "tags": []}, headers=admin_headers)
    assert patched.status_code == 200

    with app.app_context():
        engine = db.engine
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    read = client.get(url)
    assert read.get_data() == patched.get_data() and read.headers["ETag"] == patched.headers["ETag"]
    assert read.get_json()["title"] == "Site 2" and read.get_json()["tags_data"] == []
    # Remembered by the write: the (anonymous) read only checked the versions.
    assert [s for s in statements if not s.startswith("BEGIN")] == [str(VERSIONS_QUERY.compile(engine))]


def test_a_failed_write_changes_no_document(app, client, admin_headers, shown, monkeypatch):
    """A write whose commit fails leaves the stored and the remembered document as they were."""
    url = f"/api/portfolios/{shown['portfolio']}"
    before = client.get(url)
    with app.app_context():
        engine = db.engine
    commit, wrote = engine.dialect.do_commit, []

    def record(_conn, _cursor, statement, *_args):
        wrote.append(statement.startswith("UPDATE portfolio"))

    def fail_the_write(dbapi_connection):
        if any(wrote):
            wrote.clear()
            # As a real failed COMMIT: SQLite keeps the transaction open, PostgreSQL ends it.
            if engine.dialect.name != "sqlite":
                dbapi_connection.rollback()
            raise engine.dialect.loaded_dbapi.OperationalError("disk I/O error")
        commit(dbapi_connection)

    event.listen(engine, "before_cursor_execute", record)
    monkeypatch.setattr(engine.dialect, "do_commit", fail_the_write)
    try:
        response = client.patch(url, json={"title": "Never stored", "tags": []}, headers=admin_headers)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 500
    assert response.get_json() == {"detail": "Internal server error."}

    after = client.get(url)
    assert after.get_data() == before.get_data() and after.headers["ETag"] == before.headers["ETag"]
    with app.app_context():
        assert db.session.get(Portfolio, shown["portfolio"]).title == "Site"


# PostgreSQL reads each statement's latest commit (READ COMMITTED). These tests
# imitate that on SQLite by committing the request's read transaction through the
# driver, so the next statements see what another session commits meanwhile.


def see_later_commits() -> None:
    db.session.connection().connection.driver_connection.commit()


def test_a_write_renders_media_from_the_rows_not_from_objects_it_loaded(app, client, shown):
    """A media renamed while a write ran shows renamed in the document the write remembers.

    Validating the body loads no media object (relations are checked and
    loaded as ids), so the render reads the media's rows as they are now.
    """
    url = f"/api/portfolios/{shown['portfolio']}"
    client.get(url)
    body = {"title": "Site 2", "image": shown["media"], "images": [shown["media"]]}
    with app.test_request_context(url, method="PUT", json=body):
        data = load_body(portfolio_update_schema)
        assert data == {"title": "Site 2", "image_id": shown["media"], "images": [shown["media"]]}
        assert not [obj for obj in db.session.identity_map.values() if isinstance(obj, Media)]
        see_later_commits()
        with db.session.session_factory() as other:  # PATCH /api/media/<id> through another worker
            other.get(Media, shown["media"]).name = "Renamed"
            other.commit()
        apply_changes(portfolio_for_update(shown["portfolio"]), data)
        commit(shown["portfolio"])
    body = client.get(url).get_json()
    assert body["title"] == "Site 2" and body["image_data"]["name"] == "Renamed"


def test_a_media_deleted_while_a_document_is_built_shows_as_gone(app, client, shown, monkeypatch):
    url = f"/api/portfolios/{shown['portfolio']}"
    rendered = build_module._rendered

    def racing(wanted, version):
        see_later_commits()
        with db.session.session_factory() as other:  # DELETE /api/media/<other>?force=true commits now
            other.execute(Meta.__table__.update().values(value_file_id=None))
            other.execute(Media.__table__.delete().where(Media.__table__.c.id == shown["other"]))
            other.commit()
        return rendered(wanted, version)

    monkeypatch.setattr(build_module, "_rendered", racing)
    response = client.get(url)
    assert response.status_code == 200 and response.get_json()["meta"][0]["value_file"] is None
    monkeypatch.undo()
    # Not remembered: the next read builds it again, from rows that agree.
    assert client.get(url).get_json() == response.get_json()


def test_the_tables_that_move_the_versions_are_found_from_the_models(app):
    """No list is kept by hand: a table joined to portfolios by a foreign key moves the versions."""
    from portfolio_service.portfolio.documents.versions import document_tables

    with app.app_context():
        shown, media = document_tables()
    assert shown == {
        "portfolio",
        "employer",
        "tag",
        "portfolio_tag",
        "portfolio_image",
        "link",
        "meta",
        "media",
        "thumbnail",
    }
    assert media == {"media", "thumbnail"}
