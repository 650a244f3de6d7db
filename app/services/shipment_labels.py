"""Our labels for booked shipments: one PDF each (rendered once and kept), or one PDF for a batch
with the pick list first (app.services.labels does the drawing)."""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload, undefer

from app.integrations.carriers.common import REQUIRED_NOTE_TEXT
from app.models import Order, Shipment, ShipmentStatus
from app.services.errors import N_, DomainError, NotFound
from app.services.labels import (SHOP_ZONE, LabelItem, LabelParty, ShippingLabel, render_label,
                                 render_labels)

CARRIER_LABELS = {"ghn": "GHN", "viettelpost": "Viettel Post"}
SERVICE_NAMES = {"fast": "Nhanh", "economy": "Tiết kiệm"}
# A draft may name a carrier parcel its order never shipped with: not a label to print.
NOT_BOOKED = (ShipmentStatus.DRAFT, ShipmentStatus.CANCELLED)


def label_of(shipment: Shipment) -> ShippingLabel:
    order = shipment.order
    sender = dict(((shipment.provider_account.settings or {}).get("sender") or {})
                  if shipment.provider_account else {})
    sender_address = ", ".join(str(p) for p in (sender.get("address"), sender.get("ward_name"),
                                                sender.get("district_name"),
                                                sender.get("province_name")) if p)
    return ShippingLabel(
        carrier=CARRIER_LABELS[shipment.carrier.value], tracking_number=shipment.tracking_number,
        order_number=order.number,
        sender=LabelParty(sender.get("name") or "", str(sender.get("phone") or ""), sender_address),
        receiver=LabelParty(order.buyer_name, order.buyer_phone or "", order.ship_address),
        cod_amount=int(shipment.cod_amount or 0), weight_g=shipment.weight_g,
        service=SERVICE_NAMES.get(shipment.service.value, shipment.service.value),
        required_note=REQUIRED_NOTE_TEXT.get(shipment.required_note or "", ""),
        items=[LabelItem(line.name, line.quantity, line.sku) for line in order.lines],
        note=shipment.note or "", sort_code=shipment.sort_code or "",
        created_at=shipment.created_at)


def _booked(session: Session, ids: Iterable[int]) -> list[Shipment]:
    return list(session.scalars(
        sa.select(Shipment).where(Shipment.id.in_(list(ids)), Shipment.tracking_number.is_not(None),
                                  Shipment.status.not_in(NOT_BOOKED))
        .options(selectinload(Shipment.order).selectinload(Order.lines),
                 selectinload(Shipment.provider_account)).order_by(Shipment.id)))


def label_pdf(session: Session, shipment_id: int) -> tuple[Shipment, bytes]:
    """The shipment's label, rendered the first time it is asked for and kept."""
    shipment = session.scalars(sa.select(Shipment).where(Shipment.id == shipment_id)
                               .options(undefer(Shipment.label_pdf))).first()
    if shipment is None:
        raise NotFound(N_("Shipment #%(id)s does not exist."), id=shipment_id)
    if not shipment.tracking_number or shipment.status == ShipmentStatus.DRAFT:
        raise DomainError(N_("Shipment %(shipment)s is not booked yet (%(state)s): no label to "
                             "print."), shipment=str(shipment), state=shipment.status.value)
    if not shipment.label_pdf:
        shipment.label_pdf = render_label(label_of(shipment))
        session.commit()
    return shipment, shipment.label_pdf


def labels_pdf(session: Session, shipment_ids: Iterable[int], pick_list: bool = True,
               zone: str = SHOP_ZONE) -> bytes:
    """One PDF for the booked shipments among ``shipment_ids`` (pick list first)."""
    shipments = _booked(session, shipment_ids)
    if not shipments:
        raise DomainError(N_("None of the selected shipments is booked yet: no label to print."))
    return render_labels([label_of(s) for s in shipments], pick_list=pick_list, zone=zone)


def latest_booked(session: Session, order_ids: Iterable[int]) -> dict[int, int]:
    """Order id → its latest booked shipment id (what "print label" on an order prints)."""
    rows = session.execute(sa.select(Shipment.order_id, sa.func.max(Shipment.id))
                           .where(Shipment.order_id.in_(list(order_ids)),
                                  Shipment.tracking_number.is_not(None),
                                  Shipment.status.not_in(NOT_BOOKED))
                           .group_by(Shipment.order_id)).all()
    return {order_id: shipment_id for order_id, shipment_id in rows}


def carrier_label(session: Session, shipment_id: int) -> tuple[Shipment, bytes, str]:
    """The carrier's own label as the booking job stored it (GHN's A5 page, Viettel Post's page)."""
    shipment = session.scalars(sa.select(Shipment).where(Shipment.id == shipment_id)
                               .options(undefer(Shipment.carrier_label))).first()
    if shipment is None:
        raise NotFound(N_("Shipment #%(id)s does not exist."), id=shipment_id)
    if not shipment.carrier_label:
        raise DomainError(N_("The carrier's label of shipment %(shipment)s is not stored (yet): "
                             "print ours, or run the booking again to fetch it."),
                          shipment=str(shipment))
    return shipment, shipment.carrier_label, shipment.carrier_label_type or "text/html"
