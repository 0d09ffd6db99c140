"""The media library: uploads, thumbnails and the files themselves."""

from flask import Blueprint, current_app

from .storage import Storage

bp = Blueprint("media", __name__, cli_group="media")


def get_storage() -> Storage:
    """The app's configured storage backend."""
    return current_app.extensions["storage"]


from . import cli, jobs, views  # noqa: E402,F401  (registers routes, commands and jobs)
