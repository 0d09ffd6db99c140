"""Registering generated views (employers, tags, links, meta) with their OpenAPI docs."""

from __future__ import annotations

import yaml

from ..auth.permissions import permission
from . import bp


def json_content(schema: str) -> dict:
    return {"application/json": {"schema": schema}}


def add_routes(routes: list[tuple], tag: str) -> None:
    """Register ``(method, rule, endpoint, view, access, summary, operation)`` rows on the blueprint.

    Each view gets the docstring ``openapi.py`` reads: its summary, ``---``,
    then the operation as YAML.
    """
    for method, rule, endpoint, view, access, summary, operation in routes:
        view.__name__ = endpoint
        view.__doc__ = f"{summary}\n---\n{yaml.safe_dump({method: {'tags': [tag], **operation}})}"
        bp.add_url_rule(rule, endpoint, permission(access)(view), methods=[method.upper()])
