"""Benchmark: the real HTTP server (gunicorn, one sync worker) against a bare-Flask ceiling.

Run from the repository root, ``make bench`` (which sets up .venv and wrk first), or::

    .venv/bin/python bench/http.py                  # 12 s per scenario, about a minute and a half in all
    .venv/bin/python bench/http.py --duration 6     # quicker
    .venv/bin/python bench/http.py --python-load    # without wrk, even when it is installed

What it does, all on 127.0.0.1 and in a throw-away temp dir:

1. Builds an instance (SQLite ``bench.db`` and ``media/`` in the temp dir): ``flask db
   upgrade``, an admin ``bench`` and an API key for it, all with the real CLI.
2. Starts the real server, ``gunicorn wsgi:app`` from the repository root with the
   repo's ``gunicorn.conf.py`` (PORT, WEB_CONCURRENCY=1, sync worker), pinned to CPU 0.
3. Seeds it through the API, token on every request, checking each answer is 2xx:
   60 generated images (400x300 JPEG and PNG, made with Pillow in memory), 5 employers,
   10 tags, then 200 portfolios (5 tags, a 6-image gallery, an image, an employer), each
   with 2 links and 2 meta. It prints how long that took.
4. Starts the ceiling: a bare Flask app with the same gunicorn settings, pinned to the
   same CPU, that answers ``GET /api/portfolios/<id>`` with the bytes and ETag of one
   seeded portfolio's real detail document, from memory. It is what the detail route
   would cost if the app itself were free.
5. Drives each scenario with a load generator pinned to CPU 1: ``wrk`` with the Lua
   scripts in ``bench/wrk/`` when it is installed (Debian package ``wrk``), otherwise
   (or with ``--python-load``) Python processes on keep-alive ``http.client``
   connections. The scenarios run in turn, ``--rounds`` times over (default 3), each
   time a short warm-up, then its share of ``--duration`` seconds:

   * ``detail``:  GET /api/portfolios/<id>, cycling over the 200 ids;
   * ``patch``:   PATCH /api/portfolios/<id> changing ``title`` (unique: run, thread and
     counter), ``order`` and ``tags`` (5 of the 10) on every request;
   * ``list``:    GET /api/portfolios?page_size=20&page=N, N cycling over 1..10;
   * ``ceiling``: the detail requests, against the ceiling app.

   Every request carries ``Authorization: Token <key>``.
6. Prints a table (req/s over all rounds, the median round's p50 and the worst round's
   p99 latency, non-2xx responses, socket errors, KB per response (wrk counts headers
   too, the Python generator bodies only), req/s as a fraction of the ceiling's), the
   machine, and a one-line summary last. Taking turns keeps a machine whose speed
   drifts during the run (a shared VM's does) from favouring one scenario.

It exits 1 if any response was not 2xx (or a request failed at the socket level), 2 on
a setup error. The servers and the temp dir are removed at the end, also on errors and
Ctrl-C (``--keep`` keeps the temp dir, with the servers' logs, for a look afterwards).

Notes on the figures. gunicorn's sync worker closes the connection after every response,
so each request opens a new TCP connection whatever the client wants; latency is timed
from sending the request (connection established) to the end of the response, as wrk
does. One sync worker serves one request at a time: extra connections wait in the
listen backlog, so p50 grows with ``--connections`` while req/s does not; the default
(4) keeps a request always waiting for the worker without piling up a queue. wrk runs
whole seconds (``--duration`` is rounded). The real server logs one line per request
(the app's own logging) to a file in the temp dir; the ceiling logs nothing. Anything
else running on the machine skews the figures: the load average at start is printed.
The Python generator costs far more CPU per request than wrk: on the 2-core machine it
was written on it topped out near 1,900 req/s against the ceiling where wrk reached
3,000-3,500, so without wrk the ceiling, and every ratio to it, is the client's limit.
"""

from __future__ import annotations

import os
import sys

# This file is named http.py and, run as a script, its folder comes first on sys.path:
# it would shadow the standard library's ``http`` package that requests and http.client
# need. Take the folder off the path before anything imports ``http``.
if sys.path and os.path.realpath(sys.path[0]) == os.path.dirname(os.path.realpath(__file__)):
    sys.path.pop(0)

import argparse
import contextlib
import http.client
import io
import json
import math
import multiprocessing
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
WRK_DIR = ROOT / "bench" / "wrk"

SERVER_CPU = 0  # gunicorn (real and ceiling)
LOAD_CPU = 1  # the load generator

N_MEDIA, N_EMPLOYERS, N_TAGS, N_PORTFOLIOS = 60, 5, 10, 200
TAGS_PER_PORTFOLIO, IMAGES_PER_PORTFOLIO, LINKS_PER_PORTFOLIO, META_PER_PORTFOLIO = 5, 6, 2, 2
IMAGE_SIZE = (400, 300)
PAGE_SIZE = 20
LIST_PAGES = 10

#: Scenarios in the order they run and are shown: (name, wrk script, server).
SCENARIOS = [("detail", "detail", "real"), ("patch", "patch", "real"), ("list", "list", "real")]
CEILING = ("ceiling", "detail", "ceiling")

CEILING_APP = '''
"""Bare-Flask ceiling for bench/http.py: one portfolio document, served from memory."""
import os

from flask import Flask, Response

with open(os.environ["BENCH_CEILING_BODY"], "rb") as f:
    BODY = f.read()
ETAG = os.environ["BENCH_CEILING_ETAG"]

app = Flask(__name__)


@app.get("/api/portfolios/<int:portfolio_id>")
def portfolio(portfolio_id):
    return Response(BODY, content_type="application/json", headers={"ETag": ETAG})
'''


class BenchError(RuntimeError):
    """Setup went wrong (a command failed, a server did not start, a non-2xx answer)."""


# --------------------------------------------------------------------------- options


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--duration", type=float, default=12.0, help="seconds per scenario, over all rounds (default 12)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all scenarios in turn (default 3)")
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="warm-up seconds per scenario and round (default 1)"
    )
    parser.add_argument(
        "--connections", type=int, default=4, help="concurrent connections (default 4, for 1 sync worker)"
    )
    parser.add_argument("--python-load", action="store_true", help="use the Python load generator, not wrk")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (database, media, logs)")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.warmup < 0 or args.connections < 1 or args.rounds < 1:
        parser.error("--duration must be > 0, --warmup >= 0, --connections and --rounds >= 1")
    return args


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


# --------------------------------------------------------------------------- seeding


class Api:
    """A requests.Session that sends the token and insists on 2xx answers."""

    def __init__(self, base: str, token: str):
        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.session.request(method, self.base + path, timeout=60, **kwargs)
        if not 200 <= response.status_code < 300:
            raise BenchError(f"{method} {path} answered {response.status_code}: {response.text[:500]}")
        return response

    def post(self, path: str, **kwargs) -> dict:
        return self.call("POST", path, **kwargs).json()


@dataclass
class Seeded:
    media: list[int] = field(default_factory=list)
    employers: list[int] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)
    portfolios: list[int] = field(default_factory=list)


def make_image(index: int) -> tuple[str, bytes, str]:
    """A small picture of its own colours: (file name, bytes, MIME type); every 3rd is a PNG."""
    rng = random.Random(index)
    hue = int(255 * index / N_MEDIA)
    image = Image.new("HSV", IMAGE_SIZE, (hue, 120 + rng.randrange(100), 110 + rng.randrange(120))).convert(
        "RGB"
    )
    draw = ImageDraw.Draw(image)
    width, height = IMAGE_SIZE
    for _ in range(6):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(15, 90)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x - r, y - r, x + r, y + r), fill=colour)
    buffer = io.BytesIO()
    if index % 3 == 2:
        image.save(buffer, "PNG")
        return f"bench-{index:02d}.png", buffer.getvalue(), "image/png"
    image.save(buffer, "JPEG", quality=85)
    return f"bench-{index:02d}.jpg", buffer.getvalue(), "image/jpeg"


def seed_media(api: Api) -> list[int]:
    ids = []
    for index in range(N_MEDIA):
        name, data, mime = make_image(index)
        ids.append(api.post("/api/media", files={"file": (name, data, mime)})["id"])
    return ids


def seed_catalogue(api: Api, media: list[int]) -> tuple[list[int], list[int]]:
    employers = [
        api.post(
            "/api/employers",
            json={
                "name": f"Bench Employer {n}",
                "description": f"Client number {n}, a made-up company for the benchmark.",
                "image": media[n % len(media)],
            },
        )["id"]
        for n in range(1, N_EMPLOYERS + 1)
    ]
    tags = [
        api.post("/api/tags", json={"name": f"bench-tag-{n}", "image": media[(7 * n) % len(media)]})["id"]
        for n in range(1, N_TAGS + 1)
    ]
    return employers, tags


def portfolio_body(index: int, seeded: Seeded, rng: random.Random) -> dict:
    completed = datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(days=5 * index)
    return {
        "title": f"Bench portfolio {index:03d}",
        "excerpt": f"Portfolio {index}: a site rebuilt, faster and easier to edit.",
        "description": " ".join(
            f"Paragraph {p} of portfolio {index}: what the client needed, what we built, "
            "how it was tested and shipped, and what changed for its users afterwards."
            for p in range(1, 6)
        ),
        "order": index % 50,
        "image": rng.choice(seeded.media),
        "employer": seeded.employers[index % len(seeded.employers)],
        "tags": rng.sample(seeded.tags, TAGS_PER_PORTFOLIO),
        "images": rng.sample(seeded.media, IMAGES_PER_PORTFOLIO),
        "completed_at": completed.isoformat().replace("+00:00", "Z"),
    }


def seed_portfolio(api: Api, index: int, seeded: Seeded, rng: random.Random) -> int:
    """One portfolio with its links and meta; its id."""
    portfolio = api.post("/api/portfolios", json=portfolio_body(index, seeded, rng))["id"]
    for n in range(1, LINKS_PER_PORTFOLIO + 1):
        api.post(
            f"/api/portfolios/{portfolio}/links",
            json={
                "name": f"Link {n}",
                "url": f"https://example.com/work/{index}/{n}",
                "description": f"Where to see part {n} of portfolio {index}.",
                "image": rng.choice(seeded.media),
            },
        )
    for n in range(1, META_PER_PORTFOLIO + 1):
        api.post(
            f"/api/portfolios/{portfolio}/meta",
            json={
                "key": f"key-{n}",
                "value_text": f"value {n} of {index}",
                "value_file": rng.choice(seeded.media),
            },
        )
    return portfolio


def seed(api: Api) -> Seeded:
    """Everything through the API; prints how long each part took."""
    seeded = Seeded()
    started = time.perf_counter()
    seeded.media = seed_media(api)
    print(f"  {N_MEDIA} images uploaded in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    seeded.employers, seeded.tags = seed_catalogue(api, seeded.media)
    print(f"  {N_EMPLOYERS} employers and {N_TAGS} tags in {time.perf_counter() - started:.2f} s")

    started = time.perf_counter()
    rng = random.Random(2024)
    seeded.portfolios = [seed_portfolio(api, i, seeded, rng) for i in range(1, N_PORTFOLIOS + 1)]
    elapsed = time.perf_counter() - started
    calls = N_PORTFOLIOS * (1 + LINKS_PER_PORTFOLIO + META_PER_PORTFOLIO)
    print(
        f"  {N_PORTFOLIOS} portfolios with {N_PORTFOLIOS * LINKS_PER_PORTFOLIO} links and "
        f"{N_PORTFOLIOS * META_PER_PORTFOLIO} meta in {elapsed:.1f} s "
        f"({calls} sequential POSTs, {1000 * elapsed / calls:.1f} ms each)"
    )
    return seeded


# --------------------------------------------------------------------------- load


@dataclass(frozen=True)
class Workload:
    """What the scenarios ask for; the same for wrk (via BENCH_* variables) and Python."""

    token: str
    portfolio_ids: list[int]
    tag_ids: list[int]
    pages: int = LIST_PAGES
    page_size: int = PAGE_SIZE

    def env(self, label: str) -> dict[str, str]:
        return {
            "BENCH_TOKEN": self.token,
            "BENCH_IDS": ",".join(map(str, self.portfolio_ids)),
            "BENCH_TAGS": ",".join(map(str, self.tag_ids)),
            "BENCH_PAGES": str(self.pages),
            "BENCH_PAGE_SIZE": str(self.page_size),
            "BENCH_RUN": label,
        }


@dataclass(frozen=True)
class Run:
    """One load run: a scenario's requests (its wrk script) against a server for some seconds."""

    scenario: str
    script: str  # bench/wrk/<script>.lua, or the same requests from python_request()
    base: str  # http://127.0.0.1:<port>
    label: str  # unique per run, part of PATCHed titles
    seconds: float
    connections: int


@dataclass
class Result:
    scenario: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: Counter[int]
    errors: int  # connect, read, write errors and timeouts
    bytes: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def non_2xx(self) -> int:
        return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)


def run_wrk(wrk: str, run: Run, workload: Workload) -> Result:
    """``wrk -s bench/wrk/<script>.lua`` pinned to LOAD_CPU; the figures its done() prints."""
    threads = 2 if run.connections >= 2 and run.connections % 2 == 0 else 1
    command = [wrk, f"-t{threads}", f"-c{run.connections}", f"-d{max(1, round(run.seconds))}s"]
    command += ["--timeout", "10s", "-s", str(WRK_DIR / f"{run.script}.lua"), run.base]
    env = {**os.environ, **workload.env(run.label)}
    result = subprocess.run(
        pinned(LOAD_CPU, command), cwd=ROOT, env=env, capture_output=True, text=True, timeout=run.seconds + 60
    )
    match = re.search(r"^BENCH_RESULT (\{.*\})$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or not match:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    data = json.loads(match.group(1))
    return Result(
        scenario=run.scenario,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        statuses=Counter({int(status): n for status, n in data["statuses"].items()}),
        errors=sum(data["errors"].values()),
        bytes=data["bytes"],
    )


def python_request(run: Run, workload: Workload, worker: int, counter: int) -> tuple[str, str, bytes | None]:
    """(method, path, body) of request ``counter`` of ``worker``: what the Lua scripts send."""
    ids = workload.portfolio_ids
    portfolio = ids[(counter + worker * 37) % len(ids)]
    if run.script == "detail":
        return "GET", f"/api/portfolios/{portfolio}", None
    if run.script == "list":
        page = (counter + worker) % workload.pages + 1
        return "GET", f"/api/portfolios?page_size={workload.page_size}&page={page}", None
    if run.script == "patch":
        start = counter + counter // len(ids)  # a portfolio's tags change on every visit
        tags = [workload.tag_ids[(start + k) % len(workload.tag_ids)] for k in range(TAGS_PER_PORTFOLIO)]
        body = {"title": f"Bench {run.label} t{worker} n{counter}", "order": counter % 1000, "tags": tags}
        return "PATCH", f"/api/portfolios/{portfolio}", json.dumps(body).encode()
    raise ValueError(f"unknown script {run.script!r}")


def python_worker(run: Run, workload: Workload, worker: int, start_at: float, queue) -> None:
    """One connection's loop, in its own process on LOAD_CPU.

    Puts (latencies in s, status counts, socket errors, body bytes) on ``queue``.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # it terminates the workers
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {LOAD_CPU})
    port = int(run.base.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    plain = {"Authorization": f"Token {workload.token}"}
    with_body = {**plain, "Content-Type": "application/json"}
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors = received = counter = 0
    stop_at = start_at + run.seconds
    while time.monotonic() < start_at:
        time.sleep(0.001)
    while time.monotonic() < stop_at:
        counter += 1
        method, path, body = python_request(run, workload, worker, counter)
        try:
            if connection.sock is None:
                connection.connect()  # not timed, as in wrk; the sync worker closes after each response
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=with_body if body else plain)
            response = connection.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - started
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            continue
        if time.monotonic() < stop_at:  # only responses completed inside the window count
            latencies.append(elapsed)
            statuses[response.status] += 1
            received += len(data)
    connection.close()
    queue.put((latencies, dict(statuses), errors, received))


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of sorted ``values``."""
    if not values:
        return math.nan
    return values[min(len(values) - 1, max(0, math.ceil(pct / 100 * len(values)) - 1))]


def run_python_load(run: Run, workload: Workload) -> Result:
    """The wrk run's equivalent: one forked process per connection, all on LOAD_CPU."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.monotonic() + 0.3  # all processes start together
    processes = [
        context.Process(target=python_worker, args=(run, workload, worker, start_at, queue), daemon=True)
        for worker in range(1, run.connections + 1)
    ]
    for process in processes:
        process.start()
    parts = []
    try:
        parts = [queue.get(timeout=run.seconds + 60) for _ in processes]
    finally:
        for process in processes:
            if len(parts) < len(processes):  # interrupted or failed: do not wait for the run's end
                process.terminate()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
    latencies = sorted(latency for part in parts for latency in part[0])
    statuses: Counter[int] = Counter()
    for part in parts:
        statuses.update(part[1])
    return Result(
        scenario=run.scenario,
        requests=len(latencies),
        seconds=run.seconds,
        p50_ms=1000 * percentile(latencies, 50),
        p99_ms=1000 * percentile(latencies, 99),
        statuses=statuses,
        errors=sum(part[2] for part in parts),
        bytes=sum(part[3] for part in parts),
    )


def measure(
    args: argparse.Namespace, wrk: str | None, servers: dict[str, str], load: Workload
) -> list[Result]:
    """Every scenario and the ceiling, in turn, for ``--rounds`` rounds; their totals.

    Interleaving keeps a machine that speeds up or slows down over the run
    from favouring whichever scenario ran at its best moment.
    """

    def drive(run: Run) -> Result:
        return run_wrk(wrk, run, load) if wrk else run_python_load(run, load)

    seconds = max(1.0, args.duration / args.rounds)
    rounds: dict[str, list[Result]] = {}
    for number in range(1, args.rounds + 1):
        for scenario, script, server in [*SCENARIOS, CEILING]:
            base = servers[server]
            if args.warmup:
                drive(Run(scenario, script, base, f"warm{number}-{scenario}", args.warmup, args.connections))
            result = drive(Run(scenario, script, base, f"main{number}-{scenario}", seconds, args.connections))
            print(
                f"  round {number}  {scenario:<8} {result.rps:6.0f} req/s  p50 {result.p50_ms:6.2f} ms  "
                f"p99 {result.p99_ms:6.2f} ms  non-2xx {result.non_2xx}  errors {result.errors}"
            )
            rounds.setdefault(scenario, []).append(result)
    return [combined(results) for results in rounds.values()]


def combined(results: list[Result]) -> Result:
    """One scenario's rounds as one result: totals, the median p50 and the worst p99."""
    return Result(
        scenario=results[0].scenario,
        requests=sum(r.requests for r in results),
        seconds=sum(r.seconds for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=max(r.p99_ms for r in results),
        statuses=sum((r.statuses for r in results), Counter()),
        errors=sum(r.errors for r in results),
        bytes=sum(r.bytes for r in results),
    )


# --------------------------------------------------------------------------- report


def report(results: list[Result], machine: list[str]) -> str:
    """The table, the machine, and the summary line last."""
    ceiling = next(r for r in results if r.scenario == "ceiling")
    header = (
        f"{'scenario':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'errors':>7} "
        f"{'KB/resp':>8} {'x ceiling':>10}"
    )
    rows = [header, "-" * len(header)]
    for r in results:
        per_response = r.bytes / r.requests / 1024 if r.requests else 0.0
        ratio = r.rps / ceiling.rps if ceiling.rps else math.nan
        rows.append(
            f"{r.scenario:<9} {r.rps:8.0f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {r.non_2xx:8d} {r.errors:7d} "
            f"{per_response:8.1f} {ratio:9.3f}x"
        )
    by_name = {r.scenario: r for r in results}
    parts = []
    for i, (name, _, _) in enumerate(SCENARIOS):
        ratio = by_name[name].rps / ceiling.rps if ceiling.rps else math.nan
        parts.append(f"{name} {by_name[name].rps:.0f} req/s ({ratio:.3f}x{' ceiling' if i == 0 else ''})")
    parts.append(f"ceiling {ceiling.rps:.0f} req/s")
    parts.append(f"non-2xx {sum(r.non_2xx for r in results)}")
    errors = sum(r.errors for r in results)
    if errors:
        parts.append(f"socket errors {errors}")
    summary_line = "summary: " + ", ".join(parts)
    return "\n".join([*rows, "", *machine, summary_line])


# --------------------------------------------------------------------------- main


def fetch_document(base: str, token: str, portfolio_id: int, tmp: Path) -> tuple[Path, str, int]:
    """The real detail document of one portfolio, saved for the ceiling: (file, ETag, list page bytes)."""
    headers = {"Authorization": f"Token {token}"}
    response = requests.get(f"{base}/api/portfolios/{portfolio_id}", headers=headers, timeout=30)
    if response.status_code != 200 or "ETag" not in response.headers:
        raise BenchError(f"GET /api/portfolios/{portfolio_id}: {response.status_code} {response.text[:300]}")
    path = tmp / "ceiling-body.json"
    path.write_bytes(response.content)
    page = requests.get(f"{base}/api/portfolios?page_size={PAGE_SIZE}&page=1", headers=headers, timeout=30)
    if page.status_code != 200:
        raise BenchError(f"GET /api/portfolios?page_size={PAGE_SIZE}: {page.status_code} {page.text[:300]}")
    return path, response.headers["ETag"], len(page.content)


def ceiling_server(
    env: dict[str, str], tmp: Path, body: Path, etag: str
) -> contextlib.AbstractContextManager[str]:
    """The bare-Flask ceiling (a module written to ``tmp``) under the same gunicorn settings."""
    (tmp / "bench_ceiling.py").write_text(textwrap.dedent(CEILING_APP).lstrip())
    env = {**env, "BENCH_CEILING_BODY": str(body), "BENCH_CEILING_ETAG": etag}
    log = tmp / "gunicorn-ceiling.log"
    return gunicorn("bench_ceiling:app", env, log, "/api/portfolios/1", "--pythonpath", str(tmp))


def raise_on_sigterm() -> None:
    """Turn SIGTERM into KeyboardInterrupt, so that the finally blocks clean up as for Ctrl-C."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    raise_on_sigterm()
    wrk = None if args.python_load else shutil.which("wrk")
    load_generator = (
        f"{wrk_version(wrk)}, {args.connections} connections, Lua scripts in bench/wrk/"
        if wrk
        else f"Python http.client, {args.connections} processes (one connection each)"
    )
    machine = machine_lines(load_generator)
    print("\n".join(machine))
    print(
        f"{args.rounds} rounds of every scenario in turn; in each, a {args.warmup:g} s warm-up, then "
        f"{max(1.0, args.duration / args.rounds):g} s measured"
    )

    tmp = Path(tempfile.mkdtemp(prefix="portfolio-bench-"))
    try:
        with contextlib.ExitStack() as stack:
            env = instance_env(tmp)
            print(f"instance in {tmp}: migrating, creating the admin and its key")
            token = prepare_instance(env)
            real = stack.enter_context(gunicorn("wsgi:app", env, tmp / "gunicorn-real.log", "/api/health"))
            print(f"real server at {real} (gunicorn wsgi:app, 1 sync worker); seeding through the API:")
            seeded = seed(Api(real, token))

            body, etag, page_bytes = fetch_document(real, token, seeded.portfolios[0], tmp)
            print(
                f"ceiling document: portfolio {seeded.portfolios[0]}, {body.stat().st_size} bytes, "
                f"ETag {etag}; a list page of {PAGE_SIZE} is {page_bytes} bytes"
            )
            ceiling = stack.enter_context(ceiling_server(env, tmp, body, etag))
            print(f"ceiling at {ceiling} (bare Flask, same gunicorn settings); measuring:")

            workload = Workload(token, seeded.portfolios, seeded.tags)
            results = measure(args, wrk, {"real": real, "ceiling": ceiling}, workload)
        print()
        print(report(results, machine))
        return 1 if any(r.non_2xx or r.errors for r in results) else 0
    except KeyboardInterrupt:
        print("interrupted: servers stopped", file=sys.stderr)
        return 130
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        for log in sorted(tmp.glob("gunicorn-*.log")):
            print(f"--- last lines of {log.name}:\n{log_tail(log)}", file=sys.stderr)
        return 2
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
