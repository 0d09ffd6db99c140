"""``/api/employers`` and ``/api/tags``: the same five endpoints over two small resources."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.permissions import ANYONE, Perm
from ..extensions import db
from ..pagination import paginate
from ..parsing import like, load_body, load_query
from ._routes import add_routes, json_content
from .models import Employer, Tag
from .schemas import employer_schema, search_query_schema, tag_schema


def register_resource(model, schema, plural: str, codes: tuple[Perm, Perm, Perm], on_delete: str) -> None:
    """Add list, read, create, update and delete routes for ``model`` under ``/api/<plural>``."""
    singular, name = model.__name__.lower(), model.__name__
    a_singular = f"{'an' if singular[0] in 'aeiou' else 'a'} {singular}"
    update_schema = type(schema)(partial=True)
    one = {"description": f"The {singular}.", "content": json_content(f"{name}Schema")}
    body = {"required": True, "content": json_content(f"{name}Schema")}

    def get_or_404(item_id: int):
        return db.get_or_404(model, item_id, options=[joinedload(model.image)])

    def list_items():
        args = load_query(search_query_schema)
        query = select(model).order_by(model.name, model.id)
        if args.get("search"):
            query = query.where(model.name.ilike(like(args["search"]), escape="\\"))
        return paginate(query, schema, options=[joinedload(model.image)])

    def read_item(item_id: int):
        return schema.dump(get_or_404(item_id))

    def create_item():
        item = model(**load_body(schema))
        db.session.add(item)
        db.session.commit()
        location = url_for(f"portfolio.read_{singular}", item_id=item.id, _external=True)
        return schema.dump(item), 201, {"Location": location}

    def update_item(item_id: int):
        item = get_or_404(item_id)
        for field, value in load_body(update_schema, instance=item).items():
            setattr(item, field, value)
        db.session.commit()
        return schema.dump(item)

    def delete_item(item_id: int):
        db.session.delete(get_or_404(item_id))
        db.session.commit()
        return "", 204

    page = {
        "parameters": [
            {"in": "query", "schema": "SearchQuerySchema"},
            {"in": "query", "schema": "PageQuerySchema"},
        ],
        "responses": {
            200: {"description": f"A page of {plural}.", "content": json_content(f"{name}PageSchema")}
        },
    }
    create_code, update_code, delete_code = codes
    routes = [
        ("get", f"/{plural}", f"list_{plural}", list_items, ANYONE, f"The {plural}, by name.", page),
        (
            "get",
            f"/{plural}/<int:item_id>",
            f"read_{singular}",
            read_item,
            ANYONE,
            f"One {singular}.",
            {"responses": {200: one}},
        ),
        (
            "post",
            f"/{plural}",
            f"create_{singular}",
            create_item,
            create_code,
            f"Create {a_singular}.",
            {"requestBody": body, "responses": {201: one}},
        ),
        (
            "patch",
            f"/{plural}/<int:item_id>",
            f"update_{singular}",
            update_item,
            update_code,
            f"Change {a_singular}.",
            {"requestBody": body, "responses": {200: one}},
        ),
        (
            "delete",
            f"/{plural}/<int:item_id>",
            f"delete_{singular}",
            delete_item,
            delete_code,
            f"Delete {a_singular}; {on_delete}",
            {"responses": {204: {"description": "Deleted."}}},
        ),
    ]
    add_routes(routes, plural)


register_resource(
    Employer,
    employer_schema,
    "employers",
    (Perm.EMPLOYER_CREATE, Perm.EMPLOYER_UPDATE, Perm.EMPLOYER_DELETE),
    "its portfolios are left with no employer.",
)
register_resource(
    Tag, tag_schema, "tags", (Perm.TAG_CREATE, Perm.TAG_UPDATE, Perm.TAG_DELETE), "it leaves every portfolio."
)
