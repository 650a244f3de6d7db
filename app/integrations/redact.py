"""The one place where secrets are taken out of anything that is logged or shown.

Whatever shape a body has — a dict, a JSON text, a form-encoded text (Lazada posts every
parameter, tokens included, as ``a=1&b=2``), a URL with a query string, a header mapping — the
values under a secret-looking name become ``"***"``. Names are matched case-insensitively.

Single-use authorization codes (Shopee's and Lazada's ``code``, TikTok's ``auth_code``) are
secrets in what *we send*, but ``code`` is also the status field of every answer and the push type
of a Shopee notification: ``codes=True`` masks them, and the integration log passes it for our
outgoing requests only.
"""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from app.integrations import bounded_json

MASK = "***"
TOO_DEEP = "(JSON nested too deep: not kept)"
_SECRET_KEY = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|partner[_-]?key|sign(ature)?$|"
    r"^authorization$|^(set-)?cookie$|credential|private)",
    re.IGNORECASE,
)
_GRANT_KEY = re.compile(r"^(code|auth_code|authorization_code)$", re.IGNORECASE)
_FORM = re.compile(r"^[\w.\-\[\]%]+=[^&]*(&[\w.\-\[\]%]+=[^&]*)*$")


def is_secret_key(name: str, *, codes: bool = False) -> bool:
    name = str(name)
    return bool(_SECRET_KEY.search(name) or (codes and _GRANT_KEY.match(name)))


def redact(value: Any, *, codes: bool = False) -> Any:
    """A copy of ``value`` (dict, list, JSON/form/URL text, …) with secret fields masked."""
    if isinstance(value, dict):
        return {k: (MASK if is_secret_key(k, codes=codes) and v not in (None, "")
                    else redact(v, codes=codes)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v, codes=codes) for v in value]
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return redact_text(value, codes=codes)
    return value


def redact_text(text: str, *, codes: bool = False) -> str:
    """A JSON text, a form-encoded text or a URL, with secrets masked; other text as it is."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            parsed = bounded_json.loads(stripped)
        except bounded_json.TooDeep:
            return TOO_DEEP  # no secret hides in what is not kept
        except ValueError:
            return text
        return json.dumps(redact(parsed, codes=codes), ensure_ascii=False)
    if stripped.startswith(("http://", "https://")) and "?" in stripped:
        return redact_url(stripped, codes=codes)
    if "=" in stripped and _FORM.match(stripped):
        return _redact_query(stripped, codes)
    return text


def redact_url(url: str, *, codes: bool = False) -> str:
    parts = urlsplit(url)
    if not parts.query:
        return url
    return urlunsplit(parts._replace(query=_redact_query(parts.query, codes)))


def redact_headers(headers) -> dict:
    """Header names matched the same way (Authorization, Cookie, x-tts-access-token …)."""
    return {str(k): (MASK if is_secret_key(k) and v else v) for k, v in dict(headers).items()}


def _redact_query(query: str, codes: bool) -> str:
    pairs = [(k, MASK if is_secret_key(k, codes=codes) and v else v)
             for k, v in parse_qsl(query, keep_blank_values=True)]
    return urlencode(pairs, safe="*")
