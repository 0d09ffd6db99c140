"""Sending: events batched into one delivery per webhook, signed as Standard Webhooks says, posted
by a worker with a timeout and no redirects, tried again after growing waits.

A delivery is claimed by moving its ``next_attempt_at`` past the attempt's longest run (a lease),
so two workers never send it at once; a worker killed mid-attempt leaves the lease to run out,
and the sweep sends it again (at least once: receivers dedupe by ``webhook-id``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

import orjson
import urllib3
from flask import current_app
from huey import crontab
from sqlalchemy import func, select, update

from ..database import iso, utcnow, writing
from ..extensions import db
from ..jobs import enqueue, job
from . import guard
from .models import Delivery, OutboxEvent, Webhook
from .secrets import key_bytes, unseal

USER_AGENT = "portfolio-service-webhooks/1"


def message(events: list[dict]) -> str:
    return orjson.dumps({"type": "batch", "timestamp": iso(utcnow()), "data": {"events": events}}).decode()


def new_delivery(webhook: Webhook, events: list[dict]) -> Delivery:
    delivery = Delivery(
        webhook_id=webhook.id,
        message_id=f"msg_{secrets.token_urlsafe(18)}",
        events=events,
        body=message(events),
        attempts=[],
        next_attempt_at=utcnow(),
    )
    db.session.add(delivery)
    return delivery


@job(retries=0)
def dispatch_events() -> None:
    """Batch the events whose window has closed: one delivery per webhook that wants any of them."""
    window = timedelta(seconds=current_app.config["WEBHOOK_DEBOUNCE_SECONDS"])
    with writing():
        first = db.session.scalar(select(func.min(OutboxEvent.at)).where(~OutboxEvent.dispatched))
        now = utcnow()
        if first is None:
            db.session.rollback()
            return
        if now < first + window:  # early: come back when the window closes
            db.session.rollback()
            enqueue("dispatch_events", delay=(first + window - now).total_seconds())
            return
        batch = db.session.scalars(
            select(OutboxEvent)
            .where(~OutboxEvent.dispatched, OutboxEvent.at <= first + window)
            .order_by(OutboxEvent.id)
            .with_for_update(skip_locked=True)
        ).all()
        for item in batch:
            item.dispatched = True
        made = []
        for webhook in db.session.scalars(select(Webhook).where(Webhook.is_active).order_by(Webhook.id)):
            wanted = [item.as_json() for item in batch if webhook.wants(item.type)]
            if wanted:
                made.append(new_delivery(webhook, wanted))
        db.session.commit()
    for delivery in made:
        enqueue("deliver", delivery.id)
    if db.session.scalar(select(func.count()).where(~OutboxEvent.dispatched)):
        enqueue("dispatch_events", delay=window.total_seconds())  # the next window's events


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    signed = hmac.new(key_bytes(secret), f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(signed).decode()


def send(webhook: Webhook, delivery: Delivery) -> dict:
    """One attempt: ``{at, status_code, error, duration_ms}``; the address is checked as it connects."""
    at = utcnow()
    start = time.monotonic()
    status, error = None, None
    try:
        address = guard.addresses(webhook.url)[0]
        parts = urlsplit(webhook.url)
        timestamp = int(time.time())
        headers = {
            "Host": parts.netloc,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": delivery.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(
                unseal(webhook.secret_encrypted), delivery.message_id, timestamp, delivery.body
            ),
        }
        timeout = urllib3.Timeout(total=current_app.config["WEBHOOK_TIMEOUT"])
        pool: urllib3.HTTPConnectionPool
        if parts.scheme == "https":  # to the checked address, with the certificate checked for the host
            name = parts.hostname
            pool = urllib3.HTTPSConnectionPool(
                address,
                parts.port or 443,
                timeout=timeout,
                retries=False,
                server_hostname=name,
                assert_hostname=name,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, parts.port or 80, timeout=timeout, retries=False)
        with pool:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            body = delivery.body.encode()
            response = pool.urlopen(
                "POST", path, body=body, headers=headers, redirect=False, assert_same_host=False
            )
            status = response.status
    except guard.UnsafeURL as refused:
        error = str(refused)
    except urllib3.exceptions.HTTPError as failure:
        error = f"{type(failure).__name__}: {failure}"[:500]
    duration = round((time.monotonic() - start) * 1000)
    return {
        "at": iso(at),
        "status_code": status,
        "error": error,
        "duration_ms": duration,
    }


def claim(delivery_id: int) -> bool:
    """Take the delivery for one attempt, if it is pending and due; nobody else sends it meanwhile."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["WEBHOOK_TIMEOUT"] + 5)
    with writing():
        taken = db.session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == "pending", Delivery.next_attempt_at <= now)
            .values(next_attempt_at=now + lease)
        ).rowcount  # type: ignore[attr-defined]  # an UPDATE's result has one
        db.session.commit()
    return bool(taken)


@job(retries=0)
def deliver(delivery_id: int) -> None:
    """One attempt of a delivery; a failure is tried again after the schedule's next wait, then given up."""
    if not claim(delivery_id):
        return
    delivery = db.session.get_one(Delivery, delivery_id)
    attempt = send(db.session.get_one(Webhook, delivery.webhook_id), delivery)
    db.session.commit()  # end the read before the write below takes the lock
    schedule = current_app.config["WEBHOOK_RETRY_SCHEDULE"]
    with writing():
        delivery = db.session.get_one(Delivery, delivery_id, with_for_update=True)
        delivery.attempts = [*delivery.attempts, attempt]
        wait = None
        if attempt["status_code"] is not None and 200 <= attempt["status_code"] < 300:
            delivery.status = "succeeded"
        elif len(delivery.attempts) <= len(schedule):
            wait = schedule[len(delivery.attempts) - 1]
            delivery.next_attempt_at = utcnow() + timedelta(seconds=wait)
        else:
            delivery.status = "failed"
        db.session.commit()
    if wait is not None:
        enqueue("deliver", delivery_id, delay=wait)


@job(periodic=crontab(minute="*"))
def sweep_webhooks() -> None:
    """Queue what a crash, or a queue that was away, left: events past their window, deliveries due."""
    now = utcnow()
    window = timedelta(seconds=current_app.config["WEBHOOK_DEBOUNCE_SECONDS"])
    if db.session.scalar(select(func.count()).where(~OutboxEvent.dispatched, OutboxEvent.at <= now - window)):
        enqueue("dispatch_events")
    due = select(Delivery.id).where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
    for delivery_id in db.session.scalars(due.limit(1000)).all():
        enqueue("deliver", delivery_id)
    db.session.rollback()
