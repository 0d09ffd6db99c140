"""``/api/portfolios/<id>/meta``: a portfolio's key/value meta (the source's "Meta Data Structure").

Writes lock the portfolio's row first, then touch the meta: the one lock
order of every write path (README, "Working on the code").
"""

from __future__ import annotations

from ...auth.permissions import ANYONE, Perm, permission
from ...openapi import contract
from ...pagination import PageQuerySchema
from ...parsing import load_body
from .. import bp
from ..models import Meta
from ..schemas import MetaPageSchema, MetaSchema, meta_schema, meta_update_schema
from ..writes import portfolio_for_update
from .common import child_or_404, created, delete_child, list_children, touch, update_child


@bp.get("/portfolios/<int:portfolio_id>/meta")
@permission(ANYONE)
@contract("meta", response=MetaPageSchema, query=[PageQuerySchema])
def list_meta(portfolio_id: int):
    """The portfolio's meta."""
    return list_children(Meta, portfolio_id, meta_schema, Meta.value_file)


@bp.post("/portfolios/<int:portfolio_id>/meta")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("meta", body=MetaSchema, response=MetaSchema, status=201)
def create_meta(portfolio_id: int):
    """Add a meta to the portfolio."""
    portfolio = portfolio_for_update(portfolio_id)
    meta = Meta(portfolio_id=portfolio.id, **load_body(meta_schema, instance=portfolio))
    touch(portfolio.id)
    return created(meta, meta_schema, "portfolio.update_meta", "meta_id", portfolio_id=portfolio.id)


@bp.patch("/portfolios/<int:portfolio_id>/meta/<int:meta_id>")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("meta", body=MetaSchema, response=MetaSchema)
def update_meta(portfolio_id: int, meta_id: int):
    """Change a meta."""
    portfolio_for_update(portfolio_id)
    return update_child(
        child_or_404(Meta, portfolio_id, meta_id, Meta.value_file), meta_schema, meta_update_schema
    )


@bp.delete("/portfolios/<int:portfolio_id>/meta/<int:meta_id>")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("meta")
def delete_meta(portfolio_id: int, meta_id: int):
    """Delete a meta."""
    portfolio_for_update(portfolio_id)
    return delete_child(child_or_404(Meta, portfolio_id, meta_id, Meta.value_file))
