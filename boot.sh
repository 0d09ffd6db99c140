#!/bin/sh
# Start the service: settings, migrations, first-run data, then gunicorn.
# `make run` runs this with PORTFOLIO_ENV=development; a deployment runs it
# (or `flask db upgrade` as a release step, then `gunicorn wsgi:app`) without.
set -e
cd "$(dirname "$0")"
export FLASK_APP=wsgi

mkdir -p -m 700 instance
if [ "$PORTFOLIO_ENV" = development ] && [ -z "$SECRET_KEY" ] && [ ! -f instance/config.py ]; then
    # A key of this instance's own, made once, kept in the git-ignored instance
    # folder and readable by its owner alone.
    (umask 077 && python -c 'import secrets; print("SECRET_KEY = %r" % secrets.token_hex(32))' > instance/config.py)
fi

if [ "${MIGRATE_ON_BOOT:-1}" = 1 ]; then
    flask db upgrade
fi
if [ "$PORTFOLIO_ENV" = development ]; then
    flask first-run
    # One worker beside the server, for the jobs after an upload (a deployment runs
    # `flask jobs worker` as a service of its own). Ctrl-C stops both.
    flask jobs worker &
fi
exec gunicorn wsgi:app
