"""SPEC §3: every state × every action, and what each allowed action does to stock and payment."""
import pytest
import sqlalchemy as sa

from app.services.stock_verify import verify_stock
from app.models import (MoveKind, Order, OrderLine, OrderStatus, PaymentStatus, Product,
                        ProductVariant, StockLevel, StockMove, Warehouse)
from app.services import ledger, order_editing, order_entry, orders
from app.services.errors import (DomainError, InvalidTransition, StaleVersion, ValidationError)
from tests.support.seed import ADDRESS

S = OrderStatus


@pytest.fixture
def shop(session):
    wh = Warehouse(code="HN", name="Kho Hà Nội")
    product = Product(name="Áo thun", sku="AT", selling_price=100000, cost_price=60000)
    m = ProductVariant(product=product, sku="AT-M")
    l = ProductVariant(product=product, sku="AT-L")
    session.add_all([wh, product, m, l])
    session.commit()
    ledger.record_opening_stock(session, m.id, wh.id, 10)
    ledger.record_opening_stock(session, l.id, wh.id, 2)
    return session, wh, m, l


def new_order(session, wh, *lines):
    order = Order(**ADDRESS, buyer_name="Nguyễn Văn A", buyer_phone="0912345678", warehouse_id=wh.id)
    for variant, qty in lines:
        order.lines.append(OrderLine(variant_id=variant.id, sku=variant.sku, name="Áo",
                                     quantity=qty, unit_price=100000))
    session.add(order)
    session.commit()
    return order


def stock_of(session, variant, wh):
    session.expire_all()
    lv = session.scalars(sa.select(StockLevel).where(StockLevel.variant_id == variant.id,
                                                     StockLevel.warehouse_id == wh.id)).one()
    return lv.on_hand, lv.reserved


ACTIONS = {
    "confirm": lambda s, o: orders.confirm_order(s, o),
    "recheck": lambda s, o: orders.recheck_order(s, o),
    "pack": lambda s, o: orders.pack_order(s, o),
    "ship": lambda s, o: orders.record_shipment_moves(s, o),
    "deliver": lambda s, o: orders.mark_delivered(s, o),
    "fail_delivery": lambda s, o: orders.mark_delivery_failed(s, o),
    "return_to_sender": lambda s, o: orders.mark_returned(s, o),
    "pay": lambda s, o: orders.mark_paid(s, o),
    "complete": lambda s, o: orders.complete_order(s, o),
    "cancel": lambda s, o: orders.cancel_order(s, o, reason="Khách đổi ý"),
    "edit": lambda s, o: order_editing.edit_order_lines(s, o, []),
}


@pytest.mark.parametrize("state", list(S), ids=[s.value for s in S])
def test_an_action_not_allowed_from_the_state_is_refused_naming_the_state(session, state):
    wh = Warehouse(code="HN", name="Kho")
    session.add(wh)
    order = Order(**ADDRESS, buyer_name="A", warehouse_id=wh.id, status=state,
                  lines=[OrderLine(sku="X", name="X", quantity=1)])
    session.add(order)
    session.commit()
    refused = [a for a in ACTIONS if state not in orders.ACTIONS[a][1]]
    assert refused  # every state refuses something
    for action in refused:
        with pytest.raises(InvalidTransition) as err:
            ACTIONS[action](session, order.id)
        assert state.value.replace("_", " ") in str(err.value), action
        assert err.value.state == state.value
        assert session.get(Order, order.id).status == state


def test_allowed_actions_match_the_spec_table():
    table = {a: {s.value for s in states} for a, (_, states) in orders.ACTIONS.items()}
    assert table["confirm"] == {"new"} and table["pack"] == {"processing"}
    assert table["ship"] == {"packed"} and table["deliver"] == {"shipped"}
    assert table["fail_delivery"] == {"shipped"} and table["return_to_sender"] == {"delivery_failed"}
    assert table["complete"] == {"delivered"} and table["edit"] == {"new", "processing"}
    assert table["cancel"] == {"new", "processing", "packed"}
    assert table["create_return"] == {"delivered", "completed"}


def test_confirm_reserves_each_line_partly_when_short_and_reports_it(shop):
    session, wh, m, l = shop
    order = new_order(session, wh, (m, 3), (l, 5))
    results = orders.confirm_order(session, order.id)
    assert [(r.sku, r.reserved, r.status) for r in results] == \
        [("AT-M", 3, "reserved"), ("AT-L", 2, "short by 3")]
    assert session.get(Order, order.id).status == S.PROCESSING
    assert stock_of(session, l, wh) == (2, 2)
    assert verify_stock(session) == []


def test_confirm_uses_the_only_warehouse_when_none_is_set(shop):
    session, wh, m, _ = shop
    order = new_order(session, wh, (m, 1))
    order.warehouse_id = None
    session.commit()
    orders.confirm_order(session, order.id)
    assert session.get(Order, order.id).warehouse_id == wh.id


def test_pack_needs_every_line_reserved_and_recheck_completes_it(shop):
    session, wh, m, l = shop
    order = new_order(session, wh, (l, 4))
    orders.confirm_order(session, order.id)
    with pytest.raises(DomainError, match="AT-L \\(short by 2\\)"):
        orders.pack_order(session, order.id)
    ledger.record_receipt(session, l.id, wh.id, 5)
    assert orders.recheck_order(session, order.id)[0].status == "reserved"
    assert orders.pack_order(session, order.id).status == S.PACKED
    assert stock_of(session, l, wh) == (7, 4)


def test_full_happy_path_ships_delivers_and_completes_when_paid(shop):
    session, wh, m, _ = shop
    order = new_order(session, wh, (m, 4))
    orders.confirm_order(session, order.id)
    orders.pack_order(session, order.id)
    orders.record_shipment_moves(session, order)
    assert stock_of(session, m, wh) == (6, 0)
    line = session.get(Order, order.id).lines[0]
    assert (line.shipped_quantity, line.reserved_quantity) == (4, 0)
    move = session.scalars(sa.select(StockMove).where(StockMove.kind == MoveKind.SHIPMENT)).one()
    assert (move.quantity, move.reference, move.balance_after) == (-4, order.number, 6)
    orders.mark_delivered(session, order.id)
    with pytest.raises(InvalidTransition, match="unpaid"):
        orders.complete_order(session, order.id)
    done = orders.mark_paid(session, order.id)
    assert (done.status, done.payment_status, done.paid_amount) == \
        (S.COMPLETED, PaymentStatus.PAID, done.total)
    assert verify_stock(session) == []


def test_a_prepaid_order_completes_on_delivery_and_complete_works_when_paid(shop):
    session, wh, m, _ = shop
    order = new_order(session, wh, (m, 1))
    orders.mark_paid(session, order.id)
    with pytest.raises(InvalidTransition, match="paid"):
        orders.mark_paid(session, order.id)
    for step in (orders.confirm_order, orders.pack_order, orders.record_shipment_moves,
                 orders.mark_delivered):
        step(session, order.id)
    assert session.get(Order, order.id).status == S.COMPLETED
    other = new_order(session, wh, (m, 1))
    for step in (orders.confirm_order, orders.pack_order, orders.record_shipment_moves,
                 orders.mark_delivered):
        step(session, other.id)
    session.execute(sa.update(Order).where(Order.id == other.id)
                    .values(payment_status=PaymentStatus.PAID))
    session.commit()
    assert orders.complete_order(session, other.id).status == S.COMPLETED


def test_failed_delivery_then_returned_restocks_good_and_writes_off_damaged(shop):
    session, wh, m, _ = shop
    order = new_order(session, wh, (m, 3))
    for step in (orders.confirm_order, orders.pack_order, orders.record_shipment_moves):
        step(session, order.id)
    orders.mark_delivery_failed(session, order.id, reason="Không liên lạc được")
    line_id = session.get(Order, order.id).lines[0].id
    with pytest.raises(ValidationError):
        orders.mark_returned(session, order.id, damaged={line_id: 4})
    returned = orders.mark_returned(session, order.id, damaged={line_id: 1})
    assert returned.status == S.RETURNED and returned.lines[0].returned_quantity == 3
    assert stock_of(session, m, wh) == (9, 0)
    kinds = session.scalars(sa.select(StockMove.kind).order_by(StockMove.id)).all()[-2:]
    assert kinds == [MoveKind.RETURN, MoveKind.DAMAGE]
    assert verify_stock(session) == []


@pytest.mark.parametrize("upto", ["new", "processing", "packed"])
def test_cancel_releases_reservations_and_keeps_the_reason(shop, upto):
    session, wh, m, _ = shop
    order = new_order(session, wh, (m, 2))
    if upto != "new":
        orders.confirm_order(session, order.id)
    if upto == "packed":
        orders.pack_order(session, order.id)
    with pytest.raises(ValidationError) as err:
        orders.cancel_order(session, order.id, reason="")
    assert err.value.field == "reason"
    done = orders.cancel_order(session, order.id, reason="Khách hủy")
    assert (done.status, done.cancel_reason) == (S.CANCELLED, "Khách hủy")
    assert stock_of(session, m, wh) == (10, 0)
    assert verify_stock(session) == []


def test_a_stale_version_is_refused_before_anything_changes(shop):
    session, wh, m, _ = shop
    order = new_order(session, wh, (m, 1))
    opened = order.version
    order_editing.edit_order(session, order.id, version=opened, notes="first edit")
    with pytest.raises(StaleVersion, match="changed by someone else"):
        orders.confirm_order(session, order.id, version=opened)
    with pytest.raises(StaleVersion):
        order_editing.edit_order_lines(session, order.id, [], version=opened)
    assert session.get(Order, order.id).status == S.NEW


def test_editing_lines_of_a_processing_order_moves_its_reservations(shop):
    session, wh, m, l = shop
    order = new_order(session, wh, (m, 3))
    orders.confirm_order(session, order.id)
    line_id = session.get(Order, order.id).lines[0].id
    order_editing.edit_order_lines(session, order.id, [{"line_id": line_id, "quantity": 1}])
    assert stock_of(session, m, wh) == (10, 1)
    results = order_editing.edit_order_lines(session, order.id,
                                           [{"line_id": line_id, "quantity": 12},
                                            {"variant_id": l.id, "quantity": 1}])
    assert [r.status for r in results] == ["short by 2", "reserved"]
    assert stock_of(session, m, wh) == (10, 10)
    order_editing.edit_order_lines(session, order.id, [{"line_id": line_id, "quantity": 0}])
    assert stock_of(session, m, wh) == (10, 0)
    assert [ln.sku for ln in session.get(Order, order.id).lines] == ["AT-L"]
    with pytest.raises(ValidationError):
        order_editing.edit_order_lines(session, order.id,
                                     [{"line_id": session.get(Order, order.id).lines[0].id,
                                       "quantity": 0}])
    assert verify_stock(session) == []


def test_moving_a_processing_order_to_another_warehouse_moves_the_reservation(shop):
    session, wh, m, _ = shop
    hcm = Warehouse(code="HCM", name="Kho HCM")
    session.add(hcm)
    session.commit()
    ledger.record_opening_stock(session, m.id, hcm.id, 1)
    order = new_order(session, wh, (m, 2))
    orders.confirm_order(session, order.id)
    results = order_editing.edit_order(session, order.id, warehouse_id=hcm.id)
    assert results[0].status == "short by 1"
    assert stock_of(session, m, wh) == (10, 0) and stock_of(session, m, hcm) == (1, 1)
    assert verify_stock(session) == []


def test_bulk_recheck_and_waiting_orders_are_served_oldest_first(shop):
    session, wh, _, l = shop
    first = new_order(session, wh, (l, 2))
    second = new_order(session, wh, (l, 2))
    third = new_order(session, wh, (l, 1))
    for o in (first, second, third):
        orders.confirm_order(session, o.id)
    ledger.record_receipt(session, l.id, wh.id, 2)
    gained = orders.reserve_waiting_orders(session, variant_ids=[l.id])
    assert list(gained) == [second.id]
    ledger.record_receipt(session, l.id, wh.id, 1)
    out = orders.recheck_orders(session, [third.id, first.id, 999999])
    assert out[third.id][0].status == "reserved"
    assert "does not exist" in out[999999]
    assert verify_stock(session) == []


def test_goods_bought_for_an_order_go_to_that_order_before_older_waiting_orders(shop):
    session, wh, _, l = shop
    takes_what_is_there = new_order(session, wh, (l, 2))
    older = new_order(session, wh, (l, 1))
    bought_for = new_order(session, wh, (l, 1))
    for o in (takes_what_is_there, older, bought_for):
        orders.confirm_order(session, o.id)
    ledger.record_receipt(session, l.id, wh.id, 1)
    gained = orders.reserve_waiting_orders(session, variant_ids=[l.id], first=[bought_for.id])
    assert list(gained) == [bought_for.id]
    assert orders.reserve_waiting_orders(session, variant_ids=[l.id]) == {}  # nothing left
    assert verify_stock(session) == []
