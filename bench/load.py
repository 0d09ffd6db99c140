"""Driving the scenarios: wrk and its Lua scripts, or Python processes, and their figures."""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import multiprocessing
import os
import re
import signal
import statistics
import subprocess
import time
from collections import Counter
from dataclasses import dataclass

from bench.common import LOAD_CPU, ROOT, BenchError, pinned
from bench.seeding import TAGS_PER_PORTFOLIO

WRK_DIR = ROOT / "bench" / "wrk"
PAGE_SIZE = 20
LIST_PAGES = 10

#: Scenarios in the order they run and are shown: (name, wrk script, server).
SCENARIOS = [("detail", "detail", "real"), ("patch", "patch", "real"), ("list", "list", "real")]
CEILING = ("ceiling", "detail", "ceiling")


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
