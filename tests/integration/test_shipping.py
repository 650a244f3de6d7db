"""Booking, cancelling, tracking and reconciling parcels through the services, with the carrier
clients talking real HTTP to the GHN and Viettel Post sandboxes (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from flask import Flask
from pypdf import PdfReader

from app.cli_stock import verify_stock
from app.integrations.carriers.common import ShipmentStatus as CS
from app.integrations.carriers.common import TrackingUpdate
from app.models import (MoveKind, Order, OrderStatus, PaymentStatus, Shipment, ShipmentStatus,
                        StockLevel, StockMove, TrackingEvent)
from app.sandbox import ghn as ghn_sandbox
from app.sandbox import viettelpost as vtp_sandbox
from app.services import cod, shipment_cancel, shipment_labels, shipments, tracking
from app.services.carrier_clients import client_for
from app.services.errors import DomainError, ValidationErrors
from tests.support.live_server import serve
from tests.support.shipping import accounts, packed_orders, sandbox_orders

CARRIERS = ("ghn", "viettelpost")


@pytest.fixture(scope="module")
def sandbox_url():
    app = Flask("carrier-sandboxes")
    app.register_blueprint(ghn_sandbox.create_blueprint())
    app.register_blueprint(vtp_sandbox.create_blueprint())
    with serve(app) as url:
        yield url


@pytest.fixture
def outbox(tmp_path, monkeypatch):
    import config
    monkeypatch.setattr(config.Config, "MAIL_SERVER", None)
    monkeypatch.setattr(config.Config, "MAIL_OUTBOX", str(tmp_path / "outbox"))
    return tmp_path / "outbox"


@pytest.fixture
def shop(session, sandbox_url, outbox):
    for carrier in CARRIERS:
        httpx.post(f"{sandbox_url}/sandbox/{carrier}/_control/reset", json={"state": True})
    accs = accounts(session, sandbox_url)
    return accs


def mails(outbox: Path) -> list:
    if not outbox.exists():
        return []
    return [message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(outbox.glob("*.eml"))]


def book(session, order, carrier, accs, **form_values):
    form = shipments.default_form(session, order, carrier)
    for k, v in form_values.items():
        setattr(form, k, v)
    draft = shipments.prepare_shipment(session, order.id, form)
    with client_for(accs[carrier], timeout=5) as client:
        return shipments.book_shipment(session, draft.id, client)


def stock(session, sku):
    return session.execute(sa.select(StockLevel.on_hand, StockLevel.reserved)
                           .join(StockLevel.variant).where(sa.text("product_variant.sku = :s"))
                           .params(s=sku)).one()


@pytest.mark.parametrize("carrier", CARRIERS)
def test_booking_stores_the_carrier_order_cod_and_ships_the_order(session, shop, sandbox_url,
                                                                  outbox, carrier):
    [order] = packed_orders(session, shipping_fee=30000)
    assert stock(session, "AO-M") == (20, 2)
    shipment = book(session, order, carrier, shop)
    session.refresh(order)
    assert shipment.status == ShipmentStatus.CREATED and shipment.tracking_number
    assert shipment.client_reference == f"{order.number}-1"
    assert shipment.fee_charged > 0
    # COD = goods + the shipping fee the buyer pays the shop; the carrier's fee is the seller's.
    assert shipment.cod_amount == order.total == Decimal(2 * 150000 + 150000) * Decimal("1.1") + 30000
    assert shipment.weight_g == 750
    assert order.status == OrderStatus.SHIPPED
    assert stock(session, "AO-M") == (18, 0)
    assert [r for r in sandbox_orders(sandbox_url, carrier, shipment.client_reference)]
    assert verify_stock(session) == []
    [mail] = mails(outbox)
    assert shipment.tracking_number in mail.get_content() and mail["To"] == "hoa@example.vn"


def test_buyer_paying_the_carrier_fee_is_not_charged_the_shipping_twice(session, shop):
    [order] = packed_orders(session, shipping_fee=30000)
    form = shipments.default_form(session, order, "ghn")
    with pytest.raises(ValidationErrors) as refused:
        shipments.parse_form(order, {"fee_payer": "buyer", "cod_amount": str(int(order.total))}, form)
    assert "cod_amount" in refused.value.errors and "twice" in refused.value.message
    ok = shipments.parse_form(order, {"fee_payer": "buyer"}, form)
    assert ok.cod_amount == int(order.total) - 30000


@pytest.mark.parametrize("carrier", CARRIERS)
def test_quote_gives_fast_and_economy_with_fees(session, shop, carrier):
    [order] = packed_orders(session)
    form = shipments.default_form(session, order, carrier)
    with client_for(shop[carrier], timeout=5) as client:
        quotes = {q.service: q for q in shipments.quote_order(session, order, form, client)}
    assert set(quotes) == {"fast", "economy"}
    # Both carriers price their express dearer than their standard service, and deliver sooner.
    assert quotes["fast"].fee > quotes["economy"].fee > 0
    assert quotes["fast"].eta < quotes["economy"].eta
    assert quotes["fast"].carrier_service_code != quotes["economy"].carrier_service_code


@pytest.mark.parametrize("carrier", CARRIERS)
def test_running_the_booking_twice_makes_one_carrier_order(session, shop, sandbox_url, carrier):
    [order] = packed_orders(session)
    first = book(session, order, carrier, shop)
    again = shipments.prepare_shipments(session, [order.id])
    assert again[order.id] == first.id  # the parcel booked already, reported as such
    with client_for(shop[carrier]) as client:
        [outcome] = shipments.book_shipments(session, [first.id], type("P", (), {
            "get": lambda self, a: client})())
    assert outcome.extra.get("already")
    assert len(sandbox_orders(sandbox_url, carrier, first.client_reference)) == 1
    assert verify_stock(session) == []


@pytest.mark.parametrize("carrier", CARRIERS)
def test_crash_between_carrier_call_and_commit_then_rerun_makes_one_carrier_order(
        session_factory, shop, sandbox_url, carrier):
    session = session_factory()
    [order] = packed_orders(session)
    draft = shipments.prepare_shipment(session, order.id, shipments.default_form(session, order, carrier))
    draft_id, reference, order_id = draft.id, draft.client_reference, order.id
    # The job calls the carrier … and dies before its commit: nothing of ours is written.
    with client_for(shop[carrier]) as client:
        [loaded] = shipments.load_for_booking(session, [draft_id])
        outcome = shipments.call_carrier(loaded, client)
    assert outcome.created is not None
    session.rollback()
    session.close()
    fresh = session_factory()
    assert fresh.get(Shipment, draft_id).status == ShipmentStatus.DRAFT
    assert len(sandbox_orders(sandbox_url, carrier, reference)) == 1
    # The rerun books under the same key: the carrier answers with the parcel it already has.
    with client_for(shop[carrier]) as client:
        shipment = shipments.book_shipment(fresh, draft_id, client)
    assert shipment.tracking_number == outcome.created.tracking_number
    assert len(sandbox_orders(sandbox_url, carrier, reference)) == 1
    events = fresh.scalars(sa.select(TrackingEvent.description)
                           .where(TrackingEvent.shipment_id == draft_id)).all()
    assert any("booked earlier" in e for e in events)
    assert fresh.get(Order, order_id).status == OrderStatus.SHIPPED
    assert verify_stock(fresh) == []
    fresh.close()


@pytest.mark.parametrize("carrier", CARRIERS)
def test_timeout_after_create_then_retry_makes_one_carrier_order(session, shop, sandbox_url,
                                                                 carrier):
    [order] = packed_orders(session)
    path = "/create" if carrier == "ghn" else "/createOrder"
    httpx.post(f"{sandbox_url}/sandbox/{carrier}/_control/faults",
               json={"mode": "timeout", "after": True, "delay": 1.5, "path": path})
    draft = shipments.prepare_shipment(session, order.id,
                                       shipments.default_form(session, order, carrier))
    with client_for(shop[carrier], timeout=0.7) as client:
        shipment = shipments.book_shipment(session, draft.id, client)
    assert shipment.status == ShipmentStatus.CREATED
    assert len(sandbox_orders(sandbox_url, carrier, shipment.client_reference)) == 1
    assert verify_stock(session) == []


@pytest.mark.parametrize("carrier", CARRIERS)
def test_cancel_before_pickup_puts_the_order_back_to_packed_with_stock_reserved(
        session, shop, sandbox_url, carrier):
    [order] = packed_orders(session)
    shipment = book(session, order, carrier, shop)
    assert stock(session, "AO-M") == (18, 0)
    with client_for(shop[carrier]) as client:
        shipment_cancel.cancel_shipment(session, shipment.id, client)
        shipment_cancel.cancel_shipment(session, shipment.id, client)  # twice: no harm
    session.refresh(order)
    assert shipment.status == ShipmentStatus.CANCELLED and order.status == OrderStatus.PACKED
    assert stock(session, "AO-M") == (20, 2)
    assert [line.reserved_quantity for line in order.lines] == [2, 1]
    assert verify_stock(session) == []
    [row] = sandbox_orders(sandbox_url, carrier, shipment.client_reference)
    assert row["status"] in ("cancel", 107)
    # Booking again is a new attempt with its own key.
    second = book(session, order, carrier, shop)
    assert second.client_reference == f"{order.number}-2" and second.tracking_number
    assert verify_stock(session) == []


@pytest.mark.parametrize("carrier", CARRIERS)
def test_cancel_after_pickup_is_refused_with_the_carriers_reason(session, shop, sandbox_url,
                                                                 carrier):
    from tests.support.shipping import advance
    [order] = packed_orders(session)
    shipment = book(session, order, carrier, shop)
    advance(sandbox_url, carrier, shipment.tracking_number, "picked" if carrier == "ghn" else 105)
    with client_for(shop[carrier]) as client, pytest.raises(DomainError) as refused:
        shipment_cancel.cancel_shipment(session, shipment.id, client)
    assert "refused to cancel" in refused.value.message
    session.refresh(order)
    assert order.status == OrderStatus.SHIPPED and verify_stock(session) == []


def _update(shipment, status: CS, raw: str, minutes: int, note=""):
    base = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.timezone.utc)
    return TrackingUpdate(tracking_number=shipment.tracking_number,
                          client_reference=shipment.client_reference, raw_status=raw,
                          status=status, event_time=base + dt.timedelta(minutes=minutes), note=note)


# normalized status → (order state after it, what else the seller sees)
EFFECTS = {
    CS.CREATED: (OrderStatus.SHIPPED, None),
    CS.PICKED_UP: (OrderStatus.SHIPPED, "handed_over"),
    CS.IN_TRANSIT: (OrderStatus.SHIPPED, "handed_over"),
    CS.OUT_FOR_DELIVERY: (OrderStatus.SHIPPED, "mail:đang được giao"),
    CS.DELIVERED: (OrderStatus.DELIVERED, "mail:giao thành công"),
    CS.DELIVERY_FAILED: (OrderStatus.DELIVERY_FAILED, "mail:không thành công"),
    CS.RETURNING: (OrderStatus.DELIVERY_FAILED, None),
    CS.RETURNED: (OrderStatus.DELIVERY_FAILED, "attention:back from the carrier"),
    CS.CANCELLED: (OrderStatus.PACKED, "restocked"),
    CS.LOST_OR_DAMAGED: (OrderStatus.SHIPPED, "attention:lost or damaged"),
}


@pytest.mark.parametrize("status", list(CS), ids=lambda s: s.value)
def test_every_normalized_status_moves_shipment_and_order(session, shop, outbox, status):
    [order] = packed_orders(session)
    shipment = book(session, order, "ghn", shop)
    before = len(mails(outbox))
    raw = {CS.CREATED: "picking"}.get(status, status.value)
    applied = tracking.apply_update(session, shipment.id, _update(shipment, status, raw, 5))
    assert applied.outcome == "applied"
    session.refresh(order)
    session.refresh(shipment)
    expected_order, effect = EFFECTS[status]
    assert shipment.status.value == status.value and shipment.carrier_status == raw
    assert order.status == expected_order
    new_mail = mails(outbox)[before:]
    if effect and effect.startswith("mail:"):
        assert len(new_mail) == 1 and effect[5:] in new_mail[0]["Subject"]
    else:
        assert new_mail == []
    if effect == "handed_over":
        assert shipment.handed_over_at is not None
    if effect and effect.startswith("attention:"):
        assert effect[10:] in order.needs_attention
    if effect == "restocked":
        assert stock(session, "AO-M") == (20, 2)
    assert verify_stock(session) == []


def test_out_of_order_and_duplicate_callbacks(session, shop):
    [order] = packed_orders(session)
    shipment = book(session, order, "ghn", shop)
    assert tracking.apply_update(session, shipment.id, _update(
        shipment, CS.DELIVERED, "delivered", 30)).outcome == "applied"
    late = tracking.apply_update(session, shipment.id, _update(
        shipment, CS.OUT_FOR_DELIVERY, "delivering", 20))
    assert late.outcome == "older"
    assert tracking.apply_update(session, shipment.id, _update(
        shipment, CS.DELIVERED, "delivered", 30)).outcome == "duplicate"
    session.refresh(shipment)
    session.refresh(order)
    assert shipment.status == ShipmentStatus.DELIVERED and order.status == OrderStatus.DELIVERED
    times = [e.event_time for e in shipment.events]
    assert times == sorted(times) and len(times) == 3  # booking, delivering (kept), delivered


def test_redelivery_after_a_failed_attempt(session, shop, outbox):
    [order] = packed_orders(session)
    shipment = book(session, order, "viettelpost", shop)
    tracking.apply_update(session, shipment.id, _update(shipment, CS.DELIVERY_FAILED, "506", 10,
                                                        "Khách hàng nghỉ, không có nhà"))
    session.refresh(order)
    assert order.status == OrderStatus.DELIVERY_FAILED
    tracking.apply_update(session, shipment.id, _update(shipment, CS.OUT_FOR_DELIVERY, "508", 20))
    session.refresh(order)
    assert order.status == OrderStatus.SHIPPED
    tracking.apply_update(session, shipment.id, _update(shipment, CS.DELIVERED, "501", 30))
    session.refresh(order)
    assert order.status == OrderStatus.DELIVERED
    subjects = [m["Subject"] for m in mails(outbox)]
    assert len(subjects) == 4 and "không thành công" in subjects[1]
    assert verify_stock(session) == []


def test_return_to_sender_received_back_good_and_damaged(session, shop):
    [order] = packed_orders(session)
    shipment = book(session, order, "ghn", shop)
    for minutes, (status, raw) in enumerate([(CS.DELIVERY_FAILED, "delivery_fail"),
                                             (CS.RETURNING, "return"), (CS.RETURNED, "returned")]):
        tracking.apply_update(session, shipment.id, _update(shipment, status, raw, minutes + 1))
    session.refresh(order)
    assert order.status == OrderStatus.DELIVERY_FAILED and order.needs_attention
    line_m = next(line for line in order.lines if line.sku == "AO-M")
    tracking.receive_returned_parcel(session, shipment.id, {line_m.id: 1})
    session.refresh(order)
    assert order.status == OrderStatus.RETURNED and order.needs_attention is None
    assert stock(session, "AO-M") == (19, 0)  # 2 came back, 1 written off
    kinds = session.scalars(sa.select(StockMove.kind).where(StockMove.reference_id == order.id)
                            .order_by(StockMove.id)).all()
    assert MoveKind.DAMAGE in kinds and MoveKind.RETURN in kinds
    with pytest.raises(DomainError):
        tracking.receive_returned_parcel(session, shipment.id, {})
    assert verify_stock(session) == []


def test_label_pdf_has_tracking_number_and_vietnamese_address(session, shop):
    [order] = packed_orders(session)
    shipment = book(session, order, "viettelpost", shop)
    _, pdf = shipment_labels.label_pdf(session, shipment.id)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert shipment.tracking_number in text
    # Stored before 2025 as Phường Bến Nghé, Quận 1: today's ward since the order was confirmed.
    assert "12 Lý Tự Trọng, Tầng 3, Phường Sài Gòn, Thành phố Hồ Chí Minh" in text
    assert "Nguyễn Thị Hoa" in text and "Phường Tân Sơn Hòa, Thành phố Hồ Chí Minh" in text
    again = shipment_labels.label_pdf(session, shipment.id)[1]
    assert again == pdf  # kept, not rendered again


def test_cod_reconciliation_end_to_end(session, shop):
    o1, o2, o3 = packed_orders(session, 3, shipping_fee=20000)
    booked = [book(session, o, "ghn", shop) for o in (o1, o2, o3)]
    for s in booked[:2]:
        tracking.apply_update(session, s.id, _update(s, CS.DELIVERED, "delivered", 9))
    assert {s.id for s in cod.eligible_shipments(session, "ghn")} == {booked[0].id, booked[1].id}
    with pytest.raises(DomainError):
        cod.build_reconciliation(session, [booked[0].id, booked[2].id])  # not delivered
    rec = cod.build_reconciliation(session, [booked[0].id, booked[1].id], statement_ref="GHN-1120")
    assert rec.number.startswith("COD-") and rec.expected_cod == booked[0].cod_amount * 2
    line1, line2 = rec.lines
    assert line1.difference == 0  # prefilled: paid in full less the carrier's fee
    cod.enter_statement(session, rec.id, {line1.id: {"cod_received": int(line1.expected_cod) - 40000,
                                                      "fee": 30000},
                                          line2.id: {"cod_received": int(line2.expected_cod) - 25000,
                                                     "fee": "25.000"}})
    session.refresh(rec)
    assert [int(line.difference) for line in rec.lines] == [-10000, 0]
    assert int(rec.difference) == -10000
    # The statement's page reads its lines, shipments and orders in a fixed number of queries.
    queries = []
    listener = lambda *a: queries.append(a[2])  # noqa: E731
    sa.event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        loaded = cod.statement_with_lines(session, rec.id)
        [(line.shipment.tracking_number, line.shipment.order.number) for line in loaded.lines]
    finally:
        sa.event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert len(queries) <= 4
    session.rollback()
    cod.confirm_reconciliation(session, rec.id)
    for o in (o1, o2):
        session.refresh(o)
        assert o.status == OrderStatus.COMPLETED and o.payment_status == PaymentStatus.PAID
    # GHN paid 10,000 ₫ short on the first parcel: recorded as received, and flagged.
    assert o1.paid_amount == o1.total - 10000 and "10,000 ₫ less" in o1.needs_attention
    assert o2.paid_amount == o2.total and not o2.needs_attention
    assert all(session.get(Shipment, s.id).cod_reconciled for s in booked[:2])
    with pytest.raises(DomainError):
        cod.build_reconciliation(session, [booked[0].id])  # already in a statement
    with pytest.raises(DomainError):
        cod.confirm_reconciliation(session, rec.id)
    assert cod.eligible_shipments(session, "ghn") == []
    assert verify_stock(session) == []


@pytest.mark.parametrize("carrier", CARRIERS)
def test_every_place_a_marketplace_buyer_lives_is_in_each_carriers_address_book(
        session, shop, carrier):
    """The marketplace sandboxes' buyers live in these places (old three-level addresses and
    today's); each converts to today's ward, which each carrier's book knows, district included."""
    from app.sandbox.catalogue import _PLACES
    from app.services import addresses, carrier_areas
    with client_for(shop[carrier], timeout=5) as client:
        for province, district, wards in _PLACES:
            for ward in wards:
                ship, problem = addresses.for_import("1 Lê Lợi", ward, district, province)
                assert problem is None, problem
                ids = carrier_areas.area_ids(client, ship["ship_province"], ship["ship_ward"])
                assert all(ids.values()), (province, district, ward, ids)
