"""ShopeeClient against the Shopee sandbox over real HTTP on loopback."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

import flask
import httpx
import pytest

from app.integrations.base import AuthError, PermanentError, RetryableError
from app.integrations.marketplaces.common import NewImage, NewProduct, NewVariant, StockUpdate
from app.integrations.marketplaces.shopee import STATUS_MAP, ShopeeClient, verify_push
from app.sandbox import shopee as sandbox
from tests.support.live_server import serve
from tests.support.marketplaces import photo

CREDS = sandbox.DEMO_CREDENTIALS
received: list = []


def make_app():
    app = flask.Flask(__name__)
    app.register_blueprint(sandbox.create_blueprint(seed=3, products=60), url_prefix="/sandbox/shopee")

    @app.post("/webhooks/shopee")
    def webhook():
        try:
            received.append(verify_push(flask.request.get_data(), flask.request.headers.get("Authorization"),
                                        url=flask.request.url, partner_key=CREDS["partner_key"]))
        except AuthError as exc:
            received.append(exc)
            return "", 401
        return ""
    return app


@pytest.fixture(scope="module")
def host():
    with serve(make_app()) as base:
        yield base


@pytest.fixture(scope="module")
def base_url(host):
    return host + "/sandbox/shopee"


@pytest.fixture(autouse=True)
def clear_faults(base_url):
    yield
    httpx.post(base_url + "/_control/reset", json={})


def authorize(client: ShopeeClient) -> dict:
    """Walk the seller's browser through the authorization page; return the callback's query."""
    link = client.authorization_url("https://orderhub.example/channels/callback", state="ch-1")
    page = httpx.get(link)
    assert page.status_code == 200 and "Authorize" in page.text
    answer = httpx.post(link.split("?")[0], data={"redirect": "https://orderhub.example/channels/callback?state=ch-1",
                                                  "decision": "authorize"})
    assert answer.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


@pytest.fixture(scope="module")
def connected(base_url):
    client = ShopeeClient(base_url, partner_id=CREDS["partner_id"], partner_key=CREDS["partner_key"])
    callback = authorize(client)
    tokens = client.exchange_code(callback["code"], shop_id=callback["shop_id"])
    client.tokens = tokens
    return client


def test_authorization_code_token_and_rotating_refresh(base_url):
    client = ShopeeClient(base_url, partner_id=CREDS["partner_id"], partner_key=CREDS["partner_key"])
    callback = authorize(client)
    assert callback["shop_id"] == str(CREDS["shop_id"]) and callback["state"] == "ch-1"
    tokens = client.exchange_code(callback["code"], shop_id=callback["shop_id"])
    assert tokens.shop_id == str(CREDS["shop_id"])
    assert tokens.access_expires_at - time.time() == pytest.approx(4 * 3600, abs=60)
    with pytest.raises(AuthError) as reused:  # the code is single-use
        client.exchange_code(callback["code"], shop_id=callback["shop_id"])
    assert reused.value.code == "error_auth"

    fresh = client.refresh_token(tokens.refresh_token)
    assert fresh.access_token != tokens.access_token and fresh.refresh_token != tokens.refresh_token
    assert client.get_shop_info()["shop_name"]
    with pytest.raises(AuthError):  # the old refresh token was rotated away
        client.refresh_token(tokens.refresh_token)


def test_list_all_product_pages_with_models(connected):
    first = connected.products_page(page_size=20)
    assert len(first.items) == 20 and first.next_cursor == "20" and first.total >= 60
    products = connected.list_products(page_size=25)
    assert len(products) >= 60
    skus = {v.sku for p in products for v in p.variants}
    for sku, _name, price in sandbox.CATALOGUE:
        assert sku in skus
    white_m = next(v for p in products for v in p.variants if v.sku == "AO-THUN-TRANG-M")
    assert white_m.price == 149000 and isinstance(white_m.price, int) and white_m.external_variant_id != "0"


def hoodie(**changes) -> NewProduct:
    fields = dict(name="Áo hoodie nỉ bông xám", description="Hoodie nỉ bông dày dặn, mũ trùm.",
                  variation_name="Size", category_id="100017", weight_grams=450,
                  images=[NewImage("hoodie.png", photo())], product_sku="AO-HOODIE-XAM",
                  variants=[NewVariant("AO-HOODIE-XAM-M", "M", 329000, 10),
                            NewVariant("AO-HOODIE-XAM-L", "L", 339000, 4)])
    return NewProduct(**{**fields, **changes})


def test_create_product_then_update_stock_and_price(connected):
    created = connected.create_product(hoodie())
    assert {v.sku for v in created.variants} == {"AO-HOODIE-XAM-M", "AO-HOODIE-XAM-L"}
    assert len(created.raw["image"]["image_id_list"]) == 1
    large = created.variant_by_sku("AO-HOODIE-XAM-L")
    result = connected.update_stock([(created.external_item_id, large.external_variant_id, 25),
                                     StockUpdate(created.external_item_id, "999", 1)])
    assert result.succeeded == [large.external_variant_id] and "999" in result.failed
    connected.update_price([(created.external_item_id, large.external_variant_id, 349000)])
    again = connected.get_product(created.external_item_id).variant_by_sku("AO-HOODIE-XAM-L")
    assert (again.stock, again.price) == (25, 349000)

    single = connected.create_product(NewProduct(
        name="Nước mắm Phú Quốc 500ml", description="40 độ đạm", category_id="100021",
        weight_grams=700, images=[NewImage("nuoc-mam.png", photo((90, 60, 20)))],
        variants=[NewVariant("NUOC-MAM-PQ-500", "", 95000, 30)]))
    assert [(v.sku, v.external_variant_id, v.stock) for v in single.variants] == [("NUOC-MAM-PQ-500", "0", 30)]
    assert connected.find_product(NewProduct(name="", description="", variants=[
        NewVariant("NUOC-MAM-PQ-500", "", 1, 1)])).external_item_id == single.external_item_id


def test_add_item_is_refused_without_what_shopee_requires(connected):
    for changes, words in [({"images": []}, "image_id_list should contain 1 to 9 images"),
                           ({"category_id": "100011"}, "leaf category"),
                           ({"weight_grams": 0}, "weight")]:
        with pytest.raises(PermanentError) as refused:
            connected.create_product(hoodie(product_sku="NOPE", **changes))
        assert words in refused.value.message and refused.value.code == "error_param"
    body = {"item_name": "Áo", "original_price": 150000, "description": "Áo thun", "weight": 0.3,
            "category_id": 100017, "seller_stock": [{"stock": 1}],
            "image": {"image_id_list": [connected.upload_image(photo())]}}
    with pytest.raises(PermanentError) as no_logistics:
        connected._request("POST", "/api/v2/product/add_item", body=body)
    assert "logistic_info is required" in no_logistics.value.message
    with pytest.raises(PermanentError) as closed:
        connected._request("POST", "/api/v2/product/add_item",
                           body={**body, "logistic_info": [{"logistic_id": 50021, "enabled": True}]})
    assert "not enabled" in closed.value.message
    with pytest.raises(PermanentError) as not_an_image:
        connected.upload_image(b"<html>not a photo</html>", "x.jpg")
    assert "not a JPEG, PNG or WebP" in not_an_image.value.message


def test_a_timeout_after_shopee_created_the_item_does_not_make_a_second_one(connected, base_url):
    slow = ShopeeClient(base_url, partner_id=CREDS["partner_id"], partner_key=CREDS["partner_key"],
                        shop_id=connected.shop_id, access_token=connected.access_token, timeout=1.0)
    httpx.post(base_url + "/_control/faults", json={"mode": "timeout", "path": "add_item",
                                                    "delay": 2, "after": True})
    new = hoodie(product_sku="AO-HOODIE-DEN", variants=[NewVariant("AO-HOODIE-DEN-M", "M", 329000, 3),
                                                        NewVariant("AO-HOODIE-DEN-L", "L", 339000, 2)])
    with pytest.raises(RetryableError):
        slow.create_product(new)  # Shopee made the item; the answer never came
    found = connected.find_product(new)
    assert found is not None and [v.external_variant_id for v in found.variants] == ["0"]
    done = connected.create_product(new, existing=found)  # the retry completes it: its models
    assert done.external_item_id == found.external_item_id
    assert {v.sku for v in done.variants} == {"AO-HOODIE-DEN-M", "AO-HOODIE-DEN-L"}
    time.sleep(1.5)
    assert connected._request("GET", "/api/v2/product/search_item", query=[
        ("item_sku", "AO-HOODIE-DEN")])["response"]["total_count"] == 1


def test_list_orders_by_window_with_pagination_and_detail(connected, base_url):
    made = httpx.post(base_url + "/_control/orders", json={"count": 5}).json()["order_sn_list"]
    now = int(time.time())
    first = connected.list_orders(now - 4 * 86400, now + 5, page_size=10)
    assert len(first.items) == 10 and first.next_cursor
    every = list(connected.iter_orders(now - 4 * 86400, now + 5, page_size=10))
    assert len({o.external_id for o in every}) == len(every) >= 45
    assert set(made) <= {o.external_id for o in every}
    order = connected.get_orders([made[0]])[0]
    assert order.status == STATUS_MAP[order.raw_status] == "new"
    assert order.lines and all(line.sku and line.quantity > 0 and line.unit_price > 0 for line in order.lines)
    assert order.total == sum(l.unit_price * l.quantity for l in order.lines) + order.shipping_fee
    assert order.buyer_phone.startswith("0") and order.province and order.payment_method in ("cod", "prepaid")

    httpx.post(base_url + "/_control/cancel", json={"order_sn": made[0], "push": False})
    assert connected.get_orders([made[0]])[0].status == "cancelled"
    with pytest.raises(PermanentError) as too_long:
        connected.list_orders(now - 20 * 86400, now)
    assert too_long.value.code == "error_param"


def _raw_call(base_url, path, *, partner_key=CREDS["partner_key"], timestamp=None, token=None, shop_id=None,
              upper=False):
    """Hand-built call for the refusal tests (the client only makes correct ones)."""
    ts = int(timestamp if timestamp is not None else time.time())
    base = f'{CREDS["partner_id"]}{path}{ts}' + (f"{token}{shop_id}" if token else "")
    sign = hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()
    params = {"partner_id": CREDS["partner_id"], "timestamp": ts, "sign": sign.upper() if upper else sign}
    if token:
        params |= {"access_token": token, "shop_id": shop_id}
    return httpx.get(base_url + path, params=params).json()


def test_sandbox_refuses_bad_requests(connected, base_url):
    token, shop_id = connected.access_token, connected.shop_id
    path = "/api/v2/shop/get_shop_info"
    assert _raw_call(base_url, path, token=token, shop_id=shop_id)["error"] == ""
    assert _raw_call(base_url, path, token=token, shop_id=shop_id, partner_key="wrong")["error"] == "error_sign"
    assert _raw_call(base_url, path, token=token, shop_id=shop_id, upper=True)["error"] == "error_sign"
    stale = _raw_call(base_url, path, token=token, shop_id=shop_id, timestamp=time.time() - 301)
    assert (stale["error"], stale["message"]) == ("error_param", "Invalid timestamp.")
    assert _raw_call(base_url, path)["message"] == "There is no access_token in query."
    assert _raw_call(base_url, path, token="nope", shop_id=shop_id)["error"] == "error_auth"

    wrong_key = ShopeeClient(base_url, partner_id=CREDS["partner_id"], partner_key="x" * 64,
                             shop_id=shop_id, access_token=token)
    with pytest.raises(AuthError) as refused:
        wrong_key.get_shop_info()
    assert (refused.value.code, refused.value.message) == ("error_sign", "Wrong sign.")
    with pytest.raises(PermanentError) as no_token:
        ShopeeClient(base_url, partner_id=CREDS["partner_id"], partner_key=CREDS["partner_key"],
                     shop_id=shop_id, access_token="").get_shop_info()
    assert no_token.value.code == "no_token"


def test_expired_access_token_is_refused(base_url):
    client = ShopeeClient(base_url, partner_id=CREDS["partner_id"], partner_key=CREDS["partner_key"])
    callback = authorize(client)
    client.exchange_code(callback["code"], shop_id=callback["shop_id"])
    httpx.post(base_url + "/_control/tokens", json={"expire": "access", "token": client.access_token})
    with pytest.raises(AuthError) as expired:
        client.get_shop_info()
    assert (expired.value.code, expired.value.message) == ("error_auth", "Invalid access_token.")


@pytest.mark.parametrize("mode", ["5xx", "429", "malformed"])
def test_faults_are_retryable(connected, base_url, mode):
    httpx.post(base_url + "/_control/faults", json={"mode": mode, "path": "get_shop_info"})
    with pytest.raises(RetryableError):
        connected.get_shop_info()
    assert connected.get_shop_info()["shop_name"]


def test_timeout_is_retryable(connected, base_url):
    slow = ShopeeClient(base_url, partner_id=CREDS["partner_id"], partner_key=CREDS["partner_key"],
                        shop_id=connected.shop_id, access_token=connected.access_token, timeout=0.3)
    httpx.post(base_url + "/_control/faults", json={"mode": "timeout", "delay": 0.8, "path": "get_shop_info"})
    with pytest.raises(RetryableError) as timed_out:
        slow.get_shop_info()
    assert timed_out.value.code == "timeout"


def test_push_notifications(connected, host, base_url):
    received.clear()
    made = httpx.post(base_url + "/_control/orders", json={"count": 1}).json()["order_sn_list"][0]
    answer = httpx.post(base_url + "/_control/push",
                        json={"order_sn": made, "url": host + "/webhooks/shopee"}).json()
    assert answer["status"] == 200
    note = received[-1]
    assert (note.kind, note.order_id, note.shop_id) == ("order_status", made, str(CREDS["shop_id"]))

    body = json.dumps({"code": 3, "shop_id": CREDS["shop_id"], "timestamp": int(time.time()),
                       "data": {"ordersn": made, "status": "CANCELLED"}}).encode()
    url = host + "/webhooks/shopee"
    good = hmac.new(CREDS["partner_key"].encode(), url.encode() + b"|" + body, hashlib.sha256).hexdigest()
    assert verify_push(body, good, url=url, partner_key=CREDS["partner_key"]).order_status == "CANCELLED"
    with pytest.raises(AuthError):
        verify_push(body.replace(b"CANCELLED", b"COMPLETED"), good, url=url, partner_key=CREDS["partner_key"])
    with pytest.raises(AuthError):
        verify_push(body, good, url=url + "/other", partner_key=CREDS["partner_key"])
    forged = httpx.post(url, content=body, headers={"Authorization": "0" * 64})
    assert forged.status_code == 401 and isinstance(received[-1], AuthError)
