"""How the Lazada sandbox checks a call, written from the LazOP guide (not shared with the client).

Query and form fields are merged (the SDK posts everything as form fields), ``sign`` is set
aside, the rest is sorted in ASCII order and signed after the API path; the result must be the
UPPERCASE hex the guide and every official SDK produce.
"""
from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from datetime import datetime

from flask import jsonify

TIMESTAMP_SKEW_MS = 7200 * 1000


class LazadaRefusal(Exception):
    def __init__(self, code: str, message: str, kind: str = "ISV", status: int = 200):
        super().__init__(message)
        self.code, self.message, self.kind, self.status = code, message, kind, status

    def response(self):
        return envelope_error(self.code, self.message, self.kind, self.status)


def envelope_error(code: str, message: str, kind: str = "ISV", status: int = 200):
    resp = jsonify({"code": code, "type": kind, "message": message, "request_id": uuid.uuid4().hex[:26]})
    resp.status_code = status
    return resp


def envelope_ok(data=None, **top):
    body = {"code": "0", "request_id": uuid.uuid4().hex[:26]}
    if data is not None:
        body["data"] = data
    body.update(top)
    return jsonify(body)


def _timestamp_ms(raw: str) -> int:
    if raw.isdigit():
        return int(raw)
    return int(datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp() * 1000)


def check_call(params: dict[str, str], api_path: str, apps: dict[str, str], *,
               now: float | None = None) -> dict[str, str]:
    """Verify system parameters and the signature; returns the parameters without ``sign``.
    ``now`` (unix seconds) is the server's clock, for checking a recorded request."""
    params = dict(params)
    sign = params.pop("sign", None)
    for name in ("app_key", "timestamp", "sign_method"):
        if not params.get(name):
            raise LazadaRefusal("MissingParameter", f'The input parameter "{name}" that is mandatory '
                                                    "for processing this request is not supplied")
    if not sign:
        raise LazadaRefusal("MissingParameter", 'The input parameter "sign" that is mandatory for '
                                                "processing this request is not supplied")
    secret = apps.get(params["app_key"])
    if secret is None:
        raise LazadaRefusal("APP_KEY_INVALID", "The specified App Key is invalid")
    if params["sign_method"] != "sha256":
        raise LazadaRefusal("InvalidSignatureMethod", "The signature method is not supported")
    try:
        skew = abs((time.time() if now is None else now) * 1000 - _timestamp_ms(params["timestamp"]))
    except ValueError:
        skew = None
    if skew is None or skew > TIMESTAMP_SKEW_MS:
        raise LazadaRefusal("InvalidTimestamp", "Invalid timestamp: the request time is too far from "
                                                "the server time")
    text = api_path + "".join(k + params[k] for k in sorted(params))
    expected = hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest().upper()
    if not hmac.compare_digest(expected, sign):
        raise LazadaRefusal("IncompleteSignature", "The request signature does not conform to lazop standards")
    return params


def push_signature(app_key: str, app_secret: str, body: bytes) -> str:
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()
