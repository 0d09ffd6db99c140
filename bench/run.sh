#!/usr/bin/env bash
# `make bench`: bench/http.py after `make` set up .venv, with wrk from the
# distribution's packages when it is missing and we may install it (without
# it the Python load generator runs, and the ceiling is the client's limit).
# Extra arguments go to bench/http.py (--duration, --rounds, --keep...).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing wrk with apt-get..."
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    else
        echo "wrk is not installed, and no root to install it: using the Python load generator."
    fi
fi
exec .venv/bin/python bench/http.py "$@"
