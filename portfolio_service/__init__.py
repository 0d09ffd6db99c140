"""portfolio-service: the JSON API behind portfolio websites."""

from __future__ import annotations

import logging
import os
import random
import time

from flask import Flask, g, request
from flask.sessions import SessionInterface
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .database import RETRYABLE_SQLSTATES, sqlstate
from .extensions import db
from .fields import MAX_ID
from .serialization import OrjsonProvider

__version__ = "0.1.0"

log = logging.getLogger("portfolio_service.requests")


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: an id beyond the id columns' range names nothing, so it is a 404.

    (Refusing to match would make Werkzeug answer 405 from another rule, and
    passing it on would overflow the database driver.)
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number


class NoCookieSession(SessionInterface):
    """The API keeps no cookie session (callers send a token): none is opened or saved.

    Flask's default would build a signing serializer on every request for nothing.
    """

    def open_session(self, app, request):
        return None  # Flask then uses its null session, which refuses writes

    def save_session(self, app, session, response) -> None:
        pass


class PortfolioService(Flask):
    """Flask, with a request whose transaction lost a race run again from the start.

    A deadlock or serialization failure that the lock order does not prevent
    (README, "Working on the code") is retried up to ``ATTEMPTS`` times in
    all, the view running again in a fresh transaction; if the last try fails
    too, ``errors.py`` answers 503 with ``Retry-After``, never a 500.
    """

    ATTEMPTS = 3

    def dispatch_request(self):
        for attempt in range(1, self.ATTEMPTS + 1):
            try:
                return super().dispatch_request()
            except DBAPIError as error:
                if attempt == self.ATTEMPTS or sqlstate(error) not in RETRYABLE_SQLSTATES:
                    raise
                db.session.rollback()
                log.info(
                    "Retrying %s %s after a %s",
                    request.method,
                    request.path,
                    RETRYABLE_SQLSTATES[sqlstate(error)],
                )
                time.sleep(random.uniform(0, 0.01 * 2**attempt))  # apart from whoever it collided with


def create_app(config: dict | None = None, instance_path: str | None = None) -> Flask:
    """Build the application; ``config`` overrides every other setting (tests use it)."""
    app = PortfolioService(
        __name__, instance_path=instance_path, instance_relative_config=True, static_folder=None
    )
    app.json = OrjsonProvider(app)  # also keeps fields in the source page's order
    app.session_interface = NoCookieSession()
    from .config import load_config

    load_config(app, config)
    app.url_map.converters["int"] = IdConverter
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_request_logging(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from .database import configure_sqlite, prepare_sqlite_file
    from .extensions import db, ma, migrate
    from .jobs import make_queue
    from .media.storage import storage_from_config
    from .portfolio.documents import listen as listen_for_content_changes
    from .portfolio.publishing.schedule import listen as listen_for_schedule_boundaries
    from .webhooks.events import listen as listen_for_webhook_events

    db.init_app(app)
    # Commits move the content versions that keep remembered documents exact.
    listen_for_content_changes(db.session)
    # Publishing's boundaries, and the webhooks' events, are queued after the commits that made them.
    listen_for_schedule_boundaries(db.session)
    listen_for_webhook_events(db.session)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    ma.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            prepare_sqlite_file(db.engine.url.database)
            configure_sqlite(db.engine)
    app.extensions["storage"] = storage_from_config(app.config)
    make_queue(app)
    if app.config["CORS_ORIGINS"]:
        from flask_cors import CORS

        CORS(
            app,
            resources={r"/api/*": {"origins": app.config["CORS_ORIGINS"]}, r"/media/*": {"origins": "*"}},
            allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match"],
            expose_headers=["ETag", "Location", "Retry-After"],
            max_age=3600,
        )


def register_blueprints(app: Flask) -> None:
    from . import audit, auth, console, jobs, media, ops, portfolio, webhooks

    app.register_blueprint(ops.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(portfolio.bp)
    app.register_blueprint(console.bp)
    app.register_blueprint(jobs.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(webhooks.bp)


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


#: Content-Security-Policy per kind of response: the docs page runs Swagger UI
#: from this origin only; everything else (JSON, media files) runs nothing.
CSP_DOCS = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
CSP_DEFAULT = "default-src 'none'; frame-ancestors 'none'; sandbox"


def register_security_headers(app: Flask) -> None:
    """The same protective headers on every response, errors included."""

    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
        docs = request.path == "/api/docs" or request.path.startswith("/api/docs/")
        headers.setdefault("Content-Security-Policy", CSP_DOCS if docs else CSP_DEFAULT)
        return response


def register_commands(app: Flask) -> None:
    from .backup import backup_command, restore_command
    from .cli import first_run_command
    from .portfolio.cli import seed_command

    app.cli.add_command(seed_command)
    app.cli.add_command(first_run_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
