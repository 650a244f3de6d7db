"""Orders and their lines edited through the panel's forms and the REST API follow the lifecycle:
only in the states SPEC §3 allows, reservations following lines and warehouses, stale versions
refused, and every refusal naming the field — never a database rule's name."""
import sqlalchemy as sa

from app.extensions import db
from app.models import (Order, OrderLine, OrderStatus, PaymentStatus, ReturnRequest, Warehouse,
                        WarehouseKind)
from app.services import ledger, orders
from tests.conftest import api_token, login
from tests.support import seed
from tests.support.panel import assert_ledger_clean, level, text


def _order(app, quantities, *, confirm=False, stock=None, **fields):
    with app.app_context():
        wh, variants = seed.shop(db.session, stock)
        order = seed.order(db.session, wh, variants, quantities, **fields)
        if confirm:
            orders.confirm_order(db.session, order.id)
        return order.id, {ln.sku: ln.id for ln in order.lines}, {k: v.id for k, v in
                                                                 variants.items()}


def _fresh(app, order_id) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order_id)


def test_rest_put_on_a_shipped_order_is_refused_naming_field_and_state(web_app):
    order_id, _, _ = _order(web_app, {"AO-M": 1}, confirm=True)
    with web_app.app_context():
        orders.pack_order(db.session, order_id)
        orders.record_shipment_moves(db.session, order_id)
    client = web_app.test_client()
    clerk = api_token(client, "clerk")
    resp = client.put(f"/api/v1/order/{order_id}", headers=clerk,
                      json={"buyer_name": "Người khác", "shipping_fee": 99000})
    assert resp.status_code == 409, resp.json
    assert "it is shipped" in resp.json["message"]
    assert set(resp.json["errors"]) <= {"buyer_name", "shipping_fee"}
    with web_app.app_context():
        order = _fresh(web_app, order_id)
        assert (order.buyer_name, int(order.shipping_fee)) == ("Nguyễn Thị Hoa", 0)


def test_rest_put_warehouse_moves_the_reservations(web_app):
    order_id, _, _ = _order(web_app, {"AO-M": 2}, confirm=True)
    with web_app.app_context():
        hn = Warehouse(code="HN", name="Kho Hà Nội", kind=WarehouseKind.SUBSIDIARY)
        db.session.add(hn)
        db.session.commit()
        ledger.record_opening_stock(db.session, db.session.scalar(
            sa.select(OrderLine.variant_id).where(OrderLine.order_id == order_id)), hn.id, 3)
        hn_id = hn.id
        version = _fresh(web_app, order_id).version
    assert level(web_app, "AO-M") == (5, 2)
    client = web_app.test_client()
    clerk = api_token(client, "clerk")
    stale = client.put(f"/api/v1/order/{order_id}", headers=clerk,
                       json={"warehouse": hn_id, "version": version - 1})
    assert stale.status_code == 409 and "changed by someone else" in stale.json["message"]
    resp = client.put(f"/api/v1/order/{order_id}", headers=clerk,
                      json={"warehouse": hn_id, "version": version})
    assert resp.status_code == 200, resp.json
    assert level(web_app, "AO-M", "HCM") == (5, 0) and level(web_app, "AO-M", "HN") == (3, 2)
    # Buyer fields are the new order's: a processing order refuses them, naming the field.
    resp = client.put(f"/api/v1/order/{order_id}", headers=clerk, json={"buyer_phone": "0987654321"})
    assert resp.status_code == 409 and "buyer phone" in resp.json["message"]
    assert "buyer_phone" in resp.json["errors"]
    bad = client.put(f"/api/v1/order/{order_id}", headers=clerk, json={"shipping_fee": "abc"})
    assert bad.status_code == 422 and "shipping_fee" in bad.json["errors"]
    assert_ledger_clean(web_app)


def test_rest_line_changes_follow_the_reservations(web_app):
    order_id, lines, variant_ids = _order(web_app, {"AO-M": 3}, confirm=True)
    client = web_app.test_client()
    clerk = api_token(client, "clerk")
    assert level(web_app, "AO-M") == (5, 3)
    resp = client.put(f"/api/v1/order_line/{lines['AO-M']}", headers=clerk, json={"quantity": 1})
    assert resp.status_code == 200, resp.json
    assert level(web_app, "AO-M") == (5, 1)
    resp = client.put(f"/api/v1/order_line/{lines['AO-M']}", headers=clerk, json={"quantity": 9})
    assert resp.status_code == 200, resp.json  # reserved what is free, the rest is short
    assert level(web_app, "AO-M") == (5, 5)
    bad = client.put(f"/api/v1/order_line/{lines['AO-M']}", headers=clerk, json={"quantity": -2})
    assert bad.status_code == 422 and "quantity" in bad.json["message"].lower()
    assert "ck_" not in bad.json["message"]
    added = client.post("/api/v1/order_line/", headers=clerk,
                        json={"order": order_id, "variant": variant_ids["AO-L"], "quantity": 1})
    assert added.status_code == 201, added.json
    assert level(web_app, "AO-L") == (1, 1)
    resp = client.delete(f"/api/v1/order_line/{lines['AO-M']}", headers=clerk)
    assert resp.status_code == 200, resp.json
    assert level(web_app, "AO-M") == (5, 0)
    last = client.delete(f"/api/v1/order_line/{added.json['id']}", headers=clerk)
    assert last.status_code == 422 and "cancel it instead" in last.json["message"]
    with web_app.app_context():
        orders.pack_order(db.session, order_id)
    packed = client.put(f"/api/v1/order_line/{added.json['id']}", headers=clerk,
                        json={"quantity": 2})
    assert packed.status_code == 409 and "it is packed" in packed.json["message"]
    assert_ledger_clean(web_app)


def test_panel_forms_go_through_the_lifecycle(web_app):
    order_id, lines, _ = _order(web_app, {"AO-M": 2}, confirm=True)
    clerk = web_app.test_client()
    login(clerk, "clerk")
    page = text(clerk.get(f"/orderview/edit/{order_id}"))
    assert 'name="invoice_requested"' in page
    assert 'id="invoice_requested" name="invoice_requested" required' not in page
    with web_app.app_context():
        version = _fresh(web_app, order_id).version
    form = {"buyer_name": "Nguyễn Thị Hoa", "buyer_phone": "0912345678",
            "ship_street": "12 Lý Tự Trọng", "ship_ward": "Phường Sài Gòn",
            "ship_province": "Thành phố Hồ Chí Minh",  # as confirming stored it (today's ward)
            "payment_method": "cod", "shipping_fee": "0", "notes": "Gọi trước khi giao",
            "version_seen": str(version)}
    with web_app.app_context():
        order = _fresh(web_app, order_id)
        form["warehouse"], form["customer"] = str(order.warehouse_id), str(order.customer_id)
    resp = clerk.post(f"/orderview/edit/{order_id}", data={**form, "buyer_name": "Khác"},
                      follow_redirects=True)
    assert "Cannot change the buyer name of this order: it is processing." in text(resp)
    resp = clerk.post(f"/orderview/edit/{order_id}", data=form, follow_redirects=True)
    with web_app.app_context():
        order = _fresh(web_app, order_id)
        assert order.notes == "Gọi trước khi giao" and order.buyer_name == "Nguyễn Thị Hoa"
    stale = clerk.post(f"/orderview/edit/{order_id}", data={**form, "notes": "x"},
                       follow_redirects=True)
    assert "changed by someone else" in text(stale)
    # A line's quantity from its form: the reservation follows; deleting gives the stock back.
    with web_app.app_context():
        version = _fresh(web_app, order_id).version
    clerk.post(f"/orderlineview/edit/{lines['AO-M']}",
               data={"quantity": "1", "unit_price": "150000", "discount": "0", "vat_rate": "10",
                     "order_version": str(version)})
    assert level(web_app, "AO-M") == (5, 1)
    resp = clerk.post(f"/orderlineview/edit/{lines['AO-M']}",
                      data={"quantity": "1", "unit_price": "150000", "discount": "999999999",
                            "vat_rate": "10"}, follow_redirects=True)
    assert "lines[0].discount" in text(resp)
    assert_ledger_clean(web_app)


def test_pay_and_cancel_refuse_bad_input(web_app):
    # Paid by bank transfer: a clerk may mark it paid (a COD order is a supervisor's, see test_cod_web).
    order_id, _, _ = _order(web_app, {"AO-M": 1}, payment_method="bank_transfer")
    client = web_app.test_client()
    clerk = api_token(client, "clerk")
    for amount in ("abc", -5, 1.5):
        resp = client.post(f"/api/v1/order/{order_id}/pay", headers=clerk, json={"amount": amount})
        assert resp.status_code == 422 and "amount" in resp.json["errors"], (amount, resp.json)
    sup = api_token(client, "supervisor")
    resp = client.post(f"/api/v1/order/{order_id}/cancel", headers=sup, json={})
    assert resp.status_code == 422 and "reason" in resp.json["errors"]
    with web_app.app_context():
        order = _fresh(web_app, order_id)
        assert (order.status, order.payment_status) == (OrderStatus.NEW, PaymentStatus.UNPAID)


def test_returns_are_created_only_through_the_return_action(web_app):
    order_id, lines, _ = _order(web_app, {"AO-M": 1})
    client = web_app.test_client()
    clerk = api_token(client, "clerk")
    resp = client.post("/api/v1/return_request/", headers=clerk,
                       json={"order": order_id, "reason": "x", "refund_amount": 5000000})
    assert resp.status_code in (404, 405)
    resp = client.post(f"/api/v1/order/{order_id}/return", headers=clerk,
                       json={"reason": "x", "lines": [{"order_line_id": lines["AO-M"],
                                                       "quantity": 1}]})
    assert resp.status_code == 409 and "it is new" in resp.json["message"]
    login(client, "clerk")
    resp = client.post("/returnrequestview/add", data={"order": str(order_id)})
    assert resp.headers["Location"].endswith(f"/orderview/return/{order_id}")
    with web_app.app_context():
        assert db.session.query(ReturnRequest).count() == 0
