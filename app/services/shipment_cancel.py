"""Cancelling a parcel the courier has not picked up, and putting its order back to ``packed``.

The order went to ``shipped`` when the carrier accepted the parcel, so its goods left on hand and
reserved. A parcel cancelled before pickup never left the shelf: the reversal puts the units back on
hand AND reserved for the order again (a positive shipment move, reserved +q), so the packed order
holds its stock exactly as before and ``flask stock verify`` stays clean.
"""
from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.integrations.base import PermanentError
from app.models import MoveKind, Order, OrderStatus, Shipment, ShipmentStatus, TrackingEvent
from app.models.base import utcnow
from app.services import after_commit, orders
from app.services.carrier_clients import CARRIER_NAMES, carrier_traits
from app.services.errors import N_, DomainError, InvalidTransition, NotFound
from app.services.ledger import MoveReference, post_move
from app.services.reservations import by_variant

CANCELLABLE = (ShipmentStatus.DRAFT, ShipmentStatus.CREATED)


def put_back_to_packed(session: Session, order: Order, note: str) -> Order:
    """shipped → packed for a parcel that never left: building block, no commit."""
    if order.status != OrderStatus.SHIPPED:
        raise InvalidTransition("put back to packed", order.status.value)
    ref = MoveReference("order", order.id, order.number)
    for line in by_variant(order.lines):
        qty = line.shipped_quantity - line.returned_quantity
        if qty <= 0 or line.variant_id is None:
            continue
        post_move(session, line.variant_id, order.warehouse_id, qty, MoveKind.SHIPMENT,
                  reserved_change=qty, reference=ref, note=note)
        line.shipped_quantity -= qty
        line.reserved_quantity += qty
    order.status = OrderStatus.PACKED
    order.shipped_at = None
    return order


def apply_cancelled(session: Session, shipment: Shipment, *, source: str, note: str = "",
                    carrier_status: str | None = None, event_time=None) -> None:
    """Mark the shipment cancelled and, if its order had shipped with it, make it packed again."""
    was_booked = shipment.status != ShipmentStatus.DRAFT
    when = event_time or utcnow()
    shipment.status = ShipmentStatus.CANCELLED
    shipment.carrier_status = carrier_status or shipment.carrier_status
    shipment.status_at = when
    session.add(TrackingEvent(shipment=shipment, event_time=when, status=ShipmentStatus.CANCELLED,
                              carrier_status=carrier_status or "cancel", source=source,
                              description=note[:500] or "Cancelled before pickup"))
    if was_booked:
        order = orders.load_order(session, shipment.order_id)
        if order.status == OrderStatus.SHIPPED:
            put_back_to_packed(session, order, f"Parcel {shipment.tracking_number} cancelled "
                                               "before pickup: back on the shelf, reserved again")


def check_cancellable(shipment: Shipment) -> None:
    """Refuse, naming its state, a parcel the courier may already have (only before pickup)."""
    if shipment.status not in CANCELLABLE:
        raise InvalidTransition("cancel", shipment.status.value, record="shipment")


def cancel_shipment(session: Session, shipment_id: int, client, *, reason: str = "") -> Shipment:
    """Cancel with the carrier (only before pickup), then order → packed, stock reserved again.

    Nothing is held open while the carrier is called; its own "cancelled" callback may then beat
    us to the database, which is fine: whoever comes second finds the shipment cancelled. A draft
    is asked about first: one never sent has nothing at the carrier; one whose request may have
    reached it (a crash, a failed undo) is looked up by its key and cancelled there.
    """
    shipment = session.get(Shipment, shipment_id, populate_existing=True)
    if shipment is None:
        raise NotFound(N_("Shipment #%(id)s does not exist."), id=shipment_id)
    if shipment.status == ShipmentStatus.CANCELLED:
        session.rollback()
        return shipment  # already done (a job delivered twice)
    check_cancellable(shipment)
    name = CARRIER_NAMES[shipment.carrier.value]
    tracking = shipment.tracking_number
    if shipment.status == ShipmentStatus.DRAFT and shipment.carrier_status == "awaiting_waybill":
        raise DomainError(N_("%(carrier)s has this parcel under %(reference)s but has not sent its "
                             "waybill yet; try again after its first status update."),
                          carrier=name, reference=shipment.client_reference)
    never_sent = shipment.status == ShipmentStatus.DRAFT and not tracking and \
        shipment.carrier_status is None
    lookup = None if never_sent or tracking else _lookup_request(shipment, client)
    session.rollback()  # end the read: no transaction stays open during the carrier call
    if lookup is not None:
        tracking = _find_at_carrier(client, lookup)
    if tracking:
        try:
            client.cancel(tracking)
        except PermanentError as exc:
            if not _already_cancelled(client, tracking):
                raise DomainError(N_("%(carrier)s refused to cancel %(tracking)s: %(reason)s"),
                                  carrier=name, tracking=tracking, reason=exc.message) from exc
    return _record_cancelled(session, shipment_id, tracking, reason)


def _lookup_request(shipment: Shipment, client):
    """What to ask the carrier for the parcel booked under the draft's key: GHN looks it up by
    client code; Viettel Post has no look-up, its uniqueness check on a create with the same
    ORDER_NUMBER is the only way to learn the waybill (a parcel it did not have is then created and
    cancelled at once: either way none stays live)."""
    if carrier_traits(shipment.carrier).looks_up:
        return shipment.client_reference
    from app.services.shipments import build_request
    return build_request(shipment, shipment.order, shipment.provider_account, client)


def _find_at_carrier(client, lookup) -> str | None:
    if isinstance(lookup, str):
        found = client.find_by_reference(lookup)
        return found.tracking_number if found is not None else None
    return client.create_shipment(lookup).tracking_number


def withdraw_shipments(session: Session, order: Order) -> list[int]:
    """Cancelling an order takes its open shipment with it (building block, no commit).

    A draft never sent is cancelled here. One the carrier may hold (its create request was sent
    and the answer never recorded, or an undo failed) is cancelled with the carrier by a job,
    enqueued once the order's cancel commits (``after_commit``); returns those job ids.
    """
    from app.services.jobs import start_job
    started = []
    for shipment in session.scalars(sa.select(Shipment).where(
            Shipment.order_id == order.id, Shipment.status.in_(CANCELLABLE))):
        if shipment.status == ShipmentStatus.DRAFT and not shipment.tracking_number and \
                shipment.carrier_status is None:
            apply_cancelled(session, shipment, source="cancel", note="Order cancelled")
            continue
        job = start_job(session, "shipping.cancel_shipment",
                        N_("Cancel shipment %(shipment)s with %(carrier)s (order %(order)s "
                           "cancelled)"), target_type="shipment",
                        target_ids=[shipment.id], queue="integrations",
                        params={"reason": f"Order {order.number} cancelled"},
                        title_params={"shipment": shipment, "order": order.number,
                                      "carrier": CARRIER_NAMES[shipment.carrier.value]})
        after_commit.enqueue_job(session, job.id, "integrations")
        started.append(job.id)
    return started


def _record_cancelled(session: Session, shipment_id: int, tracking: str | None,
                      reason: str) -> Shipment:
    for attempt in range(5):
        try:
            shipment = session.scalars(sa.select(Shipment).where(Shipment.id == shipment_id)
                                       .with_for_update()
                                       .execution_options(populate_existing=True)).one()
            if shipment.status != ShipmentStatus.CANCELLED:
                shipment.tracking_number = shipment.tracking_number or tracking
                apply_cancelled(session, shipment, source="cancel",
                                note=reason or "Cancelled by the shop")
            session.commit()
            return shipment
        except (StaleDataError, sa.exc.OperationalError):
            # The carrier's own callback wrote first (SQLite has no row locks): read again.
            session.rollback()
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _already_cancelled(client, tracking: str) -> bool:
    """After a cancel whose answer we lost, GHN refuses the second one: ask what it is now."""
    if not client.looks_up:
        return False
    try:
        return client.detail(tracking).status.value == "cancelled"
    except Exception:
        return False
