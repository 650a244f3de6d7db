"""Confirmation's two-statement path on PostgreSQL gives exactly what the rule says."""
import pytest
import sqlalchemy as sa

from app.models import (AuditLog, Order, OrderLine, OrderStatus, Product, ProductVariant,
                        StockLevel, Warehouse)
from app.services import ledger, orders
from app.services.actor import acting_as
from app.services.errors import InvalidTransition, StaleVersion
from tests.support.seed import ADDRESS

pytestmark = pytest.mark.postgres


@pytest.fixture
def shop(pg_session_factory):
    s = pg_session_factory()
    wh = Warehouse(code="HCM", name="Kho HCM")
    p = Product(name="Áo", sku="AO")
    a, b = ProductVariant(product=p, sku="AO-M"), ProductVariant(product=p, sku="AO-L")
    s.add_all([wh, p, a, b])
    s.commit()
    ledger.record_opening_stock(s, a.id, wh.id, 5)
    yield s, wh, a, b
    s.close()


def _order(s, wh, lines, **kw):
    o = Order(**ADDRESS, buyer_name="Khách", warehouse_id=wh.id, **kw)
    for v, q in lines:
        o.lines.append(OrderLine(variant_id=v.id if v else None, sku=v.sku if v else "UNKNOWN",
                                 name="x", quantity=q, unit_price=1000))
    s.add(o)
    s.commit()
    return o.id


def test_partial_stock_is_spread_over_lines_in_line_order(shop):
    s, wh, a, b = shop
    oid = _order(s, wh, [(a, 3), (a, 4), (b, 2), (None, 1)])
    with acting_as(9, "clerk"):
        results = orders.confirm_order(s, oid)
    assert [(r.sku, r.reserved, r.short_by) for r in results] == \
        [("AO-M", 3, 0), ("AO-M", 2, 2), ("AO-L", 0, 2), ("UNKNOWN", 0, 1)]
    order = s.get(Order, oid)
    assert order.status == OrderStatus.PROCESSING and order.version == 2
    assert [line.reserved_quantity for line in order.lines] == [3, 2, 0, 0]
    level = s.scalars(sa.select(StockLevel).where(StockLevel.variant_id == a.id)).one()
    assert (level.on_hand, level.reserved) == (5, 5)
    trail = s.scalars(sa.select(AuditLog).where(AuditLog.user_id == 9)).all()
    assert {(t.table_name, t.username) for t in trail} == {("sales_order", "clerk"),
                                                          ("order_line", "clerk")}
    assert any(t.changes.get("status") == ["new", "processing"] for t in trail)
    from app.services.stock_verify import verify_stock
    assert verify_stock(s) == []


def test_refusals_keep_their_exact_messages(shop):
    s, wh, a, _ = shop
    oid = _order(s, wh, [(a, 1)])
    with pytest.raises(StaleVersion):
        orders.confirm_order(s, oid, version=7)
    orders.confirm_order(s, oid)
    with pytest.raises(InvalidTransition, match="it is processing"):
        orders.confirm_order(s, oid)


def test_an_order_without_a_warehouse_takes_the_channel_or_only_warehouse(shop):
    s, wh, a, _ = shop
    o = Order(**ADDRESS, buyer_name="Khách", lines=[OrderLine(variant_id=a.id, sku="AO-M", name="x",
                                                   quantity=1, unit_price=1000)])
    s.add(o)
    s.commit()
    results = orders.confirm_order(s, o.id)
    assert results[0].reserved == 1 and s.get(Order, o.id).warehouse_id == wh.id
