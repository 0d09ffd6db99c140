"""Start the real gunicorn, as ``make run`` does, for tests that need a server."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from .databases import fresh_database_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(tmp_path: Path, **settings: str) -> dict:
    """Environment for a throw-away instance under ``tmp_path``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(
        FLASK_APP="wsgi",
        SECRET_KEY="server-test-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=fresh_database_url(tmp_path),
        MEDIA_ROOT=str(tmp_path / "media"),
        JOBS_URL=f"sqlite:///{tmp_path / 'jobs.db'}",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    env.update(settings)
    return env


def flask(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run a ``flask`` command in the repository root with ``env``."""
    return subprocess.run(
        [str(BIN / "flask"), *args], cwd=ROOT, env=env, check=check, capture_output=True, text=True
    )


@contextlib.contextmanager
def gunicorn(env: dict, workers: int = 2, port: int | None = None):
    """Run gunicorn (migrated database first) and yield its base URL; stop it afterwards."""
    port = port or free_port()
    env = {**env, "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
    flask(env, "db", "upgrade")
    log = open(Path(env["MEDIA_ROOT"]).parent / f"gunicorn-{port}.log", "w+")
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/api/health", timeout=1)
                break
            except (requests.ConnectionError, requests.Timeout):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"gunicorn did not start:\n{log.read()}") from None
                time.sleep(0.1)
        process.log = log
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.seek(0)
        output = log.read()
        log.close()
    # Logging that breaks (a format field the records lack) only prints to the log.
    assert "--- Logging error ---" not in output, output


def admin_headers(env: dict, username: str = "root") -> dict:
    """Authorization headers of a new admin, made with ``flask auth`` as an operator would."""
    flask(env, "auth", "create-user", username, "--password", "longenough", "--admin")
    key = flask(env, "auth", "create-token", username).stdout.strip().splitlines()[-1]
    return {"Authorization": f"Token {key}"}


def worker_pids(master: int) -> list[int]:
    """The live gunicorn workers of the ``master`` pid: its children, read from ``/proc`` (Linux)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # Fields after the parenthesised command name: state, ppid, ...
            state, ppid = stat.read_text().rpartition(")")[2].split()[:2]
        except OSError:  # the process ended meanwhile
            continue
        if int(ppid) == master and state != "Z":
            pids.append(int(stat.parent.name))
    return sorted(pids)


#: Credentials for moto's server: any will do, but boto3 wants some.
FAKE_AWS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}


def public_read_policy(bucket: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


@contextlib.contextmanager
def moto_s3(bucket: str = "media"):
    """A real S3-compatible HTTP server (moto's standalone server) on 127.0.0.1, with ``bucket`` made."""
    import boto3

    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(endpoint, timeout=1)
                break
            except (requests.ConnectionError, requests.Timeout):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        client = boto3.client("s3", endpoint_url=endpoint)
        client.create_bucket(Bucket=bucket)
        # Files are public, as the README's deploying section sets the bucket up.
        client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public_read_policy(bucket)))
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)
