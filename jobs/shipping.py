"""Shipping jobs: book parcels (single and bulk), refresh and poll tracking, cancel a parcel.

Each is safe to run twice: a shipment already booked is skipped, a draft is booked under the key it
was given before any carrier call, a cancelled shipment stays cancelled.
"""
from __future__ import annotations

import logging
import math

from app.integrations.base import IntegrationError, RetryableError
from app.models import Shipment
from app.services import shipment_cancel, shipments, tracking
from app.services.carrier_clients import ClientPool
from app.services.errors import N_, DomainError
from app.services.jobs import reason_of
from jobs.schedule import PeriodicTask

PERIODIC_TASKS = [PeriodicTask("poll_ghn_tracking", 15 * 60, "shipping.poll_tracking",
                               N_("Poll GHN tracking"), queue="integrations")]
BULK_CHUNK = 100  # orders per job: several workers share a big selection
log = logging.getLogger(__name__)


def start_shipment_jobs(session, order_ids: list[int], *, enqueue, queue: str = "bulk",
                        chunk: int = BULK_CHUNK, choices: dict | None = None) -> list:
    """One job per ``chunk`` orders (committed by the caller), so several workers book in parallel."""
    from app.services.jobs import start_job
    ids = list(dict.fromkeys(int(i) for i in order_ids))
    parts = max(1, math.ceil(len(ids) / chunk))
    jobs = []
    for n in range(parts):
        part = ids[n * chunk:(n + 1) * chunk]
        title = N_("Create shipments for %(count)s orders (part %(part)s/%(parts)s)") \
            if parts > 1 else N_("Create shipments for %(count)s orders")
        jobs.append(start_job(session, "shipping.create_shipments", title, target_type="order",
                              target_ids=part, queue=queue, enqueue=enqueue,
                              params={"choices": dict(choices or {})},
                              title_params={"count": len(part), "part": n + 1, "parts": parts}))
    return jobs


def create_shipments(ctx) -> dict:
    """Book a parcel for each order: its draft (the form's values, or the defaults) first, then the
    carrier order under the draft's key; progress per order."""
    order_ids = ctx.target_ids
    total = len(order_ids)
    ctx.progress(0, total)
    drafts = shipments.prepare_shipments(ctx.session, order_ids, ctx.params.get("choices"))
    to_book = [v for v in drafts.values() if isinstance(v, int)]
    skipped = {k: v for k, v in drafts.items() if not isinstance(v, int)}
    for order_id, reason in skipped.items():
        ctx.message(N_("%(reason)s"), "warning", reason=reason_of(reason))
    offset = len(skipped)
    ctx.progress(offset)
    booked = already = 0
    failed: list[str] = []
    retry: list[str] = []
    with ClientPool(ctx.session, job_id=ctx.job.id) as pool:
        results = shipments.book_shipments(ctx.session, to_book, pool,
                                           progress=lambda done: ctx.progress(offset + done))
    for outcome in results:
        if outcome.created is not None and not outcome.error:
            booked += 1
        elif outcome.extra.get("already"):
            already += 1
        elif outcome.extra.get("awaiting"):
            ctx.message(N_("%(shipment)s: the carrier has it; its waybill comes with the first "
                           "status update."), "warning", shipment=_parcel(ctx, outcome))
        elif outcome.retryable:
            retry.append(outcome.error or "carrier unreachable")
        else:
            failed.append(f"{_parcel(ctx, outcome)}: {outcome.error}")
            ctx.message(N_("%(shipment)s: %(reason)s"), "warning", shipment=_parcel(ctx, outcome),
                        reason=outcome.error)
    ctx.message(N_("%(booked)s booked, %(already)s already booked, %(skipped)s skipped, "
                   "%(refused)s refused, %(retry)s to retry."), booked=booked, already=already,
                skipped=len(skipped), refused=len(failed), retry=len(retry))
    ctx.session.commit()
    if retry:
        raise RetryableError(f"{len(retry)} shipment(s) could not reach the carrier: {retry[0]}")
    if total == 1 and (failed or skipped):
        if skipped:
            raise list(skipped.values())[0]
        raise DomainError(N_("%(reason)s"), reason=failed[0])
    return {"booked": booked, "already_booked": already, "skipped": len(skipped),
            "refused": len(failed)}


def _parcel(ctx, outcome) -> str:
    """How a person names the parcel: its order's number (and tracking number when booked)."""
    shipment = ctx.session.get(Shipment, outcome.shipment_id)
    if shipment is None:
        return f"#{outcome.shipment_id}"
    number = shipment.order.number if shipment.order else f"#{shipment.id}"
    return f"{number} ({shipment.tracking_number})" if shipment.tracking_number else number


def refresh_tracking(ctx) -> dict:
    """Ask the carrier where the selected parcels are (GHN); record what is new."""
    ids = ctx.target_ids
    ctx.progress(0, len(ids))
    new = 0
    with ClientPool(ctx.session, job_id=ctx.job.id) as pool:
        for i, shipment_id in enumerate(ids, start=1):
            shipment = ctx.session.get(Shipment, shipment_id)
            try:
                applied = tracking.refresh_shipment(ctx.session, shipment_id,
                                                    pool.get(shipment.provider_account))
                new += sum(1 for a in applied if a.outcome in ("applied", "older"))
            except (DomainError, IntegrationError) as exc:
                if len(ids) == 1 or isinstance(exc, RetryableError):
                    raise
                ctx.message(N_("%(shipment)s: %(reason)s"), "warning", shipment=shipment,
                            reason=reason_of(exc))
            ctx.progress(i)
    ctx.message(N_("%(count)s new tracking event(s)."), count=new)
    return {"shipments": len(ids), "new_events": new}


def poll_tracking(ctx) -> dict:
    """Periodic: every open parcel of a carrier that can be asked, asked for its status
    (callbacks may have been lost)."""
    ids = tracking.shipments_to_poll(ctx.session)
    ctx.progress(0, len(ids))
    new = failed = 0
    with ClientPool(ctx.session, job_id=ctx.job.id) as pool:
        for i, shipment_id in enumerate(ids, start=1):
            shipment = ctx.session.get(Shipment, shipment_id)
            try:
                applied = tracking.refresh_shipment(ctx.session, shipment_id,
                                                    pool.get(shipment.provider_account))
                new += sum(1 for a in applied if a.outcome in ("applied", "older"))
            except (DomainError, IntegrationError) as exc:
                failed += 1
                ctx.message(N_("%(shipment)s: %(reason)s"), "warning", shipment=shipment,
                            reason=reason_of(exc))
            ctx.progress(i, commit=i % 20 == 0 or i == len(ids))
    return {"polled": len(ids), "new_events": new, "failed": failed}


def cancel_shipment(ctx) -> dict:
    """Cancel the parcel with its carrier (before pickup); its order goes back to packed."""
    [shipment_id] = ctx.target_ids[:1] or [None]
    shipment = ctx.session.get(Shipment, shipment_id)
    if shipment is None:
        raise DomainError(N_("Shipment #%(id)s does not exist."), id=shipment_id)
    with ClientPool(ctx.session, job_id=ctx.job.id) as pool:
        client = pool.get(shipment.provider_account)
        shipment = shipment_cancel.cancel_shipment(ctx.session, shipment_id, client,
                                                   reason=str(ctx.params.get("reason") or ""))
    ctx.progress(1, 1)
    ctx.message(N_("Shipment %(shipment)s cancelled."), shipment=shipment)
    return {"shipment": shipment_id, "status": shipment.status.value}


def ask_carrier(ctx) -> dict:
    """After a failed delivery: ask the carrier to deliver again or to return the parcel."""
    [shipment_id] = ctx.target_ids[:1] or [None]
    decision = str(ctx.params.get("decision") or "")
    shipment = ctx.session.get(Shipment, shipment_id)
    if shipment is None:
        raise DomainError(N_("Shipment #%(id)s does not exist."), id=shipment_id)
    with ClientPool(ctx.session, job_id=ctx.job.id) as pool:
        tracking.ask_carrier(ctx.session, shipment_id, pool.get(shipment.provider_account), decision)
    ctx.progress(1, 1)
    return {"shipment": shipment_id, "decision": decision}
