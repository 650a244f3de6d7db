"""Writing every call to or from an external system to the IntegrationLog, secrets redacted.

Entries are written on their own connection, committed at once: a job whose work is rolled back
still leaves the record of what it asked the provider and what came back. Every text that is
stored (endpoint, bodies, error) goes through ``app.integrations.redact`` whatever its shape —
JSON, form-encoded (Lazada), query string — and the authorization codes of our own requests are
masked as well as tokens and secrets.
"""
from __future__ import annotations

import json

import sqlalchemy as sa

from app.integrations.base import Exchange
from app.integrations.redact import redact, redact_text, redact_url
from app.models import IntegrationLog
from app.models.base import utcnow

MAX_BODY = 20_000


def _text(body, *, codes: bool = False) -> str | None:
    if body is None:
        return None
    if isinstance(body, (str, bytes)):
        body = redact(body, codes=codes)
    else:
        body = json.dumps(redact(body, codes=codes), ensure_ascii=False, default=str)
    return body[:MAX_BODY].replace("\x00", "")  # PostgreSQL text holds no NUL


def write_exchange(engine, exchange: Exchange, *, job_id: int | None = None,
                   channel_id: int | None = None) -> None:
    ok = exchange.error is None and exchange.status is not None and exchange.status < 400
    ours = exchange.direction == "out"  # an authorization code we send is a secret; theirs is a status
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(sa.insert(IntegrationLog.__table__).values(
            created_at=now, updated_at=now, direction=exchange.direction, system=exchange.system,
            method=exchange.method, endpoint=redact_url(exchange.url, codes=ours)[:500],
            status=exchange.status, ok=ok, duration_ms=exchange.duration_ms,
            request_body=_text(exchange.request_body, codes=ours),
            response_body=_text(exchange.response_body),
            error=redact_text(exchange.error, codes=ours)[:1000] if exchange.error else None,
            job_id=job_id, channel_id=channel_id))


def recorder(session, *, job_id: int | None = None, channel_id: int | None = None):
    """An ``on_exchange`` hook for a client, logging through ``session``'s engine."""
    engine = session.get_bind()

    def record(exchange: Exchange) -> None:
        write_exchange(engine, exchange, job_id=job_id, channel_id=channel_id)

    return record


def record_inbound(session, *, system: str, endpoint: str, status: int, body,
                   error: str | None = None, channel_id: int | None = None) -> None:
    """A webhook or storefront call that reached us."""
    write_exchange(session.get_bind(), Exchange(
        system=system, method="POST", url=endpoint, endpoint=endpoint, request_body=body,
        status=status, response_body=None, duration_ms=0, error=error, direction="in"),
        channel_id=channel_id)
