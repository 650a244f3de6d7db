"""Delivering a marketplace sandbox's signed push to a webhook, as the marketplace would, and
reporting how the receiver answered (for the control endpoints and the shop's own clock)."""
from __future__ import annotations

import httpx


def deliver(url: str | None, raw: bytes, authorization: str) -> dict:
    if not url:
        return {"sent": False, "reason": "no webhook_url configured"}
    headers = {"Authorization": authorization, "Content-Type": "application/json"}
    try:
        answer = httpx.post(url, content=raw, headers=headers, timeout=5)
    except httpx.HTTPError as exc:
        return {"sent": True, "url": url, "error": str(exc)}
    return {"sent": True, "url": url, "status": answer.status_code, "body": answer.text[:500]}


def target(url: str | None, default: str | None, host_url: str) -> str | None:
    """The URL a control call names (a path means the app serving the sandbox), else ``default``."""
    url = url or default
    if url and url.startswith("/"):
        url = host_url.rstrip("/") + url
    return url
