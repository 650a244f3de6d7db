"""Rules that hold whatever path writes: numbers, computed totals, the append-only ledger."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.models import (AuditLog, MoveKind, Order, OrderLine, Product, ProductVariant, StockLevel,
                        StockMove, Warehouse)
from app.services.errors import ImmutableRecord


def _catalogue(session):
    wh = Warehouse(code="HN", name="Kho Hà Nội")
    product = Product(name="Áo thun", sku="AT", selling_price=100000, cost_price=60000)
    variant = ProductVariant(product=product, sku="AT-M")
    session.add_all([wh, product, variant])
    session.flush()
    return wh, variant


def test_order_gets_number_and_computed_totals(session):
    _, variant = _catalogue(session)
    order = Order(buyer_name="Nguyễn Văn A", shipping_fee=30000)
    order.lines.append(OrderLine(variant=variant, sku="AT-M", name="Áo", quantity=3,
                                 unit_price=100000, discount=10000, vat_rate="10"))
    session.add(order)
    session.commit()
    assert order.number == "SO-000001"
    assert order.lines[0].line_total == Decimal(290000)
    assert order.vat_total == Decimal(29000)
    assert order.total == Decimal(290000 + 29000 + 30000)
    second = Order(buyer_name="B")
    session.add(second)
    session.commit()
    assert second.number == "SO-000002"


def test_product_profit_and_margin_are_computed(session):
    p = Product(name="X", sku="X", selling_price=200000, cost_price=150000)
    assert p.profit == Decimal(50000)
    assert p.margin == "25.0 %"


def test_available_is_computed_by_the_database(session):
    wh, variant = _catalogue(session)
    level = StockLevel(variant=variant, warehouse=wh, on_hand=10, reserved=3)
    session.add(level)
    session.commit()
    session.refresh(level)
    assert level.available == 7


def test_reserved_above_on_hand_is_refused_by_the_database(session):
    wh, variant = _catalogue(session)
    session.add(StockLevel(variant=variant, warehouse=wh, on_hand=1, reserved=2))
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_stock_moves_are_append_only_in_the_application_and_the_database(session):
    wh, variant = _catalogue(session)
    move = StockMove(variant=variant, warehouse=wh, quantity=5, kind=MoveKind.OPENING,
                     balance_after=5)
    session.add(move)
    session.commit()
    move.quantity = 6
    with pytest.raises(ImmutableRecord):
        session.flush()
    session.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        session.execute(sa.text("UPDATE stock_move SET quantity = 7"))
        session.flush()
    session.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        session.execute(sa.text("DELETE FROM stock_move"))
    session.rollback()
    assert session.scalar(sa.select(StockMove.quantity)) == 5


def test_duplicate_external_order_is_refused_by_the_database(session):
    from app.models import Channel, Platform
    ch = Channel(platform=Platform.SHOPEE, name="Shopee", shop_id="1")
    session.add(ch)
    session.flush()
    session.add_all([Order(buyer_name="A", channel=ch, external_order_id="X1"),
                     Order(buyer_name="B", channel=ch, external_order_id="X1")])
    with pytest.raises(sa.exc.IntegrityError):
        session.commit()


def test_changes_are_audited_with_old_and_new_values(session):
    from app.services.actor import acting_as
    _catalogue(session)
    order = Order(buyer_name="Trần Thị B")
    session.add(order)
    session.commit()
    with acting_as(7, "clerk"):
        order.buyer_name = "Trần Thị C"
        session.commit()
    rows = session.scalars(sa.select(AuditLog).where(AuditLog.table_name == "sales_order")
                           .order_by(AuditLog.id)).all()
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].changes["buyer_name"] == ["Trần Thị B", "Trần Thị C"]
    assert rows[1].username == "clerk" and rows[1].user_id == 7
