#!/bin/sh
# Start the service: settings, migrations, first-run data, then gunicorn.
set -e
cd "$(dirname "$0")"
export FLASK_APP=wsgi

mkdir -p instance
if [ -z "$SECRET_KEY" ] && [ ! -f instance/config.py ]; then
    # A key of this instance's own, made once, kept in the git-ignored instance folder.
    python -c 'import secrets; print("SECRET_KEY = %r" % secrets.token_hex(32))' > instance/config.py
fi

flask db upgrade
exec gunicorn wsgi:app
