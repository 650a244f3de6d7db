"""What machine-to-machine endpoints (webhooks, the storefront) read from a request: the raw body,
bounded, so a stranger's gigabyte is neither read nor kept."""
from __future__ import annotations

from flask import request
from flask.json.provider import DefaultJSONProvider

from app.integrations import bounded_json

API_MAX_DEPTH = 64  # deeper than any record the API takes


def read_body(limit: int) -> bytes | None:
    """The raw body as sent, or None when it is longer than ``limit`` bytes (read no further)."""
    length = request.content_length
    if length is not None and length > limit:
        return None
    data = request.stream.read(limit + 1)
    return None if len(data) > limit else data


class BoundedJSONProvider(DefaultJSONProvider):
    """Every ``request.json`` of the app (the REST API, the login API) refuses JSON nested past
    ``bounded_json.MAX_DEPTH`` with a 400, as it refuses any malformed body, instead of letting a
    RecursionError through as a 500."""

    def loads(self, s, **kwargs):
        return bounded_json.loads(s, max_depth=API_MAX_DEPTH)
