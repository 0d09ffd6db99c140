"""Users, API keys and the permission codes that guard every endpoint."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/api/auth", cli_group="auth")

from . import (  # noqa: E402,F401  (registers routes and commands on bp)
    authentication,
    cli,
    login,
    tokens,
    users,
)
