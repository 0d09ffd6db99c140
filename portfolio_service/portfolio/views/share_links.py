"""Preview links: a portfolio (with its draft) shown to someone without an account, for a while."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, url_for
from marshmallow import ValidationError, fields, validate, validates
from sqlalchemy import or_, select, update

from ...audit import record
from ...auth.permissions import ANYONE, Perm, permission
from ...database import utcnow, writing
from ...errors import NotFound
from ...extensions import db
from ...fields import Schema, UTCDateTime
from ...openapi import contract
from ...pagination import PageQuerySchema, page_schema, paginate
from ...parsing import load_body
from .. import bp
from ..documents import documents
from ..publishing.drafts import drafted_document
from ..publishing.models import Draft, ShareLink
from ..schemas import PortfolioSchema
from ..writes import portfolio_for_update

LONGEST = timedelta(days=30)


class ShareLinkSchema(Schema):
    id = fields.Integer(dump_only=True)
    token = fields.String(dump_only=True, metadata={"description": "In the 201 answer only."})
    url = fields.Url(dump_only=True, metadata={"description": "In the 201 answer only."})
    expires_at = UTCDateTime(required=True, metadata={"description": "Future, at most 30 days ahead."})
    max_uses = fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(min=1, max=2**31 - 1)
    )
    uses = fields.Integer(dump_only=True)
    created_at = UTCDateTime(dump_only=True)

    @validates("expires_at")
    def within_thirty_days(self, value, **kwargs) -> None:
        now = utcnow()
        if value <= now:
            raise ValidationError("Must be in the future.")
        if value > now + LONGEST:
            raise ValidationError("Must be at most 30 days ahead.")


class ShareLinkListSchema(ShareLinkSchema):
    class Meta:
        exclude = ("token", "url")


share_link_schema = ShareLinkSchema()
share_link_list_schema = ShareLinkListSchema()
ShareLinkPageSchema = page_schema(ShareLinkListSchema)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@bp.get("/portfolios/<int:portfolio_id>/share-links")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("share-links", response=ShareLinkPageSchema, query=[PageQuerySchema])
def list_share_links(portfolio_id: int):
    """The portfolio's preview links, newest first (their tokens are not kept)."""
    portfolio_for_update(portfolio_id)  # 404 for none; readers see inactive ones too
    query = select(ShareLink).where(ShareLink.portfolio_id == portfolio_id).order_by(ShareLink.id.desc())
    return paginate(query, share_link_list_schema)


@bp.post("/portfolios/<int:portfolio_id>/share-links")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("share-links", body=ShareLinkSchema, response=ShareLinkSchema, status=201)
def create_share_link(portfolio_id: int):
    """A preview link; its `token` and `url` are shown in this answer only."""
    portfolio_for_update(portfolio_id)
    data = load_body(share_link_schema)
    token = secrets.token_urlsafe(32)  # 256 bits
    link = ShareLink(portfolio_id=portfolio_id, token_hash=digest(token), **data)
    db.session.add(link)
    db.session.flush()
    record("create", "share_link", link.id, {name: [None, value] for name, value in data.items()})
    db.session.commit()
    url = url_for("portfolio.read_shared", token=token, _external=True)
    return {**share_link_schema.dump(link), "token": token, "url": url}, 201, {"Location": url}


@bp.delete("/portfolios/<int:portfolio_id>/share-links/<int:link_id>")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("share-links")
def delete_share_link(portfolio_id: int, link_id: int):
    """Revoke a preview link: it answers 404 from now on."""
    portfolio_for_update(portfolio_id)
    link = db.session.scalar(
        select(ShareLink).where(ShareLink.id == link_id, ShareLink.portfolio_id == portfolio_id)
    )
    if link is None:
        raise NotFound()
    record("delete", "share_link", link.id)
    db.session.delete(link)
    db.session.commit()
    return "", 204


@bp.get("/shared/<token>")
@permission(ANYONE)
@contract("share-links", response=PortfolioSchema)
def read_shared(token: str):
    """The portfolio behind a preview link, with its draft applied, whatever its visibility.

    Each answer counts one use. Unknown, revoked, expired and used-up links all answer the same 404.
    """
    db.session.commit()
    with writing():
        now = utcnow()
        counted = db.session.execute(
            update(ShareLink)
            .where(
                ShareLink.token_hash == digest(token),
                ShareLink.expires_at > now,
                or_(ShareLink.max_uses.is_(None), ShareLink.uses < ShareLink.max_uses),
            )
            .values(uses=ShareLink.uses + 1)
            .returning(ShareLink.portfolio_id)
        ).scalar()
        if counted is None:
            db.session.rollback()
            raise NotFound()
        draft = db.session.get(Draft, counted)
        if draft is None:
            body = documents([counted])[counted].body
        else:
            try:
                body = drafted_document(portfolio_for_update(counted), draft).body
            except ValidationError:  # the draft names something deleted since: its publish would be a 400
                body = documents([counted])[counted].body
        db.session.commit()
    headers = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    return current_app.response_class(body, 200, headers, mimetype="application/json")
