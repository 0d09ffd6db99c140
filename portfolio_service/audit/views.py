"""``GET /api/audit``: the log for admins, newest first, filtered."""

from __future__ import annotations

from marshmallow import fields, validate
from sqlalchemy import select

from ..auth.permissions import ADMIN, permission
from ..fields import MAX_ID, Schema, UserRefSchema, UTCDateTime, changes_field
from ..openapi import contract
from ..pagination import PageQuerySchema, page_schema, paginate
from ..parsing import load_query
from . import bp
from .models import AuditEntry


class AuditEntrySchema(Schema):
    id = fields.Integer(required=True)
    at = UTCDateTime(required=True)
    user = fields.Nested(UserRefSchema, required=True, allow_none=True)
    action = fields.String(required=True, metadata={"example": "update"})
    object_type = fields.String(required=True, metadata={"example": "portfolio"})
    object_id = fields.Integer(required=True, allow_none=True)
    changes = changes_field(
        required=True,
        allow_none=True,
        metadata={"description": 'Each changed field as [old, new]; secrets as "[redacted]".'},
    )
    ip = fields.String(required=True, allow_none=True)


class AuditQuerySchema(Schema):
    user = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    object_type = fields.String(validate=validate.Length(max=32))
    object_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    action = fields.String(validate=validate.Length(max=32))
    since = UTCDateTime()
    until = UTCDateTime()


AuditPageSchema = page_schema(AuditEntrySchema)
audit_entry_schema = AuditEntrySchema()
audit_query_schema = AuditQuerySchema()


@bp.get("")
@permission(ADMIN)
@contract("audit", response=AuditPageSchema, query=[AuditQuerySchema, PageQuerySchema])
def list_audit():
    """Every write, newest first; filter by user, object, action and time (`since` inclusive, `until` not)."""
    args = load_query(audit_query_schema)
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    columns = {"user": AuditEntry.user_id, "object_type": AuditEntry.object_type}
    columns |= {"object_id": AuditEntry.object_id, "action": AuditEntry.action}
    for name, column in columns.items():
        if name in args:
            query = query.where(column == args[name])
    if "since" in args:
        query = query.where(AuditEntry.at >= args["since"])
    if "until" in args:
        query = query.where(AuditEntry.at < args["until"])
    return paginate(query, audit_entry_schema)
