"""Random sequences of stock work never let the cache drift from the ledger or go negative.

A hypothesis state machine receives goods, confirms, edits lines and warehouses, reserves for
waiting orders, cancels, packs and ships orders, delivers, takes returns (good and damaged), sends
parcels back, transfers and counts — in any order — and after every step ``verify_stock`` must be
empty and nothing may have a negative available figure. Runs on SQLite (a fresh in-memory database
per example) and on PostgreSQL (the test database emptied per example) when DATABASE_URL is set.
"""
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (Bundle, RuleBasedStateMachine, initialize, invariant, rule,
                                 run_state_machine_as_test)
from app.services.session_rules import session_factory

from app.services.stock_verify import verify_stock
from app.models import Order, OrderLine, Product, ProductVariant, StockLevel, Warehouse
from app.services import ledger, order_editing, orders, returns, stock_counts
from app.services.errors import DomainError
from tests.conftest import BACKENDS, _sqlite_engine, truncate_all
from tests.support.seed import ADDRESS

qty = st.integers(min_value=1, max_value=8)
index = st.integers(min_value=0, max_value=2)


class StockMachine(RuleBasedStateMachine):
    placed = Bundle("orders")
    make_engine = staticmethod(_sqlite_engine)
    shared_engine = False  # PostgreSQL: one engine, emptied per example

    @initialize()
    def shop(self):
        self.engine = self.make_engine()
        self.session = session_factory(bind=self.engine, expire_on_commit=False)()
        self.warehouses = [Warehouse(code=c, name=c) for c in ("HN", "HCM")]
        product = Product(name="Áo", sku="AT")
        self.variants = [ProductVariant(product=product, sku=f"AT-{s}") for s in "SML"]
        self.session.add_all(self.warehouses + self.variants)
        self.session.commit()

    def teardown(self):
        if hasattr(self, "session"):
            self.session.close()
            if not self.shared_engine:
                self.engine.dispose()

    def attempt(self, fn, *args, **kwargs):
        try:
            return fn(self.session, *args, **kwargs)
        except DomainError:
            return None

    @rule(v=index, w=st.integers(0, 1), q=qty)
    def receive(self, v, w, q):
        ledger.record_receipt(self.session, self.variants[v].id, self.warehouses[w].id, q)

    @rule(target=placed, v=index, v2=index, w=st.integers(0, 1), q=qty, q2=qty)
    def confirm(self, v, v2, w, q, q2):
        order = Order(**ADDRESS, buyer_name="A", warehouse_id=self.warehouses[w].id, lines=[
            OrderLine(variant_id=self.variants[i].id, sku="x", name="x", quantity=n)
            for i, n in {v: q, v2: q2}.items()])
        self.session.add(order)
        self.session.commit()
        orders.confirm_order(self.session, order.id)
        return order.id

    @rule(order_id=placed)
    def cancel(self, order_id):
        self.attempt(orders.cancel_order, order_id, reason="test")

    @rule(order_id=placed)
    def recheck(self, order_id):
        self.attempt(orders.recheck_order, order_id)

    @rule(order_id=placed, q=st.integers(min_value=0, max_value=8))
    def edit_line(self, order_id, q):
        """A clerk changes the first line (0 removes it, refused for the last line)."""
        order = self.session.get(Order, order_id)
        self.attempt(order_editing.edit_order_lines, order_id,
                     [{"line_id": order.lines[0].id, "quantity": q}])

    @rule(order_id=placed, w=st.integers(0, 1))
    def move_warehouse(self, order_id, w):
        self.attempt(order_editing.edit_order, order_id, warehouse_id=self.warehouses[w].id)

    @rule()
    def reserve_waiting(self):
        orders.reserve_waiting_orders(self.session)

    @rule(order_id=placed)
    def pack_and_ship(self, order_id):
        if self.attempt(orders.pack_order, order_id) is not None:
            orders.record_shipment_moves(self.session, order_id)

    @rule(order_id=placed)
    def deliver(self, order_id):
        self.attempt(orders.mark_delivered, order_id)

    @rule(order_id=placed, damaged=st.booleans())
    def carrier_sends_back(self, order_id, damaged):
        if self.attempt(orders.mark_delivery_failed, order_id) is not None:
            order = self.session.get(Order, order_id)
            hurt = {order.lines[0].id: 1} if damaged else {}
            orders.mark_returned(self.session, order_id, damaged=hurt)

    @rule(order_id=placed, q=qty, damaged=st.booleans())
    def customer_returns(self, order_id, q, damaged):
        order = self.session.get(Order, order_id)
        line = order.lines[0]
        request = self.attempt(returns.create_return, order_id,
                               [(line.id, min(q, line.shipped_quantity - line.returned_quantity),
                                 "damaged" if damaged else "good")], reason="đổi ý")
        if request is not None:
            returns.receive_return(self.session, request.id)

    @rule(v=index, q=qty, w=st.integers(0, 1))
    def transfer(self, v, q, w):
        self.attempt(ledger.transfer_stock, self.variants[v].id, self.warehouses[w].id,
                     self.warehouses[1 - w].id, q)

    @rule(v=index, q=qty)
    def damage(self, v, q):
        self.attempt(ledger.record_damage, self.variants[v].id, self.warehouses[0].id, q,
                     reason="vỡ")

    @rule(w=st.integers(0, 1), extra=st.integers(-3, 5))
    def count(self, w, extra):
        count = stock_counts.create_stock_count(self.session, self.warehouses[w].id)
        counted = {}
        for line in count.lines:
            on_hand, reserved = ledger.read_level(self.session, line.variant_id,
                                                  self.warehouses[w].id)
            counted[line.variant_id] = max(0, on_hand + extra)
        stock_counts.enter_counts(self.session, count.id, counted)
        stock_counts.finish_count(self.session, count.id)
        self.attempt(stock_counts.post_stock_count, count.id)

    @invariant()
    def ledger_and_cache_agree(self):
        if not hasattr(self, "session"):
            return
        assert verify_stock(self.session) == []
        assert self.session.scalar(sa.select(sa.func.count()).select_from(StockLevel)
                                   .where(StockLevel.available < 0)) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_random_stock_work_keeps_the_ledger_right(backend, request):
    if backend == "postgresql":
        engine = request.getfixturevalue("pg_engine")

        def emptied():
            truncate_all(engine)
            return engine
        machine = type("PgStockMachine", (StockMachine,),
                       {"make_engine": staticmethod(emptied), "shared_engine": True})
        examples = 15  # each example empties the real database: fewer, slower, still random
    else:
        machine, examples = StockMachine, 40
    run_state_machine_as_test(machine, settings=settings(
        max_examples=examples, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
