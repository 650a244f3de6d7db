"""SPEC §4: two clerks or imports racing for the last units cannot both get them (PostgreSQL).

16 threads confirm orders for the same SKU at once, many rounds. Never more is reserved than is on
hand, and nothing that could be reserved is left free: total reserved == min(on hand, demand).
"""
import threading

import sqlalchemy as sa

from app.services.stock_verify import verify_stock
from app.models import Order, OrderLine, Product, ProductVariant, StockLevel, Warehouse
from app.services import ledger, orders
from tests.support.seed import ADDRESS

THREADS = 16
ROUNDS = 30


def _setup_round(factory, round_no: int, on_hand: int, wanted: list[int]):
    with factory() as session:
        wh = Warehouse(code=f"W{round_no}", name=f"Kho {round_no}")
        variant = ProductVariant(product=Product(name="Hot", sku=f"HOT{round_no}"),
                                 sku=f"HOT{round_no}-1")
        session.add_all([wh, variant])
        session.commit()
        ledger.record_opening_stock(session, variant.id, wh.id, on_hand)
        ids = []
        for qty in wanted:
            order = Order(**ADDRESS, buyer_name="Khách", warehouse_id=wh.id,
                          lines=[OrderLine(variant_id=variant.id, sku=variant.sku, name="Hot",
                                           quantity=qty, unit_price=1000)])
            session.add(order)
            session.flush()
            ids.append(order.id)
        session.commit()
        return variant.id, wh.id, ids


def _race(factory, order_ids):
    barrier = threading.Barrier(len(order_ids))
    errors = []

    def confirm(order_id):
        with factory() as session:
            try:
                barrier.wait()
                orders.confirm_order(session, order_id)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=confirm, args=(oid,)) for oid in order_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_racing_confirmations_never_oversell_and_leave_nothing_unreserved(pg_session_factory):
    factory = pg_session_factory
    for round_no in range(ROUNDS):
        on_hand = 5 + round_no % 7                      # a few last units
        wanted = [1 + (i + round_no) % 3 for i in range(THREADS)]  # demand well above stock
        variant_id, wh_id, ids = _setup_round(factory, round_no, on_hand, wanted)
        assert _race(factory, ids) == []
        with factory() as session:
            level = session.scalars(sa.select(StockLevel).where(
                StockLevel.variant_id == variant_id, StockLevel.warehouse_id == wh_id)).one()
            held = session.scalar(sa.select(sa.func.sum(OrderLine.reserved_quantity))
                                  .where(OrderLine.order_id.in_(ids)))
            assert level.reserved <= level.on_hand == on_hand
            assert level.reserved == held == min(on_hand, sum(wanted)), f"round {round_no}"
            statuses = set(session.scalars(sa.select(Order.status).where(Order.id.in_(ids))))
            assert statuses == {"processing"}
    with factory() as session:
        assert verify_stock(session) == []


def test_two_clerks_confirming_the_same_order_reserve_it_once(pg_session_factory):
    factory = pg_session_factory
    variant_id, wh_id, ids = _setup_round(factory, 99, 10, [3])
    errors = _race(factory, ids * 2)
    assert len(errors) == 1 and "processing" in str(errors[0])
    with factory() as session:
        assert session.scalar(sa.select(StockLevel.reserved)
                              .where(StockLevel.variant_id == variant_id)) == 3
        assert verify_stock(session) == []


def _race_calls(factory, calls):
    """Run each ``fn(session)`` in its own thread and session, all released at once."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(fn):
        with factory() as session:
            try:
                barrier.wait()
                fn(session)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(fn,)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def _held(factory, variant_id, wh_id, ids):
    with factory() as session:
        level = session.scalars(sa.select(StockLevel).where(
            StockLevel.variant_id == variant_id, StockLevel.warehouse_id == wh_id)).one()
        held = session.scalar(sa.select(sa.func.sum(OrderLine.reserved_quantity))
                              .where(OrderLine.order_id.in_(ids)))
        return level.on_hand, level.reserved, held


def test_racing_partial_reservations_of_waiting_orders_and_edits_never_oversell(
        pg_session_factory):
    """The ORM path (reserve(partial=True)) that re-checks, line edits and waiting orders use:
    confirmed while nothing was in stock, then goods arrive and 16 clerks re-check or raise a line
    at once. Never more reserved than on hand; every unit that could be reserved was."""
    from app.services import order_editing, reservations
    factory = pg_session_factory
    for round_no in range(ROUNDS):
        wanted = [1 + (i + round_no) % 3 for i in range(THREADS)]
        variant_id, wh_id, ids = _setup_round(factory, round_no, 1, wanted)
        with factory() as session:  # take the one opening unit away: every order waits
            ledger.record_damage(session, variant_id, wh_id, 1, reason="race set-up")
            for oid in ids:
                orders.confirm_order(session, oid)
            on_hand = 4 + round_no % 9
            ledger.record_receipt(session, variant_id, wh_id, on_hand)
        line_of = {}
        with factory() as session:
            for oid in ids:
                line_of[oid] = session.scalar(sa.select(OrderLine.id)
                                              .where(OrderLine.order_id == oid))
        calls = []
        for i, oid in enumerate(ids):
            if i % 2:
                calls.append(lambda s, oid=oid: orders.recheck_order(s, oid))
            else:  # raise the line by one: reserve_line → reserve(partial=True)
                calls.append(lambda s, oid=oid, q=wanted[i] + 1: order_editing.edit_order_lines(
                    s, oid, [{"line_id": line_of[oid], "quantity": q}]))
        assert _race_calls(factory, calls) == []
        demand = sum(q + (1 if i % 2 == 0 else 0) for i, q in enumerate(wanted))
        stock, reserved, held = _held(factory, variant_id, wh_id, ids)
        assert reserved <= stock == on_hand
        assert reserved == held == min(on_hand, demand), f"round {round_no}"

        # The bare building block, racing itself on a fresh SKU.
        variant_id, wh_id, ids = _setup_round(factory, 100 + round_no, 3 + round_no % 5, [1])
        got = []
        errors = _race_calls(factory, [
            lambda s: (got.append(reservations.reserve(s, variant_id, wh_id, 2, partial=True)),
                       s.commit())
            for _ in range(THREADS)])
        assert errors == [] and sum(got) == 3 + round_no % 5
        assert _held(factory, variant_id, wh_id, [])[1] == sum(got)
        with factory() as session:  # no order holds these: give them back for the final verify
            reservations.release(session, variant_id, wh_id, sum(got))
            session.commit()
    with factory() as session:
        assert verify_stock(session) == []
