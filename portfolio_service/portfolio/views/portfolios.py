"""``/api/portfolios``: list, read (by id or slug), create, update (PATCH, PUT), delete."""

from __future__ import annotations

import re

import orjson
from flask import current_app, g, request, url_for
from sqlalchemy import Row, select

from ...audit import record
from ...auth.permissions import ANYONE, Perm, has_permission, permission
from ...database import utcnow
from ...errors import NotFound, PreconditionFailed
from ...extensions import db
from ...openapi import contract
from ...pagination import PageQuerySchema, paginate
from ...parsing import load_body, load_query
from .. import bp
from ..documents import Document, current_versions, documents
from ..models import Portfolio
from ..publishing import revisions, schedule
from ..publishing.changes import commit_change
from ..publishing.drafts import drafted_ids, with_draft
from ..queries import filtered_portfolio_ids
from ..schemas import (
    SLUG,
    PortfolioPageSchema,
    PortfolioQuerySchema,
    PortfolioSchema,
    check_window,
    portfolio_query_schema,
    portfolio_schema,
    portfolio_update_schema,
)
from ..writes import apply_changes, insert_portfolio, portfolio_for_update, remove_portfolio, unique_slug

SLUG_PATTERN = re.compile(SLUG)

#: What PUT and POST give the fields a request leaves out (``slug`` comes from the title).
DEFAULTS = {
    "excerpt": "",
    "order": 0,
    "image_id": None,
    "employer_id": None,
    "tags": [],
    "images": [],
    "is_active": True,
    "completed_at": None,
    "description": None,
    "publish_at": None,
    "unpublish_at": None,
}


def respond(document: Document, status: int = 200, *, live: bool = True):
    """A document as the response: its bytes, its ETag, 304 for a matching ``If-None-Match``.

    A draft's document (not ``live``) has no ETag and is not kept. Editors' answers
    are never 304: ``has_draft`` changes while the live version, and its ETag, stay.
    """
    if not live:
        headers = {"Cache-Control": "private, no-store", "Vary": "Authorization"}
        return current_app.response_class(document.body, status, headers, mimetype="application/json")
    headers = {
        "ETag": f'"{document.etag}"',
        # Caches may keep it but must ask again (cheaply, with the ETag) before each use.
        "Cache-Control": "private, no-cache" if g.get("caller") else "public, no-cache",
        "Vary": "Authorization",
    }
    editor = has_permission(Perm.PORTFOLIO_UPDATE)
    if status == 200 and not editor and request.if_none_match.contains(document.etag):
        return current_app.response_class(status=304, headers=headers)  # same caching headers (RFC 9110)
    return current_app.response_class(document.body, status, headers, mimetype="application/json")


def shown(ids: list[int]) -> dict[int, Document]:
    """The documents of the portfolios ``ids`` that exist, as the caller sees them: editors (4203)
    learn which have a draft."""
    versions = current_versions()
    found = documents(ids, versions)
    if not has_permission(Perm.PORTFOLIO_UPDATE):
        return found
    drafted = drafted_ids(versions.drafts)
    return {key: with_draft(doc) if key in drafted else doc for key, doc in found.items()}


def read(portfolio_id: int | None):
    """The response for a portfolio the caller may see, or 404."""
    found = shown([portfolio_id]) if portfolio_id is not None else {}
    document = found.get(portfolio_id)  # type: ignore[arg-type]  # None finds nothing
    if document is None or not (document.public(utcnow()) or has_permission(Perm.PORTFOLIO_VIEW_INACTIVE)):
        raise NotFound()
    return respond(document)


def save(portfolio_id: int, action: str, base: revisions.Base, status: int = 200, *, changed: bool = True):
    """Commit the portfolio's changes with their revision (none when nothing ``changed``) and audit
    entry; answer (an editor: every route that saves needs 4203 but create, whose portfolio has no
    draft) with its new document."""
    document = commit_change(portfolio_id, action, base, changed)
    return respond(with_draft(document) if base.has_draft else document, status)


def matched(portfolio_id: int) -> None:
    """412 when ``If-Match`` names another version than the live document's (the portfolio is
    locked). No ``If-Match`` means go ahead, and builds no document."""
    if request.if_match and not request.if_match.contains(documents([portfolio_id])[portfolio_id].etag):
        raise PreconditionFailed()


def locked(portfolio_id: int) -> Row:
    """The portfolio's row, locked for a write: 404, or 412 (see ``matched``)."""
    portfolio = portfolio_for_update(portfolio_id)
    matched(portfolio_id)
    return portfolio


def locked_for_write(portfolio_id: int) -> tuple[Row, revisions.Base]:
    """The portfolio's row, locked (see ``locked``), and the base of the revision a change will record."""
    portfolio, base = revisions.locked(portfolio_id)
    matched(portfolio_id)
    return portfolio, base


def checked(portfolio: Row | None, data: dict) -> dict:
    """``data`` with a 400 on ``unpublish_at`` unless it comes after ``publish_at``, sent or stored."""
    window = [data.get(name, getattr(portfolio, name, None)) for name in ("publish_at", "unpublish_at")]
    check_window(*window)
    return data


@bp.get("/portfolios")
@permission(ANYONE)
@contract("portfolios", response=PortfolioPageSchema, query=[PortfolioQuerySchema, PageQuerySchema])
def list_portfolios():
    """Portfolios, filtered and ordered; inactive ones only with permission 4201."""
    args = load_query(portfolio_query_schema)

    def rendered(ids: list[int]) -> list[orjson.Fragment]:
        found = shown(ids)
        # A portfolio deleted between the page query and now is left out.
        return [orjson.Fragment(found[portfolio_id].body) for portfolio_id in ids if portfolio_id in found]

    return paginate(filtered_portfolio_ids(args), render=rendered)


@bp.get("/portfolios/<int:portfolio_id>")
@permission(ANYONE)
@contract("portfolios", response=PortfolioSchema, headers=["ETag"])
def read_portfolio(portfolio_id: int):
    """One portfolio with everything it nests."""
    return read(portfolio_id)


@bp.get("/portfolios/slug/<slug>")
@permission(ANYONE)
@contract("portfolios", response=PortfolioSchema, headers=["ETag"])
def read_portfolio_by_slug(slug: str):
    """One portfolio, found by its slug."""
    if not SLUG_PATTERN.fullmatch(slug):
        raise NotFound()  # not a slug, so no portfolio has it (and PostgreSQL never sees a NUL)
    return read(db.session.scalar(select(Portfolio.id).where(Portfolio.slug == slug)))


@bp.post("/portfolios")
@permission(Perm.PORTFOLIO_CREATE)
@contract("portfolios", body=PortfolioSchema, response=PortfolioSchema, status=201, headers=["ETag"])
def create_portfolio():
    """Create a portfolio; `slug` comes from the title when absent."""
    data = {**DEFAULTS, **load_body(portfolio_schema)}
    data["slug"] = data.get("slug") or unique_slug(data["title"])
    portfolio_id = insert_portfolio(data)
    response = save(portfolio_id, "create", revisions.CREATED, status=201)
    response.headers["Location"] = url_for(
        "portfolio.read_portfolio", portfolio_id=portfolio_id, _external=True
    )
    return response


@bp.patch("/portfolios/<int:portfolio_id>")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("portfolios", body=PortfolioSchema, response=PortfolioSchema, if_match=True, headers=["ETag"])
def update_portfolio(portfolio_id: int):
    """Change the fields sent, and only those (the source page's "Update portfolio")."""
    portfolio, base = locked_for_write(portfolio_id)
    data = checked(portfolio, load_body(portfolio_update_schema, instance=portfolio))
    return save(portfolio_id, "update", base, changed=apply_changes(portfolio, data))


@bp.put("/portfolios/<int:portfolio_id>")
@permission(Perm.PORTFOLIO_UPDATE)
@contract("portfolios", body=PortfolioSchema, response=PortfolioSchema, if_match=True, headers=["ETag"])
def replace_portfolio(portfolio_id: int):
    """Replace every field; the ones left out go back to their defaults."""
    portfolio, base = locked_for_write(portfolio_id)
    data = {**DEFAULTS, **load_body(portfolio_schema, instance=portfolio)}
    if "slug" not in data:
        data["slug"] = unique_slug(data["title"], exclude_id=portfolio_id)
    return save(portfolio_id, "update", base, changed=apply_changes(portfolio, data))


@bp.delete("/portfolios/<int:portfolio_id>")
@permission(Perm.PORTFOLIO_DELETE)
@contract("portfolios", if_match=True)
def delete_portfolio(portfolio_id: int):
    """Delete a portfolio with its links and meta; its media stay in the library."""
    portfolio = locked(portfolio_id)
    remove_portfolio(portfolio_id)
    record("delete", "portfolio", portfolio_id)
    now = utcnow()
    if schedule.is_public(portfolio.is_active, portfolio.publish_at, portfolio.unpublish_at, now):
        schedule.deleted.send(portfolio_id=portfolio_id, slug=portfolio.slug, at=now)
    db.session.commit()
    return "", 204
