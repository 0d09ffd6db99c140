"""gunicorn settings: ``gunicorn wsgi:app`` reads this file from the working directory."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# The app logs one line per request itself; gunicorn's own log goes to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Thumbnailing a large upload can take a few seconds on one core.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
