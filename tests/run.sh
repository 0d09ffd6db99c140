#!/usr/bin/env bash
# The whole suite on SQLite, then again on a throw-away PostgreSQL cluster.
# `make test` runs this after setting up .venv; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python

install_system_packages() {
    # PostgreSQL (the second run), Chromium (the browser tests) and Redis (the
    # shared job queue), from the distribution's packages, when missing and when
    # we may install them.
    local missing=()
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
    command -v chromium >/dev/null || missing+=(chromium)
    command -v redis-server >/dev/null || missing+=(redis-server)
    [ ${#missing[@]} -eq 0 ] && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing ${missing[*]} with apt-get..."
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "Not installed, and no root to install them: ${missing[*]} (those runs are skipped)."
    fi
}

start_postgres() {
    # initdb refuses to run as root: the cluster belongs to the postgres user when we are root.
    local bin port run_as=()
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    PGDIR=$(mktemp -d)
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$PGDIR"
        run_as=(runuser -u postgres -- env --chdir=/)  # the postgres user may not enter our cwd
    fi
    port=$($PYTHON -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${run_as[@]}" "$bin/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
    "${run_as[@]}" "$bin/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start -o \
        "-h 127.0.0.1 -p $port -k $PGDIR -c max_connections=300 -c fsync=off -c synchronous_commit=off" >/dev/null
    STOP_POSTGRES=("${run_as[@]}" "$bin/pg_ctl" -D "$PGDIR/data" -m immediate -w stop)
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres portfolio_test
    export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/portfolio_test"
}

start_redis() {
    # A throw-away Redis on a free port, in memory only, for the job queue's tests.
    local port
    port=$($PYTHON -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    REDIS_DIR=$(mktemp -d)
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize yes \
        --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" --dir "$REDIS_DIR"
    export TEST_REDIS_URL="redis://127.0.0.1:$port/0"
}

stop_redis() {
    if [ -n "${REDIS_DIR+x}" ]; then
        kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || true
        rm -rf "$REDIS_DIR"
    fi
}

stop_postgres() {
    if [ -n "${STOP_POSTGRES+x}" ]; then
        "${STOP_POSTGRES[@]}" >/dev/null || true
        rm -rf "$PGDIR"
    fi
}

install_system_packages
if command -v redis-server >/dev/null; then
    start_redis
fi
trap 'stop_redis; stop_postgres' EXIT

echo "=== The suite on SQLite ==="
$PYTHON -m pytest "$@"

if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    start_postgres
    echo "=== The suite on PostgreSQL ($TEST_DATABASE_URL) ==="
    $PYTHON -m pytest "$@"
fi
