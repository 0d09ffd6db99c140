"""``/api/portfolios/<id>/draft``: changes to a live portfolio kept aside, then published or discarded."""

from __future__ import annotations

import dataclasses

from flask import g

from ...audit import record
from ...auth.permissions import Perm, permission
from ...database import utcnow, writing
from ...errors import NotFound
from ...extensions import db
from ...openapi import contract
from ...parsing import json_body, load_body
from .. import bp
from ..publishing.drafts import drafted_document, loaded
from ..publishing.models import Draft
from ..schemas import PortfolioSchema, portfolio_update_schema
from ..writes import apply_changes, portfolio_for_update
from .portfolios import locked_for_write, respond, save


def draft_or_404(portfolio_id: int) -> Draft:
    draft = db.session.get(Draft, portfolio_id)
    if draft is None:
        raise NotFound()
    return draft


@bp.get("/portfolios/<int:portfolio_id>/draft")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("drafts", response=PortfolioSchema)
def read_draft(portfolio_id: int):
    """The portfolio as its draft would make it; 404 without a draft."""
    db.session.commit()  # the draft is applied in a savepoint: take the write lock from the start
    with writing():
        portfolio = portfolio_for_update(portfolio_id)
        document = drafted_document(portfolio, draft_or_404(portfolio_id))
        db.session.rollback()
    return respond(document, live=False)


@bp.patch("/portfolios/<int:portfolio_id>/draft")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("drafts", body=PortfolioSchema, response=PortfolioSchema)
def update_draft(portfolio_id: int):
    """Add changes to the draft (made when absent), validated as a PATCH; the live portfolio stays."""
    portfolio = portfolio_for_update(portfolio_id)
    load_body(portfolio_update_schema, instance=portfolio)  # this request's own 400s first
    draft = db.session.get(Draft, portfolio_id)
    if draft is None:
        draft = Draft(portfolio_id=portfolio_id, changes={})
        db.session.add(draft)
    sent = json_body()
    record("update" if draft.changes else "create", "draft", portfolio_id, {
        name: [draft.changes.get(name), value] for name, value in sent.items()
    })  # fmt: skip
    draft.changes, draft.updated_at, draft.user_id = {**draft.changes, **sent}, utcnow(), g.caller.user_id
    document = drafted_document(portfolio, draft)
    db.session.commit()
    return respond(document, live=False)


@bp.delete("/portfolios/<int:portfolio_id>/draft")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("drafts")
def delete_draft(portfolio_id: int):
    """Discard the draft."""
    portfolio_for_update(portfolio_id)
    draft = draft_or_404(portfolio_id)
    record("delete", "draft", portfolio_id)
    db.session.delete(draft)
    db.session.commit()
    return "", 204


@bp.post("/portfolios/<int:portfolio_id>/draft/publish")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("drafts", response=PortfolioSchema, if_match=True, headers=["ETag"])
def publish_draft(portfolio_id: int):
    """Apply the draft to the live portfolio and remove it, in one transaction (``If-Match``: the live ETag).

    A draft naming what no longer exists (a media deleted since) is a 400 on that field, and nothing changes.
    """
    portfolio, base = locked_for_write(portfolio_id)
    draft = draft_or_404(portfolio_id)
    apply_changes(portfolio, loaded(portfolio, draft.changes))
    db.session.delete(draft)
    return save(portfolio_id, "publish", dataclasses.replace(base, has_draft=False))
