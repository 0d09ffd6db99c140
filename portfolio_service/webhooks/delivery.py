"""Sending: events batched into one delivery per webhook, signed as Standard Webhooks says, posted
by a worker with a timeout and no redirects, tried again after growing waits.

A delivery is claimed for an attempt with a lease longer than the attempt can run
(``claimed_until``), so two workers never send it at once, and only the lease's holder writes
the outcome. A worker killed mid-attempt leaves the lease to run out, and the sweep sends it
again (at least once: receivers dedupe by ``webhook-id``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import orjson
import urllib3
from flask import current_app
from huey import crontab
from sqlalchemy import func, or_, select, update

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


def _post(parts, address: str, headers: dict, body: bytes, timeout: float) -> int:
    """POST to ``address`` (checked) as the URL's host: its status, the body left unread."""
    limits = urllib3.Timeout(connect=timeout, read=timeout)
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":  # to the checked address, with the certificate checked for the host
        name = parts.hostname
        pool = urllib3.HTTPSConnectionPool(
            address,
            parts.port or 443,
            timeout=limits,
            retries=False,
            server_hostname=name,
            assert_hostname=name,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, parts.port or 80, timeout=limits, retries=False)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    with pool:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers=headers,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
        )
        response.close()
        return response.status


UNREACHABLE = (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)


def send(webhook: Webhook, delivery: Delivery) -> dict:
    """One attempt: ``{at, status_code, error, duration_ms}``.

    The host's addresses are checked as it connects, and tried in the resolver's order
    while they cannot be reached, all within ``WEBHOOK_TIMEOUT``. Any failure is the
    attempt's error, never the job's.
    """
    at, start = utcnow(), time.monotonic()
    status, error = None, None
    budget = current_app.config["WEBHOOK_TIMEOUT"]
    try:
        parts = urlsplit(webhook.url)
        checked = guard.addresses(webhook.url)
        timestamp = int(time.time())
        secret = unseal(webhook.secret_encrypted)
        headers = {
            "Host": parts.netloc.rpartition("@")[2],  # host and port, never a user or password
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": delivery.message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, delivery.message_id, timestamp, delivery.body),
        }
        for address in checked:
            left = budget - (time.monotonic() - start)
            if left <= 0:
                break
            try:
                status, error = _post(parts, address, headers, delivery.body.encode(), left), None
                break
            except UNREACHABLE as failure:  # the next address, if the host has one
                error = f"{type(failure).__name__}: {failure}"[:500]
    except Exception as failure:  # a refused address, a timeout, a secret SECRET_KEY no longer opens...
        error = f"{type(failure).__name__}: {failure}"[:500]
    duration = round((time.monotonic() - start) * 1000)
    return {"at": iso(at), "status_code": status, "error": error, "duration_ms": duration}


def claim(delivery_id: int) -> datetime | None:
    """Take a pending, due delivery for one attempt: the end of its lease, or None if it is not to be sent
    now (done, not due, or another worker's attempt still runs)."""
    now = utcnow()
    lease = now + timedelta(seconds=2 * current_app.config["WEBHOOK_TIMEOUT"] + 10)
    free = or_(Delivery.claimed_until.is_(None), Delivery.claimed_until <= now)
    with writing():
        taken = db.session.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.status == "pending",
                Delivery.next_attempt_at <= now,
                free,
            )
            .values(claimed_until=lease)
        ).rowcount  # type: ignore[attr-defined]  # an UPDATE's result has one
        db.session.commit()
    return lease if taken else None


@job(retries=0)
def deliver(delivery_id: int) -> None:
    """One attempt of a delivery; a failure is tried again after the schedule's next wait, then given up."""
    lease = claim(delivery_id)
    if lease is None:
        return
    delivery = db.session.get_one(Delivery, delivery_id)
    attempt = send(db.session.get_one(Webhook, delivery.webhook_id), delivery)
    db.session.commit()  # end the read before the write below takes the lock
    schedule = current_app.config["WEBHOOK_RETRY_SCHEDULE"]
    wait = None
    with writing():
        delivery = db.session.get_one(Delivery, delivery_id, with_for_update=True)
        delivery.attempts = [*delivery.attempts, attempt]
        if delivery.claimed_until == lease:  # still ours: its outcome is this attempt's
            delivery.claimed_until = None
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
    free = or_(Delivery.claimed_until.is_(None), Delivery.claimed_until <= now)
    due = select(Delivery.id).where(Delivery.status == "pending", Delivery.next_attempt_at <= now, free)
    for delivery_id in db.session.scalars(due.limit(1000)).all():
        enqueue("deliver", delivery_id)
    db.session.rollback()
