"""JSON in and out with orjson: several times faster than the standard library on nested documents."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import JSONProvider

# Marshmallow keys errors inside lists by the item's index, an int.
OPTIONS = orjson.OPT_NON_STR_KEYS


class OrjsonProvider(JSONProvider):
    """Flask's JSON provider backed by orjson; keys keep their order (no sorting)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return orjson.dumps(obj, option=OPTIONS).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        # Straight to bytes, without the str round trip of the default provider.
        body = orjson.dumps(self._prepare_response_obj(args, kwargs), option=OPTIONS)
        return Response(body, mimetype="application/json")
