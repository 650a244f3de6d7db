"""Delivery addresses chosen from Vietnam's divisions since 2025, on every way an order comes in,
before it is confirmed or packed, and mapped to each carrier's own area ids over HTTP."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone

import httpx
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.integrations.carriers.common import Item, Party, ShipmentRequest
from app.integrations.marketplaces.common import MarketplaceOrder, MarketplaceOrderLine
from app.models import Channel, Customer, Order, OrderStatus, Platform
from app.services import carrier_areas, order_editing, order_import, orders
from app.services.carrier_clients import client_for
from app.services.errors import ValidationError
from tests.conftest import api_token, login
from tests.support import seed
from tests.integration.test_shipping import sandbox_url  # noqa: F401  (both carriers' sandboxes)
from tests.support.shipping import accounts

SECRET = "website-secret-0123456789"


def _shop(app):
    with app.app_context():
        wh, variants = seed.shop(db.session, {"AO-M": 4})
        return wh.id, variants["AO-M"].id


def _order_of(app, **where):
    with app.app_context():
        db.session.expire_all()
        return db.session.scalars(sa.select(Order).filter_by(**where)).one_or_none()


# ---- quick order -----------------------------------------------------------------------------
def test_quick_order_takes_the_chosen_province_and_ward_and_refuses_others(web_app):
    wh_id, variant_id = _shop(web_app)
    client = web_app.test_client()
    login(client, "clerk")
    form = {"name": "Đỗ Thu Hà", "phone": "0903 123 456", "street": "9 Hàng Bạc",
            "province": "Thành phố Hà Nội", "ward": "Phường Sài Gòn", "warehouse_id": wh_id,
            "line_variant": [variant_id], "line_qty": ["1"], "line_price": [""],
            "payment_method": "cod"}
    refused = client.post("/quick-order/", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Phường Sài Gòn is not a ward of Thành phố Hà Nội" in text
    assert 'value="9 Hàng Bạc"' in text  # what was typed stays
    assert _order_of(web_app, buyer_name="Đỗ Thu Hà") is None
    taken = client.post("/quick-order/", data={**form, "ward": "Phường Hoàn Kiếm"})
    assert taken.status_code == 302
    order = _order_of(web_app, buyer_name="Đỗ Thu Hà")
    assert (order.ship_ward_code, order.ship_province_code) == (70, 1)
    assert order.ship_address == "9 Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội"
    page = client.get(f"/orderview/show/{order.id}").get_data(as_text=True)
    assert "9 Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội" in page and "None" not in page


# ---- the order form ----------------------------------------------------------------------------
def test_order_form_refuses_an_unknown_ward_naming_it_in_the_readers_language(web_app):
    _shop(web_app)
    client = web_app.test_client()
    login(client, "clerk")
    client.get("/lang/vi")
    form = {"buyer_name": "Lý Văn Bình", "buyer_phone": "0912000111", "payment_method": "cod",
            "ship_province": "Thành phố Hồ Chí Minh", "ship_ward": "Phường Bến Nghé",
            "ship_street": "3 Lê Lợi", "shipping_fee": "0"}
    refused = client.post("/orderview/add", data=form).get_data(as_text=True)
    assert "Phường Bến Nghé không phải là phường/xã của Thành phố Hồ Chí Minh" in refused
    assert _order_of(web_app, buyer_name="Lý Văn Bình") is None
    client.post("/orderview/add", data={**form, "ship_ward": "Phường Bến Thành"})
    order = _order_of(web_app, buyer_name="Lý Văn Bình")
    assert (order.ship_ward, order.ship_ward_code) == ("Phường Bến Thành", 26743)
    edit = client.get(f"/orderview/edit/{order.id}").get_data(as_text=True)
    assert 'class="form-control oh-ward-select"' in edit and "Phường Bến Thành" in edit


# ---- the website's API ------------------------------------------------------------------------
def _post_storefront(client, channel_id, payload):
    raw = json.dumps(payload, ensure_ascii=False).encode()
    sig = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return client.post("/api/v1/storefront/orders", data=raw, content_type="application/json",
                       headers={"X-Channel-Id": str(channel_id), "X-Signature": f"sha256={sig}"})


def test_storefront_api_refuses_an_address_it_cannot_place_and_converts_old_ones(web_app):
    _shop(web_app)
    with web_app.app_context():
        ch = Channel(platform=Platform.WEBSITE, name="Website", shop_id="web",
                     credentials={"api_secret": SECRET})
        db.session.add(ch)
        db.session.commit()
        channel_id = ch.id
    client = web_app.test_client()
    order = {"order_id": "W-1", "buyer": {"name": "Phạm Minh Anh", "phone": "0912345678"},
             "shipping_address": {"street": "5 Láng Hạ", "ward": "Phường Thanh Xuân Trung",
                                  "district": "Quận Thanh Xuân", "province": "Hà Nội"},
             "lines": [{"sku": "AO-M", "quantity": 1, "unit_price": 150000}],
             "payment_method": "cod"}
    split = _post_storefront(client, channel_id, order)
    assert split.status_code == 422
    assert "split in 2025" in split.json["errors"]["shipping_address.ward"][0]
    missing = _post_storefront(client, channel_id, {**order, "shipping_address": {
        "street": "5 Láng Hạ", "province": "Hà Nội"}})
    assert missing.status_code == 422 and "shipping_address.ward" in missing.json["errors"]
    old = _post_storefront(client, channel_id, {**order, "shipping_address": {
        "street": "12 Lý Tự Trọng", "ward": "Phường Bến Nghé", "district": "Quận 1",
        "province": "TP. Hồ Chí Minh"}})
    assert old.status_code == 201, old.json
    by_code = _post_storefront(client, channel_id, {**order, "order_id": "W-2",
                                                    "shipping_address": {"street": "1 Lê Lợi",
                                                                         "ward": 26743,
                                                                         "province": 79}})
    assert by_code.status_code == 201, by_code.json
    taken = _order_of(web_app, external_order_id="W-1")
    assert (taken.ship_ward, taken.ship_district, taken.ship_province_code) == \
        ("Phường Sài Gòn", None, 79)
    assert _order_of(web_app, external_order_id="W-2").ship_ward == "Phường Bến Thành"


# ---- marketplace imports ----------------------------------------------------------------------
def _marketplace(session):
    wh, variants = seed.shop(session, {"AO-M": 5})
    channel = Channel(platform=Platform.SHOPEE, name="Shopee", shop_id="77", order_warehouse=wh)
    session.add(channel)
    session.commit()
    return channel


def _incoming(external_id, ward, district, province, status="new"):
    now = datetime.now(timezone.utc)
    return MarketplaceOrder(
        external_id=external_id, raw_status="READY_TO_SHIP", status=status,
        buyer_name="Lê Thị Mai", buyer_phone="0912345678", address="5 Láng Hạ", ward=ward,
        district=district, province=province,
        lines=[MarketplaceOrderLine(sku="AO-M", quantity=1, unit_price=165000)], total=165000,
        payment_method="cod", created_at=now, updated_at=now)


def test_a_marketplace_address_that_cannot_be_placed_is_kept_flagged_and_stops_confirmation(
        session):
    channel = _marketplace(session)
    order_import.import_orders(session, channel, [
        _incoming("S-1", "Phường Thanh Xuân Trung", "Quận Thanh Xuân", "Hà Nội"),
        _incoming("S-2", "Phường Bến Nghé", "Quận 1", "TP. Hồ Chí Minh")])
    session.expire_all()
    kept = session.scalars(sa.select(Order).where(Order.external_order_id == "S-1")).one()
    assert kept.ship_ward == "Phường Thanh Xuân Trung" and kept.ship_ward_code is None
    assert "split in 2025" in kept.needs_attention
    converted = session.scalars(sa.select(Order).where(Order.external_order_id == "S-2")).one()
    assert (converted.ship_ward, converted.ship_ward_code, converted.needs_attention) == \
        ("Phường Sài Gòn", 26740, None)
    with pytest.raises(ValidationError) as refused:
        orders.confirm_order(session, kept.id)
    assert refused.value.field == "ship_ward"
    assert refused.value.message.startswith(f"Order {kept.number} cannot be confirmed: ")
    # The clerk asks the buyer and chooses today's ward: the flag goes, confirming works.
    order_editing.edit_order(session, kept.id, ship_ward="Phường Khương Đình",
                             ship_province="Thành phố Hà Nội")
    orders.confirm_order(session, kept.id)
    session.expire_all()
    kept = session.get(Order, kept.id)
    assert kept.status == OrderStatus.PROCESSING and kept.ship_ward_code == 364
    assert not (kept.needs_attention or "").startswith("Address")


def test_a_marketplace_shipping_the_order_itself_is_followed_whatever_the_address(session):
    channel = _marketplace(session)
    order_import.import_orders(session, channel, [
        _incoming("S-3", "Phường Thanh Xuân Trung", "Quận Thanh Xuân", "Hà Nội", "shipped")])
    session.expire_all()
    order = session.scalars(sa.select(Order).where(Order.external_order_id == "S-3")).one()
    assert order.status == OrderStatus.SHIPPED and "split in 2025" in order.needs_attention


# ---- confirm and pack ------------------------------------------------------------------------
def test_an_order_without_an_address_cannot_be_confirmed_or_packed(web_app):
    with web_app.app_context():
        wh, variants = seed.shop(db.session, {"AO-M": 3})
        bare = Order(buyer_name="Khách lẻ", warehouse_id=wh.id)
        bare.lines.append(seed.OrderLine(variant=variants["AO-M"], sku="AO-M", name="Áo",
                                         quantity=1, unit_price=150000, vat_rate="10"))
        no_street = Order(**{**seed.ADDRESS, "ship_street": " "}, buyer_name="Khách B",
                          warehouse_id=wh.id, status=OrderStatus.PROCESSING)
        db.session.add_all([bare, no_street])
        db.session.commit()
        bare_id, no_street_id = bare.id, no_street.id
    client = web_app.test_client()
    clerk = api_token(client, "clerk")
    resp = client.post(f"/api/v1/order/{bare_id}/confirm", json={}, headers=clerk)
    assert resp.status_code == 422 and "needs a street" in resp.json["message"]
    assert _order_of(web_app, id=bare_id).status == OrderStatus.NEW
    resp = client.post(f"/api/v1/order/{no_street_id}/pack", json={}, headers=clerk)
    assert resp.status_code == 422
    assert "cannot be packed" in resp.json["message"] and "street" in resp.json["message"]
    assert _order_of(web_app, id=no_street_id).status == OrderStatus.PROCESSING
    # Province and ward only: the message names the ward.
    with web_app.app_context():
        db.session.get(Order, bare_id).ship_street = "1 Lê Lợi"
        db.session.get(Order, bare_id).ship_province = "Hồ Chí Minh"
        db.session.commit()
    resp = client.post(f"/api/v1/order/{bare_id}/confirm", json={}, headers=clerk)
    assert resp.status_code == 422 and "needs a ward" in resp.json["message"]
    # The order page says so where the address is, in the reader's language.
    login(client, "clerk")
    client.get("/lang/vi")
    page = client.get(f"/orderview/show/{bare_id}").get_data(as_text=True)
    assert "Địa chỉ giao hàng cần phường/xã" in page and "1 Lê Lợi, Hồ Chí Minh" in page


def test_editing_the_ward_forgets_carrier_ids_of_the_old_one(session):
    wh, variants = seed.shop(session, {"AO-M": 1})
    order = seed.order(session, wh, variants, {"AO-M": 1})
    order.area_codes = {"ghn": {"province_id": 202, "district_id": 1442, "ward_code": "144202"}}
    session.commit()
    order_editing.edit_order(session, order.id, ship_ward="Phường Tân Định")
    session.expire_all()
    order = session.get(Order, order.id)
    assert (order.ship_ward, order.ship_ward_code, order.area_codes) == \
        ("Phường Tân Định", 26737, None)
    with pytest.raises(ValidationError) as refused:
        order_editing.edit_order(session, order.id, ship_ward="Phường Cửa Nam")  # a Hà Nội ward
    assert refused.value.field == "ship_ward"


# ---- customers -------------------------------------------------------------------------------
def test_customer_form_checks_the_address_and_lists_it_as_written(web_app):
    client = web_app.test_client()
    login(client, "clerk")
    form = {"name": "Trần Thị Lan", "phone": "0987111222", "province": "Đà Nẵng",
            "ward": "Phường Sài Gòn", "street": "8 Bạch Đằng"}
    refused = client.post("/customerview/add", data=form).get_data(as_text=True)
    assert "Phường Sài Gòn is not a ward of Thành phố Đà Nẵng" in refused
    client.post("/customerview/add", data={**form, "ward": "Phường Hải Châu"})
    with web_app.app_context():
        customer = db.session.scalars(sa.select(Customer)).one()
        assert (customer.ward_code, customer.province, customer.district) == \
            (20242, "Thành phố Đà Nẵng", None)
    client.post("/customerview/add", data={"name": "Khách không địa chỉ", "phone": "0987111333"})
    listing = client.get("/customerview/list/").get_data(as_text=True)
    assert "8 Bạch Đằng, Phường Hải Châu, Thành phố Đà Nẵng" in listing
    assert "None" not in listing


# ---- look-ups -------------------------------------------------------------------------------
def test_lookups_give_provinces_and_the_chosen_provinces_wards(web_app):
    client = web_app.test_client()
    assert client.get("/lookup/provinces").status_code == 401
    login(client, "clerk")
    provinces = client.get("/lookup/provinces").json["results"]
    assert len(provinces) == 34
    assert client.get("/lookup/provinces?q=ho chi").json["results"] == \
        [{"id": 79, "text": "Thành phố Hồ Chí Minh"}]
    wards = client.get("/lookup/wards?province=Thành phố Hồ Chí Minh&q=ben th").json["results"]
    assert wards == [{"id": 26743, "text": "Phường Bến Thành"}]
    assert client.get("/lookup/wards?province=79&q=cua nam").json["results"] == []
    assert client.get("/lookup/wards?q=ben").json["results"] == []


# ---- carriers' area ids over HTTP --------------------------------------------------------------
WARDS = [("Thành phố Hồ Chí Minh", "Phường Sài Gòn"), ("Hà Nội", "Phường Khương Đình"),
         ("Đà Nẵng", "Phường Hoà Cường"),            # tone mark placed the new way
         ("Lâm Đồng", "Phường Xuân Hương - Đà Lạt"), ("Cà Mau", "Xã Đất Mũi"),
         ("An Giang", "Đặc khu Phú Quốc")]


@pytest.mark.parametrize("carrier", ["ghn", "viettelpost"])
def test_todays_wards_map_to_each_carriers_ids_and_a_parcel_books_with_them(
        session, sandbox_url, carrier):
    httpx.post(f"{sandbox_url}/sandbox/{carrier}/_control/reset")
    account = accounts(session, sandbox_url)[carrier]
    with client_for(account, timeout=5) as client:
        seen = set()
        for province, ward in WARDS:
            ids = carrier_areas.area_ids(client, province, ward)
            assert all(ids.values()), (province, ward, ids)
            seen.add(ids["ward_code" if carrier == "ghn" else "ward_id"])
        assert len(seen) == len(WARDS)
        ids = carrier_areas.area_ids(client, 79, 26740)  # GSO codes work too
        receiver = Party(name="Nguyễn Thị Hương", phone="0912345678", address="12 Lý Tự Trọng",
                         ward_name="Phường Sài Gòn", province_name="Thành phố Hồ Chí Minh",
                         province_id=ids["province_id"], district_id=ids["district_id"],
                         ward_code=ids.get("ward_code", ids.get("ward_id")))
        from app.services.carrier_clients import sender_party
        booked = client.create_shipment(ShipmentRequest(
            sender=sender_party(account), receiver=receiver, weight_g=500, length_cm=20,
            width_cm=15, height_cm=5, client_reference=f"ADDR-{carrier}", cod_amount=100_000,
            goods_value=100_000, items=[Item(name="Áo", quantity=1, price=100_000)]))
        assert booked.tracking_number
        with pytest.raises(ValidationError) as unknown:
            carrier_areas.area_ids(client, "Hà Nội", "Phường Sài Gòn")
        assert unknown.value.field == "ship_ward" and "None" not in unknown.value.message
