"""What the instance folder holds (the secret key, the database, backups) is its owner's alone."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import time

import pytest
import requests

from .conftest import make_app
from .factories import make_user
from .servers import BIN, ROOT, free_port


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def sqlite_app(tmp_path, **settings):
    """An app on a SQLite file (also in the PostgreSQL lane: these are SQLite's files)."""
    return make_app(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'test.db'}", **settings)


def test_the_sqlite_database_and_its_journal_are_owner_only(tmp_path):
    app = sqlite_app(tmp_path)
    with app.app_context():
        make_user("someone")  # a write: the -wal file exists now
    assert mode(tmp_path / "test.db") == 0o600
    assert mode(tmp_path / "test.db-wal") == 0o600


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    (tmp_path / "test.db").touch(mode=0o644)
    os.chmod(tmp_path / "test.db", 0o644)
    sqlite_app(tmp_path)
    assert mode(tmp_path / "test.db") == 0o600


def test_the_database_folder_is_made_when_missing(tmp_path):
    """``flask db upgrade`` on a fresh checkout once failed: "unable to open database file"."""
    app = make_app(
        tmp_path, create_tables=False, DATABASE_URL=f"sqlite:///{tmp_path / 'instance' / 'new.db'}"
    )
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert mode(tmp_path / "instance") == 0o700
    assert mode(tmp_path / "instance" / "new.db") == 0o600


def test_backup_archives_are_owner_only(tmp_path):
    app = make_app(tmp_path)
    archive = tmp_path / "backup.tar.gz"
    result = app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert mode(archive) == 0o600


@pytest.mark.slow
def test_make_runs_boot_script_keeps_its_secret_key_owner_only(tmp_path):
    """``boot.sh`` as ``make run`` starts it, in a copy of the repository: instance/config.py is 0600."""
    work = tmp_path / "checkout"
    work.mkdir()
    for name in ("boot.sh", "wsgi.py", "gunicorn.conf.py"):
        shutil.copy(ROOT / name, work / name)
    for name in ("portfolio_service", "migrations"):
        os.symlink(ROOT / name, work / name)
    port = free_port()
    env = {
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "PORTFOLIO_ENV": "development",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    log = tmp_path / "boot.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            ["./boot.sh"], cwd=work, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/api/health", timeout=5)
                break
            except (requests.ConnectionError, requests.Timeout):
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert health.status_code == 200
        # make run starts one job worker beside the server; first-run printed the admin's key.
        key = re.search(r"API key:\s+(\S+)", log.read_text())[1]
        workers = lambda: requests.get(  # noqa: E731
            f"http://127.0.0.1:{port}/api/jobs", headers={"Authorization": f"Token {key}"}, timeout=5
        ).json()["workers"]
        deadline = time.monotonic() + 30
        while not workers() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(workers()) == 1
        assert mode(work / "instance") == 0o700
        assert mode(work / "instance" / "config.py") == 0o600
        assert mode(work / "instance" / "portfolio.db") == 0o600
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
