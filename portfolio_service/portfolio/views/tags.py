"""``/api/tags``: what a portfolio is about (the source's "Tag Data Structure")."""

from __future__ import annotations

from ...auth.permissions import ANYONE, Perm, permission
from ...parsing import load_body
from .. import bp
from ..models import Tag
from ..schemas import tag_schema, tag_update_schema
from .common import created, deleted, list_named, named_or_404, updated


@bp.get("/tags")
@permission(ANYONE)
def list_tags():
    """The tags, by name.
    ---
    get:
      tags: [tags]
      parameters:
        - {in: query, schema: SearchQuerySchema}
        - {in: query, schema: PageQuerySchema}
      responses:
        200:
          description: A page of tags.
          content: {application/json: {schema: TagPageSchema}}
    """
    return list_named(Tag, tag_schema)


@bp.get("/tags/<int:tag_id>")
@permission(ANYONE)
def read_tag(tag_id: int):
    """One tag.
    ---
    get:
      tags: [tags]
      responses:
        200:
          description: The tag.
          content: {application/json: {schema: TagSchema}}
    """
    return tag_schema.dump(named_or_404(Tag, tag_id))


@bp.post("/tags")
@permission(Perm.TAG_CREATE)
def create_tag():
    """Create a tag.
    ---
    post:
      tags: [tags]
      requestBody:
        required: true
        content: {application/json: {schema: TagSchema}}
      responses:
        201:
          description: The tag.
          content: {application/json: {schema: TagSchema}}
    """
    tag = Tag(**load_body(tag_schema))
    return created(tag, tag_schema, "portfolio.read_tag", "tag_id")


@bp.patch("/tags/<int:tag_id>")
@permission(Perm.TAG_UPDATE)
def update_tag(tag_id: int):
    """Change a tag.
    ---
    patch:
      tags: [tags]
      requestBody:
        required: true
        content: {application/json: {schema: TagSchema}}
      responses:
        200:
          description: The tag.
          content: {application/json: {schema: TagSchema}}
    """
    tag = named_or_404(Tag, tag_id)
    return updated(tag, tag_schema, load_body(tag_update_schema, instance=tag))


@bp.delete("/tags/<int:tag_id>")
@permission(Perm.TAG_DELETE)
def delete_tag(tag_id: int):
    """Delete a tag; it leaves every portfolio.
    ---
    delete:
      tags: [tags]
      responses:
        204: {description: Deleted.}
    """
    return deleted(named_or_404(Tag, tag_id))
