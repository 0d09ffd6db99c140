"""``/api/portfolios/<id>/revisions``: every change to a portfolio's live state, and restoring one."""

from __future__ import annotations

from marshmallow import fields
from sqlalchemy import select

from ...auth.permissions import Perm, permission
from ...errors import NotFound
from ...extensions import db
from ...fields import Schema, UserRefSchema, UTCDateTime, changes_field
from ...openapi import contract
from ...pagination import PageQuerySchema, page_schema, paginate
from .. import bp
from ..models import Portfolio
from ..publishing.models import Revision
from ..publishing.restore import restore
from ..publishing.revisions import document_at
from ..schemas import PortfolioSchema
from .portfolios import locked_for_write, save

ACTIONS = ["create", "update", "publish", "restore", "links", "meta"]


class RevisionSchema(Schema):
    number = fields.Integer(required=True)
    created_at = UTCDateTime(required=True)
    user = fields.Nested(UserRefSchema, required=True, allow_none=True)
    action = fields.String(required=True, metadata={"enum": ACTIONS})
    changes = changes_field(
        required=True, metadata={"description": "Each key of the document that changed, as [old, new]."}
    )


class RevisionDetailSchema(RevisionSchema):
    document = fields.Nested(PortfolioSchema, required=True, metadata={"description": "Right after it."})


RevisionPageSchema = page_schema(RevisionSchema)
revision_schema = RevisionSchema()


def revision_or_404(portfolio_id: int, number: int) -> Revision:
    found = db.session.scalar(
        select(Revision).where(Revision.portfolio_id == portfolio_id, Revision.number == number)
    )
    if found is None:
        raise NotFound()
    return found


@bp.get("/portfolios/<int:portfolio_id>/revisions")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("revisions", response=RevisionPageSchema, query=[PageQuerySchema])
def list_revisions(portfolio_id: int):
    """The portfolio's revisions, newest first."""
    if db.session.get(Portfolio, portfolio_id) is None:
        raise NotFound()
    query = select(Revision).where(Revision.portfolio_id == portfolio_id).order_by(Revision.number.desc())
    return paginate(query, revision_schema)


@bp.get("/portfolios/<int:portfolio_id>/revisions/<int:number>")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("revisions", response=RevisionDetailSchema)
def read_revision(portfolio_id: int, number: int):
    """A revision with `document`: the portfolio's whole document right after it."""
    revision = revision_or_404(portfolio_id, number)
    return {**revision_schema.dump(revision), "document": document_at(portfolio_id, number)}


@bp.post("/portfolios/<int:portfolio_id>/revisions/<int:number>/restore")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("revisions", response=PortfolioSchema, if_match=True, headers=["ETag"])
def restore_revision(portfolio_id: int, number: int):
    """Make the live portfolio (fields, relations, links and meta) that revision's document again.

    Recorded as a new revision. A media, employer or tag gone since is a 400 naming it.
    """
    portfolio, base = locked_for_write(portfolio_id)
    document = document_at(portfolio_id, number)
    if document is None:
        raise NotFound()
    restore(portfolio, document)
    return save(portfolio_id, "restore", base)
