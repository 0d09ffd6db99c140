"""``/api/tags``: what a portfolio is about (the source's "Tag Data Structure")."""

from __future__ import annotations

from ...auth.permissions import ANYONE, Perm, permission
from ...openapi import contract
from ...pagination import PageQuerySchema
from ...parsing import load_body
from .. import bp
from ..models import Tag
from ..schemas import SearchQuerySchema, TagPageSchema, TagSchema, tag_schema, tag_update_schema
from .common import created, deleted, list_named, named_or_404, updated


@bp.get("/tags")
@permission(ANYONE)
@contract("tags", response=TagPageSchema, query=[SearchQuerySchema, PageQuerySchema])
def list_tags():
    """The tags, by name."""
    return list_named(Tag, tag_schema)


@bp.get("/tags/<int:tag_id>")
@permission(ANYONE)
@contract("tags", response=TagSchema)
def read_tag(tag_id: int):
    """One tag."""
    return tag_schema.dump(named_or_404(Tag, tag_id))


@bp.post("/tags")
@permission(Perm.TAG_CREATE)
@contract("tags", body=TagSchema, response=TagSchema, status=201)
def create_tag():
    """Create a tag."""
    tag = Tag(**load_body(tag_schema))
    return created(tag, tag_schema, "portfolio.read_tag", "tag_id")


@bp.patch("/tags/<int:tag_id>")
@permission(Perm.TAG_UPDATE)
@contract("tags", body=TagSchema, response=TagSchema)
def update_tag(tag_id: int):
    """Change a tag."""
    tag = named_or_404(Tag, tag_id)
    return updated(tag, tag_schema, load_body(tag_update_schema, instance=tag), event="tag.updated")


@bp.delete("/tags/<int:tag_id>")
@permission(Perm.TAG_DELETE)
@contract("tags")
def delete_tag(tag_id: int):
    """Delete a tag; it leaves every portfolio."""
    return deleted(named_or_404(Tag, tag_id), event="tag.updated")
