"""COD reconciliation: matching what a carrier paid out against the COD its couriers collected.

Per carrier statement: pick delivered COD shipments not yet reconciled (each in one statement at
most), enter what the carrier paid for each and the fees it kept, read the difference per shipment
(paid + fees − expected: negative means the carrier owes us), confirm → every order is paid and a
delivered order completes (orders.mark_paid). A confirmed statement is never edited again.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models import (CodReconciliation, CodReconciliationLine, FeePayer, Order, OrderStatus,
                        PaymentStatus, ReconciliationStatus, Shipment, ShipmentStatus)
from app.models.base import utcnow
from app.services import orders
from app.services.actor import current_actor
from app.services.amounts import parse_amount, parse_id
from app.services.carrier_clients import CARRIER_NAMES
from app.services.attention_notes import COD_SHORT, note as attention_note
from app.services.errors import (N_, DomainError, ImmutableRecord, InvalidTransition, NotFound,
                                 ValidationError)
from app.services.ledger import use_case


LINE_LABELS = {"cod_received": N_("Carrier paid"), "fee": N_("Fees kept")}


def eligible(session: Session, carrier: str | None = None):
    """Delivered COD shipments not reconciled and in no statement yet."""
    in_statement = sa.select(CodReconciliationLine.shipment_id)
    stmt = sa.select(Shipment).where(Shipment.status == ShipmentStatus.DELIVERED,
                                     Shipment.cod_amount > 0, Shipment.cod_reconciled.is_(False),
                                     Shipment.id.not_in(in_statement))
    if carrier:
        stmt = stmt.where(Shipment.carrier == carrier)
    return stmt.order_by(Shipment.delivered_at, Shipment.id)


def eligible_shipments(session: Session, carrier: str | None = None) -> list[Shipment]:
    return list(session.scalars(eligible(session, carrier)))


def expected_fee(shipment: Shipment) -> int:
    """The fee the carrier keeps out of the COD: its shipping fee when the shop pays it."""
    if shipment.fee_payer == FeePayer.SELLER:
        return int(shipment.fee_charged or shipment.fee_quoted or 0)
    return 0


def totals(rec: CodReconciliation) -> None:
    rec.expected_cod = sum((Decimal(line.expected_cod or 0) for line in rec.lines), Decimal(0))
    rec.cod_received = sum((Decimal(line.cod_received or 0) for line in rec.lines), Decimal(0))
    rec.fees = sum((Decimal(line.fee or 0) for line in rec.lines), Decimal(0))
    rec.difference = rec.cod_received + rec.fees - rec.expected_cod


def check_shipments(session: Session, shipment_ids: Iterable[int], carrier: str | None = None
                    ) -> list[Shipment]:
    """The shipments, row-locked, if each may go into a statement (delivered, COD, in none yet)
    and all are one carrier's (``carrier``'s when given); else a ValidationError naming them."""
    ids = sorted(set(int(i) for i in shipment_ids if parse_id(i)))
    if not ids:
        raise ValidationError("shipments", N_("Select the delivered COD shipments of the statement."))
    shipments = list(session.scalars(sa.select(Shipment).where(Shipment.id.in_(ids))
                                     .with_for_update()))
    ok = {s.id for s in session.scalars(eligible(session).where(Shipment.id.in_(ids)))}
    refused = [s for s in shipments if s.id not in ok]
    if refused or len(shipments) != len(ids):
        names = ", ".join(f"{s} ({'reconciled' if s.cod_reconciled else s.status.value})"
                          for s in refused[:5]) or "unknown shipments"
        raise ValidationError("shipments", N_("Only delivered COD shipments not yet in a statement "
                                              "can be reconciled: %(names)s."), names=names)
    carriers = {s.carrier.value for s in shipments} | ({carrier} if carrier else set())
    if len(carriers) > 1:
        raise ValidationError("shipments", N_("A statement is per carrier: select shipments of "
                                              "one carrier (%(carriers)s)."),
                              carriers=" / ".join(CARRIER_NAMES[c] for c in sorted(carriers)))
    return shipments


def add_line(rec: CodReconciliation, shipment: Shipment, *, cod_received=None, fee=None
             ) -> CodReconciliationLine:
    """A statement line, prefilled as 'paid in full less the carrier's fee' unless the carrier's
    figures are given."""
    fee = expected_fee(shipment) if fee is None else int(fee)
    paid = max(0, int(shipment.cod_amount) - fee) if cod_received is None else int(cod_received)
    line = CodReconciliationLine(shipment=shipment, expected_cod=shipment.cod_amount, fee=fee,
                                 cod_received=paid)
    rec.lines.append(line)
    return line


@use_case
def build_reconciliation(session: Session, shipment_ids: Iterable[int], *,
                         statement_ref: str | None = None, statement_date=None) -> CodReconciliation:
    """A draft statement from the selected shipments, each line prefilled as 'paid in full less the
    carrier's fee' for the clerk to correct from the carrier's statement."""
    shipments = check_shipments(session, shipment_ids)
    rec = CodReconciliation(carrier=shipments[0].carrier, statement_ref=statement_ref,
                            statement_date=statement_date, status=ReconciliationStatus.DRAFT)
    for s in shipments:
        add_line(rec, s)
    totals(rec)
    session.add(rec)
    return rec


@use_case
def add_shipments(session: Session, reconciliation_id: int,
                  shipment_ids: Iterable[int]) -> CodReconciliation:
    """More shipments of the statement's carrier into a draft statement (one made empty, or one
    the carrier's file did not cover in full)."""
    rec = _load(session, reconciliation_id, with_lines=True)
    if rec.status != ReconciliationStatus.DRAFT:
        raise InvalidTransition("change", rec.status.value, record="statement")
    for s in check_shipments(session, shipment_ids, rec.carrier.value):
        add_line(rec, s)
    totals(rec)
    return rec


@use_case
def enter_statement(session: Session, reconciliation_id: int,
                    lines: Mapping[int, Mapping], *, locale: str | None = None) -> CodReconciliation:
    """What the carrier paid and kept, per line id: ``{line_id: {"cod_received", "fee"}}``."""
    rec = _load(session, reconciliation_id)
    if rec.status != ReconciliationStatus.DRAFT:
        raise InvalidTransition("change", rec.status.value, record="statement")
    by_id = {line.id: line for line in rec.lines}
    for line_id, values in lines.items():
        line = by_id.get(int(line_id))
        if line is None:
            raise ValidationError("lines", N_("Line #%(line)s is not in statement %(number)s."),
                                  line=line_id, number=rec.number)
        for name in ("cod_received", "fee"):
            if name in values and values[name] not in (None, ""):
                amount = parse_amount(values[name], field=f"{name}_{line.id}",
                                      label=LINE_LABELS[name],
                                      locale=locale)
                setattr(line, name, amount)
    totals(rec)
    return rec


@use_case
def confirm_reconciliation(session: Session, reconciliation_id: int) -> CodReconciliation:
    """Confirm the statement: shipments reconciled, COD orders paid (delivered ones complete).

    Each order is recorded as paid what the carrier accounted for (paid out + the fee it kept):
    a carrier that paid less leaves the order short by that much, and flagged, never silently
    written off (the buyer paid the courier in full; the shortfall is the carrier's to explain)."""
    rec = _load(session, reconciliation_id, with_lines=True)
    if rec.status != ReconciliationStatus.DRAFT:
        raise InvalidTransition("confirm", rec.status.value, record="statement")
    if not rec.lines:
        raise DomainError(N_("Statement %(number)s has no shipments yet: add the delivered COD "
                             "shipments it pays for, or import the carrier's statement file."),
                          number=rec.number)
    carrier = CARRIER_NAMES[rec.carrier.value]
    for line in rec.lines:
        shipment = line.shipment
        shipment.cod_reconciled = True
        order = shipment.order
        if order.payment_status == PaymentStatus.UNPAID and \
                order.status in (OrderStatus.DELIVERED, OrderStatus.SHIPPED):
            short = max(Decimal(0), -line.difference)
            session.flush()  # the order's totals are computed by the flush hook
            orders.mark_paid(session, order.id, amount=Decimal(order.total or 0) - short,
                             reference=f"{rec.number} {rec.statement_ref or ''}".strip(),
                             commit=False)
            if short:
                order.needs_attention = attention_note(
                    COD_SHORT, number=rec.number, carrier=carrier, short=f"{int(short):,}",
                    parcel=shipment)
    totals(rec)
    rec.status = ReconciliationStatus.CONFIRMED
    rec.confirmed_at = utcnow()
    rec.confirmed_by_id = current_actor().user_id
    return rec


def statement_with_lines(session: Session, reconciliation_id: int) -> CodReconciliation:
    """A statement with its lines, their shipments and orders, in a few queries (its page)."""
    return _load(session, reconciliation_id, with_lines=True, lock=False)


def _load(session: Session, reconciliation_id: int, *, with_lines: bool = False,
          lock: bool = True) -> CodReconciliation:
    stmt = sa.select(CodReconciliation).where(CodReconciliation.id == reconciliation_id)
    if lock:
        stmt = stmt.with_for_update()
    if with_lines:
        stmt = stmt.options(selectinload(CodReconciliation.lines)
                            .selectinload(CodReconciliationLine.shipment)
                            .selectinload(Shipment.order)).execution_options(populate_existing=True)
    rec = session.scalars(stmt).first()
    if rec is None:
        raise NotFound(N_("COD statement #%(id)s does not exist."), id=reconciliation_id)
    return rec


def guard_and_total(session: Session, flush_context, instances) -> None:
    """Lines edited on their own page keep the statement's totals right; a confirmed statement
    refuses edits."""
    touched = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, CodReconciliationLine) and obj.reconciliation is not None:
            touched.add(obj.reconciliation)
    for rec in touched:
        state = sa.inspect(rec)
        was = state.attrs.status.history.deleted
        if rec.status == ReconciliationStatus.CONFIRMED and not was:
            raise ImmutableRecord(N_("Statement %(number)s is confirmed and cannot be changed."),
                                  number=rec.number)
        totals(rec)

