"""How portfolios are found: visibility, filters and ordering."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from ..auth.permissions import Perm, has_permission
from ..database import utcnow
from ..parsing import like
from .models import Portfolio, Tag
from .publishing.schedule import public_clause

ORDER_COLUMNS = {
    "order": Portfolio.order,
    "title": Portfolio.title,
    "completed_at": Portfolio.completed_at,
    "created_at": Portfolio.created_at,
    "updated_at": Portfolio.updated_at,
}


def visible_portfolios(query: Select | None = None) -> Select:
    """Portfolios the caller may see: public ones, or all of them with 4201."""
    query = select(Portfolio) if query is None else query
    if not has_permission(Perm.PORTFOLIO_VIEW_INACTIVE):
        query = query.where(public_clause(utcnow()))
    return query


def filtered_portfolio_ids(args: dict) -> Select:
    """The ids of the list, for validated query parameters, in order."""
    query = visible_portfolios(select(Portfolio.id))
    if args.get("search"):
        pattern = like(args["search"])
        query = query.where(
            or_(
                Portfolio.title.ilike(pattern, escape="\\"),
                Portfolio.excerpt.ilike(pattern, escape="\\"),
                Portfolio.description.ilike(pattern, escape="\\"),
            )
        )
    for tag_id in args.get("tag", []):
        query = query.where(Portfolio.tags.any(Tag.id == tag_id))
    if "employer" in args:
        query = query.where(Portfolio.employer_id == args["employer"])
    if "is_active" in args and has_permission(Perm.PORTFOLIO_VIEW_INACTIVE):
        query = query.where(Portfolio.is_active == args["is_active"])
    name = args["ordering"].lstrip("-")
    column = ORDER_COLUMNS[name]
    direction = column.desc() if args["ordering"].startswith("-") else column.asc()
    # Nulls last both ways, so SQLite and PostgreSQL agree.
    return query.order_by(direction.nulls_last(), Portfolio.id)
