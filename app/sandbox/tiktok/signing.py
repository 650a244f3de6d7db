"""How the TikTok Shop sandbox checks a call, from the 202309 "Sign your API request" guide and
written separately from the client: the sign is recomputed from the query and body received."""
from __future__ import annotations

import hashlib
import hmac
import time
import uuid

from flask import jsonify

WINDOW_PAST, WINDOW_FUTURE = 300, 30


class TikTokRefusal(Exception):
    def __init__(self, code: int, message: str, status: int = 200):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status

    def response(self):
        return envelope_error(self.code, self.message, self.status)


def envelope_error(code: int, message: str, status: int = 200):
    resp = jsonify({"code": code, "message": message, "request_id": uuid.uuid4().hex.upper()[:30], "data": None})
    resp.status_code = status
    return resp


def envelope_ok(data: dict | None = None):
    return jsonify({"code": 0, "message": "Success", "request_id": uuid.uuid4().hex.upper()[:30], "data": data or {}})


def check_call(args, path: str, body: bytes, content_type: str, apps: dict[str, str], *,
               now: float | None = None) -> str:
    """Verify app_key, timestamp window and sign; returns the app key. ``now`` (unix seconds) is
    the server's clock, for checking a recorded request."""
    app_key, timestamp, sign = args.get("app_key"), args.get("timestamp"), args.get("sign")
    if not app_key or not timestamp or not sign:
        raise TikTokRefusal(36009004, "Invalid credentials: app_key, timestamp and sign are required")
    secret = apps.get(app_key)
    if secret is None:
        raise TikTokRefusal(36009004, "Invalid credentials: app_key does not exist")
    if not (timestamp.isdigit() and len(timestamp) == 10
            and -WINDOW_PAST <= int(timestamp) - (time.time() if now is None else now) <= WINDOW_FUTURE):
        raise TikTokRefusal(36009004, "Invalid timestamp: expired or not in seconds")
    signed_body = b"" if content_type.startswith("multipart/form-data") else body
    pairs = "".join(k + args[k] for k in sorted(args.keys()) if k not in ("sign", "access_token"))
    message = secret.encode() + path.encode() + pairs.encode() + signed_body + secret.encode()
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, sign):  # lowercase only: an uppercase sign is refused
        raise TikTokRefusal(106001, "Invalid sign: the signature does not match", 401)
    return app_key


def push_signature(app_key: str, app_secret: str, body: bytes) -> str:
    return hmac.new(app_secret.encode(), app_key.encode() + body, hashlib.sha256).hexdigest()
