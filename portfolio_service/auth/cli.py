"""``flask auth create-user`` and ``flask auth create-token``."""

from __future__ import annotations

import click
from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import func, select

from ..audit import record
from ..extensions import db
from . import bp
from .models import ApiToken, User
from .permissions import Perm
from .schemas import USERNAME

PERMISSION_CODES = click.Choice([str(code.value) for code in Perm])


@bp.cli.command("create-user")
@click.argument("username")
@click.option("--password", help="Prompted for (hidden, twice) when not given.")
@click.option("--staff", is_flag=True, help="Staff: may use the permission codes it holds.")
@click.option("--admin", is_flag=True, help="Admin: may do everything.")
@click.option(
    "--permission", "codes", multiple=True, type=PERMISSION_CODES, help="A permission code; repeat."
)
def create_user(username: str, password: str | None, staff: bool, admin: bool, codes: tuple[str, ...]):
    """Create a user."""
    try:
        USERNAME(username)
    except ValidationError as error:
        raise click.ClickException(" ".join(error.messages)) from None
    same_name = select(User.id).where(func.lower(User.username) == func.lower(username))
    if db.session.scalar(same_name) is not None:
        raise click.ClickException(f"User {username!r} already exists.")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("The password needs at least 8 characters.")
    user = User(
        username=username, is_staff=staff, is_admin=admin, permissions=sorted({int(c) for c in codes})
    )
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    db.session.add(user)
    db.session.flush()
    fields = {"username": username, "password": "", "is_staff": staff, "is_admin": admin}
    record("create", "user", user.id, {name: [None, value] for name, value in fields.items()})
    db.session.commit()
    click.echo(f"Created user {username!r} (id {user.id}).")


@bp.cli.command("create-token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="A label for the key.")
def create_token(username: str, name: str):
    """Make an API key for USERNAME and print it alone on the last line."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    token = ApiToken.issue(user, name)
    db.session.add(token)
    db.session.flush()
    record("create", "token", token.id, {"name": [None, name], "user": [None, username]})
    db.session.commit()
    click.echo(f"API key {name!r} for {username!r} (shown once, keep it safe):")
    click.echo(token.key)
