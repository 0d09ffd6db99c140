"""The WSGI entry point: ``gunicorn wsgi:app`` and ``flask`` both find ``app`` here."""

import logging

from portfolio_service import create_app

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

app = create_app()
