"""Marshmallow fields the contract needs in more than one resource."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any

from marshmallow import ValidationError, fields, pre_load, validate
from sqlalchemy import bindparam, select

from .database import iso
from .extensions import db, ma

_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # used with fullmatch

#: Ids are 32-bit integer columns in every database; larger numbers can name nothing.
#: (PostgreSQL would refuse them as parameters of an integer comparison: a 500, not a 404.)
MAX_ID = 2**31 - 1

# C0 controls and DEL, except tab, line feed and carriage return. NUL in
# particular is refused by PostgreSQL, so it must be a 400 before it gets there.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FullMatch(validate.Regexp):
    """``validate.Regexp`` over the whole value.

    Python's ``$`` also matches before a final line break, so ``re.match``
    lets ``"admin\\n"`` through a ``^...$`` pattern; ``fullmatch`` does not.
    The pattern keeps its ``^...$`` form, which is what the OpenAPI document
    shows (JSON Schema patterns are ECMAScript, where ``$`` is the end).
    """

    def __call__(self, value):  # strings only, as every use here
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


#: For names, titles and keys: no line breaks (they end up in headers and one-line UIs).
SINGLE_LINE = FullMatch(r"^[^\r\n]*$", error="Line breaks are not allowed.")


def _has_control(value) -> bool:
    """Whether a control character is in ``value`` or any string nested in it, at any depth.

    A loop over a stack, not recursion: JSON may nest a thousand lists deep.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _CONTROL.search(item):
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return False


READ_ONLY = "This field is read-only."


@dataclass(frozen=True, eq=False)  # compared and hashed by identity (a cache key)
class Unique:
    """A column no two rows may share, declared on the schema whose field writes it.

    ``parsing.load_body`` checks it after the fields validate, leaving out the
    row being edited (it is passed there, not carried by the schema). A
    ``within`` column bounds the check: a meta key is unique per portfolio.
    """

    column: Any
    within: str | None = None
    ignore_case: bool = False


class Schema(ma.Schema):  # type: ignore[name-defined]  # flask-marshmallow sets it at run time
    """The base of every schema here.

    No control characters in any string of the input, and a read-only field
    in a body is named as such rather than as unknown (section 2).
    """

    #: What ``parsing.load_body`` checks for uniqueness; see ``Unique``.
    unique: tuple[Unique, ...] = ()

    @pre_load
    def reject_control_characters(self, data, **kwargs):
        if isinstance(data, dict):
            bad = {
                name: ["Control characters are not allowed."]
                for name, value in data.items()
                if _has_control(value)
            }
            if bad:
                raise ValidationError(bad)
        return data

    def handle_error(self, error: ValidationError, data, *, many: bool, **kwargs) -> None:
        if not isinstance(error.messages, dict):
            return
        unknown = [self.error_messages["unknown"]]
        for field in self.dump_fields.values():
            key = field.data_key or field.name
            if field.dump_only and error.messages.get(key) == unknown:
                error.messages[key] = [READ_ONLY]


class UTCDateTime(fields.Field):
    """Dumps ``2026-03-03T17:52:28.976376Z``; loads ``Z``, offsets, naive (UTC) and plain dates."""

    default_error_messages = {"invalid": "Not a valid datetime."}

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else iso(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 64:
            raise self.make_error("invalid")
        try:
            if _PLAIN_DATE.fullmatch(value):
                return datetime.combine(date.fromisoformat(value), time(), tzinfo=timezone.utc)
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                return parsed.replace(tzinfo=timezone.utc)
            return parsed.astimezone(timezone.utc)
        except (ValueError, OverflowError):  # OverflowError: an offset past year 1 or 9999
            raise self.make_error("invalid") from None


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


class Related(fields.Integer):
    """The id of a ``model`` row (a 400 on the field if there is none), loaded as the id.

    Checked with one column query, so validating a body loads no object: the
    writer stores the id in the column ``attribute`` names (``image_id``).
    """

    default_error_messages = {"missing_object": "No {model} with id {id}."}

    def __init__(self, model, **kwargs):
        super().__init__(strict=True, **kwargs)
        self.model = model
        table = model.__table__
        self.query = select(table.c.id).where(table.c.id == bindparam("id"))

    def _deserialize(self, value, attr, data, **kwargs):
        key = super()._deserialize(value, attr, data, **kwargs)
        if not 0 < key <= MAX_ID or db.session.scalar(self.query, {"id": key}) is None:
            raise self.make_error("missing_object", model=self.model.__tablename__, id=key)
        return key


class DistinctList(fields.List):
    """A list of query values where repeats mean nothing: ``?tag=3&tag=3`` is ``[3]``, in first-seen order."""

    def _deserialize(self, value, attr, data, **kwargs):
        return list(dict.fromkeys(super()._deserialize(value, attr, data, **kwargs)))


class RelatedIds(UniqueList):
    """A list of ids of ``model`` rows, checked to exist in one query; loaded as the ids.

    Portfolios write these relations as rows of their own (tags, gallery),
    so no related object needs loading.
    """

    def __init__(self, model, **kwargs):
        super().__init__(fields.Integer(strict=True), **kwargs)
        self.model = model
        table = model.__table__
        self.query = select(table.c.id).where(table.c.id.in_(bindparam("ids", expanding=True)))

    def _deserialize(self, value, attr, data, **kwargs):
        ids = super()._deserialize(value, attr, data, **kwargs)
        if not ids:
            return []
        found = set(db.session.scalars(self.query, {"ids": [key for key in ids if 0 < key <= MAX_ID]}))
        missing = [key for key in ids if key not in found]
        if missing:
            raise ValidationError(f"No {self.model.__tablename__} with ids: {', '.join(map(str, missing))}.")
        return ids


#: Any JSON value, as the OpenAPI document names it (``openapi.py`` declares ``JSONValue``).
JSON_VALUE = {"anyOf": [{"$ref": "#/components/schemas/JSONValue"}]}


def changes_field(**kwargs) -> fields.Dict:
    """``{field: [old, new]}``, as revisions and the audit log show what changed."""
    pair = fields.List(fields.Raw(metadata=JSON_VALUE), metadata={"minItems": 2, "maxItems": 2})
    return fields.Dict(keys=fields.String(), values=pair, **kwargs)


class UserRefSchema(Schema):
    """Who did something, as revisions and the audit log show it."""

    id = fields.Integer(required=True)
    username = fields.String(required=True)
