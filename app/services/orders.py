"""The order lifecycle of SPEC §3: which action is allowed from which state, and what each one does
to stock and payment.

Every action loads the order with a row lock (``SELECT … FOR UPDATE`` on PostgreSQL), so two clerks
pressing "confirm" on the same order are served one after the other and the second is refused by the
state check instead of reserving twice. A form's version is checked first when it is given.
Order totals are never computed here: the before_flush hook does it (services.pricing).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from app.models import (Channel, MoveKind, Order, OrderLine, OrderStatus, PaymentMethod,
                        PaymentStatus, Warehouse)
from app.models.base import utcnow
from app.services import addresses
from app.services.editing import check_version
from app.services.errors import N_, DomainError, InvalidTransition, NotFound, ValidationError
from app.services.ledger import MoveReference, post_move, use_case
from app.services.reservations import (LineReservation, by_variant, line_result, release_line,
                                       reserve_lines)

S = OrderStatus
# action -> (the words used in "Cannot <words> this order: it is <state>.", states it is allowed from)
ACTIONS: dict[str, tuple[str, frozenset[OrderStatus]]] = {
    # The lines; header fields each have their own states (order_fields.EDITABLE_IN).
    "edit": ("edit the lines of", frozenset({S.NEW, S.PROCESSING})),
    "confirm": ("confirm", frozenset({S.NEW})),
    "recheck": ("re-check stock for", frozenset({S.PROCESSING})),
    "pack": ("pack", frozenset({S.PROCESSING})),
    "ship": ("ship", frozenset({S.PACKED})),
    "deliver": ("mark as delivered", frozenset({S.SHIPPED})),
    "fail_delivery": ("record a failed delivery of", frozenset({S.SHIPPED})),
    "return_to_sender": ("take back", frozenset({S.DELIVERY_FAILED})),
    "pay": ("take payment for", frozenset({S.NEW, S.PROCESSING, S.PACKED, S.SHIPPED,
                                           S.DELIVERED})),
    "complete": ("complete", frozenset({S.DELIVERED})),
    "cancel": ("cancel", frozenset({S.NEW, S.PROCESSING, S.PACKED})),
    "draft_purchase_order": ("draft a purchase order for", frozenset({S.PROCESSING})),
    "create_return": ("create a return for", frozenset({S.DELIVERED, S.COMPLETED})),
}
OPEN_STATES = frozenset({S.NEW, S.PROCESSING, S.PACKED})  # states that may hold reservations


def allowed_actions(order: Order) -> list[str]:
    """Action names allowed now (views use it to show only the buttons that will work)."""
    return [name for name, (_, states) in ACTIONS.items() if order.status in states]


def require_state(order: Order, action: str) -> None:
    words, states = ACTIONS[action]
    if order.status not in states:
        raise InvalidTransition(words, str(order.status))


def load_order(session: Session, order_or_id, *, lock: bool = True) -> Order:
    """The order with its lines, re-read from the database and row-locked until commit."""
    order_id = order_or_id.id if isinstance(order_or_id, Order) else order_or_id
    # One round trip: the order and its lines joined (lines are few; the lock covers the order row).
    stmt = sa.select(Order).where(Order.id == order_id).options(joinedload(Order.lines))
    if lock:
        stmt = stmt.with_for_update(of=Order).execution_options(populate_existing=True)
    order = session.scalars(stmt).unique().first()
    if order is None:
        raise NotFound(f"Order #{order_id} does not exist.")
    return order


def fulfilling_warehouse(session: Session, order: Order) -> int:
    """The order's warehouse, else its channel's order warehouse, else the only active warehouse."""
    if order.warehouse_id:
        return order.warehouse_id
    if order.channel_id:
        wid = session.scalar(sa.select(Channel.order_warehouse_id)
                             .where(Channel.id == order.channel_id))
        if wid:
            return wid
    active = session.scalars(sa.select(Warehouse.id).where(Warehouse.active).limit(2)).all()
    if len(active) == 1:
        return active[0]
    raise ValidationError("warehouse_id", "Choose the warehouse that fulfils this order first.")


def reserve_order_lines(session: Session, order: Order) -> list[LineReservation]:
    """Reserve what each line still lacks; returns every line's result in the order's line order."""
    return reserve_lines(session, order.lines, order.warehouse_id)


def release_order(session: Session, order: Order) -> None:
    for line in by_variant(order.lines):
        release_line(session, line, order.warehouse_id)


@use_case
def confirm_order(session: Session, order_id, *, version: int | None = None,
                  check_address: bool = True) -> list[LineReservation]:
    """new → processing: reserve each line in the fulfilling warehouse, partly if stock is short.

    Lines that stay short (or whose SKU is unknown) are reported; a purchase order for the shortfall
    can be drafted from them (purchasing.draft_purchase_orders_for_order). The order needs a
    complete, checked address (addresses.require_for) unless ``check_address`` is False: following
    a marketplace that ships the order with its own logistics, and so holds the address itself.
    """
    if session.get_bind().dialect.name == "postgresql" and not isinstance(order_id, Order):
        from app.services.order_confirmation import confirm_in_two_statements
        results = confirm_in_two_statements(session, order_id, version, check_address)
        if results is not None:
            return results
    order = load_order(session, order_id)
    check_version(order, version, "order")
    require_state(order, "confirm")
    if not order.lines:
        raise ValidationError("lines", "Add at least one line before confirming the order.")
    if check_address:
        addresses.require_for(order, "confirm")
    order.warehouse_id = fulfilling_warehouse(session, order)
    order.status = S.PROCESSING
    order.confirmed_at = utcnow()
    return reserve_order_lines(session, order)


@use_case
def recheck_order(session: Session, order_id) -> list[LineReservation]:
    """Try again to reserve what a processing order is short of (after goods came in)."""
    order = load_order(session, order_id)
    require_state(order, "recheck")
    return reserve_order_lines(session, order)


@use_case
def recheck_orders(session: Session, order_ids: Iterable[int]
                   ) -> dict[int, list[LineReservation] | str]:
    """Bulk re-check: each order in its own savepoint, so one refusal does not stop the others.

    Returns order id → line results, or the refusal message for that order.
    """
    out: dict[int, list[LineReservation] | str] = {}
    for order_id in sorted(set(order_ids)):
        try:
            with session.begin_nested():
                out[order_id] = recheck_order(session, order_id, commit=False)
        except DomainError as exc:
            out[order_id] = exc.message
    return out


@use_case
def reserve_waiting_orders(session: Session, variant_ids: Iterable[int] | None = None, *,
                           first: Iterable[int] = ()) -> dict[int, list[LineReservation]]:
    """After goods arrive: reserve for processing orders that are short, oldest confirmation first.

    Restricted to orders short of ``variant_ids`` when given. Orders in ``first`` (those the goods
    were bought for: a purchase order's source order) are served before the others. Returns only
    orders that gained stock.
    """
    short = sa.and_(OrderLine.order_id == Order.id, OrderLine.variant_id.is_not(None),
                    OrderLine.reserved_quantity + OrderLine.shipped_quantity < OrderLine.quantity)
    if variant_ids is not None:
        short = sa.and_(short, OrderLine.variant_id.in_(list(variant_ids)))
    waiting = session.scalars(
        sa.select(Order.id).where(Order.status == S.PROCESSING, sa.exists().where(short))
        .order_by(Order.confirmed_at, Order.id)).all()
    first = [i for i in first if i in waiting]
    waiting = first + [i for i in waiting if i not in first]
    gained: dict[int, list[LineReservation]] = {}
    for order_id in waiting:
        results = reserve_order_lines(session, load_order(session, order_id))
        if any(r.reserved_now > 0 for r in results):
            gained[order_id] = results
    return gained


@use_case
def pack_order(session: Session, order_id, *, version: int | None = None,
               check_address: bool = True) -> Order:
    """processing → packed, only when every line is known and fully reserved and the address is
    complete (see confirm_order for ``check_address``)."""
    order = load_order(session, order_id)
    check_version(order, version, "order")
    require_state(order, "pack")
    if check_address:
        addresses.require_for(order, "pack")
    short = [line for line in order.lines
             if line.variant_id is None or line_result(line).short_by > 0]
    if short:
        detail = ", ".join(f"{line.sku} ({line.stock_status})" for line in short)
        raise DomainError(f"Order {order.number} cannot be packed until every line is reserved: "
                          f"{detail}.", lines=[line.id for line in short])
    order.status = S.PACKED
    order.packed_at = utcnow()
    return order


@use_case
def record_shipment_moves(session: Session, order, *, shipment=None) -> Order:
    """packed → shipped: the goods leave the warehouse (shipment moves; on hand and reserved fall).

    Called by the shipment job once the carrier accepted the order; pass ``commit=False`` to keep the
    Shipment row and these moves in one transaction.
    """
    order = load_order(session, order)
    require_state(order, "ship")
    note = f"Tracking {shipment.tracking_number}" if getattr(shipment, "tracking_number", None) \
        else None
    ref = MoveReference("order", order.id, order.number)
    for line in by_variant(order.lines):
        qty = line.quantity - line.shipped_quantity
        if qty <= 0:
            continue
        if line.variant_id is None or line.reserved_quantity < qty:
            raise DomainError(f"Line {line.sku} of order {order.number} is not fully reserved; "
                              "it cannot be shipped.")
        post_move(session, line.variant_id, order.warehouse_id, -qty, MoveKind.SHIPMENT,
                  reserved_change=-qty, reference=ref, note=note)
        line.shipped_quantity += qty
        line.reserved_quantity -= qty
    order.status = S.SHIPPED
    order.shipped_at = utcnow()
    return order


@use_case
def mark_delivered(session: Session, order_id) -> Order:
    """shipped → delivered; an order already paid (prepaid) goes straight on to completed."""
    order = load_order(session, order_id)
    require_state(order, "deliver")
    order.status = S.DELIVERED
    order.delivered_at = utcnow()
    if order.payment_status == PaymentStatus.PAID:
        order.status = S.COMPLETED
        order.completed_at = utcnow()
    return order


@use_case
def mark_delivery_failed(session: Session, order_id, *, reason: str | None = None) -> Order:
    """shipped → delivery_failed (the carrier could not deliver; the parcel is coming back)."""
    order = load_order(session, order_id)
    require_state(order, "fail_delivery")
    order.status = S.DELIVERY_FAILED
    if reason:
        order.notes = f"{order.notes}\n{reason}" if order.notes else reason
    return order


@use_case
def mark_returned(session: Session, order_id, *, damaged: Mapping[int, int] | None = None) -> Order:
    """delivery_failed → returned: the parcel is back; goods are restocked (return moves).

    ``damaged`` maps order line id → units that came back broken: they are restocked and written
    off at once (a return move followed by a damage move), so the ledger shows both facts.
    """
    order = load_order(session, order_id)
    require_state(order, "return_to_sender")
    damaged = dict(damaged or {})
    ref = MoveReference("order", order.id, order.number)
    for line in by_variant(order.lines):
        back = line.shipped_quantity - line.returned_quantity
        broken = damaged.pop(line.id, 0)
        if broken < 0 or broken > back:
            raise ValidationError("damaged", f"{line.sku}: damaged units must be between 0 and {back}.")
        if back <= 0:
            continue
        post_move(session, line.variant_id, order.warehouse_id, back, MoveKind.RETURN, reference=ref,
                  note="Returned to sender by the carrier")
        if broken:
            post_move(session, line.variant_id, order.warehouse_id, -broken, MoveKind.DAMAGE,
                      reference=ref, note="Came back damaged")
        line.returned_quantity += back
    if damaged:
        raise ValidationError("damaged", f"Lines {sorted(damaged)} are not on order {order.number}.")
    order.status = S.RETURNED
    return order


@use_case
def mark_paid(session: Session, order_id, *, amount=None, reference: str | None = None) -> Order:
    """Payment confirmed (prepaid, COD reconciled, or marked paid); a delivered order completes."""
    order = load_order(session, order_id)
    require_state(order, "pay")
    if order.payment_status != PaymentStatus.UNPAID:
        raise InvalidTransition("take payment for", str(order.payment_status))
    session.flush()  # totals are computed by the flush hook; read them after it ran
    order.paid_amount = order.total if amount is None else amount
    order.payment_status = PaymentStatus.PAID
    if reference:
        order.payment_reference = str(reference).strip()[:100]
    if order.status == S.DELIVERED:
        order.status = S.COMPLETED
        order.completed_at = utcnow()
    return order


COD_PAID_BY_STATEMENT = N_("%(number)s is a COD order: the carrier collects its money, so it is "
                           "paid when the carrier's COD statement is reconciled, or by a supervisor "
                           "who records the amount received and its reference.")


@use_case
def take_payment(session: Session, order_id, *, amount=None, reference=None,
                 cod: bool = False) -> Order:
    """A payment recorded by hand ("Mark paid"). A COD order's money is with the carrier: it is
    refused here unless ``cod`` (a supervisor's "Record COD payment"), which needs the amount
    received and a reference (the carrier's statement or transfer)."""
    order = load_order(session, order_id)
    require_state(order, "pay")
    if order.payment_method != PaymentMethod.COD:
        return mark_paid(session, order, amount=amount, reference=reference, commit=False)
    if not cod:
        raise DomainError(COD_PAID_BY_STATEMENT, number=order.number)
    if amount in (None, ""):
        raise ValidationError("amount", N_("Enter the amount the carrier paid for this order."))
    if Decimal(amount) <= 0:
        raise ValidationError("amount", N_("The amount received must be above zero."))
    if not str(reference or "").strip():
        raise ValidationError("reference", N_("Give the reference of the payment (the carrier's "
                                              "COD statement or the bank transfer)."))
    session.flush()
    if Decimal(amount) > Decimal(order.total or 0):
        raise ValidationError("amount", N_("The amount received cannot be more than the order's "
                                           "total (%(total)s đồng)."), total=int(order.total))
    return mark_paid(session, order, amount=Decimal(amount), reference=reference, commit=False)


@use_case
def complete_order(session: Session, order_id) -> Order:
    """delivered → completed, once the order is paid."""
    order = load_order(session, order_id)
    require_state(order, "complete")
    if order.payment_status != PaymentStatus.PAID:
        raise InvalidTransition("complete", str(order.payment_status))
    order.status = S.COMPLETED
    order.completed_at = utcnow()
    return order


@use_case
def cancel_order(session: Session, order_id, *, reason: str, version: int | None = None) -> Order:
    """new/processing/packed → cancelled, releasing every reservation (a Supervisor's action)."""
    order = load_order(session, order_id)
    check_version(order, version, "order")
    require_state(order, "cancel")
    if not (reason or "").strip():
        raise ValidationError("reason", "Give the reason for cancelling the order.")
    if order.warehouse_id:
        release_order(session, order)
    from app.services.shipment_cancel import withdraw_shipments  # its parcel, with the carrier
    withdraw_shipments(session, order)
    order.status = S.CANCELLED
    order.cancelled_at = utcnow()
    order.cancel_reason = reason.strip()[:500]
    return order
