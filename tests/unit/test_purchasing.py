"""Purchasing: POs drafted from shortages or low stock, approved, received (partly), then waiting
orders get their stock."""
import pytest
import sqlalchemy as sa

from app.services.stock_verify import verify_stock
from app.models import (Order, OrderLine, OrderStatus, Product, ProductVariant, PurchaseOrder,
                        PurchaseOrderStatus, StockLevel, Supplier, Warehouse)
from app.services import ledger, orders, purchasing
from app.services.errors import InvalidTransition, ValidationError
from tests.support.seed import ADDRESS

P = PurchaseOrderStatus


@pytest.fixture
def shop(session):
    wh = Warehouse(code="HN", name="Kho")
    a, b = Supplier(name="Xưởng May A"), Supplier(name="Công ty B")
    product = Product(name="Áo", sku="AT", cost_price=60000)
    m = ProductVariant(product=product, sku="AT-M", preferred_supplier=a, reorder_point=5)
    l = ProductVariant(product=product, sku="AT-L", preferred_supplier=b, reorder_point=4)
    s = ProductVariant(product=product, sku="AT-S")
    session.add_all([wh, a, b, product, m, l, s])
    session.commit()
    return session, wh, (a, b), (m, l, s)


def short_order(session, wh, *lines):
    order = Order(**ADDRESS, buyer_name="A", warehouse_id=wh.id, lines=[
        OrderLine(variant_id=v.id, sku=v.sku, name=v.sku, quantity=q) for v, q in lines])
    session.add(order)
    session.commit()
    orders.confirm_order(session, order.id)
    return order


def test_shortages_of_an_order_become_one_draft_po_per_supplier(shop):
    session, wh, (a, b), (m, l, s) = shop
    order = short_order(session, wh, (m, 3), (l, 2))
    pos = purchasing.draft_purchase_orders_for_order(session, order.id)
    assert sorted((po.supplier_id, [(ln.variant_id, ln.quantity) for ln in po.lines]) for po in pos) \
        == sorted([(a.id, [(m.id, 3)]), (b.id, [(l.id, 2)])])
    assert all(po.status == P.DRAFT and po.source_order_id == order.id for po in pos)
    assert pos[0].total == 60000 * pos[0].lines[0].quantity


def test_a_variant_without_supplier_needs_one_chosen_which_is_remembered(shop):
    session, wh, (a, _), (_, _, s) = shop
    order = short_order(session, wh, (s, 2))
    with pytest.raises(ValidationError) as err:
        purchasing.draft_purchase_orders_for_order(session, order.id)
    assert err.value.field == "supplier_id" and "AT-S" in err.value.message
    purchasing.draft_purchase_orders_for_order(session, order.id, supplier_id=a.id)
    assert session.get(ProductVariant, s.id).preferred_supplier_id == a.id


def test_low_stock_list_counts_what_is_already_on_order(shop):
    session, wh, (a, b), (m, l, _) = shop
    ledger.record_opening_stock(session, m.id, wh.id, 2)
    ledger.record_opening_stock(session, l.id, wh.id, 9)
    [po] = purchasing.draft_purchase_orders_for_low_stock(session, wh.id)
    assert [(ln.variant_id, ln.quantity) for ln in po.lines] == [(m.id, 8)]  # 2×5 − 2
    with pytest.raises(ValidationError):
        purchasing.draft_purchase_orders_for_low_stock(session, wh.id)  # already on order


def test_approve_receive_partly_then_fully_and_refuse_too_much(shop):
    session, wh, _, (m, _, _) = shop
    order = short_order(session, wh, (m, 5))
    [po] = purchasing.draft_purchase_orders_for_order(session, order.id)
    line_id = po.lines[0].id
    with pytest.raises(InvalidTransition, match="draft"):
        purchasing.receive_goods(session, po.id, {line_id: 1})
    purchasing.approve_purchase_order(session, po.id)
    with pytest.raises(InvalidTransition, match="confirmed"):
        purchasing.approve_purchase_order(session, po.id)
    receipt = purchasing.receive_goods(session, po.id, {line_id: 2})
    assert receipt.status == "posted" and receipt.number.startswith("GR-")
    assert session.get(PurchaseOrder, po.id).status == P.PARTIALLY_RECEIVED
    with pytest.raises(ValidationError) as err:
        purchasing.receive_goods(session, po.id, {line_id: 4})
    assert "only 3 of 5 still expected" in err.value.message
    purchasing.receive_goods(session, po.id, {line_id: 3})
    assert session.get(PurchaseOrder, po.id).status == P.RECEIVED
    assert session.scalar(sa.select(StockLevel.on_hand)) == 5
    with pytest.raises(InvalidTransition, match="received"):
        purchasing.cancel_purchase_order(session, po.id)
    gained = orders.reserve_waiting_orders(session, variant_ids=[m.id])
    assert gained[order.id][0].status == "reserved"
    assert orders.pack_order(session, order.id).status == OrderStatus.PACKED
    assert verify_stock(session) == []


def test_cancel_a_draft_or_confirmed_po(shop):
    session, wh, _, (m, _, _) = shop
    order = short_order(session, wh, (m, 1))
    [po] = purchasing.draft_purchase_orders_for_order(session, order.id)
    assert purchasing.cancel_purchase_order(session, po.id).status == P.CANCELLED
    with pytest.raises(InvalidTransition, match="cancelled"):
        purchasing.approve_purchase_order(session, po.id)
