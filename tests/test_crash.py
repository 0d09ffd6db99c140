"""A gunicorn worker killed in the middle of an upload leaves stray files, never a row without files."""

from __future__ import annotations

import io
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from PIL import Image

from .images import image_bytes
from .servers import admin_headers, flask, gunicorn, server_env, worker_pids

pytestmark = pytest.mark.slow

# A thousand thumbnails: seconds of resizing before the original is written,
# then about a thousand files written and rows inserted before the commit.
# The kill lands in that window (~0.1-0.3 s) once the original is on disk.
THUMBNAIL_SIZES = ",".join(str(size) for size in range(16, 1016))
ATTEMPTS = 3


def large_jpeg() -> bytes:
    """A 6000x4000 photo-sized JPEG (24 MP)."""
    image = Image.linear_gradient("L").resize((6000, 4000)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def wait_for(condition, timeout: float = 60, interval: float = 0.001):
    """Poll ``condition`` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(interval)
    return result


def gc(env: dict, *args: str) -> str:
    return flask(env, "media", "gc", *args).stdout


def kill_worker_mid_upload(base: str, master: int, headers: dict, media_root: Path, stem: str) -> str:
    """Upload ``stem.jpg``, SIGKILL the worker once its original is on disk; return that file's path."""
    [worker] = worker_pids(master)
    files = {"file": (f"{stem}.jpg", large_jpeg(), "image/jpeg")}
    with ThreadPoolExecutor(max_workers=1) as pool:
        upload = pool.submit(requests.post, f"{base}/api/media", files=files, headers=headers, timeout=120)
        original = wait_for(lambda: next(media_root.glob(f"core_media/*/*/*/{stem}_*.jpg"), None))
        os.kill(worker, signal.SIGKILL)
        try:
            upload.result()  # the kill came too late: the caller checks the row
        except requests.ConnectionError:
            pass
    wait_for(lambda: worker_pids(master) not in ([], [worker]), interval=0.05)
    return original.relative_to(media_root).as_posix()


def test_killed_worker_leaves_stray_files_that_gc_finds(tmp_path):
    env = server_env(tmp_path, THUMBNAIL_SIZES=THUMBNAIL_SIZES)
    media_root = Path(env["MEDIA_ROOT"])
    with gunicorn(env, workers=1) as (base, process):
        headers = admin_headers(env)
        for attempt in range(ATTEMPTS):
            original = kill_worker_mid_upload(base, process.pid, headers, media_root, f"crash{attempt}")
            report = gc(env, "--dry-run", "--min-age", "0")
            if f"stray file (dry run, kept): {original}\n" in report:
                break  # killed before the commit
        else:
            pytest.fail(f"every upload committed before the kill:\n{report}")

        assert "0 media rows with missing files" in report
        assert (media_root / original).exists()
        process.log.seek(0)
        assert "was sent SIGKILL" in process.log.read()

        # The master booted a new worker: the server still answers, and uploads work.
        assert requests.get(f"{base}/api/health", timeout=5).json()["status"] == "ok"
        response = requests.post(
            f"{base}/api/media",
            files={"file": ("after.jpg", image_bytes("JPEG", (300, 200)), "image/jpeg")},
            headers=headers,
            timeout=60,
        )
        assert response.status_code == 201, response.text
        kept = [response.json()["f"], *(thumbnail["f"] for thumbnail in response.json()["thumbnails"])]
        assert all(requests.get(url, timeout=5).status_code == 200 for url in kept)

        report = gc(env, "--min-age", "0")
        assert f"stray file deleted: {original}\n" in report
        assert "/after" not in report and "0 media rows with missing files" in report
        assert not (media_root / original).exists()
        assert "0 stray files found" in gc(env, "--dry-run", "--min-age", "0")
        assert all(requests.get(url, timeout=5).status_code == 200 for url in kept)
