"""AWS Signature Version 4 for S3-compatible storage (AWS S3, MinIO, Cloudflare R2, Wasabi, …):
the Authorization header of a request, and presigned GET URLs.

Written from AWS's "Signature Calculations for the Authorization Header" and "Query String
Authentication" pages; the unit tests check it against the examples printed there.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED = "UNSIGNED-PAYLOAD"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signing_key(secret_key: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(("AWS4" + secret_key).encode(), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


def _encode(text: str, safe: str = "") -> str:
    """URI-encode as AWS does: every byte but A-Z a-z 0-9 - _ . ~ (and ``safe``)."""
    return quote(text, safe="-_.~" + safe)


def canonical_query(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(pairs))


def canonical_request(method: str, path: str, query: list[tuple[str, str]], headers: dict,
                      payload_hash: str) -> tuple[str, str]:
    """(canonical request, signed header names) — ``path`` as sent, already URI-encoded."""
    canon = {k.lower().strip(): " ".join(str(v).split()) for k, v in headers.items()}
    names = sorted(canon)
    lines = [method.upper(), path or "/", canonical_query(query),
             "".join(f"{n}:{canon[n]}\n" for n in names), ";".join(names), payload_hash]
    return "\n".join(lines), ";".join(names)


def string_to_sign(stamp: str, scope: str, request: str) -> str:
    return "\n".join([ALGORITHM, stamp, scope, hashlib.sha256(request.encode()).hexdigest()])


def _stamps(now: dt.datetime | None) -> tuple[str, str]:
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")


def _split(url: str) -> tuple[str, str, list[tuple[str, str]]]:
    from urllib.parse import parse_qsl
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port and not ((parts.scheme == "https" and parts.port == 443)
                           or (parts.scheme == "http" and parts.port == 80)):
        host = f"{host}:{parts.port}"
    return host, parts.path or "/", parse_qsl(parts.query, keep_blank_values=True)


def sign_request(method: str, url: str, *, access_key: str, secret_key: str, region: str,
                 service: str = "s3", headers: dict | None = None,
                 payload_hash: str = EMPTY_SHA256, now: dt.datetime | None = None) -> dict:
    """The headers to send (given ones + Host, x-amz-date, x-amz-content-sha256, Authorization)."""
    stamp, date = _stamps(now)
    host, path, query = _split(url)
    signed = {"host": host, **(headers or {}), "x-amz-content-sha256": payload_hash,
              "x-amz-date": stamp}
    request, names = canonical_request(method, path, query, signed, payload_hash)
    scope = f"{date}/{region}/{service}/aws4_request"
    signature = hmac.new(signing_key(secret_key, date, region, service),
                         string_to_sign(stamp, scope, request).encode(), hashlib.sha256).hexdigest()
    out = {k: v for k, v in signed.items() if k != "host"}
    out["Authorization"] = (f"{ALGORITHM} Credential={access_key}/{scope},"
                            f"SignedHeaders={names},Signature={signature}")
    return out


def presign_url(url: str, *, access_key: str, secret_key: str, region: str, expires: int,
                service: str = "s3", method: str = "GET", now: dt.datetime | None = None,
                extra_query: list[tuple[str, str]] | None = None) -> str:
    """``url`` with the query-string authentication a browser can use until ``expires`` s pass."""
    stamp, date = _stamps(now)
    host, path, query = _split(url)
    scope = f"{date}/{region}/{service}/aws4_request"
    query = list(query) + list(extra_query or []) + [
        ("X-Amz-Algorithm", ALGORITHM), ("X-Amz-Credential", f"{access_key}/{scope}"),
        ("X-Amz-Date", stamp), ("X-Amz-Expires", str(int(expires))),
        ("X-Amz-SignedHeaders", "host")]
    request, _ = canonical_request(method, path, query, {"host": host}, UNSIGNED)
    signature = hmac.new(signing_key(secret_key, date, region, service),
                         string_to_sign(stamp, scope, request).encode(), hashlib.sha256).hexdigest()
    base = url.split("?", 1)[0]
    return f"{base}?{canonical_query(query)}&X-Amz-Signature={signature}"
