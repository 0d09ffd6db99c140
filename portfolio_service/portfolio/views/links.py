"""``/api/portfolios/<id>/links``: a portfolio's related links (the source's "Link Data Structure")."""

from __future__ import annotations

from ...auth.permissions import ANYONE, Perm, permission
from ...openapi import contract
from ...pagination import PageQuerySchema
from .. import bp
from ..models import Link
from ..schemas import LinkPageSchema, LinkSchema, link_schema, link_update_schema
from .common import create_child, delete_child, list_children, update_child


@bp.get("/portfolios/<int:portfolio_id>/links")
@permission(ANYONE)
@contract("links", response=LinkPageSchema, query=[PageQuerySchema])
def list_links(portfolio_id: int):
    """The portfolio's links."""
    return list_children(Link, portfolio_id, link_schema, Link.image)


@bp.post("/portfolios/<int:portfolio_id>/links")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("links", body=LinkSchema, response=LinkSchema, status=201)
def create_link(portfolio_id: int):
    """Add a link to the portfolio."""
    return create_child(Link, link_schema, portfolio_id, "portfolio.update_link", "link_id")


@bp.patch("/portfolios/<int:portfolio_id>/links/<int:link_id>")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("links", body=LinkSchema, response=LinkSchema)
def update_link(portfolio_id: int, link_id: int):
    """Change a link."""
    return update_child(Link, portfolio_id, link_id, Link.image, link_schema, link_update_schema)


@bp.delete("/portfolios/<int:portfolio_id>/links/<int:link_id>")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("links")
def delete_link(portfolio_id: int, link_id: int):
    """Delete a link."""
    return delete_child(Link, portfolio_id, link_id, Link.image)
