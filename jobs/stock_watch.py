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

``install()`` is called once, by ``create_app``: every process that builds the app (web server,
worker, scheduler) watches its commits. Nothing here may break the code that committed: a failure
to schedule is logged, and the periodic full push (jobs.channels) catches up.
"""
from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.models import Channel, ChannelListing, StockLevel
from app.services import stock_changes
from app.services.errors import N_

log = logging.getLogger(__name__)
KIND = "channels.push_stock_changes"


def _note_flush(session: Session, flush_context) -> None:
    """StockLevel rows changed through the ORM (not the ledger's usual path) count too."""
    stock_changes.note(session, {obj.variant_id for obj in list(session.new) + list(session.dirty)
                                 if isinstance(obj, StockLevel)})


def _forget(session: Session, previous_transaction=None) -> None:
    if previous_transaction is None or previous_transaction.parent is None:
        stock_changes.forget(session)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released (SQLAlchemy signals those too): wait for the real commit
    ids = stock_changes.take(session)
    if not ids:
        return
    from flask import current_app, has_app_context
    if not has_app_context():
        return  # a script or a unit test without the app: nothing to schedule with
    try:
        schedule_push(current_app._get_current_object(), session.get_bind(), ids)
    except Exception:  # never fail the commit that already happened
        log.exception("could not schedule the marketplace stock push for %s", sorted(ids)[:20])


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
    session = Session(bind=engine, expire_on_commit=False)
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
    rt.queue(queue).enqueue_in(dt.timedelta(seconds=delay), "jobs.runner.run", job_id,
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


def install() -> None:
    """Watch every session's commits (idempotent: a second app in the process adds nothing)."""
    for name, listener in (("after_flush", _note_flush), ("after_soft_rollback", _forget),
                           ("after_commit", _after_commit)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
