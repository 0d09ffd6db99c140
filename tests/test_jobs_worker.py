"""The queue for real: ``flask jobs worker`` processes beside gunicorn, on the SQLite queue."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time

import pytest
import requests
from PIL import Image

from .servers import BIN, ROOT, admin_headers, flask, gunicorn, server_env

pytestmark = pytest.mark.slow


def noise(size=(3000, 2000)) -> bytes:
    """A photo-sized image that takes a worker a few seconds."""
    image = Image.merge("RGB", [Image.effect_noise(size, 60) for _ in range(3)])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def start_worker(env: dict, log, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "flask"), "jobs", "worker", *options],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(check, timeout: float = 60, what: str = "a condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def upload(base: str, headers: dict, data: bytes, name: str) -> dict:
    response = requests.post(f"{base}/api/media", files={"file": (name, data)}, headers=headers, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def media(base: str, headers: dict, media_id: int) -> dict:
    return requests.get(f"{base}/api/media/{media_id}", headers=headers, timeout=10).json()


def test_a_worker_makes_the_variants_and_says_what_it_does(tmp_path):
    env = server_env(tmp_path)
    with gunicorn(env, workers=1) as (base, _server), open(tmp_path / "worker.log", "w+") as log:
        headers = admin_headers(env)
        worker = start_worker(env, log)
        try:
            # Idle once its periodic jobs (the sweeps, the schedule's look) have run at its start.
            seen = wait_for(
                lambda: [
                    w
                    for w in requests.get(f"{base}/api/jobs", headers=headers, timeout=10).json()["workers"]
                    if w["job"] is None
                ],
                what="the worker's heartbeat, idle",
            )
            assert seen[0]["name"].endswith(f":{worker.pid}")
            made = upload(base, headers, noise((1200, 800)), "photo.jpg")
            ready = wait_for(
                lambda: media(base, headers, made["id"])["variants_status"] == "ready", what="variants"
            )
            assert ready
            variants = media(base, headers, made["id"])["variants"]
            assert {v["format"] for v in variants} == {"avif", "webp", "jpeg"}
            for variant in variants:
                image = Image.open(io.BytesIO(requests.get(variant["f"], timeout=10).content))
                assert (image.format.lower(), image.size) == (
                    variant["format"],
                    (variant["width"], variant["height"]),
                )
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        log.seek(0)
        assert "Traceback" not in log.read()


def test_each_thread_of_a_worker_shows_its_own_job(tmp_path):
    env = server_env(tmp_path)
    with gunicorn(env, workers=1) as (base, _server), open(tmp_path / "worker.log", "w+") as log:
        headers = admin_headers(env)
        worker = start_worker(env, log, "--threads", "2")
        try:
            names = {
                w["name"]
                for w in wait_for(
                    lambda: requests.get(f"{base}/api/jobs", headers=headers, timeout=10).json()["workers"],
                    what="the worker's heartbeat",
                )
            }
            assert names == {f"{busy_host(names)}:{worker.pid}/1", f"{busy_host(names)}:{worker.pid}/2"}
            made = [upload(base, headers, noise(), f"photo-{n}.jpg")["id"] for n in range(2)]

            def busy() -> list[str]:
                workers = requests.get(f"{base}/api/jobs", headers=headers, timeout=10).json()["workers"]
                jobs = sorted(w["job"] for w in workers if w["job"])
                return jobs if len(jobs) == 2 else []

            assert wait_for(busy, what="both threads busy at once") == [
                f"make_variants({media_id}, False, False)" for media_id in sorted(made)
            ]
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)


def test_a_worker_killed_mid_job_leaves_nothing_half_made(tmp_path):
    """SIGKILL in the middle of a variant set: the next worker's sweep queues it again, and gc takes the strays."""
    env = server_env(tmp_path, VARIANTS_STALE_SECONDS="0")
    with gunicorn(env, workers=1) as (base, _server), open(tmp_path / "worker.log", "w+") as log:
        headers = admin_headers(env)
        worker = start_worker(env, log)
        made = upload(base, headers, noise(), "big.jpg")
        wait_for(
            lambda: any(
                w["job"]
                for w in requests.get(f"{base}/api/jobs", headers=headers, timeout=10).json()["workers"]
            ),
            what="the worker to start the job",
        )
        time.sleep(1.0)  # some variant files are written by now
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        assert media(base, headers, made["id"])["variants_status"] == "pending"
        assert media(base, headers, made["id"])["variants"] == []

        second = start_worker(env, log)
        try:
            wait_for(
                lambda: media(base, headers, made["id"])["variants_status"] == "ready",
                timeout=120,
                what="recovery",
            )
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
        variants = media(base, headers, made["id"])["variants"]
        for variant in variants:
            assert requests.get(variant["f"], timeout=10).status_code == 200
        collected = flask(env, "media", "gc", "--min-age", "0")
        kept = {v["f"].split("/media/", 1)[1] for v in variants}
        removed = [line.split()[-1] for line in collected.stdout.splitlines() if "/variants/" in line]
        assert kept.isdisjoint(removed)
        for variant in variants:
            assert requests.get(variant["f"], timeout=10).status_code == 200


@pytest.mark.skipif(
    not os.environ.get("TEST_REDIS_URL"), reason="make test starts a Redis and sets TEST_REDIS_URL"
)
def test_two_workers_share_one_queue_on_redis(tmp_path):
    import redis

    url = os.environ["TEST_REDIS_URL"]
    redis.Redis.from_url(url).flushdb()
    env = server_env(tmp_path, JOBS_URL=url)
    with gunicorn(env, workers=1) as (base, _server), open(tmp_path / "workers.log", "w+") as log:
        headers = admin_headers(env)
        workers = [start_worker(env, log), start_worker(env, log)]
        try:
            wait_for(
                lambda: len(requests.get(f"{base}/api/jobs", headers=headers, timeout=10).json()["workers"])
                == 2,
                what="both workers' heartbeats",
            )
            made = [upload(base, headers, noise((2000, 1400)), f"photo-{n}.jpg") for n in range(6)]
            busy: set[str] = set()

            def all_ready() -> bool:
                queue = requests.get(f"{base}/api/jobs", headers=headers, timeout=10).json()
                busy.update(worker["name"] for worker in queue["workers"] if worker["job"])
                return all(media(base, headers, m["id"])["variants_status"] == "ready" for m in made)

            wait_for(all_ready, timeout=180, what="every image's variants")
            assert busy == {f"{name}:{worker.pid}" for worker in workers for name in [busy_host(busy)]}
            assert requests.get(f"{base}/api/jobs", headers=headers, timeout=10).json()["queued_count"] == 0
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(timeout=30)


def busy_host(names: set[str]) -> str:
    """The host part of the workers' names (both run here)."""
    return next(iter(names)).rsplit(":", 1)[0]
