"""What a chat platform's sandbox remembers: the people who wrote to the shop, when each last
wrote (the reply window runs from there), the messages the shop sent them, and posting a person's
message to the shop's webhook as the platform would (the caller signs it)."""
from __future__ import annotations

import secrets
import threading
import time

import httpx


class ChatState:
    def __init__(self):
        self.lock = threading.Lock()
        self.last_message_at: dict[str, float] = {}   # person id → unix seconds of their last message
        self.sent: list[dict] = []                     # what the shop sent, oldest first
        self.received: list[dict] = []                 # what people sent (and how the webhook answered)

    def reset(self) -> None:
        with self.lock:
            self.last_message_at.clear()
            self.sent.clear()
            self.received.clear()

    def person_wrote(self, person: str, age_seconds: float = 0) -> float:
        at = time.time() - max(float(age_seconds or 0), 0)
        with self.lock:
            self.last_message_at[person] = at
        return at

    def seconds_since(self, person: str) -> float | None:
        with self.lock:
            at = self.last_message_at.get(person)
        return None if at is None else time.time() - at

    def record_sent(self, person: str, text: str, **extra) -> str:
        message_id = "m_" + secrets.token_hex(12)
        with self.lock:
            self.sent.append({"to": person, "text": text, "message_id": message_id, "at": time.time(), **extra})
        return message_id


def post_signed(url: str | None, raw: bytes, headers: dict) -> dict:
    """Post ``raw`` to the shop's webhook; report how it answered (status, body, seconds)."""
    if not url:
        return {"sent": False, "reason": "no webhook url configured"}
    started = time.monotonic()
    try:
        answer = httpx.post(url, content=raw, headers={"Content-Type": "application/json", **headers}, timeout=5)
    except httpx.HTTPError as exc:
        return {"sent": True, "url": url, "error": str(exc)}
    return {"sent": True, "url": url, "status": answer.status_code, "body": answer.text[:500],
            "seconds": round(time.monotonic() - started, 3)}


def deliver_person_message(state: ChatState, url: str | None, raw: bytes, headers: dict, record: dict) -> dict:
    """Post a person's message to the shop's webhook and remember it with the webhook's answer."""
    result = post_signed(url, raw, headers)
    with state.lock:
        state.received.append({**record, "webhook": result})
    return result
