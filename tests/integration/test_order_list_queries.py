"""The order list costs the same small number of SQL statements at 25 and at 100 rows a page."""
import sqlalchemy as sa

from app.extensions import db
from app.models import Channel, Customer, Order, Platform, Warehouse
from tests.conftest import login


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

    def before(conn, cursor, statement, *args):
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
