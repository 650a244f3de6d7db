"""The landing page and the order page cost a fixed, small number of SQL statements: more orders,
more lines or more parcels must not mean more queries (issue #19: at a million orders a query per
row or per tile is what makes a page slow)."""
import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Order, OrderLine, ProductVariant
from tests.conftest import DEMO_PASSWORD, login
from tests.integration.test_order_list_queries import _count_statements

DASHBOARD_MOST = 10
ORDER_PAGE_MOST = 13


def _demo(app):
    with app.app_context():
        from app.demo import load_demo
        load_demo(app, password=DEMO_PASSWORD)


def _more_orders(app, n):
    """``n`` more orders of 3 lines each, written as a shop's import would."""
    with app.app_context():
        variant = db.session.scalars(sa.select(ProductVariant).limit(1)).one()
        first = db.session.scalars(sa.select(Order).order_by(Order.id)).first()
        for i in range(n):
            order = Order(number=f"MORE{i}", buyer_name=f"Khách {i}", channel_id=first.channel_id,
                          warehouse_id=first.warehouse_id, total=100000)
            order.lines = [OrderLine(variant_id=variant.id, sku=variant.sku, name="Áo", quantity=1,
                                     unit_price=100000, line_total=100000) for _ in range(3)]
            db.session.add(order)
        db.session.commit()


def test_the_dashboard_costs_the_same_statements_with_more_orders(web_app):
    _demo(web_app)
    client = web_app.test_client()
    login(client, "clerk")   # a clerk: the warehouse scope applies
    client.get("/")
    before, _ = _count_statements(web_app, client, "/")
    _more_orders(web_app, 60)
    client.get("/")          # folds the tallies if they grew long (one commit), then measure
    after, page = _count_statements(web_app, client, "/")
    assert len(after) == len(before), (before, after)
    assert len(after) <= DASHBOARD_MOST, "\n---\n".join(s[:200] for s in after)
    # No statement groups the orders themselves (by channel, state or day): those figures come
    # from the tallies; the tiles read index ranges of the few orders they count.
    grouped = [s for s in after if re.search(r"FROM sales_order\b.*GROUP BY", s, re.S)]
    assert not grouped, grouped


def test_the_order_page_costs_the_same_statements_with_more_lines(web_app):
    _demo(web_app)
    client = web_app.test_client()
    login(client, "supervisor")
    with web_app.app_context():
        small = db.session.scalar(sa.select(Order.id).join(OrderLine).group_by(Order.id)
                                  .having(sa.func.count(OrderLine.id) == 1).limit(1))
        variants = db.session.scalars(sa.select(ProductVariant).limit(8)).all()
        big = Order(number="BIG1", buyer_name="Khách lớn", total=0)
        big.lines = [OrderLine(variant_id=v.id, sku=v.sku, name=v.sku, quantity=1, unit_price=1000,
                               line_total=1000) for v in variants]
        db.session.add(big)
        db.session.commit()
        big_id = big.id
    assert small and len(variants) == 8
    client.get(f"/orderview/show/{small}")
    client.get(f"/orderview/show/{big_id}")
    one_line, _ = _count_statements(web_app, client, f"/orderview/show/{small}")
    eight_lines, _ = _count_statements(web_app, client, f"/orderview/show/{big_id}")
    assert len(eight_lines) <= len(one_line) + 1, (one_line, eight_lines)
    assert len(eight_lines) <= ORDER_PAGE_MOST, "\n---\n".join(s[:200] for s in eight_lines)
