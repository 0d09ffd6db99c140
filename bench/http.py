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
import math
import shutil
import signal
import tempfile
import textwrap
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BenchError,
    gunicorn,
    instance_env,
    log_tail,
    machine_lines,
    prepare_instance,
    wrk_version,
)
from bench.load import PAGE_SIZE, SCENARIOS, Result, Workload, measure  # noqa: E402
from bench.seeding import Api, seed  # noqa: E402

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
