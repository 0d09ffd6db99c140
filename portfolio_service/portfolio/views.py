"""``/api/portfolios``: list, read (by id or slug), create, update (PATCH, PUT), delete."""

from __future__ import annotations

import hashlib

from flask import current_app, request, url_for

from ..auth.permissions import ANYONE, Perm, permission
from ..database import utcnow
from ..errors import PreconditionFailed
from ..extensions import db
from ..pagination import paginate
from ..parsing import load_body, load_query
from . import bp
from .models import Portfolio
from .queries import filtered_portfolios, get_portfolio, portfolio_detail_options, unique_slug
from .schemas import portfolio_query_schema, portfolio_schema, portfolio_update_schema

#: What PUT and POST give the fields a request leaves out (``slug`` comes from the title).
DEFAULTS = {
    "excerpt": "",
    "order": 0,
    "image": None,
    "employer": None,
    "tags": [],
    "images": [],
    "is_active": True,
    "completed_at": None,
    "description": None,
}


def document(portfolio: Portfolio):
    """The portfolio's JSON response, with a strong ETag of its content."""
    response = current_app.json.response(portfolio_schema.dump(portfolio))
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    return response


def check_if_match(portfolio: Portfolio) -> None:
    """412 when ``If-Match`` names another version; no header means go ahead."""
    if request.if_match and not request.if_match.contains(document(portfolio).get_etag()[0]):
        raise PreconditionFailed()


def apply_changes(portfolio: Portfolio, data: dict) -> bool:
    """Set the fields in ``data`` that differ; move ``updated_at`` if any did."""
    changed = False
    for name, value in data.items():
        if getattr(portfolio, name) != value:
            setattr(portfolio, name, value)
            changed = True
    if changed:
        portfolio.updated_at = utcnow()
    return changed


@bp.get("/portfolios")
@permission(ANYONE)
def list_portfolios():
    """Portfolios, filtered and ordered; inactive ones only with permission 4201.
    ---
    get:
      tags: [portfolios]
      parameters:
        - {in: query, schema: PortfolioQuerySchema}
        - {in: query, schema: PageQuerySchema}
      responses:
        200:
          description: A page of portfolios.
          content: {application/json: {schema: PortfolioPageSchema}}
    """
    args = load_query(portfolio_query_schema)
    return paginate(filtered_portfolios(args), portfolio_schema, options=portfolio_detail_options())


@bp.get("/portfolios/<int:portfolio_id>")
@permission(ANYONE)
def read_portfolio(portfolio_id: int):
    """One portfolio with everything it nests.
    ---
    get:
      tags: [portfolios]
      responses:
        200:
          description: The portfolio; `ETag` names this version.
          content: {application/json: {schema: PortfolioSchema}}
    """
    return document(get_portfolio(id=portfolio_id))


@bp.get("/portfolios/slug/<slug>")
@permission(ANYONE)
def read_portfolio_by_slug(slug: str):
    """One portfolio, found by its slug.
    ---
    get:
      tags: [portfolios]
      responses:
        200:
          description: The portfolio; `ETag` names this version.
          content: {application/json: {schema: PortfolioSchema}}
    """
    return document(get_portfolio(slug=slug))


@bp.post("/portfolios")
@permission(Perm.PORTFOLIO_CREATE)
def create_portfolio():
    """Create a portfolio; `slug` comes from the title when absent.
    ---
    post:
      tags: [portfolios]
      requestBody:
        required: true
        content: {application/json: {schema: PortfolioSchema}}
      responses:
        201:
          description: The portfolio.
          content: {application/json: {schema: PortfolioSchema}}
    """
    data = load_body(portfolio_schema)
    portfolio = Portfolio(**{**DEFAULTS, **data})
    portfolio.slug = data.get("slug") or unique_slug(data["title"])
    db.session.add(portfolio)
    db.session.commit()
    response = document(portfolio)
    response.status_code = 201
    response.headers["Location"] = url_for(
        "portfolio.read_portfolio", portfolio_id=portfolio.id, _external=True
    )
    return response


@bp.patch("/portfolios/<int:portfolio_id>")
@permission(Perm.PORTFOLIO_UPDATE)
def update_portfolio(portfolio_id: int):
    """Change the fields sent, and only those (the source page's "Update portfolio").
    ---
    patch:
      tags: [portfolios]
      parameters:
        - {in: header, name: If-Match, schema: {type: string}, description: an ETag; 412 if stale}
      requestBody:
        required: true
        content: {application/json: {schema: PortfolioSchema}}
      responses:
        200:
          description: The whole updated portfolio.
          content: {application/json: {schema: PortfolioSchema}}
        412:
          description: "`If-Match` does not match."
          content: {application/json: {schema: Error}}
    """
    portfolio = get_portfolio(writing=True, id=portfolio_id)
    check_if_match(portfolio)
    data = load_body(portfolio_update_schema, instance=portfolio)
    apply_changes(portfolio, data)
    db.session.commit()
    return document(portfolio)


@bp.put("/portfolios/<int:portfolio_id>")
@permission(Perm.PORTFOLIO_UPDATE)
def replace_portfolio(portfolio_id: int):
    """Replace every field; the ones left out go back to their defaults.
    ---
    put:
      tags: [portfolios]
      parameters:
        - {in: header, name: If-Match, schema: {type: string}, description: an ETag; 412 if stale}
      requestBody:
        required: true
        content: {application/json: {schema: PortfolioSchema}}
      responses:
        200:
          description: The whole portfolio.
          content: {application/json: {schema: PortfolioSchema}}
        412:
          description: "`If-Match` does not match."
          content: {application/json: {schema: Error}}
    """
    portfolio = get_portfolio(writing=True, id=portfolio_id)
    check_if_match(portfolio)
    data = load_body(portfolio_schema, instance=portfolio)
    data = {**DEFAULTS, **data}
    if "slug" not in data:
        data["slug"] = unique_slug(data["title"], exclude_id=portfolio.id)
    apply_changes(portfolio, data)
    db.session.commit()
    return document(portfolio)


@bp.delete("/portfolios/<int:portfolio_id>")
@permission(Perm.PORTFOLIO_DELETE)
def delete_portfolio(portfolio_id: int):
    """Delete a portfolio with its links and meta; its media stay in the library.
    ---
    delete:
      tags: [portfolios]
      parameters:
        - {in: header, name: If-Match, schema: {type: string}, description: an ETag; 412 if stale}
      responses:
        204: {description: Deleted.}
        412:
          description: "`If-Match` does not match."
          content: {application/json: {schema: Error}}
    """
    portfolio = get_portfolio(writing=True, id=portfolio_id)
    check_if_match(portfolio)
    db.session.delete(portfolio)
    db.session.commit()
    return "", 204
