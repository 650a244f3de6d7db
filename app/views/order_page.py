"""The order page a clerk works from: the order's state and only the next steps that will work
now (and that the user may take), its lines with their stock, its parcels with their tracking, its
invoices, returns, jobs and audit trail.

Which step is allowed comes from the services (``orders.allowed_actions``, ``invoicing.may_invoice``);
this module only picks the buttons to show and what each line's stock looks like.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from app.models import Order, OrderStatus, PaymentMethod, PaymentStatus, ShipmentStatus
from app.services import orders
from app.services.invoicing import may_invoice

# The order page's buttons, in the order a clerk meets them: (view action, lifecycle action or
# None when the rule is the button's own, style).
BUTTONS = [
    ("confirm", "confirm", "primary"), ("recheck_stock", "recheck", "default"),
    ("draft_purchase_order", "draft_purchase_order", "default"), ("pack", "pack", "primary"),
    ("ship", "ship", "primary"), ("print_label", None, "default"), ("invoice", None, "default"),
    ("pay", "pay", "default"), ("pay_cod", "pay", "default"), ("complete", "complete", "success"),
    ("create_return", "create_return", "default"), ("cancel", "cancel", "danger"),
]
LABELLED = (ShipmentStatus.DRAFT, ShipmentStatus.CANCELLED)


@dataclass(frozen=True)
class Button:
    name: str
    text: str
    icon: str
    confirmation: str
    style: str


@dataclass(frozen=True)
class LineStock:
    key: str      # not_reserved, reserved, short, shipped, returned, released, unknown_sku
    count: int = 0


def _shows(name: str, step: str | None, order: Order, allowed: set[str]) -> bool:
    if name == "print_label":
        return any(s.tracking_number and s.status not in LABELLED for s in order.shipments)
    if name == "invoice":
        return may_invoice(order, order.invoices)
    if step not in allowed:
        return False
    if name == "pack":
        return all(line.short_by == 0 for line in order.lines if line.variant_id)
    if name == "draft_purchase_order":
        return any(line.short_by for line in order.lines)
    if name in ("pay", "pay_cod"):  # a COD order's money comes from the carrier: a supervisor's
        cod = order.payment_method == PaymentMethod.COD  # step with the amount received
        return order.payment_status == PaymentStatus.UNPAID and cod == (name == "pay_cod")
    if name == "complete":
        return order.payment_status == PaymentStatus.PAID
    return True


def next_steps(view, order: Order) -> list[Button]:
    """The buttons to show: allowed from the order's state now, and granted to the user."""
    allowed = set(orders.allowed_actions(order))
    sm = current_app.appbuilder.sm
    out = []
    for name, step, style in BUTTONS:
        item = view.actions.get(name)
        if item is None or not _shows(name, step, order, allowed):
            continue
        if not sm.has_access(view.get_action_permission_name(name), view.class_permission_name):
            continue
        out.append(Button(name, str(item.text), item.icon or "", str(item.confirmation or ""),
                          style))
    return out


def line_stock(order: Order, line) -> LineStock:
    if line.variant_id is None:
        return LineStock("unknown_sku")
    if line.returned_quantity:
        return LineStock("returned", line.returned_quantity)
    if line.shipped_quantity >= line.quantity:
        return LineStock("shipped", line.shipped_quantity)
    if order.status == OrderStatus.NEW:
        return LineStock("not_reserved")
    if order.status == OrderStatus.CANCELLED:
        return LineStock("released")
    if line.short_by:
        return LineStock("short", line.short_by)
    return LineStock("reserved", line.reserved_quantity)


def line_images(order: Order) -> dict[int, str]:
    """Each line's product picture (its cover image), by line id."""
    from app.extensions import db
    from app.services.catalog.media import variant_cover_images
    from app.web.media import media_src
    covers = variant_cover_images(db.session, [line.variant_id for line in order.lines])
    return {line.id: media_src(covers[line.variant_id]) for line in order.lines
            if line.variant_id in covers}
