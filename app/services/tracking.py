"""Where a parcel is: carrier status updates (callbacks or polling) → tracking events, the shipment's
status, the order's state and the buyer's emails.

Events are deduplicated on (shipment, carrier status, carrier event time) and the shipment's status
follows the carrier's event time, not arrival order: a late callback for an older status is kept in
the timeline but never moves the status backwards. The order follows the parcel (SPEC §3):
delivered → ``delivered``; a failed attempt or a return under way → ``delivery_failed``; out for
delivery again after a failure → back to ``shipped`` (re-delivery); returned → the order waits for
the clerk to receive the goods back as good or damaged (``receive_returned_parcel`` → ``returned``);
cancelled before pickup → ``packed`` again with its stock reserved; lost or damaged → flagged.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.integrations.carriers.common import CreatedShipment, TrackingUpdate
from app.models import Order, OrderStatus, Shipment, ShipmentStatus, TrackingEvent
from app.models.base import utcnow
from app.services import orders
from app.integrations.base import PermanentError
from app.services.carrier_clients import CARRIER_NAMES, carriers_that_look_up
from app.services import attention_notes as notes
from app.services.attention_notes import note as attention_note
from app.services.errors import (N_, DomainError, InvalidTransition, NotFound,
                                 ValidationError)
from app.services.ledger import use_case
from app.services.mail import send_after_commit
from app.services.shipment_cancel import put_back_to_packed
from app.services.shipments import AWAITING_WAYBILL, _naive_utc, record_booking
from app.services.shipping_mail import shipment_mail

S = ShipmentStatus
HANDED_OVER = {S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED}
MAILED = {S.OUT_FOR_DELIVERY: "out_for_delivery", S.DELIVERED: "delivered",
          S.DELIVERY_FAILED: "delivery_failed"}
POLLED = (S.CREATED, S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED, S.RETURNING)


@dataclass
class Applied:
    shipment_id: int | None
    outcome: str          # "applied", "older" (kept in the timeline only), "duplicate", "ignored"
    status: str | None = None


def find_shipment(session: Session, carrier: str, tracking_number: str | None,
                  client_reference: str | None) -> Shipment | None:
    conds = []
    if tracking_number:
        conds.append(Shipment.tracking_number == str(tracking_number))
    if client_reference:
        conds.append(Shipment.client_reference == str(client_reference))
    if not conds:
        return None
    return session.scalars(sa.select(Shipment).where(Shipment.carrier == carrier, sa.or_(*conds))
                           .order_by(Shipment.id.desc()).limit(1)).first()


def _lock(session: Session, shipment_id: int) -> Shipment:
    shipment = session.scalars(sa.select(Shipment).where(Shipment.id == shipment_id)
                               .with_for_update().execution_options(populate_existing=True)).first()
    if shipment is None:
        raise NotFound(N_("Shipment #%(id)s does not exist."), id=shipment_id)
    return shipment


@use_case
def apply_update(session: Session, shipment_id: int, update: TrackingUpdate, *,
                 source: str = "webhook") -> Applied:
    """Record one carrier status update (one transaction)."""
    return apply(session, _lock(session, shipment_id), update, source=source)


def apply(session: Session, shipment: Shipment, update: TrackingUpdate, *, source: str) -> Applied:
    """Building block of :func:`apply_update` (no commit)."""
    if shipment.status == S.DRAFT:
        if shipment.carrier_status != AWAITING_WAYBILL or not update.tracking_number:
            return Applied(shipment.id, "ignored", shipment.status.value)  # the booking job records it
        record_booking(session, shipment, CreatedShipment(
            tracking_number=update.tracking_number, fee=update.fee or 0, expected_delivery=None,
            raw=update.raw, client_reference=shipment.client_reference, already_existed=True))
    when = _naive_utc(update.event_time) or utcnow().replace(microsecond=0)
    raw = str(update.raw_status)[:40]
    status = S(update.status.value)
    seen = session.scalar(sa.select(TrackingEvent.id).where(
        TrackingEvent.shipment_id == shipment.id, TrackingEvent.carrier_status == raw,
        sa.or_(TrackingEvent.event_time == when, TrackingEvent.source == "booking")).limit(1))
    if seen is not None:
        return Applied(shipment.id, "duplicate", shipment.status.value)
    try:
        with session.begin_nested():
            session.add(TrackingEvent(shipment=shipment, event_time=when, status=status,
                                      carrier_status=raw, source=source,
                                      description=(update.note or None) and update.note[:500],
                                      location=(update.location or None) and update.location[:255]))
    except sa.exc.IntegrityError:
        return Applied(shipment.id, "duplicate", shipment.status.value)
    if shipment.status_at is not None and when < shipment.status_at:
        return Applied(shipment.id, "older", shipment.status.value)
    previous = shipment.status
    after_handover = status == S.CANCELLED and _left_the_shelf(shipment, previous)
    if after_handover:
        # The courier has the goods: they are not back on our shelf, whatever the carrier calls
        # it (Viettel Post 503 "cancelled at the customer's request" comes after pickup). The
        # carrier returns such a parcel to the sender, so we wait for it as a return.
        status = S.RETURNING
    shipment.status, shipment.carrier_status, shipment.status_at = status, raw, when
    if update.fee:
        shipment.fee_charged = update.fee
    if status in HANDED_OVER and shipment.handed_over_at is None:
        shipment.handed_over_at = when
    if status != previous:
        _order_follows(session, shipment, status, update.note or "", when, previous)
    if after_handover:
        order = orders.load_order(session, shipment.order_id)
        order.needs_attention = attention_note(notes.CANCELLED_AFTER_PICKUP, parcel=shipment, raw=raw)
    return Applied(shipment.id, "applied", status.value)


def _left_the_shelf(shipment: Shipment, previous: S) -> bool:
    """Whether the courier has taken the parcel: picked up (recorded), or any status after it.

    One already cancelled before pickup has not (the carrier's own "cancelled" for our cancel
    often arrives after we recorded it)."""
    return shipment.handed_over_at is not None or previous not in (S.DRAFT, S.CREATED, S.CANCELLED)


def _order_follows(session: Session, shipment: Shipment, status: S, note: str, when,
                   previous: S | None = None) -> None:
    order = orders.load_order(session, shipment.order_id)
    redelivery = status in (S.OUT_FOR_DELIVERY, S.DELIVERED) or (
        status in HANDED_OVER and previous == S.DELIVERY_FAILED)  # GHN: back to storing first
    if redelivery and order.status == OrderStatus.DELIVERY_FAILED:
        order.status = OrderStatus.SHIPPED  # re-delivery after a failed attempt
    if status == S.DELIVERED:
        shipment.delivered_at = when
        shipment.cod_collected = bool(shipment.cod_amount)
        if order.status == OrderStatus.SHIPPED:
            orders.mark_delivered(session, order.id, commit=False)
    elif status in (S.DELIVERY_FAILED, S.RETURNING, S.RETURNED):
        if order.status == OrderStatus.SHIPPED:
            reason = f"{shipment}: {note}" if note else f"{shipment}: {status.value.replace('_', ' ')}"
            orders.mark_delivery_failed(session, order.id, reason=reason[:500], commit=False)
        if status == S.RETURNED:
            order.needs_attention = attention_note(notes.RETURNED, parcel=shipment)
    elif status == S.CANCELLED:
        if order.status == OrderStatus.SHIPPED:
            put_back_to_packed(session, order, f"Parcel {shipment} cancelled by the carrier before "
                                               "pickup: back on the shelf, reserved again")
    elif status == S.LOST_OR_DAMAGED:
        order.needs_attention = attention_note(notes.LOST, parcel=shipment, raw=shipment.carrier_status)
    if status in MAILED:
        send_after_commit(session, shipment_mail(order, shipment, MAILED[status], reason=note))


@use_case
def receive_returned_parcel(session: Session, shipment_id: int,
                            damaged: Mapping[int, int] | None = None) -> Order:
    """The returned parcel is on the shop's table: restock it, the broken units written off."""
    shipment = _lock(session, shipment_id)
    if shipment.status not in (S.RETURNED, S.RETURNING):
        raise InvalidTransition("receive back", shipment.status.value, record="shipment")
    order = orders.mark_returned(session, shipment.order_id, damaged=damaged, commit=False)
    if shipment.status != S.RETURNED:
        shipment.status, shipment.status_at = S.RETURNED, utcnow()
    order.needs_attention = None
    return order


def updates_from_detail(detail) -> list[TrackingUpdate]:
    """GHN order detail → one update per entry of its status log, oldest first."""
    from app.integrations.carriers.common import normalize_ghn_status
    from app.integrations.carriers.ghn import parse_time
    out = []
    for entry in detail.log or []:
        raw = str(entry.get("status") or "")
        if not raw:
            continue
        out.append(TrackingUpdate(tracking_number=detail.tracking_number,
                                  client_reference=detail.client_reference, raw_status=raw,
                                  status=normalize_ghn_status(raw),
                                  event_time=parse_time(entry.get("updated_date")), raw=entry))
    if not out:
        out.append(TrackingUpdate(tracking_number=detail.tracking_number,
                                  client_reference=detail.client_reference,
                                  raw_status=detail.raw_status, status=detail.status,
                                  event_time=detail.updated_at, raw=detail.raw))
    return sorted(out, key=lambda u: (u.event_time is None, u.event_time))


def refresh_shipment(session: Session, shipment_id: int, client) -> list[Applied]:
    """Ask the carrier where the parcel is (GHN detail) and record what we did not know.

    Commits what the caller has pending first: nothing stays open while the carrier answers (on
    SQLite an open write would block the integration log's own connection).
    """
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        raise NotFound(N_("Shipment #%(id)s does not exist."), id=shipment_id)
    if not shipment.tracking_number:
        raise InvalidTransition("refresh the tracking of", shipment.status.value, record="shipment")
    if not client.looks_up:
        raise DomainError(N_("%(carrier)s has no tracking look-up for partners: its status "
                             "updates arrive by callback."),
                          carrier=CARRIER_NAMES.get(client.system, client.system))
    tracking_number = shipment.tracking_number
    session.commit()
    detail = client.detail(tracking_number)
    try:
        shipment = _lock(session, shipment_id)
        applied = [apply(session, shipment, u, source="poll") for u in updates_from_detail(detail)]
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return applied


def shipments_to_poll(session: Session, carriers: list[str] | None = None,
                      limit: int = 500) -> list[int]:
    """Open parcels of the carriers that can be asked (all of those, unless named)."""
    carriers = carriers if carriers is not None else carriers_that_look_up()
    return list(session.scalars(sa.select(Shipment.id).where(
        Shipment.carrier.in_(carriers), Shipment.status.in_(POLLED),
        Shipment.tracking_number.is_not(None)).order_by(Shipment.status_at.is_(None).desc(),
                                                         Shipment.status_at, Shipment.id)
        .limit(limit)))


SELLER_DECISIONS = {"redeliver": N_("Re-delivery requested from the carrier"),
                    "return_to_sender": N_("Return to the shop requested from the carrier")}


def ask_carrier(session: Session, shipment_id: int, client, decision: str) -> Shipment:
    """After a failed attempt the seller decides: deliver again (GHN ``switch-status/storing``,
    Viettel Post UpdateOrder TYPE 3) or send the parcel back (GHN ``switch-status/return``,
    Viettel Post TYPE 2). The carrier's own status updates then move the shipment; here the request
    is kept in the timeline. Nothing is held open while the carrier answers."""
    if decision not in SELLER_DECISIONS:
        raise ValidationError("decision", N_("Choose re-delivery or return to the shop."))
    shipment = session.get(Shipment, shipment_id, populate_existing=True)
    if shipment is None:
        raise NotFound(N_("Shipment #%(id)s does not exist."), id=shipment_id)
    if shipment.status != S.DELIVERY_FAILED:
        raise InvalidTransition(decision, shipment.status.value, record="shipment")
    tracking, carrier = shipment.tracking_number, shipment.carrier.value
    session.rollback()
    try:
        getattr(client, decision)(tracking)
    except PermanentError as exc:
        raise DomainError(N_("%(carrier)s refused: %(reason)s"), carrier=CARRIER_NAMES[carrier],
                          reason=exc.message) from exc
    shipment = _lock(session, shipment_id)
    session.add(TrackingEvent(shipment=shipment, event_time=utcnow().replace(microsecond=0),
                              status=shipment.status, carrier_status=f"seller:{decision}"[:40],
                              source="seller", description=SELLER_DECISIONS[decision]))
    session.commit()
    return shipment
