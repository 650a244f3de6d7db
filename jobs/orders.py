"""Order jobs."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.models import Order
from app.services.errors import N_
from app.services.jobs import reason_of
from app.services.pricing import compute_order_totals

BATCH = 50


def recalculate_totals(ctx) -> dict:
    """Recompute the totals of the selected orders from their lines (bulk action)."""
    ids = ctx.target_ids
    ctx.progress(0, len(ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        orders = ctx.session.scalars(sa.select(Order).where(Order.id.in_(batch))
                                     .options(selectinload(Order.lines))).all()
        for order in orders:
            before = (order.subtotal, order.vat_total, order.total)
            compute_order_totals(order)
            if (order.subtotal, order.vat_total, order.total) != before:
                changed += 1
        ctx.progress(min(start + BATCH, len(ids)), commit=False)
        ctx.session.commit()
    ctx.message(N_("%(checked)s orders checked, %(corrected)s corrected."), checked=len(ids),
                corrected=changed)
    return {"checked": len(ids), "corrected": changed}


def bulk_action(ctx) -> dict:
    """Run one lifecycle action over the selected orders, one transaction each; an order refused
    by a rule is reported and skipped, the others go on. Safe to run twice: an order already past
    the action is refused by its state and counted as skipped."""
    from app.services import orders as lifecycle
    from app.services.errors import DomainError
    name = ctx.params.get("action")
    actions = {
        "confirm": lambda s, oid: lifecycle.confirm_order(s, oid),
        "pack": lambda s, oid: lifecycle.pack_order(s, oid),
        "recheck": lambda s, oid: lifecycle.recheck_order(s, oid),
        "pay": lambda s, oid: lifecycle.take_payment(s, oid),
        "complete": lambda s, oid: lifecycle.complete_order(s, oid),
        "cancel": lambda s, oid: lifecycle.cancel_order(s, oid, reason="Cancelled in bulk"),
    }
    run = actions[name]
    ids = ctx.target_ids
    numbers = dict(ctx.session.execute(sa.select(Order.id, Order.number)
                                       .where(Order.id.in_(ids))).all())
    ctx.progress(0, len(ids))
    done = skipped = 0
    for i, order_id in enumerate(ids, start=1):
        try:
            run(ctx.session, order_id)
            done += 1
        except DomainError as exc:
            ctx.session.rollback()
            skipped += 1
            ctx.message(N_("%(target)s: %(reason)s"), "warning",
                        target=numbers.get(order_id, f"#{order_id}"), reason=reason_of(exc))
        ctx.progress(i)
    ctx.message(N_("%(done)s done, %(skipped)s skipped."), done=done, skipped=skipped)
    return {"done": done, "skipped": skipped}
