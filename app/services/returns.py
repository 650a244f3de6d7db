"""Customer returns and exchanges on delivered or completed orders (the order keeps its state).

requested → received (goods back in stock) → closed (refunded, or nothing to refund); or cancelled.

Damaged goods: they physically come back, so receiving writes a return move (+q) and then a damage
move (−q) with the same reference. The ledger then shows both facts — the parcel arrived, and it was
written off — and on hand ends where it was, which is what the seller finds on the shelf.

An exchange is a return plus a new order (``exchange_of`` = the original) for the replacement goods,
priced at 0 by default (like-for-like; give prices for an upgrade the buyer pays for).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models import (ItemCondition, MoveKind, Order, OrderLine, PaymentStatus, RefundStatus,
                        ReturnKind, ReturnLine, ReturnRequest, ReturnStatus)
from app.models.base import utcnow
from app.services.editing import check_version
from app.services.errors import InvalidTransition, N_, NotFound, ValidationError
from app.services.ledger import MoveReference, post_move, use_case
from app.services.order_entry import manual_line
from app.services.orders import load_order, require_state
from app.services.pricing import refund_value, refundable, whole_dong

R = ReturnStatus


def _pending_return_quantities(session: Session, order_id: int) -> dict[int, int]:
    """Units already asked back by returns not yet received (they are not in returned_quantity)."""
    rows = session.execute(
        sa.select(ReturnLine.order_line_id, sa.func.sum(ReturnLine.quantity))
        .join(ReturnRequest).where(ReturnRequest.order_id == order_id,
                                   ReturnRequest.status == R.REQUESTED)
        .group_by(ReturnLine.order_line_id)).all()
    return {line_id: int(qty) for line_id, qty in rows}


def _condition(value, field: str) -> ItemCondition:
    try:
        return ItemCondition(str(value or "good"))
    except ValueError:
        raise ValidationError(field, N_("The condition must be 'good' or 'damaged'.")) from None


def _exchange_order(session: Session, order: Order, specs: Sequence) -> Order:
    lines = []
    for i, spec in enumerate(specs):
        spec = dict(spec) if isinstance(spec, Mapping) else \
            dict(zip(("variant_id", "quantity", "unit_price", "discount"), spec))
        spec.setdefault("unit_price", 0)
        if spec["unit_price"] is None:
            spec["unit_price"] = 0
        lines.append(manual_line(session, i, spec))
    return Order(exchange_of_id=order.id, customer_id=order.customer_id,
                 buyer_name=order.buyer_name, buyer_phone=order.buyer_phone,
                 buyer_email=order.buyer_email, ship_street=order.ship_street,
                 ship_ward=order.ship_ward, ship_district=order.ship_district,
                 ship_province=order.ship_province, area_codes=order.area_codes,
                 warehouse_id=order.warehouse_id, payment_method=order.payment_method,
                 notes=f"Exchange for {order.number}", placed_at=utcnow(), lines=lines,
                 channel_id=order.channel_id)


@use_case
def create_return(session: Session, order_id: int, lines: Sequence, *, reason: str,
                  kind: str = "return", refund_amount=None, exchange_lines: Sequence = (),
                  warehouse_id: int | None = None) -> ReturnRequest:
    """A return (or exchange) request. ``lines``: ``(order_line_id, quantity, condition)`` or
    mappings with those keys; each at most shipped − already returned − already requested.

    The refund defaults to the value the buyer paid for the returned units (0 for an exchange).
    """
    order = load_order(session, order_id)
    require_state(order, "create_return")
    try:
        kind = ReturnKind(str(kind or "return"))
    except ValueError:
        raise ValidationError("kind", N_("Choose return or exchange.")) from None
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError("reason", N_("Give the reason for the return."))
    if not lines or not isinstance(lines, (list, tuple)):
        raise ValidationError("lines", N_("Choose at least one line to return."))
    if warehouse_id not in (None, ""):
        from app.models import Warehouse
        if not str(warehouse_id).isdigit() or session.get(Warehouse, int(warehouse_id)) is None:
            raise ValidationError("warehouse_id", N_("Choose the warehouse the goods come back to."))
        warehouse_id = int(warehouse_id)
    pending = _pending_return_quantities(session, order.id)
    by_id = {ln.id: ln for ln in order.lines}
    request = ReturnRequest(order_id=order.id, kind=kind, reason=reason.strip()[:500],
                            warehouse_id=warehouse_id or order.warehouse_id)
    value = Decimal(0)
    for i, spec in enumerate(lines):
        if not isinstance(spec, (Mapping, list, tuple)):
            raise ValidationError(f"lines[{i}]", N_("Each line needs an order line and a quantity."))
        spec = dict(spec) if isinstance(spec, Mapping) else \
            dict(zip(("order_line_id", "quantity", "condition"), spec))
        line = by_id.get(spec.get("order_line_id"))
        if line is None:
            raise ValidationError(f"lines[{i}].order_line_id", N_("This line is not on the order."))
        can_return = line.shipped_quantity - line.returned_quantity - pending.get(line.id, 0)
        qty = spec.get("quantity")
        if not isinstance(qty, int) or isinstance(qty, bool) or not 0 < qty <= can_return:
            raise ValidationError(f"lines[{i}].quantity",
                                  N_("%(sku)s: return between 1 and %(most)s (shipped "
                                     "%(shipped)s, already returned or requested %(taken)s)."),
                                  sku=line.sku, most=can_return, shipped=line.shipped_quantity,
                                  taken=line.shipped_quantity - can_return)
        request.lines.append(ReturnLine(order_line_id=line.id, quantity=qty,
                                        condition=_condition(spec.get("condition"),
                                                             f"lines[{i}].condition")))
        value += refund_value(line, qty)
    if kind == ReturnKind.EXCHANGE:
        if not exchange_lines:
            raise ValidationError("exchange_lines",
                                  N_("An exchange needs the replacement lines."))
        request.exchange_order = _exchange_order(session, order, exchange_lines)
        value = Decimal(0)
    refund = whole_dong(refund_amount, "refund_amount", allow_none=True)
    refund = value if refund is None else refund
    most = max(Decimal(0), Decimal(order.total) - Decimal(order.refunded_amount))
    if refund > most:
        raise ValidationError("refund_amount", N_("The refund cannot be more than the order's "
                                                  "total less earlier refunds (%(most)s đồng)."),
                              most=int(most))
    request.refund_amount = refund
    session.add(request)
    if request.exchange_order is not None:
        session.flush()  # the exchange order's total comes from the pricing hook
        if request.exchange_order.total == 0:
            request.exchange_order.payment_status = PaymentStatus.PAID
    return request


def _load_return(session: Session, return_id: int) -> ReturnRequest:
    request = session.scalars(
        sa.select(ReturnRequest).where(ReturnRequest.id == return_id)
        .options(selectinload(ReturnRequest.lines).selectinload(ReturnLine.order_line))
        .with_for_update(of=ReturnRequest).execution_options(populate_existing=True)).first()
    if request is None:
        raise NotFound(N_("Return #%(id)s does not exist."), id=return_id)
    return request


@use_case
def receive_return(session: Session, return_id: int, *,
                   conditions: Mapping[int, str] | None = None) -> ReturnRequest:
    """requested → received: good units restocked, damaged ones restocked and written off.

    ``conditions`` (return line id → "good"/"damaged") records what the warehouse found.
    """
    request = _load_return(session, return_id)
    if request.status != R.REQUESTED:
        raise InvalidTransition("receive", str(request.status), "return")
    order = load_order(session, request.order_id)
    warehouse_id = request.warehouse_id or order.warehouse_id
    if warehouse_id is None and any(line.order_line.variant_id for line in request.lines):
        raise ValidationError("warehouse_id",
                              N_("Choose the warehouse the goods come back to."))
    ref = MoveReference("return_request", request.id, request.number)
    for line in sorted(request.lines, key=lambda ln: ln.order_line.variant_id or 0):
        if conditions and line.id in conditions:
            line.condition = _condition(conditions[line.id], f"conditions[{line.id}]")
        ol = line.order_line
        if line.quantity > ol.shipped_quantity - ol.returned_quantity:
            raise ValidationError("lines", N_("%(sku)s: more units returned than are still out."),
                                  sku=ol.sku)
        if ol.variant_id is None:   # a line without a catalogue item (a fee, a service) has no stock
            ol.returned_quantity += line.quantity
            continue
        post_move(session, ol.variant_id, warehouse_id, line.quantity, MoveKind.RETURN,
                  reference=ref, note=request.reason)
        if line.condition == ItemCondition.DAMAGED:
            post_move(session, ol.variant_id, warehouse_id, -line.quantity, MoveKind.DAMAGE,
                      reference=ref, note="Returned damaged")
        ol.returned_quantity += line.quantity
    request.status = R.RECEIVED
    request.received_at = utcnow()
    if request.refund_amount > 0:
        request.refund_status = RefundStatus.PENDING
    else:
        request.status = R.CLOSED
    order.updated_at = utcnow()
    return request


@use_case
def refund_return(session: Session, return_id: int, *, amount=None) -> ReturnRequest:
    """Record the money paid back; the order becomes refunded or partially_refunded.

    Only money the buyer actually paid can go back: an unpaid COD order (the carrier has not
    collected, or it is not reconciled yet) has nothing to refund, and a refund never exceeds what
    was paid less earlier refunds.
    """
    request = _load_return(session, return_id)
    if request.status != R.RECEIVED or request.refund_status != RefundStatus.PENDING:
        state = N_("awaiting goods") if request.status == R.REQUESTED else str(request.status)
        raise InvalidTransition("refund", state, "return")
    order = load_order(session, request.order_id)
    amount = whole_dong(amount, "amount", allow_none=True)
    amount = request.refund_amount if amount is None else amount
    paid = Decimal(order.paid_amount)
    left = refundable(order.paid_amount, order.refunded_amount)
    if left <= 0:
        raise ValidationError("amount", N_("Nothing can be refunded: the buyer has paid nothing "
                                           "for order %(number)s yet (or it was all refunded)."),
                              number=order.number)
    if amount <= 0 or amount > left:
        raise ValidationError("amount", N_("The refund must be between 1 and %(left)s đồng "
                                           "(what the buyer paid minus earlier refunds)."),
                              left=int(left))
    request.refund_amount = amount
    request.refund_status = RefundStatus.REFUNDED
    request.refunded_at = utcnow()
    request.status = R.CLOSED
    order.refunded_amount = Decimal(order.refunded_amount) + amount
    order.payment_status = (PaymentStatus.REFUNDED if order.refunded_amount >= paid
                            else PaymentStatus.PARTIALLY_REFUNDED)
    return request


@use_case
def cancel_return(session: Session, return_id: int) -> ReturnRequest:
    request = _load_return(session, return_id)
    if request.status != R.REQUESTED:
        raise InvalidTransition("cancel", str(request.status), "return")
    request.status = R.CANCELLED
    return request


@use_case
def edit_return_reason(session: Session, return_id: int, reason, *,
                       version: int | None = None) -> ReturnRequest:
    """The one field of a return that may be corrected by hand."""
    request = _load_return(session, return_id)
    check_version(request, version, "return")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError("reason", N_("Give the reason for the return."))
    request.reason = reason.strip()[:500]
    return request
