"""``flask backup`` and ``flask restore``: a seeded instance comes back whole in an empty one."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import tarfile

import pytest
from sqlalchemy import text

from portfolio_service.backup import DUMPS
from portfolio_service.extensions import db
from portfolio_service.jobs import run_pending
from portfolio_service.portfolio.documents import current_versions

from .conftest import make_app
from .databases import ON_POSTGRES
from .factories import auth, make_token, make_user

DIALECT = "postgresql" if ON_POSTGRES else "sqlite"


def instance(tmp_path, name: str, **settings):
    """An app in its own folder under ``tmp_path`` (tables made, no rows)."""
    folder = tmp_path / name
    folder.mkdir()
    return make_app(folder, **settings)


def invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def seeded(tmp_path):
    """An instance with the demo data (variants made) and an admin; returns it and the admin's headers."""
    app = instance(tmp_path, "source")
    result = invoke(app, "seed")
    assert result.exit_code == 0, result.output
    assert run_pending(app) == 8  # the demo images' variants, as a worker would make them
    with app.app_context():
        headers = auth(make_token(make_user(admin=True)))
    return app, headers


def backup(app, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    result = invoke(app, "backup", str(archive))
    assert result.exit_code == 0, result.output
    return archive, result.output


def files(app) -> dict[str, bytes]:
    root = app.config["MEDIA_ROOT"]
    found = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            with open(os.path.join(folder, name), "rb") as file:
                found[os.path.relpath(os.path.join(folder, name), root)] = file.read()
    return found


def documents(app, headers) -> tuple:
    """What the API shows: every portfolio, and the media library."""
    client = app.test_client()
    portfolios = client.get("/api/portfolios?page_size=100", headers=headers)
    media = client.get("/api/media?page_size=100", headers=headers)
    assert portfolios.status_code == media.status_code == 200
    return portfolios.get_json(), media.get_json()


SINCE_0008 = {"placeholder", "variants", "variants_status"}


def without_0008(value):
    """``value`` without the media fields migration 0008 added."""
    if isinstance(value, dict):
        return {key: without_0008(item) for key, item in value.items() if key not in SINCE_0008}
    if isinstance(value, list | tuple):
        return [without_0008(item) for item in value]
    return value


def dispose(*apps) -> None:
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def empty_instance(tmp_path, source):
    """A second, empty instance: another SQLite file, or on PostgreSQL the source's schema
    emptied (pg_restore puts tables back in the schema they were dumped from)."""
    if not ON_POSTGRES:
        return instance(tmp_path, "target")
    with source.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return instance(tmp_path, "target", DATABASE_URL=source.config["DATABASE_URL"])


def test_backup_and_restore_into_an_empty_instance(tmp_path):
    source, headers = seeded(tmp_path)
    before, source_files = documents(source, headers), files(source)
    archive, output = backup(source, tmp_path)
    assert f"Backed up the {DIALECT} database (revision none) and {len(source_files)} media files" in output

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
    assert manifest["format_version"] == 1 and manifest["dialect"] == DIALECT
    assert manifest["media_files"] == len(source_files) > 9
    assert DUMPS[DIALECT] in names and not os.path.exists(f"{archive}.partial")

    target = empty_instance(tmp_path, source)
    result = invoke(target, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert f"Restored the {DIALECT} database" in result.output

    # The admin's key works on the copy: users and keys came along.
    portfolios, media = documents(target, headers)
    assert (portfolios, media) == before
    assert portfolios["count"] == 12 and media["count"] == 9
    assert files(target) == source_files
    variants = [v["f"] for m in media["results"] for v in m["variants"]]
    assert len(variants) > 100 and all("/variants/" in url for url in variants)  # carried with the rest
    thumbnail = portfolios["results"][0]["image_data"]["thumbnails"][0]["f"]
    with target.test_client().get(thumbnail.removeprefix("http://localhost")) as response:
        assert response.status_code == 200 and response.get_data()
    assert "0 stray files" in invoke(target, "media", "gc", "--dry-run", "--min-age", "0").output
    dispose(source, target)


def test_restore_refuses_an_instance_with_data(tmp_path):
    source, headers = seeded(tmp_path)
    archive, _output = backup(source, tmp_path)

    result = invoke(source, "restore", str(archive))
    assert result.exit_code == 1
    assert "Not restoring: the database has rows in api_token, audit_entry, employer, " in result.output
    assert "and media storage has files. Restore into an empty instance, or pass --force" in result.output

    files_only = empty_instance(tmp_path, source) if ON_POSTGRES else instance(tmp_path, "files-only")
    os.makedirs(files_only.config["MEDIA_ROOT"])
    with open(os.path.join(files_only.config["MEDIA_ROOT"], "old.jpg"), "wb") as file:
        file.write(b"old")
    result = invoke(files_only, "restore", str(archive))
    assert result.exit_code == 1
    assert "Error: Not restoring: media storage has files." in result.output
    assert files(files_only) == {"old.jpg": b"old"}
    dispose(source, files_only)


def test_restore_with_force_replaces_the_data(tmp_path):
    source, headers = seeded(tmp_path)
    before = documents(source, headers)
    archive, _output = backup(source, tmp_path)
    client = source.test_client()
    assert (
        client.delete(f"/api/portfolios/{before[0]['results'][0]['id']}", headers=headers).status_code == 204
    )
    media_id = before[1]["results"][0]["id"]
    assert client.delete(f"/api/media/{media_id}?force=true", headers=headers).status_code == 204

    with source.app_context():
        live = current_versions()
    result = invoke(source, "restore", "--force", str(archive))
    assert result.exit_code == 0, result.output
    with source.app_context():
        # Workers may hold documents and media up to the live versions: restored content gets newer ones.
        restored = current_versions()
        assert (
            restored.content > live.content and restored.media > live.media and restored.drafts > live.drafts
        )
    assert documents(source, headers) == before
    assert "0 stray files" in invoke(source, "media", "gc", "--dry-run", "--min-age", "0").output
    dispose(source)


def test_restore_refuses_an_archive_of_another_kind(tmp_path):
    app = instance(tmp_path, "app")
    not_a_backup = tmp_path / "other.tar.gz"
    with tarfile.open(not_a_backup, "w:gz"):
        pass
    result = invoke(app, "restore", str(not_a_backup))
    assert result.exit_code == 1 and "has no manifest.json: not made by `flask backup`" in result.output
    dispose(app)


@pytest.mark.skipif(not ON_POSTGRES, reason="TEST_DATABASE_URL is not set")
def test_postgresql_backup_holds_the_apps_schema_only(tmp_path):
    source, _headers = seeded(tmp_path)
    other = instance(tmp_path, "other")  # another schema in the same database
    archive, _output = backup(source, tmp_path)
    with source.app_context():
        schema = db.session.scalar(text("SELECT current_schema()"))
    with tarfile.open(archive) as tar:
        assert json.load(tar.extractfile("manifest.json"))["schema"] == schema
        tar.extract(DUMPS["postgresql"], tmp_path, filter="data")
    listing = subprocess.run(
        ["pg_restore", "--list", str(tmp_path / DUMPS["postgresql"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"TABLE {schema} portfolio " in listing and " TABLE " in listing
    assert all(f" {schema} " in line for line in listing.splitlines() if " TABLE " in line)

    result = invoke(other, "restore", str(archive))
    assert result.exit_code == 1
    assert f"The archive's tables are in schema {schema}; this instance uses test_" in result.output
    dispose(source, other)


@contextlib.contextmanager
def older_archive(archive, tmp_path, revision: str):
    """The archive's SQLite database, for the block to edit into what migration ``revision`` left,
    and the path of the edited archive, written when the block ends."""
    old, edited = tmp_path / "old", tmp_path / "old.tar.gz"
    with tarfile.open(archive) as tar:
        tar.extractall(old, filter="data")
    with contextlib.closing(sqlite3.connect(old / DUMPS["sqlite"])) as database:
        yield database, edited
        database.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        database.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
        database.commit()
    with tarfile.open(edited, "w:gz") as tar:
        for name in os.listdir(old):
            tar.add(old / name, arcname=name)


@pytest.mark.skipif(ON_POSTGRES, reason="edits the archive's SQLite database")
def test_restoring_an_archive_from_before_media_version(tmp_path):
    """An archive made before migration 0004 restores; once upgraded, its media version is past the live one."""
    source, headers = seeded(tmp_path)
    before = documents(source, headers)
    archive, _output = backup(source, tmp_path)
    with older_archive(archive, tmp_path, "0003_content_version") as (database, old_archive):
        database.execute("ALTER TABLE content_version DROP COLUMN media_version")
        database.execute("ALTER TABLE content_version DROP COLUMN drafts_version")  # and before 0013
        database.execute("ALTER TABLE content_version DROP COLUMN webhooks_version")  # and before 0012
        # and before 0009:
        for table in (
            "audit_entry",
            "schedule_mark",
            "portfolio_draft",
            "portfolio_revision",
            "share_link",
            "webhook_delivery",
            "webhook_event",
            "webhook",
        ):  # and before 0010
            database.execute(f"DROP TABLE {table}")
        for column in ("publish_at", "unpublish_at"):
            database.execute(f"DROP INDEX ix_portfolio_{column}")
            database.execute(f"ALTER TABLE portfolio DROP COLUMN {column}")
        # and before 0006, 0007 and 0008:
        database.execute("DROP INDEX ix_media_variants_status")
        for column in ("alt", "focal_x", "focal_y", "placeholder_color", "placeholder_thumbhash",
                       "variants_status", "variants_requested_at", "variants"):  # fmt: skip
            database.execute(f"ALTER TABLE media DROP COLUMN {column}")
        database.execute("DROP TABLE job_worker")
        database.execute("DROP TABLE job_failure")
        # and before 0005:
        database.execute("DROP INDEX uq_users_username_lower")
        database.execute("ALTER TABLE api_token DROP COLUMN from_login")
        database.execute("DROP TABLE login_attempt")
        database.execute(
            "CREATE TABLE login_failure (id INTEGER PRIMARY KEY, username VARCHAR(150) NOT NULL, "
            "address VARCHAR(64) NOT NULL, created_at DATETIME NOT NULL)"
        )

    target = instance(tmp_path, "target")
    with target.app_context():
        db.session.execute(text("UPDATE content_version SET version = 50, media_version = 40"))
        db.session.commit()
    result = invoke(target, "restore", str(old_archive))
    assert result.exit_code == 0, result.output
    upgraded = invoke(target, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    with target.app_context():
        assert current_versions() == (51, 51, 51)  # past what workers may hold: (50, 40, 0)
    # Placeholders and variants came with 0008: the archive's images have none until a worker makes them.
    assert without_0008(documents(target, headers)) == without_0008(before)
    dispose(source, target)


@pytest.mark.skipif(ON_POSTGRES, reason="edits the archive's SQLite database")
def test_a_webhook_restored_from_before_webhooks_version_is_heard_at_once(tmp_path):
    """A worker that remembers "no webhook wants anything" at ``webhooks_version`` 0 writes the
    events of a webhook restored from an archive made before migration 0012, once upgraded."""
    from portfolio_service.webhooks.models import OutboxEvent, Webhook

    source, headers = seeded(tmp_path)
    with source.app_context():
        db.session.add(Webhook(url="https://hooks.example/x", events=["*"], secret_encrypted="-"))
        db.session.commit()
    archive, _output = backup(source, tmp_path)
    with older_archive(archive, tmp_path, "0011_revision_etag") as (database, old_archive):
        database.execute("ALTER TABLE content_version DROP COLUMN drafts_version")  # and before 0013
        database.execute("ALTER TABLE content_version DROP COLUMN webhooks_version")

    target = instance(tmp_path, "target")
    client = target.test_client()
    with target.app_context():
        own = auth(make_token(make_user(admin=True)))
    made = client.post("/api/portfolios", json={"title": "Live"}, headers=own).get_json()
    client.patch(f"/api/portfolios/{made['id']}", json={"excerpt": "a"}, headers=own)  # nobody listens, at 0

    def outbox() -> list[str]:
        with target.app_context():
            return list(db.session.scalars(db.select(OutboxEvent.type)))

    assert outbox() == []
    result = invoke(target, "restore", "--force", str(old_archive))
    assert result.exit_code == 0, result.output
    upgraded = invoke(target, "db", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    public = client.get("/api/portfolios", headers=headers).get_json()["results"][0]
    changed = client.patch(f"/api/portfolios/{public['id']}", json={"excerpt": "heard"}, headers=headers)
    assert changed.status_code == 200, changed.get_json()
    assert outbox() == ["portfolio.updated"]
