"""portfolio-service: the JSON API behind portfolio websites."""

from __future__ import annotations

import logging
import os
import time

from flask import Flask, g, request
from werkzeug.routing import IntegerConverter

__version__ = "0.1.0"

log = logging.getLogger("portfolio_service.requests")


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: ids beyond 64 bits are a 404, not a database overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the application; ``config`` overrides every other setting (tests use it)."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True, static_folder=None)
    from .config import load_config

    load_config(app, config)
    app.json.sort_keys = False  # fields keep the order of the source page
    app.url_map.converters["int"] = IdConverter

    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_request_logging(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from .database import configure_sqlite
    from .extensions import db, ma, migrate
    from .media.storage import storage_from_config

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    ma.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    app.extensions["storage"] = storage_from_config(app.config)


def register_blueprints(app: Flask) -> None:
    from . import auth, media, ops, portfolio

    app.register_blueprint(ops.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(portfolio.bp)


def register_error_handlers(app: Flask) -> None:
    from .errors import register_error_handlers as register

    register(app)


def register_request_logging(app: Flask) -> None:
    """One log line per request: method, path, status and duration."""

    @app.before_request
    def start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        elapsed = (time.perf_counter() - started) * 1000 if started else 0.0
        path = request.full_path.rstrip("?")
        log.info("%s %s %s %.1fms", request.method, path, response.status_code, elapsed)
        return response


def register_commands(app: Flask) -> None:
    from .cli import first_run_command
    from .portfolio.cli import seed_command

    app.cli.add_command(seed_command)
    app.cli.add_command(first_run_command)
