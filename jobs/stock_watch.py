"""Stock out automatically: a change to a listed variant's available stock reaches its marketplaces.

Every stock change goes through ``ledger.change_level`` (one conditional UPDATE of ``stock_level``,
reservations included). A session listener notes the variants those UPDATEs touch; when the
session commits, the ones listed on an active channel that publishes stock are added to a Redis
set, and one ``channels.push_stock_changes`` job is scheduled per debounce window (a Redis key set
with NX and an expiry): a burst of changes — a bulk confirm, a goods receipt of 80 lines — makes one
push a few seconds later, not one per change. The job takes the set and pushes those variants to
every channel listing them. Works the same on the embedded queue and on Redis (RQ's scheduler runs
the delayed job; ``python run.py worker`` starts it).

Nothing here may break the code that committed: a failure to schedule is logged, and the
periodic full push (jobs.channels) catches up.
"""
from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators, visitors

from app.models import Channel, ChannelListing, StockLevel

log = logging.getLogger(__name__)
LEVELS = StockLevel.__table__
_CHANGED = "orderhub_stock_changed_variants"
KIND = "channels.push_stock_changes"


def _variant_ids(statement) -> set[int]:
    """The variant ids a ``stock_level`` UPDATE names in its WHERE clause."""
    found: set[int] = set()
    for criterion in getattr(statement, "_where_criteria", ()):
        for node in visitors.iterate(criterion):
            left, right = getattr(node, "left", None), getattr(node, "right", None)
            if left is LEVELS.c.variant_id and getattr(node, "operator", None) is operators.eq:
                value = getattr(right, "effective_value", None)
                if value is not None:
                    found.add(int(value))
            elif left is LEVELS.c.variant_id and getattr(node, "operator", None) is operators.in_op:
                value = getattr(right, "effective_value", None) or ()
                found.update(int(v) for v in value)
    return found


def _note_update(state) -> None:
    if not state.is_update or getattr(state.statement, "table", None) is not LEVELS:
        return
    ids = _variant_ids(state.statement)
    if ids:
        state.session.info.setdefault(_CHANGED, set()).update(ids)


def _note_flush(session: Session, flush_context) -> None:
    """StockLevel rows changed through the ORM (not the ledger's usual path) count too."""
    ids = {obj.variant_id for obj in list(session.new) + list(session.dirty)
           if isinstance(obj, StockLevel) and obj.variant_id}
    if ids:
        session.info.setdefault(_CHANGED, set()).update(ids)


def _forget(session: Session, previous_transaction=None) -> None:
    if previous_transaction is None or previous_transaction.parent is None:
        session.info.pop(_CHANGED, None)


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_CHANGED, None)
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
        job = start_job(session, KIND, "Push changed stock to marketplaces", queue="integrations")
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


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    event.listen(Session, "do_orm_execute", _note_update)
    event.listen(Session, "after_flush", _note_flush)
    event.listen(Session, "after_soft_rollback", _forget)
    event.listen(Session, "after_commit", _after_commit)
    _installed = True


install()
