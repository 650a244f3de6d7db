"""TikTok-style page tokens: opaque base64 that contains ``+`` and ``/``, as the real ones do, so
a client that forgets to URL-encode (or signs encoded values) is caught."""
from __future__ import annotations

import base64
import binascii

from app.sandbox.tiktok.signing import TikTokRefusal

_MARK = b"\xfb\xff"


def encode(offset: int) -> str:
    return base64.b64encode(_MARK + f"{offset}|orderhub-sandbox".encode()).decode()


def decode(token: str | None) -> int:
    if not token:
        return 0
    try:
        raw = base64.b64decode(token, validate=True)
        assert raw.startswith(_MARK)
        return int(raw[len(_MARK):].split(b"|")[0])
    except (binascii.Error, ValueError, AssertionError):
        raise TikTokRefusal(36009006, "Invalid parameter: page_token")


def page_size(raw: str | None) -> int:
    if raw is None or not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise TikTokRefusal(36009006, "Invalid parameter: page_size must be between 1 and 100")
    return int(raw)
