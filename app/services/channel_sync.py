"""Channel sync as the seller starts it: one job per channel and scope, when the schedule may pull
again, and the channel's sync log.

Every sync runs as a Job tagged with its channel (``Job.channel_id`` and a job target), so the
channel's page lists its runs with their progress and messages; the wire traffic of each run is in
the IntegrationLog under the same job and channel, secrets redacted.

The work itself lives in ``product_sync``, ``order_import``, ``stock_push`` and ``price_push``;
the clients and tokens in ``channel_clients``; connecting in ``channel_connect``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Channel, IntegrationLog, Job, JobStatus
from app.services.channel_clients import PLATFORM_NAMES, platform_of
from app.services.errors import N_, DomainError, ValidationError, fill
from app.services.jobs import start_job

SCOPES = {
    "products": ("channels.pull_products", N_("Pull products from %(name)s")),
    "push_products": ("channels.push_products", N_("Push products to %(name)s")),
    "orders": ("channels.pull_orders", N_("Pull orders from %(name)s")),
    "stock": ("channels.push_stock", N_("Push stock to %(name)s")),
    "prices": ("channels.push_prices", N_("Push prices to %(name)s")),
}
QUEUE = "integrations"
PULL_KIND = SCOPES["orders"][0]
STALE_PENDING = dt.timedelta(hours=1)  # a pull queued this long ago is lost (worker gone), not pending
MAX_BACKOFF = dt.timedelta(hours=6)


def start_channel_job(session: Session, channel: Channel, kind: str, title: str, *, enqueue,
                      params: dict | None = None, title_params: dict | None = None) -> Job:
    """``title``: an N_ template; ``title_params`` fill it (the channel's name by default)."""
    return start_job(session, kind, title, target_type="channel", target_ids=[channel.id],
                     channel_id=channel.id, queue=QUEUE, params=params, enqueue=enqueue,
                     title_params=title_params or {"name": channel.name})


def start_sync(session: Session, channel: Channel, scope: str, *, enqueue,
               params: dict | None = None) -> Job:
    """Start one sync of ``channel`` (scope: products, push_products, orders, stock, prices)."""
    if scope not in SCOPES:
        raise ValidationError("scope", N_("scope must be one of %(scopes)s (not %(scope)s)."),
                              scopes=", ".join(SCOPES), scope=repr(scope))
    platform = platform_of(channel)
    if not channel.active:
        raise DomainError(N_("Channel %(name)s is not active: activate it before syncing."),
                          name=channel.name)
    if not channel.connected:
        raise DomainError(N_("%(name)s is not connected to %(platform)s yet: use Connect first."),
                          name=channel.name, platform=PLATFORM_NAMES[platform])
    kind, title = SCOPES[scope]
    return start_channel_job(session, channel, kind, title, enqueue=enqueue, params=params)


@dataclass(frozen=True)
class PullDecision:
    due: bool
    why: str  # a template (N_) filled from ``params`` for the schedule's messages; "" says nothing
    params: dict

    @property
    def text(self) -> str:
        return fill(self.why, self.params)


def order_pull_decision(session: Session, channel: Channel, now: dt.datetime) -> PullDecision:
    """Should the schedule start an order pull for ``channel`` now?

    Not while one is queued or running (a slow shop must not pile up pulls); after failures, wait
    twice as long after each one in a row (capped), so a broken shop does not start a failing job
    every minute; otherwise every ``order_pull_minutes``.
    """
    recent = session.scalars(sa.select(Job).where(Job.channel_id == channel.id, Job.kind == PULL_KIND)
                             .order_by(Job.id.desc()).limit(8)).all()
    name = {"name": channel.name}
    if recent and recent[0].status in (JobStatus.QUEUED, JobStatus.STARTED) \
            and now - recent[0].created_at < STALE_PENDING:
        return PullDecision(False, N_("%(name)s: a pull is already waiting or running (job #%(job)s)."),
                            {**name, "job": recent[0].id})
    failures = 0
    for job in recent:
        if job.status != JobStatus.FAILED:
            break
        failures += 1
    interval = dt.timedelta(minutes=channel.order_pull_minutes)
    if failures:
        wait = min(interval * 2 ** failures, MAX_BACKOFF)
        last = recent[0].finished_at or recent[0].created_at
        if now < last + wait:
            return PullDecision(False, N_("%(name)s: the last %(failures)s pulls failed; next try "
                                          "after %(minutes)s minutes."),
                                {**name, "failures": failures, "minutes": int(wait.total_seconds() // 60)})
        return PullDecision(True, N_("%(name)s: trying again after %(failures)s failed pulls."),
                            {**name, "failures": failures})
    if channel.last_order_sync_at is not None and channel.last_order_sync_at + interval > now:
        return PullDecision(False, "", name)  # not due yet: nothing worth a message
    return PullDecision(True, N_("%(name)s: due."), name)


# --- the channel's sync log ----------------------------------------------------------------------

@dataclass(frozen=True)
class SyncLogEntry:
    at: object
    job_id: int
    title: object  # the job's title (models.jobs.Phrase)
    status: str
    level: str
    text: str
    template: str | None = None  # the N_ template the text was filled from, when the job kept it
    params: dict | None = None


def sync_log(session: Session, channel_id: int, limit: int = 100, jobs: int = 30) -> list[SyncLogEntry]:
    """The channel's recent sync runs and what each said, newest first."""
    rows = session.scalars(sa.select(Job).where(Job.channel_id == channel_id)
                           .order_by(Job.id.desc()).limit(jobs)).all()
    entries = []
    for job in rows:
        if job.error:
            entries.append(SyncLogEntry(job.finished_at, job.id, job.title_phrase,
                                        job.status.value, "error", job.error,
                                        job.error_template, job.error_params))
        for message in reversed(job.messages or []):
            entries.append(SyncLogEntry(message.get("at"), job.id, job.title_phrase,
                                        job.status.value,
                                        message.get("level", "info"), message.get("text", ""),
                                        message.get("template"), message.get("params")))
    return entries[:limit]


def failed_calls(session: Session, channel_id: int, limit: int = 20) -> list[IntegrationLog]:
    """The channel's latest calls that failed (provider refusals, timeouts), newest first."""
    return list(session.scalars(sa.select(IntegrationLog).where(
        IntegrationLog.channel_id == channel_id, IntegrationLog.ok.is_(False))
        .order_by(IntegrationLog.id.desc()).limit(limit)))
