"""Returns and exchanges through the panel and the REST API: "Create return" on a completed order
with a good and a damaged line → receive (good restocked, damaged written off) → refund (a
supervisor's) → the order's payment status; the ledger still sums to the stock levels."""
import sqlalchemy as sa

from app.extensions import db
from app.models import (Order, OrderLine, PaymentStatus, RefundStatus, ReturnRequest,
                        ReturnStatus, StockMove)
from app.services import orders
from tests.conftest import api_token, login
from tests.support import seed
from tests.support.panel import assert_ledger_clean, level, text
from tests.support.web_backends import any_web_app  # noqa: F401  (fixture)


def _completed_order(app, paid=True):
    """An order taken all the way to completed (or delivered) through the lifecycle services."""
    with app.app_context():
        wh, variants = seed.shop(db.session, {"AO-M": 5, "AO-L": 3})
        order = seed.order(db.session, wh, variants, {"AO-M": 2, "AO-L": 1})
        orders.confirm_order(db.session, order.id)
        orders.pack_order(db.session, order.id)
        orders.record_shipment_moves(db.session, order.id)
        orders.mark_delivered(db.session, order.id)
        if paid:
            orders.mark_paid(db.session, order.id)
        lines = {ln.sku: ln.id for ln in db.session.scalars(
            sa.select(OrderLine).where(OrderLine.order_id == order.id))}
        return order.id, lines


def _return(app, return_id):
    with app.app_context():
        db.session.expire_all()
        ret = db.session.get(ReturnRequest, return_id)
        return ret.status, ret.refund_status, int(ret.refund_amount), ret.order.payment_status


def _new_return_id(resp):
    assert resp.status_code == 302 and "/returnrequestview/show/" in resp.headers["Location"], \
        text(resp)
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_return_with_a_good_and_a_damaged_line_in_the_panel(any_web_app):
    app = any_web_app
    order_id, lines = _completed_order(app)
    assert level(app, "AO-M") == (3, 0) and level(app, "AO-L") == (2, 0)
    clerk = app.test_client()
    login(clerk, "clerk")
    page = text(clerk.get(f"/orderview/return/{order_id}"))
    assert "AO-M" in page and "damaged" in page
    form = {f"qty_{lines['AO-M']}": "1", f"condition_{lines['AO-M']}": "good",
            f"qty_{lines['AO-L']}": "1", f"condition_{lines['AO-L']}": "damaged",
            "kind": "return"}
    resp = clerk.post(f"/orderview/return/{order_id}", data=form, follow_redirects=True)
    assert "reason: Give the reason for the return." in text(resp)
    resp = clerk.post(f"/orderview/return/{order_id}",
                      data={**form, f"qty_{lines['AO-M']}": "3", "reason": "Không vừa"},
                      follow_redirects=True)
    assert "AO-M: return between 1 and 2" in text(resp)
    resp = clerk.post(f"/orderview/return/{order_id}", data={**form, "reason": "Áo bị rách"})
    return_id = _new_return_id(resp)
    # Refund defaults to what the buyer paid for the units: 150,000 + 10 % VAT each.
    assert _return(app, return_id) == (ReturnStatus.REQUESTED, RefundStatus.NONE, 330000,
                                       PaymentStatus.PAID)

    # Refunding before the goods are back is refused naming the state; receiving is a clerk's.
    sup = app.test_client()
    login(sup, "supervisor")
    assert "Cannot refund this return: it is awaiting goods." in text(
        sup.get(f"/returnrequestview/refund/{return_id}"))
    page = text(clerk.get(f"/returnrequestview/receive/{return_id}"))
    assert "AO-L" in page and "Condition found" in page
    resp = clerk.post(f"/returnrequestview/receive/{return_id}",
                      data={f"condition_{_return_line(app, return_id, 'AO-L')}": "broken"},
                      follow_redirects=True)
    assert "conditions[" in text(resp) and "'good' or 'damaged'" in text(resp)
    resp = clerk.post(f"/returnrequestview/receive/{return_id}", data={}, follow_redirects=True)
    assert "1 unit(s) back in stock, 1 written off as damaged. A refund is now due." in text(resp)
    assert level(app, "AO-M") == (4, 0) and level(app, "AO-L") == (2, 0)
    with app.app_context():
        kinds = sorted((m.kind.value, m.quantity) for m in db.session.scalars(
            sa.select(StockMove).where(StockMove.reference_type == "return_request")))
        assert kinds == [("damage", -1), ("return", 1), ("return", 1)]

    # The refund: a clerk may not; a supervisor records it and the order is partly refunded.
    assert clerk.get(f"/returnrequestview/refund/{return_id}").status_code == 403
    resp = sup.post(f"/returnrequestview/refund/{return_id}", data={"amount": "9.999.999.999"},
                    follow_redirects=True)
    assert "amount: The refund must be between 1 and" in text(resp)
    resp = sup.post(f"/returnrequestview/refund/{return_id}", data={"amount": "330.000"},
                    follow_redirects=True)
    assert "330,000 ₫ refunded; the order is partially refunded." in text(resp)  # English money
    assert _return(app, return_id) == (ReturnStatus.CLOSED, RefundStatus.REFUNDED, 330000,
                                       PaymentStatus.PARTIALLY_REFUNDED)
    resp = sup.post(f"/returnrequestview/action/cancel/{return_id}", follow_redirects=True)
    assert "Cannot cancel this return: it is closed." in text(resp)
    assert_ledger_clean(app)


def test_return_over_the_rest_api_refunds_in_full(any_web_app):
    app = any_web_app
    order_id, lines = _completed_order(app)
    client = app.test_client()
    clerk = api_token(client, "clerk")
    resp = client.post(f"/api/v1/order/{order_id}/return", headers=clerk, json={
        "reason": "Đổi ý", "lines": [
            {"order_line_id": lines["AO-M"], "quantity": 2, "condition": "good"},
            {"order_line_id": lines["AO-L"], "quantity": 1, "condition": "good"}]})
    assert resp.status_code == 201, resp.json
    return_id = resp.json["return_id"]
    sup = api_token(client, "supervisor")
    early = client.post(f"/api/v1/return_request/{return_id}/refund", json={}, headers=sup)
    assert early.status_code == 409 and "awaiting goods" in early.json["message"]
    bad = client.post(f"/api/v1/return_request/{return_id}/receive",
                      json={"conditions": {"abc": "good"}}, headers=clerk)
    assert bad.status_code == 422 and "conditions[abc]" in bad.json["errors"]
    resp = client.post(f"/api/v1/return_request/{return_id}/receive", json={}, headers=clerk)
    assert resp.status_code == 200 and resp.json["refund_status"] == "pending"
    assert level(app, "AO-M") == (5, 0) and level(app, "AO-L") == (3, 0)
    assert client.post(f"/api/v1/return_request/{return_id}/refund", json={},
                       headers=clerk).status_code == 403
    bad = client.post(f"/api/v1/return_request/{return_id}/refund", json={"amount": "lots"},
                      headers=sup)
    assert bad.status_code == 422 and "amount" in bad.json["errors"]
    resp = client.post(f"/api/v1/return_request/{return_id}/refund", json={}, headers=sup)
    assert resp.status_code == 200, resp.json
    assert resp.json["payment_status"] == "refunded" and resp.json["refund_amount"] == 495000
    again = client.post(f"/api/v1/return_request/{return_id}/receive", json={}, headers=clerk)
    assert again.status_code == 409 and "it is closed" in again.json["message"]
    assert_ledger_clean(app)


def test_exchange_creates_a_linked_order_and_refusals_name_the_state(any_web_app):
    app = any_web_app
    order_id, lines = _completed_order(app, paid=False)
    clerk = app.test_client()
    login(clerk, "clerk")
    resp = clerk.post(f"/orderview/return/{order_id}", data={
        f"qty_{lines['AO-M']}": "1", f"condition_{lines['AO-M']}": "good", "reason": "Đổi size",
        "kind": "exchange", "ex_sku_0": "AO-XXL", "ex_qty_0": "1"}, follow_redirects=True)
    assert "exchange_lines[0].sku: No variant has the SKU 'AO-XXL'." in text(resp)
    resp = clerk.post(f"/orderview/return/{order_id}", data={
        f"qty_{lines['AO-M']}": "1", f"condition_{lines['AO-M']}": "good", "reason": "Đổi size",
        "kind": "exchange", "ex_sku_0": "AO-L", "ex_qty_0": "1"})
    return_id = _new_return_id(resp)
    with app.app_context():
        ret = db.session.get(ReturnRequest, return_id)
        exchange = ret.exchange_order
        assert exchange.exchange_of_id == order_id and exchange.status.value == "new"
        assert [(ln.sku, ln.quantity) for ln in exchange.lines] == [("AO-L", 1)]
        assert int(ret.refund_amount) == 0
    sup = app.test_client()
    login(sup, "supervisor")
    assert clerk.post(f"/returnrequestview/action/cancel/{return_id}").status_code == 302
    assert _return(app, return_id)[0] == ReturnStatus.REQUESTED
    resp = sup.post(f"/returnrequestview/action/cancel/{return_id}", follow_redirects=True)
    assert "cancelled" in text(resp)
    resp = clerk.post(f"/returnrequestview/receive/{return_id}", data={}, follow_redirects=True)
    assert "Cannot receive this return: it is cancelled." in text(resp)

    # An order not yet delivered: the form says why, and creating is refused naming the state.
    with app.app_context():
        fresh_id = seed.order(db.session, db.session.get(Order, order_id).warehouse,
                              {"AO-M": _variant(app, "AO-M")}, {"AO-M": 1}).id
    assert "Cannot create a return for this order: it is new." in text(
        clerk.get(f"/orderview/return/{fresh_id}"))
    assert_ledger_clean(app)


def _return_line(app, return_id, sku):
    with app.app_context():
        ret = db.session.get(ReturnRequest, return_id)
        return next(ln.id for ln in ret.lines if ln.order_line.sku == sku)


def _variant(app, sku):
    from app.models import ProductVariant
    return db.session.scalar(sa.select(ProductVariant).where(ProductVariant.sku == sku))
