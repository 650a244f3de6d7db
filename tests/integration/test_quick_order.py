"""A clerk takes a phone order in the quick-entry form."""
import sqlalchemy as sa

from app.extensions import db
from app.models import Customer, Order, OrderStatus
from tests.conftest import login
from tests.support import seed


def _shop(app):
    with app.app_context():
        wh, variants = seed.shop(db.session, {"AO-M": 4, "AO-L": 0})
        risky = Customer(name="Trần Văn Rủi Ro", phone="0987654321")
        db.session.add(risky)
        db.session.flush()
        for status in (OrderStatus.RETURNED, OrderStatus.DELIVERY_FAILED, OrderStatus.COMPLETED):
            db.session.add(Order(buyer_name=risky.name, customer=risky, status=status))
        db.session.commit()
        return wh.id, variants["AO-M"].id, risky.id


def test_quick_entry_shows_stock_and_risk_and_takes_the_order(web_app):
    wh_id, variant_id, risky_id = _shop(web_app)
    client = web_app.test_client()
    login(client, "clerk")
    page = client.get("/quick-order/")
    assert page.status_code == 200 and "Take order" in page.get_data(as_text=True)
    variants = client.get(f"/quick-order/variants?q=AO-M&warehouse_id={wh_id}").json
    assert variants[0]["sku"] == "AO-M" and variants[0]["available"] == 4
    customers = client.get("/quick-order/customers?q=0987").json
    assert customers[0]["id"] == risky_id and customers[0]["risky"] is True
    assert customers[0]["orders"] == 3 and customers[0]["failed"] == 2
    resp = client.post("/quick-order/", data={
        "customer_id": "", "name": "Đỗ Thu Hà", "phone": "0903 123 456", "street": "9 Hàng Bạc",
        "ward": "Phường Hoàn Kiếm", "province": "Thành phố Hà Nội",
        "warehouse_id": wh_id, "line_variant": [variant_id], "line_qty": ["2"],
        "line_price": ["150000"], "payment_method": "cod", "shipping_fee": "30.000"})
    assert resp.status_code == 302 and "/orderview/show/" in resp.headers["Location"]
    with web_app.app_context():
        order = db.session.scalars(sa.select(Order).where(Order.buyer_name == "Đỗ Thu Hà")).one()
        assert (order.buyer_phone, order.status, int(order.total)) == \
            ("0903123456", OrderStatus.NEW, 2 * 150000 + 30000 + 30000)


def test_quick_entry_errors_name_the_field_and_keep_the_input(web_app):
    wh_id, variant_id, _ = _shop(web_app)
    client = web_app.test_client()
    login(client, "clerk")
    resp = client.post("/quick-order/", data={"name": "Khách", "phone": "123", "street": "1 A",
                                              "ward": "W", "district": "D", "province": "P",
                                              "warehouse_id": wh_id, "line_variant": [variant_id],
                                              "line_qty": ["1"], "line_price": [""]})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "customer.phone" in text and 'value="Khách"' in text
    with web_app.app_context():
        assert db.session.query(Order).filter(Order.buyer_name == "Khách").count() == 0


def test_quick_entry_is_closed_to_anonymous_visitors(web_app):
    assert web_app.test_client().get("/quick-order/").status_code == 302


def test_risk_is_checked_on_the_server_for_a_known_phone_and_returns_count(web_app):
    from app.models import Channel, Platform, ReturnRequest, Warehouse, WarehouseKind
    wh_id, variant_id, risky_id = _shop(web_app)
    with web_app.app_context():
        careful = Customer(name="Lý Thị Cẩn Thận", phone="0977111222")
        db.session.add(careful)
        db.session.flush()
        done = [Order(buyer_name=careful.name, customer=careful, status=OrderStatus.COMPLETED)
                for _ in range(4)]
        db.session.add_all(done)
        db.session.flush()
        db.session.add(ReturnRequest(order_id=done[0].id, reason="Không vừa"))  # 1 of 4 returned
        db.session.add(Warehouse(code="DN", name="Chi nhánh Đà Nẵng", kind=WarehouseKind.BRANCH))
        phone_channel = Channel(platform=Platform.MANUAL, name="Điện thoại", shop_id="phone")
        db.session.add(phone_channel)
        db.session.commit()
        channel_id = phone_channel.id
    client = web_app.test_client()
    login(client, "clerk")
    page = client.get("/quick-order/").get_data(as_text=True)
    assert f'<option value="{wh_id}" selected>' in page  # the main warehouse, not DN
    assert "Điện thoại" in page
    record = client.get("/quick-order/customer?phone=0977 111 222").json
    assert record["returned"] == 1 and record["risky"] is True and "25%" in record["warning"]
    assert client.get("/quick-order/customer?phone=0900000000").json is None

    form = {"customer_id": "", "name": "Rủi Ro", "phone": "0987 654 321", "street": "1 A",
            "ward": "Phường Sài Gòn", "province": "Hồ Chí Minh", "warehouse_id": wh_id,
            "channel_id": channel_id, "line_variant": [variant_id], "line_qty": ["2"],
            "line_price": [""], "payment_method": "cod", "shipping_fee": "0"}
    resp = client.post("/quick-order/", data=form)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "high rate of failed deliveries" in page
    assert "AO-M" in page and 'name="line_qty" value="2"' in page  # the typed line is kept
    assert 'name="risk_acknowledged"' in page
    with web_app.app_context():
        assert db.session.query(Order).filter(Order.customer_id == risky_id,
                                              Order.status == OrderStatus.NEW).count() == 0
    resp = client.post("/quick-order/", data={**form, "risk_acknowledged": "1"})
    assert resp.status_code == 302
    with web_app.app_context():
        order = db.session.scalars(sa.select(Order).where(Order.customer_id == risky_id,
                                                          Order.status == OrderStatus.NEW)).one()
        assert (order.channel_id, order.warehouse_id) == (channel_id, wh_id)


def test_typed_lines_survive_an_error(web_app):
    wh_id, variant_id, _ = _shop(web_app)
    client = web_app.test_client()
    login(client, "clerk")
    resp = client.post("/quick-order/", data={
        "name": "Khách", "phone": "0903123456", "street": "", "warehouse_id": wh_id,
        "line_variant": [variant_id], "line_qty": ["3"], "line_price": ["120.000"]})
    page = resp.get_data(as_text=True)
    assert "shipping_address.street" in page
    assert 'name="line_qty" value="3"' in page and 'value="120.000"' in page


def _take(client, wh_id, variant_id, qty, price="", **extra):
    return client.post("/quick-order/", data={
        "name": "Lê Văn Số", "phone": "0912 000 111", "street": "1 Hàng Bông",
        "ward": "Phường Hoàn Kiếm", "province": "Thành phố Hà Nội",
        "warehouse_id": wh_id, "line_variant": [variant_id], "line_qty": [qty],
        "line_price": [price], "payment_method": "cod", **extra})


def _count(app, name="Lê Văn Số") -> int:
    with app.app_context():
        return db.session.query(Order).filter(Order.buyer_name == name).count()


def test_quick_entry_numbers_are_read_with_the_rules_never_a_500(web_app):
    wh_id, variant_id, _ = _shop(web_app)
    client = web_app.test_client()
    login(client, "clerk")
    fraction = _take(client, wh_id, variant_id, "1.5")
    assert fraction.status_code == 200 and _count(web_app) == 0  # not 15 units
    assert "AO-M: quantity: “1.5” is not a whole number" in text_of(fraction)
    assert 'value="1.5"' in text_of(fraction)  # what was typed stays on the line
    for field, value in (("line_qty", "9" * 22), ("line_price", "9" * 25),
                         ("shipping_fee", "1" * 20)):
        data = {"qty": "1", "price": ""}
        if field == "line_qty":
            data["qty"] = value
        elif field == "line_price":
            data["price"] = value
        extra = {"shipping_fee": value} if field == "shipping_fee" else {}
        resp = _take(client, wh_id, variant_id, data["qty"], data["price"], **extra)
        assert resp.status_code == 200 and "is too large" in text_of(resp), field
    for bogus in ("9" * 22, "abc"):
        resp = _take(client, bogus, bogus, "1", customer_id=bogus, channel_id=bogus)
        assert resp.status_code == 200, bogus  # the form again with a message, not a 500
    assert client.get(f"/quick-order/variants?q=AO&warehouse_id={'9' * 22}").status_code == 200
    assert _count(web_app) == 0
    resp = _take(client, wh_id, variant_id, "2", "289k", shipping_fee="30.000")
    assert resp.status_code == 302, text_of(resp)[-1500:]
    with web_app.app_context():
        order = db.session.scalars(sa.select(Order).where(Order.buyer_name == "Lê Văn Số")).one()
        assert [(ln.quantity, int(ln.unit_price)) for ln in order.lines] == [(2, 289_000)]
        assert int(order.shipping_fee) == 30_000


def test_quick_entry_in_vietnamese_reads_150_000_as_150_000(web_app):
    wh_id, variant_id, _ = _shop(web_app)
    client = web_app.test_client()
    login(client, "clerk")
    client.get("/lang/vi")
    resp = _take(client, wh_id, variant_id, "1", "150.000")
    assert resp.status_code == 302
    resp = _take(client, wh_id, variant_id, "1", "1.500.000")
    assert resp.status_code == 302
    with web_app.app_context():
        prices = sorted(int(ln.unit_price) for o in db.session.scalars(sa.select(Order).where(
            Order.buyer_name == "Lê Văn Số")) for ln in o.lines)
    assert prices == [150_000, 1_500_000]
    resp = _take(client, wh_id, variant_id, "1,5", "")
    assert "không phải là số nguyên" in text_of(resp) and "is not a whole number" not in text_of(resp)


def text_of(resp) -> str:
    import html
    return html.unescape(resp.get_data(as_text=True))
