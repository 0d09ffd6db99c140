"""``flask first-run``: what ``make run`` does on an empty database."""

from __future__ import annotations

import secrets

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from .auth.models import ApiToken, User
from .extensions import db
from .portfolio.cli import seed_demo_data


@click.command("first-run")
@with_appcontext
def first_run_command() -> None:
    """On an empty development database: demo data, an ``admin`` user and its API key, printed once."""
    if current_app.config["PORTFOLIO_ENV"] != "development":
        click.echo("first-run: PORTFOLIO_ENV is not development; no demo data, no admin.")
        return
    if db.session.scalar(select(func.count(User.id))):
        click.echo("first-run: users exist already; nothing to do.")
        return
    made = seed_demo_data()
    password = secrets.token_urlsafe(12)
    admin = User(username="admin", is_staff=True, is_admin=True)
    admin.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    token = ApiToken.issue(admin, "first run")
    db.session.add_all([admin, token])
    db.session.commit()
    port = current_app.config.get("PORT", "8000")
    click.echo(
        "\n".join(
            [
                "",
                "=" * 72,
                f" Demo data: {', '.join(f'{count} {name}' for name, count in made.items())}.",
                " An admin was created. This is shown once; keep it:",
                "",
                "   username: admin",
                f"   password: {password}",
                f"   API key:  {token.key}",
                "",
                f" Try:  curl -H 'Authorization: Token {token.key}' http://127.0.0.1:{port}/api/auth/me",
                f" Console: http://127.0.0.1:{port}/console/ (sign in as admin)",
                f" Docs:    http://127.0.0.1:{port}/api/docs",
                "=" * 72,
                "",
            ]
        )
    )
