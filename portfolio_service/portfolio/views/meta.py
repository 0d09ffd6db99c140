"""``/api/portfolios/<id>/meta``: a portfolio's key/value meta (the source's "Meta Data Structure")."""

from __future__ import annotations

from ...auth.permissions import ANYONE, Perm, permission
from ...openapi import contract
from ...pagination import PageQuerySchema
from .. import bp
from ..models import Meta
from ..schemas import MetaPageSchema, MetaSchema, meta_schema, meta_update_schema
from .common import create_child, delete_child, list_children, update_child


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
    return create_child(Meta, meta_schema, portfolio_id, "portfolio.update_meta", "meta_id")


@bp.patch("/portfolios/<int:portfolio_id>/meta/<int:meta_id>")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("meta", body=MetaSchema, response=MetaSchema)
def update_meta(portfolio_id: int, meta_id: int):
    """Change a meta."""
    return update_child(Meta, portfolio_id, meta_id, Meta.value_file, meta_schema, meta_update_schema)


@bp.delete("/portfolios/<int:portfolio_id>/meta/<int:meta_id>")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("meta")
def delete_meta(portfolio_id: int, meta_id: int):
    """Delete a meta."""
    return delete_child(Meta, portfolio_id, meta_id, Meta.value_file)
