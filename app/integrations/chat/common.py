"""What the chat channels share: an incoming message, a sent reply, the reply-window rule, and
the error a reply outside that window gets.

A platform lets a business answer a person only for a while after that person last wrote
(Messenger: 24 hours, longer for a human agent with the ``HUMAN_AGENT`` tag; Zalo OA: 48 hours for
customer-service messages). ``within_window`` is the one pure check both use, so a job can decide
before calling (and tell staff why a reply was not sent) instead of learning it from an error.
"""
from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from app.integrations.base import PermanentError


@dataclass(frozen=True)
class IncomingMessage:
    """One message a person sent to the shop, as a webhook reported it."""
    channel: str          # "messenger" | "zalo"
    sender_id: str        # Messenger PSID / Zalo user id: who to answer
    recipient_id: str     # the page / the official account
    message_id: str       # the platform's id: the deduplication key
    text: str
    sent_at: datetime     # UTC
    raw: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class SentMessage:
    recipient_id: str
    message_id: str


class OutsideReplyWindow(PermanentError):
    """The person last wrote too long ago: the platform refuses a reply now."""


def utc_from_millis(value) -> datetime:
    return datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc)


def within_window(last_user_message_at: datetime | None, now: datetime | None = None, *,
                  hours: float) -> bool:
    """May we still answer someone who last wrote at ``last_user_message_at``?"""
    if last_user_message_at is None:
        return False
    now = now or datetime.now(timezone.utc)
    if last_user_message_at.tzinfo is None:
        last_user_message_at = last_user_message_at.replace(tzinfo=timezone.utc)
    return now - last_user_message_at <= timedelta(hours=hours)  # (a clock ahead of ours: "just now")


def same_digest(expected: str, given: str | None) -> bool:
    """Constant-time comparison of two hex digests (case-insensitive)."""
    return bool(given) and hmac.compare_digest(expected.lower(), given.strip().lower())


def webhook_json(raw_body: bytes, provider: str) -> dict | None:
    """A webhook's JSON object, None when it is some other JSON; PermanentError when not JSON."""
    try:
        data = json.loads(raw_body)
    except ValueError as exc:
        raise PermanentError(f"{provider} webhook body is not JSON", provider=provider, code="malformed") from exc
    return data if isinstance(data, dict) else None
