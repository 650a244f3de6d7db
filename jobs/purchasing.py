"""Purchasing jobs: a supervisor's bulk approve / cancel of selected purchase orders."""
from __future__ import annotations


def bulk_action(ctx) -> dict:
    """Approve or cancel each selected purchase order in its own transaction; one refused by its
    state is reported and skipped. Safe to run twice: a PO already approved (or cancelled) is
    refused by its state the second time and counted as skipped."""
    import sqlalchemy as sa

    from app.models import PurchaseOrder
    from app.services import purchasing
    from app.services.errors import N_, DomainError
    from app.services.jobs import reason_of
    actions = {"approve": purchasing.approve_purchase_order,
               "cancel": purchasing.cancel_purchase_order}
    run = actions[ctx.params.get("action")]
    ids = ctx.target_ids
    numbers = dict(ctx.session.execute(sa.select(PurchaseOrder.id, PurchaseOrder.number)
                                       .where(PurchaseOrder.id.in_(ids))).all())
    ctx.progress(0, len(ids))
    done = skipped = 0
    for i, po_id in enumerate(ids, start=1):
        try:
            run(ctx.session, po_id)
            done += 1
        except DomainError as exc:
            ctx.session.rollback()
            skipped += 1
            ctx.message(N_("%(target)s: %(reason)s"), "warning",
                        target=numbers.get(po_id, f"#{po_id}"), reason=reason_of(exc))
        ctx.progress(i)
    ctx.message(N_("%(done)s done, %(skipped)s skipped."), done=done, skipped=skipped)
    return {"done": done, "skipped": skipped}
