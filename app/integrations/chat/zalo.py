"""Zalo Official Account: customer-service replies, and the webhook's checks.

Protocol, as Zalo documents it for Official Account API v3 (and as open-source integrations use it):

- **Send** ("tin nhắn tư vấn", customer-service message): ``POST {base}/v3.0/oa/message/cs`` with
  the OA access token in the ``access_token`` header (sent once more as ``Access-Token``: WSGI
  servers such as Werkzeug and gunicorn drop header names with an underscore, so a sandbox or
  proxy behind one would never see the first) and a JSON body ``{"recipient": {"user_id":
  …}, "message": {"text": …}}``. Zalo answers HTTP 200 whatever happened, with ``{"error": 0,
  "message": "Success", "data": {"message_id", "user_id"}}`` or a negative ``error`` code and its
  ``message``.
- **Errors we tell apart** (negative codes): -216 and -124 (access token invalid / expired) are
  ``AuthError`` (refresh the token); -32 (too many requests) and -1 (temporary failure) are
  ``RetryableError``; -230 (the person has not interacted with the OA within the allowed time) is
  ``OutsideReplyWindow``; -213 (not a follower), -201 (invalid parameter) and the rest are permanent.
- **Webhook**: ``POST`` with a JSON body such as ``{"app_id", "user_id_by_app", "event_name":
  "user_send_text", "timestamp": "<ms>", "sender": {"id": <user id>}, "recipient": {"id": <OA id>},
  "message": {"text", "msg_id"}}`` and the header ``X-ZEvent-Signature: mac=<hex SHA-256 of
  app_id + raw body + timestamp + OA secret key>`` (app_id and timestamp as in the body). It must be
  answered within 2 seconds: verify, record, enqueue, answer.
- **Window**: customer-service messages may be sent within 48 hours of the person's last
  interaction with the OA.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime

import httpx

from app.integrations.base import AuthError, HttpClient, PermanentError, RetryableError
from app.integrations.chat.common import (IncomingMessage, OutsideReplyWindow, SentMessage, same_digest,
                                          utc_from_millis, webhook_json, within_window)

SEND_PATH = "/v3.0/oa/message/cs"
MAX_TEXT = 2000
WINDOW_HOURS = 48
_AUTH = {-216, -124}
_RETRYABLE = {-32, -1}
_OUTSIDE_WINDOW = {-230}


def signature(app_id: str, raw_body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The ``X-ZEvent-Signature`` value Zalo sends: ``mac=`` + hex SHA-256 of the four parts."""
    digest = hashlib.sha256(str(app_id).encode("utf-8") + raw_body + str(timestamp).encode("utf-8")
                            + oa_secret_key.encode("utf-8")).hexdigest()
    return "mac=" + digest


def verify_signature(raw_body: bytes, header: str | None, oa_secret_key: str, *,
                     app_id: str | None = None) -> bool:
    """Is ``header`` the signature of exactly these bytes? The app id and timestamp are read from
    the body (``app_id``, when given, must also match it: a notification for another app is refused)."""
    if not header:
        return False
    try:
        data = json.loads(raw_body)
    except ValueError:
        return False
    if not isinstance(data, dict) or "timestamp" not in data or "app_id" not in data:
        return False
    if app_id is not None and str(data["app_id"]) != str(app_id):
        return False
    expected = signature(str(data["app_id"]), raw_body, str(data["timestamp"]), oa_secret_key)[4:]
    given = header.strip()
    return same_digest(expected, given[4:] if given.lower().startswith("mac=") else given)


def parse_webhook(raw_body: bytes) -> list[IncomingMessage]:
    """The shopper's text message in a webhook body, if it is one (``user_send_text``)."""
    data = webhook_json(raw_body, "zalo")
    if data is None or data.get("event_name") != "user_send_text":
        return []
    message = data.get("message") or {}
    return [IncomingMessage(channel="zalo", sender_id=str(data["sender"]["id"]),
                            recipient_id=str((data.get("recipient") or {}).get("id", "")),
                            message_id=str(message["msg_id"]), text=str(message.get("text", "")),
                            sent_at=utc_from_millis(data["timestamp"]), raw=data)]


def can_reply(last_interaction_at: datetime | None, now: datetime | None = None) -> bool:
    """Zalo OA's customer-service window: 48 hours after the person's last interaction."""
    return within_window(last_interaction_at, now, hours=WINDOW_HOURS)


class ZaloOAClient(HttpClient):
    """OA API client. ``base_url`` is ``https://openapi.zalo.me``."""

    system = "zalo"

    def __init__(self, base_url: str, *, access_token: str, **http):
        super().__init__(base_url, **http)
        self.access_token = access_token

    def send_text(self, user_id: str, text: str) -> SentMessage:
        if not text or len(text) > MAX_TEXT:
            raise PermanentError(f"A Zalo message has 1 to {MAX_TEXT} characters", provider=self.system,
                                 code="text_length")
        body = {"recipient": {"user_id": str(user_id)}, "message": {"text": text}}
        request = httpx.Request("POST", self.base_url + SEND_PATH,
                                content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                headers={"access_token": self.access_token, "Access-Token": self.access_token,
                                         "content-type": "application/json"})
        data = self._check(self._send(request, endpoint=SEND_PATH))
        sent = data.get("data") or {}
        return SentMessage(recipient_id=str(sent.get("user_id", user_id)), message_id=str(sent["message_id"]))

    def _check(self, response: httpx.Response) -> dict:
        self._raise_for_http(response)
        data = self._json(response)
        if not isinstance(data, dict) or "error" not in data:
            raise RetryableError("Zalo sent an unexpected answer", provider=self.system, code="malformed",
                                 status=response.status_code, response=data)
        code = data.get("error")
        if code == 0 and (data.get("data") or {}).get("message_id"):
            return data
        message = data.get("message") or f"error {code}"
        kwargs = dict(provider=self.system, code=str(code), status=response.status_code, response=data)
        if code in _OUTSIDE_WINDOW:
            raise OutsideReplyWindow(message, **kwargs)
        if code in _AUTH:
            raise AuthError(message, **kwargs)
        if code in _RETRYABLE:
            raise RetryableError(message, **kwargs)
        raise PermanentError(message, **kwargs)
