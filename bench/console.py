"""The console's weight and Lighthouse scores, in Debian's Chromium against a real gunicorn.

Run from the repository root after ``make test`` (which builds the console and installs
Lighthouse 12.2.3 in tests/js)::

    .venv/bin/python bench/console.py

It builds a throw-away instance (SQLite, demo data from ``flask seed``, an admin), serves it
with gunicorn, and runs ``bench/lighthouse.mjs``: a Lighthouse user flow that audits the
sign-in page, signs in, and audits the portfolio list (default mobile settings, simulated
throttling). It prints each page's performance, accessibility and best-practices scores
and the bytes it transferred, and the gzipped size of the built JavaScript and CSS.

Targets (it exits 1 when one is missed): every score >= 95 for accessibility and best
practices, >= 90 for performance; at most 100 KB of JavaScript plus CSS, gzipped.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# From the repository root, not from bench/, whose http.py would hide the standard library's.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import ROOT, BenchError, gunicorn, instance_env, prepare_instance, run_flask  # noqa: E402

TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95}
BUDGET = 100 * 1024  # JavaScript plus CSS of the first load, gzipped


def built_sizes() -> tuple[int, int]:
    """The built scripts and styles: raw bytes, gzipped bytes."""
    files = [
        path for path in (ROOT / "console" / "dist" / "assets").iterdir() if path.suffix in (".js", ".css")
    ]
    if not files:
        raise BenchError("console/dist has no assets: run make test (or npm run build in console/)")
    data = [path.read_bytes() for path in files]
    return sum(map(len, data)), sum(len(gzip.compress(d, compresslevel=9)) for d in data)


def lighthouse(base: str) -> dict:
    result = subprocess.run(
        ["node", str(ROOT / "bench" / "lighthouse.mjs"), base, "bench", "benchbench"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if result.returncode != 0:
        raise BenchError(f"lighthouse failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    raw, zipped = built_sizes()
    tmp = Path(tempfile.mkdtemp(prefix="portfolio-console-bench-"))
    try:
        env = instance_env(tmp)
        prepare_instance(env)
        run_flask(env, "seed")
        with gunicorn("wsgi:app", env, tmp / "gunicorn.log", "/api/health") as base:
            report = lighthouse(base)
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"Lighthouse {report['lighthouse']} in {shutil.which('chromium')}, default (mobile) settings")
    header = ("page", "perf", "a11y", "best", "JS+CSS bytes", "all bytes", "requests")
    print("{:<12} {:>5} {:>5} {:>5} {:>13} {:>10} {:>9}".format(*header))
    missed = []
    for page in report["pages"]:
        scores = page["scores"]
        print(
            f"{page['name']:<12} {scores['performance']:>5} {scores['accessibility']:>5} "
            f"{scores['best-practices']:>5} {page['script_and_style_bytes']:>13} {page['total_bytes']:>10} "
            f"{page['requests']:>9}"
        )
        missed += [
            f"{page['name']} {name} {scores[name]} < {low}"
            for name, low in TARGETS.items()
            if scores[name] < low
        ]
        missed += [f"{page['name']}: failed audit {audit}" for audit in page["failed"]]
    print(f"built JS+CSS: {raw} bytes, {zipped} gzipped (budget {BUDGET})")
    if zipped > BUDGET:
        missed.append(f"JS+CSS {zipped} gzipped bytes > {BUDGET}")
    print("summary: " + ("all targets met" if not missed else "missed: " + "; ".join(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
