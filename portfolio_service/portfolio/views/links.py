"""``/api/portfolios/<id>/links``: a portfolio's related links (the source's "Link Data Structure").

Writes lock the portfolio's row first, then touch the link: the one lock
order of every write path (README, "Working on the code").
"""

from __future__ import annotations

from ...auth.permissions import ANYONE, Perm, permission
from ...openapi import contract
from ...pagination import PageQuerySchema
from ...parsing import load_body
from .. import bp
from ..models import Link
from ..schemas import LinkPageSchema, LinkSchema, link_schema, link_update_schema
from ..writes import portfolio_for_update
from .common import child_or_404, created, delete_child, list_children, touch, update_child


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
    portfolio = portfolio_for_update(portfolio_id)
    link = Link(portfolio_id=portfolio.id, **load_body(link_schema, instance=portfolio))
    touch(portfolio.id)
    return created(link, link_schema, "portfolio.update_link", "link_id", portfolio_id=portfolio.id)


@bp.patch("/portfolios/<int:portfolio_id>/links/<int:link_id>")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("links", body=LinkSchema, response=LinkSchema)
def update_link(portfolio_id: int, link_id: int):
    """Change a link."""
    portfolio_for_update(portfolio_id)
    return update_child(
        child_or_404(Link, portfolio_id, link_id, Link.image), link_schema, link_update_schema
    )


@bp.delete("/portfolios/<int:portfolio_id>/links/<int:link_id>")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("links")
def delete_link(portfolio_id: int, link_id: int):
    """Delete a link."""
    portfolio_for_update(portfolio_id)
    return delete_child(child_or_404(Link, portfolio_id, link_id, Link.image))
