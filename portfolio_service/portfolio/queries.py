"""How portfolios are found and loaded: visibility, filters, ordering, eager loading."""

from __future__ import annotations

from slugify import slugify
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..auth.permissions import Perm, has_permission
from ..errors import NotFound
from ..extensions import db
from ..parsing import like
from .models import Employer, GalleryImage, Link, Meta, Portfolio, Tag

ORDER_COLUMNS = {
    "order": Portfolio.order,
    "title": Portfolio.title,
    "completed_at": Portfolio.completed_at,
    "created_at": Portfolio.created_at,
    "updated_at": Portfolio.updated_at,
}


def portfolio_detail_options() -> tuple:
    """Everything a portfolio document nests, each relation loaded once whatever its size."""
    return (
        joinedload(Portfolio.image),
        joinedload(Portfolio.employer).joinedload(Employer.image),
        selectinload(Portfolio.tags).joinedload(Tag.image),
        selectinload(Portfolio.gallery).joinedload(GalleryImage.media),
        selectinload(Portfolio.links).joinedload(Link.image),
        selectinload(Portfolio.meta).joinedload(Meta.value_file),
    )


def visible_portfolios() -> Select:
    """Portfolios the caller may see: inactive ones need 4201."""
    query = select(Portfolio)
    if not has_permission(Perm.PORTFOLIO_VIEW_INACTIVE):
        query = query.where(Portfolio.is_active)
    return query


def filtered_portfolios(args: dict) -> Select:
    """The list query for validated query parameters."""
    query = visible_portfolios()
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


def get_portfolio(writing: bool = False, **criteria) -> Portfolio:
    """A portfolio with everything it nests, or 404.

    Readers see inactive portfolios only with 4201; writers, already checked
    for their own code, reach inactive ones too (else deactivating one would
    lock its editors out).
    """
    query = select(Portfolio) if writing else visible_portfolios()
    query = query.filter_by(**criteria).options(*portfolio_detail_options())
    portfolio = db.session.scalar(query)
    if portfolio is None:
        raise NotFound()
    return portfolio


def unique_slug(title: str, exclude_id: int | None = None) -> str:
    """A slug from ``title`` (transliterated), with ``-2``, ``-3``... when it is taken."""
    base = slugify(title, max_length=190, word_boundary=True) or "portfolio"
    query = select(Portfolio.slug).where(or_(Portfolio.slug == base, Portfolio.slug.like(f"{base}-%")))
    if exclude_id is not None:
        query = query.where(Portfolio.id != exclude_id)
    taken = set(db.session.scalars(query))
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"
