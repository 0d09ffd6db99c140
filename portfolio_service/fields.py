"""Marshmallow fields the contract needs in more than one resource."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone

from marshmallow import ValidationError, fields

_PLAIN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def format_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with ``Z``; microseconds only when non-zero."""
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat() + "Z"


class UTCDateTime(fields.Field):
    """Dumps ``2026-03-03T17:52:28.976376Z``; loads ``Z``, offsets, naive (UTC) and plain dates."""

    default_error_messages = {"invalid": "Not a valid datetime."}

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else format_datetime(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 64:
            raise self.make_error("invalid")
        try:
            if _PLAIN_DATE.match(value):
                return datetime.combine(date.fromisoformat(value), time(), tzinfo=timezone.utc)
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self.make_error("invalid") from None
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc)


class UniqueList(fields.List):
    """A list whose items may not repeat (``[3, 3]`` is a 400 on the field)."""

    def _deserialize(self, value, attr, data, **kwargs):
        items = super()._deserialize(value, attr, data, **kwargs)
        seen, repeated = set(), []
        for item in items:
            if item in seen and item not in repeated:
                repeated.append(item)
            seen.add(item)
        if repeated:
            raise ValidationError(f"Duplicate values: {', '.join(map(str, repeated))}.")
        return items
