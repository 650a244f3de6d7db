"""The website's order endpoint over HTTP: signed, idempotent, validated, unknown SKUs kept."""
import hashlib
import hmac
import json

import sqlalchemy as sa

from app.extensions import db
from app.models import Channel, IntegrationLog, Order, Platform
from tests.support import seed

SECRET = "website-secret-0123456789"


def _channel(app):
    with app.app_context():
        seed.shop(db.session)
        ch = Channel(platform=Platform.WEBSITE, name="Website", shop_id="web",
                     credentials={"api_secret": SECRET})
        db.session.add(ch)
        db.session.commit()
        return ch.id


def _post(client, channel_id, payload, secret=SECRET):
    raw = json.dumps(payload, ensure_ascii=False).encode()
    sig = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post("/api/v1/storefront/orders", data=raw, content_type="application/json",
                       headers={"X-Channel-Id": str(channel_id), "X-Signature": f"sha256={sig}"})


ORDER = {"order_id": "W-1001", "buyer": {"name": "Phạm Minh Anh", "phone": "+84 912 345 678"},
         "shipping_address": {"street": "45 Trần Hưng Đạo", "ward": "Phường Cầu Ông Lãnh",
                              "district": "Quận 1", "province": "TP. Hồ Chí Minh"},
         "lines": [{"sku": "AO-M", "quantity": 2, "unit_price": 150000},
                   {"sku": "MU-LUOI-TRAI", "quantity": 1, "unit_price": 90000, "name": "Mũ"}],
         "payment_method": "cod", "shipping_fee": 30000}


def test_signed_order_is_taken_once_and_unknown_skus_are_kept(web_app):
    channel_id = _channel(web_app)
    client = web_app.test_client()
    first = _post(client, channel_id, ORDER)
    assert first.status_code == 201, first.json
    again = _post(client, channel_id, ORDER)
    assert again.status_code == 200 and again.json["order_id"] == first.json["order_id"]
    assert "MU-LUOI-TRAI" in first.json["needs_attention"]
    with web_app.app_context():
        order = db.session.scalars(sa.select(Order)).one()
        assert order.buyer_phone == "0912345678" and len(order.lines) == 2
        logged = db.session.scalars(sa.select(IntegrationLog)).all()
        assert len(logged) == 2 and all(log.direction == "in" for log in logged)


def test_forged_and_invalid_requests_are_refused_and_write_nothing(web_app):
    channel_id = _channel(web_app)
    client = web_app.test_client()
    assert _post(client, channel_id, ORDER, secret="wrong").status_code == 401
    assert _post(client, 999, ORDER).status_code == 401
    bad = dict(ORDER, order_id="W-2", buyer={"name": "", "phone": "12345"}, lines=[])
    resp = _post(client, channel_id, bad)
    assert resp.status_code == 422
    assert {"buyer.name", "buyer.phone", "lines"} <= set(resp.json["errors"])
    resp = client.post("/api/v1/storefront/orders", data=b"{not json",
                       headers={"X-Channel-Id": str(channel_id), "X-Signature": "sha256=00"})
    assert resp.status_code == 401
    with web_app.app_context():
        assert db.session.query(Order).count() == 0


def test_an_order_the_website_says_is_paid_is_recorded_paid(web_app):
    channel_id = _channel(web_app)
    client = web_app.test_client()
    refused = _post(client, channel_id, {**ORDER, "order_id": "W-2", "paid": True})
    assert refused.status_code == 422 and "paid" in refused.json["errors"]  # COD is paid later
    resp = _post(client, channel_id, {**ORDER, "order_id": "W-3", "payment_method": "prepaid",
                                      "paid": True})
    assert resp.status_code == 201, resp.json
    assert _post(client, channel_id, {**ORDER, "order_id": "W-3", "payment_method": "prepaid",
                                      "paid": True}).status_code == 200  # a retry pays once
    with web_app.app_context():
        order = db.session.get(Order, resp.json["order_id"])
        assert (order.payment_status.value, order.paid_amount) == ("paid", order.total)
        assert db.session.query(Order).count() == 1
