"""``GET /api/jobs``: what is queued, scheduled, running and failed, and which workers are alive."""

from __future__ import annotations

from marshmallow import fields
from sqlalchemy import select

from ..auth.permissions import ADMIN, permission
from ..extensions import db
from ..fields import Schema, UTCDateTime
from ..openapi import contract
from . import bp
from .models import Failure
from .queue import described, get_queue
from .worker import live_workers

LIMIT = 100


class QueuedSchema(Schema):
    id = fields.String()
    job = fields.String(metadata={"example": "make_variants(7,)"})
    eta = UTCDateTime(allow_none=True)


class WorkerSchema(Schema):
    name = fields.String(metadata={"example": "web-1:4121"})
    started_at = UTCDateTime()
    seen_at = UTCDateTime()
    job = fields.String(allow_none=True, metadata={"description": "What it runs now; null when idle."})
    job_started_at = UTCDateTime(allow_none=True)


class FailureSchema(Schema):
    job = fields.String()
    error = fields.String()
    failed_at = UTCDateTime()


class JobsSchema(Schema):
    queued_count = fields.Integer()
    queued = fields.List(fields.Nested(QueuedSchema), metadata={"description": f"The first {LIMIT}."})
    scheduled = fields.List(
        fields.Nested(QueuedSchema), metadata={"description": "Retries waiting for their time."}
    )
    workers = fields.List(
        fields.Nested(WorkerSchema), metadata={"description": "Heard from in the last 30 s."}
    )
    failed = fields.List(
        fields.Nested(FailureSchema), metadata={"description": f"The last {LIMIT}, newest first."}
    )


def _task(task) -> dict:
    return {"id": task.id, "job": described(task.name, task.args), "eta": task.eta}


@bp.get("")
@permission(ADMIN)
@contract("jobs", response=JobsSchema)
def jobs():
    """The job queue: what waits, what runs where, and what failed."""
    huey = get_queue().huey
    failed = db.session.scalars(select(Failure).order_by(Failure.id.desc()).limit(LIMIT))
    return JobsSchema().dump(
        {
            "queued_count": huey.pending_count(),
            "queued": [_task(task) for task in huey.pending(limit=LIMIT)],
            "scheduled": [_task(task) for task in huey.scheduled(limit=LIMIT)],
            "workers": live_workers(),
            "failed": list(failed),
        }
    )
