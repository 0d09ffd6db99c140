"""What the benchmarks share: the machine, the processes they start, a throw-away instance."""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"

SERVER_CPU = 0  # gunicorn (real and ceiling)
LOAD_CPU = 1  # the load generator


class BenchError(RuntimeError):
    """Setup went wrong (a command failed, a server did not start, a non-2xx answer)."""


# --------------------------------------------------------------------------- machine


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine_lines(load_generator: str) -> list[str]:
    pinning = "taskset" if shutil.which("taskset") else "none (taskset not found)"
    load_average = os.getloadavg()[0]  # other work on the machine skews every figure
    return [
        f"machine: nproc {os.cpu_count()}, {cpu_model()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, load average {load_average:.2f} at start",
        f"load: {load_generator}; servers on CPU {SERVER_CPU}, load on CPU {LOAD_CPU}, pinning: {pinning}",
    ]


def pinned(cpu: int, command: list[str]) -> list[str]:
    """``command`` under ``taskset -c cpu`` when taskset exists (and the CPU does)."""
    if shutil.which("taskset") and (os.cpu_count() or 1) > cpu:
        return ["taskset", "-c", str(cpu), *command]
    return command


def wrk_version(wrk: str) -> str:
    result = subprocess.run([wrk, "-v"], capture_output=True, text=True)
    first = (result.stdout + result.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk"


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_flask(env: dict[str, str], *args: str) -> str:
    """Run ``.venv/bin/flask ARGS`` in the repository root; its stdout, or BenchError."""
    result = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"flask {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def stop(process: subprocess.Popen) -> None:
    """SIGTERM gunicorn's master (it stops its worker), then SIGKILL its group if it lingers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # its own session: gunicorn and its worker
        process.wait()


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], log_path: Path, ready_path: str, *extra: str) -> Iterator[str]:
    """Serve ``app`` with one sync worker on a free port, pinned to SERVER_CPU; yield its base URL.

    gunicorn runs from the repository root, so it reads the repo's gunicorn.conf.py
    (which takes PORT and WEB_CONCURRENCY from the environment), for the real app and
    the ceiling alike.
    """
    port = free_port()
    env = {**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "1"}
    command = pinned(
        SERVER_CPU, [str(BIN / "gunicorn"), "--worker-class", "sync", "--threads", "1", *extra, app]
    )
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_until_up(process, base + ready_path, log_path)
            yield base
        finally:
            stop(process)


def wait_until_up(process: subprocess.Popen, url: str, log_path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code == 200:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise BenchError(f"gunicorn did not come up at {url}:\n{log_tail(log_path)}")
        time.sleep(0.1)


def log_tail(path: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


# --------------------------------------------------------------------------- instance


def instance_env(tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "MEDIA_ROOT": str(tmp / "media"),
        "MEDIA_STORAGE": "local",
        "JOBS_URL": f"sqlite:///{tmp / 'jobs.db'}",
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "FLASK_APP": "wsgi",
    }


def prepare_instance(env: dict[str, str]) -> str:
    """Migrate, create the admin ``bench``; return a fresh API key for it."""
    run_flask(env, "db", "upgrade")
    run_flask(env, "auth", "create-user", "bench", "--password", "benchbench", "--admin")
    lines = run_flask(env, "auth", "create-token", "bench").strip().splitlines()
    if not lines:
        raise BenchError("flask auth create-token printed no key")
    return lines[-1].strip()
