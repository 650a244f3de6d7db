"""The order list costs the same small number of SQL statements at 25 and at 100 rows a page."""
import threading

import sqlalchemy as sa

from app.extensions import db
from app.models import Channel, Customer, Order, Platform, Warehouse
import pytest

from tests.conftest import DEMO_PASSWORD, login, make_app


@pytest.fixture(scope="module")
def demo_shop(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("lists"))
    with app.app_context():
        from app.demo import load_demo
        load_demo(app, password=DEMO_PASSWORD)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _seed(app, n=150):
    with app.app_context():
        wh = Warehouse(code="HCM", name="Kho HCM")
        channels = [Channel(platform=Platform.SHOPEE, name="Shopee", shop_id="1"),
                    Channel(platform=Platform.LAZADA, name="Lazada", shop_id="2")]
        customers = [Customer(name=f"Khách {i}", phone=f"09{i:08d}") for i in range(40)]
        db.session.add_all([wh, *channels, *customers])
        db.session.flush()
        for i in range(n):
            db.session.add(Order(buyer_name=f"Người mua {i}", channel=channels[i % 2],
                                 customer=customers[i % 40], warehouse=wh,
                                 external_order_id=str(i)))
        db.session.commit()


def _count_statements(app, client, url):
    statements = []
    with app.app_context():
        engine = db.engine

    me = threading.get_ident()

    def before(conn, cursor, statement, *args):
        # The page's own statements: the demo's background workers (jobs, the sandbox shops'
        # life, the stock push) share the engine but run on threads of their own.
        if threading.get_ident() == me:
            statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        resp = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    assert resp.status_code == 200
    return statements, resp


def test_order_list_statement_count_is_constant(web_app):
    _seed(web_app)
    client = web_app.test_client()
    login(client, "clerk")
    client.get("/orderview/list/")  # warm-up: first-request work is not what we measure
    at_25, resp25 = _count_statements(web_app, client, "/orderview/list/?psize_OrderView=25")
    at_100, resp100 = _count_statements(web_app, client, "/orderview/list/?psize_OrderView=100")
    assert resp100.data.count(b"Ng\xc6\xb0\xe1\xbb\x9di mua") >= 100
    assert len(at_25) == len(at_100), (at_25, at_100)
    print("\n---\n".join(s[:150] for s in at_100))
    assert len(at_100) <= 6, at_100


def test_every_list_page_costs_the_same_statements_at_25_and_100_rows(demo_shop):
    """No list issues a query per row: each OrderHub list page, on the demo shop, costs the same
    number of statements at 25 rows a page as at 100 (and a handful at that), and none offers a
    whole big table as a drop-down."""
    from app.views.base import OrderHubModelView
    client = demo_shop.test_client()
    login(client, "admin")
    costs, problems = {}, []
    for view in demo_shop.appbuilder.baseviews:
        if not isinstance(view, OrderHubModelView) or "list" in (view.exclude_route_methods or ()):
            continue
        name, base = type(view).__name__, view.route_base
        client.get(f"{base}/list/")
        small, _ = _count_statements(demo_shop, client, f"{base}/list/?psize_{name}=25")
        large, page = _count_statements(demo_shop, client, f"{base}/list/?psize_{name}=100")
        costs[name] = (len(small), len(large))
        if len(small) != len(large) or len(large) > 8:
            problems.append(f"{name}: {len(small)} statements at 25 rows, {len(large)} at 100")
        # A search filter on a big relation (orders, variants…) would list the whole table.
        options = page.get_data(as_text=True).count("<option")
        if options > 120:
            problems.append(f"{name}: {options} choices in its search filters")
    print(costs)
    assert len(costs) > 30
    assert not problems, "\n".join(problems)
