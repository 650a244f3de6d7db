"""Marketplace orders in: each platform's statuses followed through the lifecycle services (stock
reserved, shipped, released), the seller's own steps flagged, nothing dropped, the marketplace's
own amounts kept and a total that differs flagged, reserve-on-arrival. Real database (SQLite and,
with DATABASE_URL, PostgreSQL, where confirming is the two-statement path)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from app.integrations.marketplaces import lazada, shopee, tiktok
from app.integrations.marketplaces.common import MarketplaceOrder, MarketplaceOrderLine
from app.models import (Channel, MoveKind, Order, OrderStatus, PaymentStatus, Platform, Product,
                        ProductVariant, StockLevel, StockMove, Warehouse)
from app.services import ledger, order_import

PRICE = 165000  # what the buyer pays on the marketplace, VAT (10 %) included: 150 000 + 15 000
MAPS = {"shopee": shopee, "lazada": lazada, "tiktok": tiktok}


@pytest.fixture
def shop(session):
    warehouse = Warehouse(code="HCM", name="Kho HCM")
    product = Product(name="Áo thun", sku="AT", selling_price=150000, vat_rate="10")
    variant = ProductVariant(product=product, sku="AT-M", value_1="M")
    channel = Channel(platform=Platform.SHOPEE, name="Shopee shop", shop_id="77",
                      order_warehouse=warehouse)
    session.add_all([warehouse, product, variant, channel])
    session.commit()
    ledger.record_opening_stock(session, variant.id, warehouse.id, 10)
    return session, channel, variant, warehouse


def parsed(external_id, raw_status, status, *, quantity=2, attention="", lines=None, total=None,
           cancel_reason="", amounts=None) -> MarketplaceOrder:
    now = datetime.now(timezone.utc)
    lines = [MarketplaceOrderLine(sku="AT-M", quantity=quantity, unit_price=PRICE)] if lines is None else lines
    return MarketplaceOrder(
        external_id=external_id, raw_status=raw_status, status=status, buyer_name="Lê Thị Mai",
        buyer_phone="0912345678", address="1 Lê Lợi", ward="P. Bến Nghé", district="Quận 1",
        province="TP. Hồ Chí Minh", lines=lines,
        total=sum(ln.unit_price * ln.quantity for ln in lines) + 20000 if total is None else total,
        payment_method="prepaid", created_at=now, updated_at=now, shipping_fee=20000,
        cancel_reason=cancel_reason, attention=attention, amounts=amounts or {})


def level(session, variant) -> tuple[int, int]:
    row = session.scalars(sa.select(StockLevel).where(StockLevel.variant_id == variant.id)).one()
    session.refresh(row)
    return row.on_hand, row.reserved


def order_of(session, external_id) -> Order:
    session.expire_all()
    return session.scalars(sa.select(Order).where(Order.external_order_id == external_id)).one()


def test_every_platform_status_maps_onto_our_states():
    states = {"new", "processing", "packed", "shipped", "delivered", "completed", "cancelled",
              "delivery_failed", "returned"}
    for module in MAPS.values():
        assert set(module.STATUS_MAP.values()) <= states
        assert set(module.ATTENTION) <= set(module.STATUS_MAP)
    assert shopee.STATUS_MAP["SHIPPED"] == "shipped" and shopee.STATUS_MAP["PROCESSED"] == "packed"
    assert lazada.STATUS_MAP["failed"] == "delivery_failed" and lazada.ATTENTION["returned"]
    assert tiktok.STATUS_MAP["AWAITING_COLLECTION"] == "packed"


def test_an_order_first_seen_shipped_is_shipped_here_and_takes_its_stock(shop):
    session, channel, variant, _ = shop
    result = order_import.import_orders(session, channel, [parsed("S1", "SHIPPED", "shipped")])
    order = order_of(session, "S1")
    assert order.status == OrderStatus.SHIPPED and order.needs_attention is None
    assert order.lines[0].shipped_quantity == 2 and result.moved == 3  # confirm, pack, ship
    assert level(session, variant) == (8, 0)
    assert session.scalars(sa.select(StockMove.kind).where(StockMove.quantity < 0)).all() == [MoveKind.SHIPMENT]


def test_packed_on_the_marketplace_reserves_and_packs_then_follows_to_completed(shop):
    session, channel, variant, _ = shop
    order_import.import_orders(session, channel, [parsed("P1", "PROCESSED", "packed")])
    assert order_of(session, "P1").status == OrderStatus.PACKED
    assert level(session, variant) == (10, 2)
    order_import.import_orders(session, channel, [parsed("P1", "TO_CONFIRM_RECEIVE", "delivered")])
    assert order_of(session, "P1").status == OrderStatus.DELIVERED
    assert level(session, variant) == (8, 0)
    order_import.import_orders(session, channel, [parsed("P1", "COMPLETED", "completed")])
    order = order_of(session, "P1")
    assert order.status == OrderStatus.COMPLETED and order.payment_status == PaymentStatus.PAID


def test_short_stock_leaves_the_order_where_it_got_to_and_flags_it(shop):
    session, channel, variant, _ = shop
    order_import.import_orders(session, channel, [parsed("BIG", "SHIPPED", "shipped", quantity=15)])
    order = order_of(session, "BIG")
    assert order.status == OrderStatus.PROCESSING  # confirmed (10 held), could not be packed
    assert "could not be moved to packed" in order.needs_attention
    assert level(session, variant) == (10, 10)
    assert session.scalar(sa.select(sa.func.count(StockMove.id))) == 1  # the opening stock only


def test_buyer_cancellation_after_we_shipped_is_flagged_not_dropped(shop):
    session, channel, variant, _ = shop
    order_import.import_orders(session, channel, [parsed("C1", "SHIPPED", "shipped")])
    result = order_import.import_orders(session, channel, [
        parsed("C1", "CANCELLED", "cancelled", cancel_reason="Buyer changed mind")])
    order = order_of(session, "C1")
    assert order.status == OrderStatus.SHIPPED and result.cancelled == 0
    assert "Buyer changed mind" in order.needs_attention and "already shipped" in order.needs_attention
    assert order.external_order_id in result.flagged
    assert level(session, variant) == (8, 0)


def test_cancellation_of_an_open_order_releases_its_stock(shop):
    session, channel, variant, _ = shop
    order_import.import_orders(session, channel, [parsed("C2", "PROCESSED", "packed")])
    result = order_import.import_orders(session, channel, [parsed("C2", "CANCELLED", "cancelled")])
    assert result.cancelled == 1
    assert order_of(session, "C2").status == OrderStatus.CANCELLED
    assert level(session, variant) == (10, 0)


def test_requests_for_the_sellers_own_step_are_flagged(shop):
    session, channel, _, _ = shop
    order_import.import_orders(session, channel, [
        parsed("R1", "IN_CANCEL", "new", attention="cancel_requested")])
    order = order_of(session, "R1")
    assert order.status == OrderStatus.NEW and "asked Shopee to cancel" in order.needs_attention
    order_import.import_orders(session, channel, [parsed("R2", "lost", "shipped", attention="lost")])
    assert "parcel lost" in order_of(session, "R2").needs_attention


def test_an_order_without_lines_is_kept_and_flagged(shop):
    session, channel, _, _ = shop
    result = order_import.import_orders(session, channel, [parsed("EMPTY", "READY_TO_SHIP", "new",
                                                                  lines=[], total=20000)])
    order = order_of(session, "EMPTY")
    assert result.created == 1 and not result.refused and order.lines == []
    assert "without lines" in order.needs_attention


def test_marketplace_amounts_are_kept_and_a_different_total_is_flagged(shop):
    session, channel, _, _ = shop
    order_import.import_orders(session, channel, [parsed("OK1", "READY_TO_SHIP", "new")])
    fine = order_of(session, "OK1")
    assert fine.needs_attention is None
    assert fine.lines[0].unit_price == 150000  # VAT taken out of the marketplace's price
    assert fine.total == 2 * PRICE + 20000 == fine.marketplace_amounts["buyer_paid"]
    voucher = parsed("V1", "pending", "new", total=2 * PRICE + 20000 - 30000,
                     amounts={"voucher_platform": 30000})
    result = order_import.import_orders(session, channel, [voucher])
    order = order_of(session, "V1")
    assert order.marketplace_amounts["voucher_platform"] == 30000
    assert order.marketplace_amounts["buyer_paid"] == 320000
    assert "The buyer pays 320.000 ₫" in order.needs_attention and "350.000 ₫" in order.needs_attention
    assert result.flagged == ["V1"]


def test_reserve_on_arrival_confirms_new_orders_so_they_hold_stock(shop):
    session, channel, variant, _ = shop
    channel.reserve_on_arrival = True
    session.commit()
    result = order_import.import_orders(session, channel, [parsed("N1", "READY_TO_SHIP", "new", quantity=3),
                                                           parsed("N2", "UNPAID", "new", quantity=1)])
    assert result.created == 2
    assert {order_of(session, e).status for e in ("N1", "N2")} == {OrderStatus.PROCESSING}
    assert level(session, variant) == (10, 4)
    again = order_import.import_orders(session, channel, [parsed("N1", "READY_TO_SHIP", "new", quantity=3)])
    assert again.updated == 1 and level(session, variant) == (10, 4)  # no second reservation


def test_first_pull_records_orders_that_already_left_as_history(shop):
    session, channel, variant, _ = shop
    order_import.import_orders(session, channel, [parsed("H1", "COMPLETED", "completed")], history=True)
    order = order_of(session, "H1")
    assert order.status == OrderStatus.COMPLETED and order.payment_status == PaymentStatus.PAID
    assert "no stock was moved" in order.notes
    assert level(session, variant) == (10, 0)


def test_a_batch_is_written_with_numbers_totals_and_its_audit_trail(shop):
    from app.models import AuditLog
    session, channel, _, _ = shop
    batch = [parsed(f"B{n}", "READY_TO_SHIP", "new", quantity=n + 1) for n in range(3)]
    assert order_import.import_orders(session, channel, batch).created == 3
    orders = sorted((order_of(session, f"B{n}") for n in range(3)), key=lambda o: o.number)
    assert [o.number for o in orders] == [f"SO-{n:06d}" for n in range(1, 4)]
    assert [o.total for o in orders] == [(n + 1) * PRICE + 20000 for n in range(3)]
    assert all(o.version == 1 and o.payment_status == PaymentStatus.UNPAID for o in orders)
    trail = session.scalars(sa.select(AuditLog).where(AuditLog.action == "create")).all()
    created = {(a.table_name, a.record_id) for a in trail}
    assert {("sales_order", o.id) for o in orders} <= created
    assert {("order_line", ln.id) for o in orders for ln in o.lines} <= created
    first = next(a for a in trail if a.table_name == "sales_order" and a.record_id == orders[0].id)
    assert first.record_label == "SO-000001" and first.changes["status"] == [None, "new"]
    assert first.changes["total"] == [None, PRICE + 20000]
