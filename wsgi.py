"""The WSGI entry point: ``gunicorn wsgi:app`` and ``flask`` both find ``app`` here."""

import logging

from portfolio_service import create_app

# One line per request (the app's request log): records skip the thread and
# caller details no format here shows, as the logging HOWTO's "Optimization"
# section describes (gunicorn's own format shows the process id: kept).
logging.logThreads = logging.logMultiprocessing = False
logging._srcfile = None
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

app = create_app()
