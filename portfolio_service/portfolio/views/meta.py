"""``/api/portfolios/<id>/meta``: a portfolio's key/value meta (the source's "Meta Data Structure").

Writes lock the portfolio's row first, then touch the meta: the one lock
order of every write path (README, "Working on the code").
"""

from __future__ import annotations

from ...auth.permissions import ANYONE, Perm, permission
from ...parsing import load_body
from .. import bp
from ..models import Meta
from ..queries import portfolio_for_update
from ..schemas import meta_schema, meta_update_schema
from .common import child_or_404, created, delete_child, list_children, touch, update_child


@bp.get("/portfolios/<int:portfolio_id>/meta")
@permission(ANYONE)
def list_meta(portfolio_id: int):
    """The portfolio's meta.
    ---
    get:
      tags: [meta]
      parameters: [{in: query, schema: PageQuerySchema}]
      responses:
        200:
          description: A page of meta.
          content: {application/json: {schema: MetaPageSchema}}
    """
    return list_children(Meta, portfolio_id, meta_schema, Meta.value_file)


@bp.post("/portfolios/<int:portfolio_id>/meta")
@permission(Perm.PORTFOLIO_UPDATE)
def create_meta(portfolio_id: int):
    """Add a meta to the portfolio.
    ---
    post:
      tags: [meta]
      requestBody:
        required: true
        content: {application/json: {schema: MetaSchema}}
      responses:
        201:
          description: The meta.
          content: {application/json: {schema: MetaSchema}}
    """
    portfolio = portfolio_for_update(portfolio_id)
    meta = Meta(portfolio_id=portfolio.id, **load_body(meta_schema, instance=portfolio))
    touch(portfolio.id)
    return created(meta, meta_schema, "portfolio.update_meta", "meta_id", portfolio_id=portfolio.id)


@bp.patch("/portfolios/<int:portfolio_id>/meta/<int:meta_id>")
@permission(Perm.PORTFOLIO_UPDATE)
def update_meta(portfolio_id: int, meta_id: int):
    """Change a meta.
    ---
    patch:
      tags: [meta]
      requestBody:
        required: true
        content: {application/json: {schema: MetaSchema}}
      responses:
        200:
          description: The meta.
          content: {application/json: {schema: MetaSchema}}
    """
    portfolio_for_update(portfolio_id)
    return update_child(
        child_or_404(Meta, portfolio_id, meta_id, Meta.value_file), meta_schema, meta_update_schema
    )


@bp.delete("/portfolios/<int:portfolio_id>/meta/<int:meta_id>")
@permission(Perm.PORTFOLIO_UPDATE)
def delete_meta(portfolio_id: int, meta_id: int):
    """Delete a meta.
    ---
    delete:
      tags: [meta]
      responses:
        204: {description: Deleted.}
    """
    portfolio_for_update(portfolio_id)
    return delete_child(child_or_404(Meta, portfolio_id, meta_id, Meta.value_file))
