"""The WSGI entry point: ``gunicorn wsgi:app`` and ``flask`` both find ``app`` here."""

import logging

from portfolio_service import create_app

# One line per request (the app's request log): records skip what the format
# does not show, as the logging HOWTO's "Optimization" section describes. It
# was 5% of a cached read's time.
logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
logging._srcfile = None
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

app = create_app()
