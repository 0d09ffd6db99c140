"""What the employer, tag, link and meta views share: lookups, and the steps of a write."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import inspect, select, update
from sqlalchemy.orm import MANYTOONE, joinedload

from ...audit import changed, record
from ...database import utcnow
from ...errors import NotFound
from ...extensions import db
from ...fields import Schema
from ...pagination import paginate
from ...parsing import like, load_body, load_query
from ...webhooks.events import emit
from ..models import Meta, Portfolio
from ..publishing import revisions
from ..publishing.changes import commit_change
from ..queries import visible_portfolios
from ..schemas import search_query_schema


def named_or_404(model, item_id: int):
    """An employer or tag with its image, or 404."""
    return db.get_or_404(model, item_id, options=[joinedload(model.image)])


def list_named(model, schema: Schema) -> dict:
    """A page of employers or tags by name, ``?search=`` matching part of it."""
    args = load_query(search_query_schema)
    query = select(model).order_by(model.name, model.id)
    if args.get("search"):
        query = query.where(model.name.ilike(like(args["search"]), escape="\\"))
    return paginate(query, schema, options=[joinedload(model.image)])


def forget_related(item) -> None:
    """Relations are written as ids: the related objects load by those ids when the answer shows them.

    (A many-to-one whose id is null loads as None without a query.)
    """
    relations = inspect(item).mapper.relationships
    db.session.expire(item, [relation.key for relation in relations if relation.direction is MANYTOONE])


def _columns(item) -> dict:
    """``{column: [None, value]}`` for the columns a new ``item`` was given: its audit entry's changes."""
    mapper = inspect(item).mapper
    values = {attribute.key: getattr(item, attribute.key) for attribute in mapper.column_attrs}
    return {key: [None, value] for key, value in values.items() if value is not None and key != "id"}


def _commit(revision: tuple[int, str, revisions.Base] | None) -> None:
    """Commit: a link or meta change as a revision (``(portfolio_id, action, base)``) of its
    portfolio, anything else as it is."""
    if revision is None:
        db.session.commit()
    else:
        commit_change(*revision)


def created(item, schema: Schema, endpoint: str, id_name: str, *, revision=None, **url_values: Any):
    """Add ``item``, log it, commit, answer 201; ``Location`` is ``endpoint`` with its new id as ``id_name``.

    ``revision`` is ``(portfolio_id, action, base)`` for a link or meta.
    """
    db.session.add(item)
    db.session.flush()
    record("create", item.__tablename__, item.id, _columns(item))
    _commit(revision)
    forget_related(item)
    location = url_for(endpoint, **url_values, **{id_name: item.id}, _external=True)
    return schema.dump(item), 201, {"Location": location}


def updated(item, schema: Schema, data: dict, *, revision=None, event: str | None = None):
    """Set the loaded fields on ``item``, log what changed (and send ``event``), commit, answer with it."""
    record("update", item.__tablename__, item.id, changed(item, data))
    if event:
        emit(event, item.__tablename__, item.id)
    for field, value in data.items():
        setattr(item, field, value)
    _commit(revision)
    forget_related(item)
    return schema.dump(item)


def deleted(item, *, revision=None, event: str | None = None):
    """Delete ``item``, log it (and send ``event``), commit, and answer 204."""
    record("delete", item.__tablename__, item.id)
    if event:
        emit(event, item.__tablename__, item.id)
    db.session.delete(item)
    _commit(revision)
    return "", 204


def visible_or_404(portfolio_id: int) -> None:
    """404 unless the caller may see the portfolio (inactive ones need 4201)."""
    query = visible_portfolios(select(Portfolio.id)).where(Portfolio.id == portfolio_id)
    if db.session.scalar(query) is None:
        raise NotFound()


def _locked(model, portfolio_id: int) -> tuple[int, str, revisions.Base]:
    """Lock the portfolio for a write to one of its links or meta: 404 if there is none; what the
    write records, a revision of the portfolio."""
    return portfolio_id, "meta" if model is Meta else "links", revisions.locked(portfolio_id)[1]


def create_child(model, schema: Schema, portfolio_id: int, endpoint: str, id_name: str):
    """Add a link or meta to the portfolio (its row locked first), touch it, and answer 201."""
    revision = _locked(model, portfolio_id)
    item = model(portfolio_id=portfolio_id, **load_body(schema, within={"portfolio_id": portfolio_id}))
    touch(portfolio_id)
    return created(item, schema, endpoint, id_name, revision=revision, portfolio_id=portfolio_id)


def _locked_child(model, portfolio_id: int, item_id: int, relation) -> tuple:
    """A link or meta of that portfolio, with its media, or 404, and its revision; for a write.

    The portfolio's row is locked first, then the child is read: the one lock
    order of every write path (README, "Working on the code").
    """
    revision = _locked(model, portfolio_id)
    query = select(model).where(model.id == item_id, model.portfolio_id == portfolio_id)
    item = db.session.scalar(query.options(joinedload(relation)))
    if item is None:
        raise NotFound()
    return item, revision


def list_children(model, portfolio_id: int, schema: Schema, relation) -> dict:
    """A page of a portfolio's links or meta, in the order they were made."""
    visible_or_404(portfolio_id)
    query = select(model).where(model.portfolio_id == portfolio_id).order_by(model.id)
    return paginate(query, schema, options=[joinedload(relation)])


def touch(portfolio_id: int) -> None:
    """A change to a link or meta is a change to its portfolio: ``updated_at`` moves."""
    db.session.execute(update(Portfolio).where(Portfolio.id == portfolio_id).values(updated_at=utcnow()))


def update_child(model, portfolio_id: int, item_id: int, relation, schema: Schema, update_schema: Schema):
    """Load the body onto a link or meta, touch the portfolio, answer."""
    item, revision = _locked_child(model, portfolio_id, item_id, relation)
    data = load_body(update_schema, instance=item, within={"portfolio_id": portfolio_id})
    touch(portfolio_id)
    return updated(item, schema, data, revision=revision)


def delete_child(model, portfolio_id: int, item_id: int, relation):
    """Delete a link or meta and touch the portfolio."""
    item, revision = _locked_child(model, portfolio_id, item_id, relation)
    touch(portfolio_id)
    return deleted(item, revision=revision)
