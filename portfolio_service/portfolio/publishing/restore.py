"""Restoring a revision: the live portfolio, its links and its meta become that revision's document."""

from __future__ import annotations

from marshmallow import ValidationError
from sqlalchemy import Row, delete, select

from ...extensions import db
from ...parsing import load_body
from ..models import Link, Meta
from ..schemas import link_schema, meta_schema, portfolio_schema
from ..writes import apply_changes

FIELDS = (
    "title", "slug", "excerpt", "order", "is_active", "completed_at", "description",
    "publish_at", "unpublish_at",
)  # fmt: skip


def _id(data: dict | None) -> int | None:
    return None if data is None else data["id"]


def portfolio_body(document: dict) -> dict:
    """The request fields that write ``document``'s fields and relations back."""
    body = {name: document[name] for name in FIELDS}
    body["image"] = _id(document["image_data"])
    body["employer"] = _id(document["employer_data"])
    body["tags"] = [tag["id"] for tag in document["tags_data"]]
    body["images"] = [media["id"] for media in document["images_data"]]
    return body


CHILDREN = {
    # document key: (model, schema, the item as a request body)
    "links_data": (Link, link_schema, lambda item: {
        "name": item["name"], "url": item["url"], "description": item["description"],
        "image": _id(item["image_data"]),
    }),
    "meta": (Meta, meta_schema, lambda item: {
        "key": item["key"], "value_text": item["value_text"], "value_file": _id(item["value_file"]),
    }),
}  # fmt: skip


def restore(portfolio: Row, document: dict) -> None:
    """Write ``document`` back: fields and relations, then links and meta (their ids kept where free).

    Everything is validated first, as requests would be: a media, employer or
    tag gone since is a 400 naming it, and nothing has changed.
    """
    errors: dict = {}
    try:
        data = load_body(portfolio_schema, instance=portfolio, data=portfolio_body(document))
    except ValidationError as error:
        errors.update(error.messages if isinstance(error.messages, dict) else {})
    children = {}
    for key, (model, schema, body) in CHILDREN.items():
        loaded = []
        for index, item in enumerate(document[key]):
            try:
                loaded.append((item["id"], schema.load(body(item))))
            except ValidationError as error:
                errors.setdefault(key, {})[str(index)] = error.messages
        children[model] = loaded
    if errors:
        raise ValidationError(errors)
    apply_changes(portfolio, data)
    for model, items in children.items():
        _replace(model, portfolio.id, items)


def _replace(model, portfolio_id: int, items: list[tuple[int, dict]]) -> None:
    """Make the portfolio's links (or meta) exactly ``items``, each under its old id where no other row
    took it. All go first, then all come back, so keys swapped since do not clash on the way."""
    db.session.execute(delete(model).where(model.portfolio_id == portfolio_id))
    wanted = {item_id for item_id, _ in items}
    taken = set(db.session.scalars(select(model.id).where(model.id.in_(wanted))))
    for item_id, values in items:
        db.session.add(model(portfolio_id=portfolio_id, id=None if item_id in taken else item_id, **values))
    db.session.flush()
