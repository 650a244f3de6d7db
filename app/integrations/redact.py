"""The one place where secrets are taken out of anything that is logged or shown.

Keys are matched by name (case-insensitive); values under a matching key become ``"***"``.
Query strings inside URLs are redacted the same way.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
_SECRET_KEY = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|partner[_-]?key|app[_-]?secret|sign(ature)?$|"
    r"^authorization$|^cookie$|^x-tts-access-token$|^code$|credential|private)",
    re.IGNORECASE,
)


def is_secret_key(name: str) -> bool:
    return bool(_SECRET_KEY.search(str(name)))


def redact(value: Any) -> Any:
    """Return a copy of ``value`` (dict/list/str/…) with secret fields masked."""
    if isinstance(value, dict):
        return {k: (MASK if is_secret_key(k) and v not in (None, "") else redact(v))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    if isinstance(value, str) and "?" in value and value.startswith(("http://", "https://")):
        return redact_url(value)
    return value


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, MASK if is_secret_key(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))
