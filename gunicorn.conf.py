"""gunicorn settings: ``gunicorn wsgi:app`` reads this file from the working directory.

Threaded workers: a sync worker is held by one slow client for as long as it
trickles its headers or body, so two such clients took the default set-up
offline. A gthread worker gives each connection a thread and stops
accepting only when all its threads are busy, so the other worker goes on
answering. In production a buffering proxy (nginx) goes in front all the
same: it reads slow requests whole before gunicorn sees them (README, Deploying).
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# The app logs one line per request itself; gunicorn's own log goes to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Thumbnailing a large upload can take a few seconds on one core.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# Idle keep-alive connections wait in the worker's poller, not in a thread.
keepalive = 5
# The app alone decides which proxies to trust (TRUSTED_PROXIES, with
# Werkzeug's ProxyFix): gunicorn trusts no X-Forwarded-* or SCRIPT_NAME header
# from anyone, and drops header names with "_" rather than guessing at them.
forwarded_allow_ips = ""
header_map = "drop"
