"""``/api/webhooks``: admins register endpoints, read each delivery's attempts, redeliver, ping."""

from __future__ import annotations

from flask import url_for
from marshmallow import ValidationError, fields, validate, validates
from sqlalchemy import select

from ..audit import changed, record
from ..auth.permissions import ADMIN, permission
from ..database import iso, utcnow
from ..errors import NotFound
from ..extensions import db
from ..fields import Schema, UTCDateTime
from ..jobs import enqueue
from ..openapi import contract
from ..pagination import PageQuerySchema, page_schema, paginate
from ..parsing import load_body
from . import bp, guard
from .delivery import new_delivery
from .events import TYPES
from .models import Delivery, Webhook
from .secrets import new_secret, seal


class WebhookSchema(Schema):
    id = fields.Integer(dump_only=True)
    url = fields.Url(
        required=True,
        schemes={"http", "https"},
        validate=validate.Length(max=2000),
        error_messages={"invalid": "Enter a valid http or https URL."},
    )
    events = fields.List(
        fields.String(validate=validate.OneOf([*TYPES, "*"])),
        required=True,
        validate=validate.Length(min=1, max=len(TYPES)),
        metadata={"description": 'Event types, or ["*"] for all of them.'},
    )
    is_active = fields.Boolean(load_default=True)
    description = fields.String(load_default="", validate=validate.Length(max=500))
    created_at = UTCDateTime(dump_only=True)

    @validates("url")
    def public_host(self, value: str, **kwargs) -> None:
        try:
            guard.addresses(value)
        except guard.UnsafeURL as refused:
            raise ValidationError(str(refused)) from None


class NewWebhookSchema(WebhookSchema):
    secret = fields.String(
        dump_only=True,
        metadata={"description": "`whsec_` and base64 of 32 random bytes; in this answer only."},
    )


#: Attempts and events are kept as the JSON they were sent as: their times are already text.
STORED_TIME = {"format": "date-time"}


class AttemptSchema(Schema):
    at = fields.String(required=True, metadata=STORED_TIME)
    status_code = fields.Integer(required=True, allow_none=True)
    error = fields.String(required=True, allow_none=True)
    duration_ms = fields.Integer(required=True)


class EventSchema(Schema):
    type = fields.String(required=True)
    object_type = fields.String(required=True)
    object_id = fields.Integer(required=True)
    slug = fields.String(required=True, allow_none=True)
    at = fields.String(required=True, metadata=STORED_TIME)


class DeliverySchema(Schema):
    id = fields.Integer(required=True)
    created_at = UTCDateTime(required=True)
    status = fields.String(required=True, metadata={"enum": ["pending", "succeeded", "failed"]})
    attempts = fields.List(fields.Nested(AttemptSchema), required=True)
    events = fields.List(fields.Nested(EventSchema), required=True)


webhook_schema = WebhookSchema()
webhook_update_schema = WebhookSchema(partial=True)
new_webhook_schema = NewWebhookSchema()
delivery_schema = DeliverySchema()
WebhookPageSchema = page_schema(WebhookSchema)
DeliveryPageSchema = page_schema(DeliverySchema)


def logged(changes: dict) -> dict:
    """Changes as the audit log keeps them: a deploy hook's URL is its secret, so only its host shows."""
    if "url" in changes:
        changes["url"] = [value and guard.shown(value) for value in changes["url"]]
    return changes


def webhook_or_404(webhook_id: int) -> Webhook:
    return db.get_or_404(Webhook, webhook_id)


@bp.get("")
@permission(ADMIN)
@contract("webhooks", response=WebhookPageSchema, query=[PageQuerySchema])
def list_webhooks():
    """The registered webhooks, oldest first."""
    return paginate(select(Webhook).order_by(Webhook.id), webhook_schema)


@bp.post("")
@permission(ADMIN)
@contract("webhooks", body=WebhookSchema, response=NewWebhookSchema, status=201)
def create_webhook():
    """Register an endpoint; its signing `secret` is shown in this answer only."""
    data = load_body(webhook_schema)
    secret = new_secret()
    webhook = Webhook(**data, secret_encrypted=seal(secret))
    db.session.add(webhook)
    db.session.flush()
    record("create", "webhook", webhook.id, logged({name: [None, value] for name, value in data.items()}))
    db.session.commit()
    location = url_for("webhooks.read_webhook", webhook_id=webhook.id, _external=True)
    return {**new_webhook_schema.dump(webhook), "secret": secret}, 201, {"Location": location}


@bp.get("/<int:webhook_id>")
@permission(ADMIN)
@contract("webhooks", response=WebhookSchema)
def read_webhook(webhook_id: int):
    """One webhook (never its secret)."""
    return webhook_schema.dump(webhook_or_404(webhook_id))


@bp.patch("/<int:webhook_id>")
@permission(ADMIN)
@contract("webhooks", body=WebhookSchema, response=WebhookSchema)
def update_webhook(webhook_id: int):
    """Change a webhook's URL, events, state or description."""
    webhook = webhook_or_404(webhook_id)
    data = load_body(webhook_update_schema)
    record("update", "webhook", webhook.id, logged(changed(webhook, data)))
    for name, value in data.items():
        setattr(webhook, name, value)
    db.session.commit()
    return webhook_schema.dump(webhook)


@bp.delete("/<int:webhook_id>")
@permission(ADMIN)
@contract("webhooks")
def delete_webhook(webhook_id: int):
    """Delete a webhook and its delivery log."""
    webhook = webhook_or_404(webhook_id)
    record("delete", "webhook", webhook.id, logged({"url": [webhook.url, None]}))
    db.session.delete(webhook)
    db.session.commit()
    return "", 204


@bp.get("/<int:webhook_id>/deliveries")
@permission(ADMIN)
@contract("webhooks", response=DeliveryPageSchema, query=[PageQuerySchema])
def list_deliveries(webhook_id: int):
    """The webhook's deliveries, newest first, each with its attempts."""
    webhook_or_404(webhook_id)
    query = select(Delivery).where(Delivery.webhook_id == webhook_id).order_by(Delivery.id.desc())
    return paginate(query, delivery_schema)


@bp.post("/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver")
@permission(ADMIN)
@contract("webhooks", response=DeliverySchema, status=202)
def redeliver(webhook_id: int, delivery_id: int):
    """Send a delivery again, now (the same `webhook-id`, so receivers can tell)."""
    query = select(Delivery).where(Delivery.id == delivery_id, Delivery.webhook_id == webhook_id)
    delivery = db.session.scalar(query)
    if delivery is None:
        raise NotFound()
    record("redeliver", "webhook_delivery", delivery.id, {"status": [delivery.status, "pending"]})
    delivery.status, delivery.next_attempt_at = "pending", utcnow()
    db.session.commit()
    enqueue("deliver", delivery.id)
    return delivery_schema.dump(delivery), 202


@bp.post("/<int:webhook_id>/ping")
@permission(ADMIN)
@contract("webhooks", response=DeliverySchema, status=202)
def ping(webhook_id: int):
    """Send a `ping` event to the webhook now, whatever events it takes."""
    webhook = webhook_or_404(webhook_id)
    at = iso(utcnow())
    delivery = new_delivery(
        webhook, [{"type": "ping", "object_type": "webhook", "object_id": webhook.id, "slug": None, "at": at}]
    )
    db.session.flush()
    record("ping", "webhook", webhook.id)
    db.session.commit()
    enqueue("deliver", delivery.id)
    return delivery_schema.dump(delivery), 202
