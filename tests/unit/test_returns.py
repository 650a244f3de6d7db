"""Returns and exchanges on delivered/completed orders: restock, write-off, refund, new order."""
import pytest
import sqlalchemy as sa

from app.services.stock_verify import verify_stock
from app.models import (MoveKind, Order, OrderLine, OrderStatus, PaymentStatus, Product,
                        ProductVariant, RefundStatus, ReturnStatus, StockLevel, StockMove,
                        Warehouse)
from app.services import ledger, orders, returns
from app.services.errors import InvalidTransition, ValidationError
from tests.support.seed import ADDRESS


@pytest.fixture
def delivered(session):
    wh = Warehouse(code="HN", name="Kho")
    product = Product(name="Áo", sku="AT")
    m, l = ProductVariant(product=product, sku="AT-M"), ProductVariant(product=product, sku="AT-L")
    session.add_all([wh, product, m, l])
    session.commit()
    ledger.record_opening_stock(session, m.id, wh.id, 10)
    ledger.record_opening_stock(session, l.id, wh.id, 10)
    order = Order(**ADDRESS, buyer_name="Chị Lan", warehouse_id=wh.id, lines=[
        OrderLine(variant_id=m.id, sku="AT-M", name="Áo M", quantity=3, unit_price=100000,
                  vat_rate="10")])
    session.add(order)
    session.commit()
    for step in (orders.confirm_order, orders.pack_order, orders.record_shipment_moves,
                 orders.mark_delivered, orders.mark_paid):
        step(session, order.id)
    return session, wh, order, (m, l)


def on_hand(session, variant):
    return session.scalar(sa.select(StockLevel.on_hand).where(StockLevel.variant_id == variant.id))


def test_only_delivered_or_completed_orders_take_returns(session):
    wh = Warehouse(code="HN", name="Kho")
    order = Order(**ADDRESS, buyer_name="A", warehouse=wh, status=OrderStatus.SHIPPED,
                  lines=[OrderLine(sku="X", name="X", quantity=1)])
    session.add(order)
    session.commit()
    with pytest.raises(InvalidTransition, match="shipped"):
        returns.create_return(session, order.id, [(order.lines[0].id, 1, "good")], reason="x")


def test_return_restocks_good_writes_off_damaged_and_refunds(delivered):
    session, wh, order, (m, _) = delivered
    line_id = order.lines[0].id
    with pytest.raises(ValidationError) as err:
        returns.create_return(session, order.id, [(line_id, 4, "good")], reason="Không vừa")
    assert err.value.field == "lines[0].quantity" and "between 1 and 3" in err.value.message
    good = returns.create_return(session, order.id, [(line_id, 1, "good")], reason="Không vừa")
    assert good.refund_amount == 110000  # 100 000 + 10 % VAT
    with pytest.raises(ValidationError, match="between 1 and 2"):
        returns.create_return(session, order.id, [(line_id, 3, "good")], reason="x")
    broken = returns.create_return(session, order.id, [(line_id, 1, "damaged")], reason="Rách")
    returns.receive_return(session, good.id)
    returns.receive_return(session, broken.id)
    assert on_hand(session, m) == 8  # 7 after shipping, +1 good, damaged back then written off
    kinds = session.scalars(sa.select(StockMove.kind).order_by(StockMove.id)).all()[-3:]
    assert kinds == [MoveKind.RETURN, MoveKind.RETURN, MoveKind.DAMAGE]
    assert session.get(Order, order.id).lines[0].returned_quantity == 2
    with pytest.raises(InvalidTransition, match="received"):
        returns.receive_return(session, good.id)
    done = returns.refund_return(session, good.id)
    assert (done.status, done.refund_status) == (ReturnStatus.CLOSED, RefundStatus.REFUNDED)
    assert session.get(Order, order.id).payment_status == PaymentStatus.PARTIALLY_REFUNDED
    returns.refund_return(session, broken.id, amount=220000)
    refreshed = session.get(Order, order.id)
    assert (refreshed.payment_status, refreshed.refunded_amount) == (PaymentStatus.REFUNDED, 330000)
    assert refreshed.status == OrderStatus.COMPLETED  # the order keeps its state
    assert verify_stock(session) == []


def test_refund_cannot_exceed_what_was_paid(delivered):
    session, _, order, _ = delivered
    with pytest.raises(ValidationError) as err:  # more than the order's 330 000 total
        returns.create_return(session, order.id, [(order.lines[0].id, 1, "good")],
                              reason="x", refund_amount=5_000_000)
    assert err.value.field == "refund_amount" and "330000" in err.value.message
    request = returns.create_return(session, order.id, [(order.lines[0].id, 1, "good")],
                                    reason="x", refund_amount=300000)
    with pytest.raises(InvalidTransition, match="awaiting goods"):
        returns.refund_return(session, request.id)
    returns.receive_return(session, request.id)
    with pytest.raises(ValidationError) as err:
        returns.refund_return(session, request.id, amount=330001)
    assert err.value.field == "amount" and "330000" in err.value.message
    for bad in ("abc", -5, 1.5):
        with pytest.raises(ValidationError) as err:
            returns.refund_return(session, request.id, amount=bad)
        assert err.value.field == "amount"


def test_an_unpaid_cod_order_has_nothing_to_refund(delivered):
    session, wh, _, (m, _) = delivered
    cod = Order(**ADDRESS, buyer_name="Anh Tú", warehouse_id=wh.id, payment_method="cod", lines=[
        OrderLine(variant_id=m.id, sku="AT-M", name="Áo M", quantity=1, unit_price=100000,
                  vat_rate="10")])
    session.add(cod)
    session.commit()
    for step in (orders.confirm_order, orders.pack_order, orders.record_shipment_moves,
                 orders.mark_delivered):
        step(session, cod.id)
    request = returns.create_return(session, cod.id, [(cod.lines[0].id, 1, "good")], reason="x")
    returns.receive_return(session, request.id)
    with pytest.raises(ValidationError) as err:
        returns.refund_return(session, request.id)
    assert err.value.field == "amount" and "paid nothing" in err.value.message
    order = session.get(Order, cod.id)
    assert (order.payment_status, order.refunded_amount) == (PaymentStatus.UNPAID, 0)


def test_exchange_creates_a_linked_order_for_the_replacement(delivered):
    session, _, order, (m, l) = delivered
    request = returns.create_return(session, order.id, [(order.lines[0].id, 1, "good")],
                                    reason="Đổi size", kind="exchange",
                                    exchange_lines=[(l.id, 1)])
    new = request.exchange_order
    assert new.exchange_of_id == order.id and new.status == OrderStatus.NEW
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in new.lines] == [("AT-L", 1, 0)]
    assert new.payment_status == PaymentStatus.PAID and request.refund_amount == 0
    received = returns.receive_return(session, request.id)
    assert received.status == ReturnStatus.CLOSED
    orders.confirm_order(session, new.id)
    assert verify_stock(session) == []


def test_a_requested_return_can_be_cancelled(delivered):
    session, _, order, _ = delivered
    request = returns.create_return(session, order.id, [(order.lines[0].id, 1, "good")],
                                    reason="x")
    assert returns.cancel_return(session, request.id).status == ReturnStatus.CANCELLED
    with pytest.raises(InvalidTransition, match="cancelled"):
        returns.receive_return(session, request.id)
