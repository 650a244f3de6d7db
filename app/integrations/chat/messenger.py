"""Facebook Messenger Platform: replies through the Send API, and the webhook's checks.

Protocol, as Meta documents it (Messenger Platform: Send API reference, Webhooks, error codes):

- **Send**: ``POST {base}/{version}/me/messages?access_token=<page access token>`` with a JSON body
  ``{"recipient": {"id": <PSID>}, "messaging_type": "RESPONSE", "message": {"text": …}}``
  (``messaging_type`` is ``RESPONSE`` inside the standard window, ``MESSAGE_TAG`` with ``"tag":
  "HUMAN_AGENT"`` for a person answering later). Success: ``{"recipient_id", "message_id"}``.
  Failure: HTTP 4xx/5xx with ``{"error": {"message", "type", "code", "error_subcode",
  "fbtrace_id"}}``. Text is at most 2,000 characters.
- **Errors we tell apart**: code 190 / 102 (token invalid or expired) and 10 / 200–299 (permission)
  are ``AuthError``; code 10 with subcode 2018278 (sent outside the allowed window) is
  ``OutsideReplyWindow``; 1, 2, 4, 17, 32, 341, 613 and 1200 (temporary failure, throttling) are
  ``RetryableError``; 551 (person unavailable) and 100 (invalid parameter) are permanent.
- **Webhook verification**: ``GET`` with ``hub.mode=subscribe``, ``hub.verify_token`` (ours) and
  ``hub.challenge``, answered with the challenge as the body when the token matches, 403 otherwise.
- **Webhook signature**: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>``,
  computed on the exact bytes received (never on re-serialised JSON).
- **Events**: ``{"object": "page", "entry": [{"id": <page id>, "time", "messaging": [{"sender":
  {"id": <PSID>}, "recipient": {"id": <page id>}, "timestamp": <ms>, "message": {"mid", "text"}}]}]}``;
  echoes of our own messages (``message.is_echo``), deliveries and reads are not shopper messages.
- **Window**: a business may answer within 24 hours of the person's last message; the
  ``HUMAN_AGENT`` tag extends that to 7 days for a person (not a bot) answering.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

import httpx

from app.integrations.base import AuthError, HttpClient, PermanentError, RetryableError
from app.integrations.chat.common import (IncomingMessage, OutsideReplyWindow, SentMessage, same_digest,
                                          utc_from_millis, webhook_json, within_window)

API_VERSION = "v21.0"
MAX_TEXT = 2000
STANDARD_WINDOW_HOURS = 24
HUMAN_AGENT_WINDOW_HOURS = 24 * 7
_AUTH_CODES = {190, 102, 10, 200}
_RETRYABLE_CODES = {1, 2, 4, 17, 32, 341, 613, 1200}
_OUTSIDE_WINDOW = 2018278


def signature(raw_body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends for ``raw_body``."""
    return "sha256=" + hmac.new(app_secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """Is ``header`` (``X-Hub-Signature-256``) the signature of exactly these bytes?"""
    if not header or not header.startswith("sha256="):
        return False
    return same_digest(signature(raw_body, app_secret)[7:], header[7:])


def verify_subscription(args, verify_token: str) -> str | None:
    """The challenge to answer a webhook verification request with, or None (answer 403)."""
    if args.get("hub.mode") == "subscribe" and args.get("hub.verify_token") and \
            hmac.compare_digest(str(args.get("hub.verify_token")), verify_token):
        return str(args.get("hub.challenge", ""))
    return None


def parse_webhook(raw_body: bytes) -> list[IncomingMessage]:
    """The shoppers' text messages in a webhook body (echoes, deliveries and reads left out)."""
    data = webhook_json(raw_body, "messenger")
    if data is None or data.get("object") != "page":
        return []
    messages = []
    for entry in data.get("entry") or []:
        for event in entry.get("messaging") or []:
            message = event.get("message") or {}
            if not message or message.get("is_echo") or "text" not in message:
                continue
            messages.append(IncomingMessage(
                channel="messenger", sender_id=str(event["sender"]["id"]),
                recipient_id=str(event["recipient"]["id"]), message_id=str(message["mid"]),
                text=str(message["text"]), sent_at=utc_from_millis(event.get("timestamp") or entry.get("time")),
                raw=event))
    return messages


def can_reply(last_user_message_at: datetime | None, now: datetime | None = None, *,
              human_agent: bool = False) -> bool:
    """Messenger's reply window: 24 h, or 7 days for a person using the HUMAN_AGENT tag."""
    hours = HUMAN_AGENT_WINDOW_HOURS if human_agent else STANDARD_WINDOW_HOURS
    return within_window(last_user_message_at, now, hours=hours)


class MessengerClient(HttpClient):
    """Send API client for one Facebook Page. ``base_url`` is ``https://graph.facebook.com``."""

    system = "messenger"

    def __init__(self, base_url: str, *, page_access_token: str, api_version: str = API_VERSION, **http):
        super().__init__(base_url, **http)
        self.page_access_token = page_access_token
        self.api_version = api_version

    def send_text(self, recipient_id: str, text: str, *, human_agent: bool = False) -> SentMessage:
        """Send ``text`` to a person (PSID). ``human_agent``: a staff reply after 24 h (tag)."""
        if not text or len(text) > MAX_TEXT:
            raise PermanentError(f"A Messenger message has 1 to {MAX_TEXT} characters", provider=self.system,
                                 code="text_length")
        body = {"recipient": {"id": str(recipient_id)}, "message": {"text": text},
                "messaging_type": "MESSAGE_TAG" if human_agent else "RESPONSE"}
        if human_agent:
            body["tag"] = "HUMAN_AGENT"
        path = f"/{self.api_version}/me/messages"
        request = httpx.Request("POST", self.base_url + path, params={"access_token": self.page_access_token},
                                content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                headers={"content-type": "application/json"})
        response = self._send(request, endpoint=path)
        data = self._check(response)
        return SentMessage(recipient_id=str(data.get("recipient_id", recipient_id)), message_id=str(data["message_id"]))

    def _check(self, response: httpx.Response) -> dict:
        try:
            data = response.json()
        except ValueError:
            self._raise_for_http(response)
            data = self._json(response)
        error = data.get("error") if isinstance(data, dict) else None
        if response.status_code < 400 and isinstance(data, dict) and not error and data.get("message_id"):
            return data
        if not isinstance(error, dict):
            self._raise_for_http(response)
            raise RetryableError("Messenger sent an unexpected answer", provider=self.system, code="malformed",
                                 status=response.status_code, response=data)
        code, subcode = error.get("code"), error.get("error_subcode")
        kwargs = dict(provider=self.system, code=f"{code}/{subcode}" if subcode else str(code),
                      status=response.status_code, response=data)
        message = error.get("message") or f"HTTP {response.status_code}"
        if subcode == _OUTSIDE_WINDOW:
            raise OutsideReplyWindow(message, **kwargs)
        if code in _RETRYABLE_CODES or response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(message, **kwargs)
        if code in _AUTH_CODES or (isinstance(code, int) and 200 <= code <= 299):
            raise AuthError(message, **kwargs)
        raise PermanentError(message, **kwargs)
