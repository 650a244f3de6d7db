"""Order jobs."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.models import Order
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
    ctx.message(f"{len(ids)} orders checked, {changed} corrected.")
    return {"checked": len(ids), "corrected": changed}
