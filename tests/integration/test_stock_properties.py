"""Random sequences of stock work never let the cache drift from the ledger or go negative.

A hypothesis state machine receives goods, confirms, cancels, packs and ships orders, delivers,
takes returns (good and damaged), sends parcels back, transfers and counts — in any order — and
after every step ``verify_stock`` must be empty and nothing may have a negative available figure.
Runs on SQLite (fast, one in-memory database per example).
"""
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy.orm import sessionmaker

from app.services.stock_verify import verify_stock
from app.models import Order, OrderLine, Product, ProductVariant, StockLevel, Warehouse
from app.services import ledger, orders, returns, stock_counts
from app.services.errors import DomainError
from tests.conftest import _sqlite_engine

qty = st.integers(min_value=1, max_value=8)
index = st.integers(min_value=0, max_value=2)


class StockMachine(RuleBasedStateMachine):
    placed = Bundle("orders")

    @initialize()
    def shop(self):
        self.engine = _sqlite_engine()
        self.session = sessionmaker(bind=self.engine, expire_on_commit=False)()
        self.warehouses = [Warehouse(code=c, name=c) for c in ("HN", "HCM")]
        product = Product(name="Áo", sku="AT")
        self.variants = [ProductVariant(product=product, sku=f"AT-{s}") for s in "SML"]
        self.session.add_all(self.warehouses + self.variants)
        self.session.commit()

    def teardown(self):
        if hasattr(self, "session"):
            self.session.close()
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
        order = Order(buyer_name="A", warehouse_id=self.warehouses[w].id, lines=[
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


StockMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None,
                                          suppress_health_check=[HealthCheck.too_slow])
TestStockProperties = StockMachine.TestCase
