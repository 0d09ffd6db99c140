"""``/api/portfolios/<id>/links`` and ``/meta``: resources that live inside a portfolio."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.permissions import ANYONE, Perm
from ..database import utcnow
from ..errors import NotFound
from ..extensions import db
from ..pagination import paginate
from ..parsing import load_body
from ._routes import add_routes, json_content
from .models import Link, Meta, Portfolio
from .queries import portfolio_for_update, visible_portfolios
from .schemas import link_schema, meta_schema


def register_nested(model, schema, segment: str, relation) -> None:
    """List, create, update and delete ``model`` rows of one portfolio under ``/<segment>``."""
    singular, name = model.__name__.lower(), model.__name__
    update_schema = type(schema)(partial=True)
    one = {"description": f"The {singular}.", "content": json_content(f"{name}Schema")}
    body = {"required": True, "content": json_content(f"{name}Schema")}
    base = f"/portfolios/<int:portfolio_id>/{segment}"

    def visible_or_404(portfolio_id: int) -> None:
        query = visible_portfolios(select(Portfolio.id)).where(Portfolio.id == portfolio_id)
        if db.session.scalar(query) is None:
            raise NotFound()

    def item_or_404(portfolio_id: int, item_id: int):
        item = db.session.scalar(
            select(model)
            .where(model.id == item_id, model.portfolio_id == portfolio_id)
            .options(joinedload(relation))
        )
        if item is None:
            raise NotFound()
        return item

    def touch(portfolio_id: int) -> None:
        """A change to a link or meta is a change to its portfolio."""
        db.session.execute(
            db.update(Portfolio).where(Portfolio.id == portfolio_id).values(updated_at=utcnow())
        )

    def list_items(portfolio_id: int):
        visible_or_404(portfolio_id)
        query = select(model).where(model.portfolio_id == portfolio_id).order_by(model.id)
        return paginate(query, schema, options=[joinedload(relation)])

    # Writes lock the portfolio's row first, then touch its children: the one
    # lock order of every write path (README, "Working on the code").

    def create_item(portfolio_id: int):
        portfolio = portfolio_for_update(portfolio_id)
        item = model(portfolio_id=portfolio.id, **load_body(schema, instance=portfolio))
        db.session.add(item)
        touch(portfolio_id)
        db.session.commit()
        location = url_for(
            f"portfolio.update_{singular}", portfolio_id=portfolio_id, item_id=item.id, _external=True
        )
        return schema.dump(item), 201, {"Location": location}

    def update_item(portfolio_id: int, item_id: int):
        portfolio_for_update(portfolio_id)
        item = item_or_404(portfolio_id, item_id)
        for field, value in load_body(update_schema, instance=item).items():
            setattr(item, field, value)
        touch(portfolio_id)
        db.session.commit()
        return schema.dump(item)

    def delete_item(portfolio_id: int, item_id: int):
        portfolio_for_update(portfolio_id)
        db.session.delete(item_or_404(portfolio_id, item_id))
        touch(portfolio_id)
        db.session.commit()
        return "", 204

    page = {
        "parameters": [{"in": "query", "schema": "PageQuerySchema"}],
        "responses": {
            200: {"description": f"A page of {segment}.", "content": json_content(f"{name}PageSchema")}
        },
    }
    write = Perm.PORTFOLIO_UPDATE
    add_routes(
        [
            ("get", base, f"list_{segment}", list_items, ANYONE, f"The portfolio's {segment}.", page),
            (
                "post",
                base,
                f"create_{singular}",
                create_item,
                write,
                f"Add a {singular} to the portfolio.",
                {"requestBody": body, "responses": {201: one}},
            ),
            (
                "patch",
                f"{base}/<int:item_id>",
                f"update_{singular}",
                update_item,
                write,
                f"Change a {singular}.",
                {"requestBody": body, "responses": {200: one}},
            ),
            (
                "delete",
                f"{base}/<int:item_id>",
                f"delete_{singular}",
                delete_item,
                write,
                f"Delete a {singular}.",
                {"responses": {204: {"description": "Deleted."}}},
            ),
        ],
        segment,
    )


register_nested(Link, link_schema, "links", Link.image)
register_nested(Meta, meta_schema, "meta", Meta.value_file)
