"""Stock out automatically: a change to a listed variant's available stock reaches its marketplaces.

The stock services note on the session which variants' available stock they changed
(``app.services.stock_changes``: the ledger's conditional UPDATE, reservations, the two-statement
confirmation on PostgreSQL — whatever SQL they use); StockLevel rows changed through the ORM count
too. When the session commits, the noted variants listed on an active channel that publishes stock
are added to a Redis set, and one ``channels.push_stock_changes`` job is scheduled per debounce
window (a Redis key set with NX and an expiry): a burst of changes — a bulk confirm, a goods
receipt of 80 lines — makes one push a few seconds later, not one per change. The job takes the
set and pushes those variants to every channel listing them. Works the same on the embedded queue
and on Redis (RQ's scheduler runs the delayed job; ``python run.py worker`` starts it).

The hook ``app.bootstrap`` installs on the app's session factory calls ``schedule_push`` after each
commit that noted a change: every process that builds the app (web server, worker, scheduler)
watches its commits. Nothing here may break the code that committed: a failure to schedule is
logged, and the periodic full push (jobs.channels) catches up.
"""
from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa

from app.models import Channel, ChannelListing
from app.services.session_rules import session_factory
from app.services.errors import N_

log = logging.getLogger(__name__)
KIND = "channels.push_stock_changes"
_JOB_ROWS = session_factory(expire_on_commit=False)  # the push's own Job row, outside the caller's


def mapped_variants(engine, variant_ids) -> list[int]:
    """Of ``variant_ids``, those listed on an active channel that publishes stock."""
    ids = sorted(variant_ids)
    found: list[int] = []
    with engine.connect() as conn:
        for start in range(0, len(ids), 500):
            found += conn.execute(
                sa.select(ChannelListing.variant_id).distinct()
                .join(Channel, Channel.id == ChannelListing.channel_id)
                .where(ChannelListing.variant_id.in_(ids[start:start + 500]), ChannelListing.active,
                       Channel.active, Channel.sync_stock)).scalars().all()
    return found


def _keys(rt) -> tuple[str, str]:
    prefix = rt.queue_names["default"]
    return f"{prefix}:stock_changed", f"{prefix}:stock_push_scheduled"


def schedule_push(app, engine, variant_ids) -> int | None:
    """Queue ``variant_ids`` for the next debounced push; returns the Job id if one was started."""
    mapped = mapped_variants(engine, variant_ids)
    if not mapped:
        return None
    from jobs.queue import runtime
    rt = runtime(app)
    pending, scheduled = _keys(rt)
    rt.connection.sadd(pending, *mapped)
    delay = max(int(app.config.get("STOCK_PUSH_DEBOUNCE_SECONDS", 5)), 0)
    # The key outlives the delay: if the job never ran (worker down), a later change starts another.
    if not rt.connection.set(scheduled, "1", nx=True, ex=delay + 300):
        return None  # a push is already due in this window: it will take these variants too
    from app.services.jobs import start_job
    session = _JOB_ROWS(bind=engine)
    try:
        job = start_job(session, KIND, N_("Push changed stock to marketplaces"),
                        queue="integrations")
        session.commit()
        job_id = job.id
    except Exception:
        rt.connection.delete(scheduled)
        raise
    finally:
        session.close()
    enqueue_later(rt, job_id, delay, queue="integrations")
    return job_id


def enqueue_later(rt, job_id: int, delay: int, queue: str = "default") -> None:
    if delay <= 0:
        rt.enqueue(job_id, queue=queue)
        return
    from rq import Retry
    from jobs.queue import RETRY_DELAYS
    from jobs.runner import run
    rt.queue(queue).enqueue_in(dt.timedelta(seconds=delay), run, job_id,
                               job_id=rt.rq_job_id(job_id),
                               retry=Retry(max=len(RETRY_DELAYS), interval=RETRY_DELAYS),
                               result_ttl=3600, failure_ttl=7 * 24 * 3600)
    if rt.embedded:
        rt.ensure_embedded_worker()


def take_pending(app) -> set[int]:
    """Open the next window (clear the key first) and take every variant waiting to be pushed."""
    from jobs.queue import runtime
    rt = runtime(app)
    pending, scheduled = _keys(rt)
    rt.connection.delete(scheduled)
    taken: set[int] = set()
    while True:
        batch = rt.connection.spop(pending, 1000)
        if not batch:
            return taken
        taken.update(int(v) for v in batch)
