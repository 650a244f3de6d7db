"""Channel sync as the seller starts it: one job per channel and scope, and the channel's sync log.

Every sync runs as a Job tagged with its channel (``Job.channel_id`` and a job target), so the
channel's page lists its runs with their progress and messages; the wire traffic of each run is in
the IntegrationLog under the same job and channel, secrets redacted.

The work itself lives in ``product_sync``, ``order_import`` and ``stock_push``; the clients and
tokens in ``channel_clients``; connecting in ``channel_connect``.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Channel, IntegrationLog, Job
from app.services.channel_clients import PLATFORM_NAMES, platform_of
from app.services.errors import DomainError, ValidationError
from app.services.jobs import start_job

SCOPES = {
    "products": ("channels.pull_products", "Pull products from {name}"),
    "push_products": ("channels.push_products", "Push products to {name}"),
    "orders": ("channels.pull_orders", "Pull orders from {name}"),
    "stock": ("channels.push_stock", "Push stock to {name}"),
}
QUEUE = "integrations"


def start_channel_job(session: Session, channel: Channel, kind: str, title: str, *, enqueue,
                      params: dict | None = None) -> Job:
    return start_job(session, kind, title, target_type="channel", target_ids=[channel.id],
                     channel_id=channel.id, queue=QUEUE, params=params, enqueue=enqueue)


def start_sync(session: Session, channel: Channel, scope: str, *, enqueue,
               params: dict | None = None) -> Job:
    """Start one sync of ``channel`` (scope: products, push_products, orders, stock)."""
    if scope not in SCOPES:
        raise ValidationError("scope", f"scope must be one of {', '.join(SCOPES)} (not {scope!r}).")
    platform_of(channel)
    if not channel.active:
        raise DomainError(f"Channel {channel.name} is not active: activate it before syncing.")
    if not channel.connected:
        raise DomainError(f"{channel.name} is not connected to "
                          f"{PLATFORM_NAMES[platform_of(channel)]} yet: use Connect first.")
    kind, title = SCOPES[scope]
    return start_channel_job(session, channel, kind, title.format(name=channel.name),
                             enqueue=enqueue, params=params)


@dataclass(frozen=True)
class SyncLogEntry:
    at: object
    job_id: int
    title: str
    status: str
    level: str
    text: str


def sync_log(session: Session, channel_id: int, limit: int = 100) -> list[SyncLogEntry]:
    """The channel's recent sync runs and what each said, newest first."""
    jobs = session.scalars(sa.select(Job).where(Job.channel_id == channel_id)
                           .order_by(Job.id.desc()).limit(30)).all()
    entries = []
    for job in jobs:
        for message in reversed(job.messages or []):
            entries.append(SyncLogEntry(message.get("at"), job.id, job.title, job.status.value,
                                        message.get("level", "info"), message.get("text", "")))
        if job.error:
            entries.append(SyncLogEntry(job.finished_at, job.id, job.title, job.status.value,
                                        "error", job.error))
    return entries[:limit]


def failed_calls(session: Session, channel_id: int, limit: int = 20) -> list[IntegrationLog]:
    return list(session.scalars(sa.select(IntegrationLog).where(
        IntegrationLog.channel_id == channel_id, IntegrationLog.ok.is_(False))
        .order_by(IntegrationLog.id.desc()).limit(limit)))
