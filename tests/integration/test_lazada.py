"""LazadaClient against the Lazada sandbox over real HTTP on loopback."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

import flask
import httpx
import pytest

from app.integrations.base import AuthError, NotFound, PermanentError, RetryableError
from app.integrations.marketplaces.common import NewImage, NewProduct, NewVariant, StockUpdate
from app.integrations.marketplaces.lazada import LazadaClient, lazada_sign, verify_push
from app.sandbox import lazada as sandbox
from tests.support.live_server import serve
from tests.support.marketplaces import photo

CREDS = sandbox.DEMO_CREDENTIALS
received: list = []


def make_app():
    app = flask.Flask(__name__)
    app.register_blueprint(sandbox.create_blueprint(webhook_url="/webhooks/lazada", seed=5, products=60), url_prefix="/sandbox/lazada")

    @app.post("/webhooks/lazada")
    def webhook():
        try:
            received.append(verify_push(flask.request.get_data(), flask.request.headers.get("Authorization"),
                                        app_key=CREDS["app_key"], app_secret=CREDS["app_secret"]))
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
    return host + "/sandbox/lazada"


@pytest.fixture(autouse=True)
def clear_faults(base_url):
    yield
    httpx.post(base_url + "/_control/reset", json={})


def new_client(base_url, **kw) -> LazadaClient:
    return LazadaClient(base_url, app_key=CREDS["app_key"], app_secret=CREDS["app_secret"], **kw)


def authorize(client: LazadaClient) -> dict:
    link = client.authorization_url("https://orderhub.example/channels/callback", state="ch-2")
    page = httpx.get(link)
    assert page.status_code == 200 and "Authorize" in page.text
    form = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    answer = httpx.post(link.split("?")[0], data={"client_id": form["client_id"], "redirect_uri": form["redirect_uri"],
                                                  "state": form["state"], "decision": "authorize"})
    assert answer.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


@pytest.fixture(scope="module")
def connected(base_url):
    client = new_client(base_url)
    client.exchange_code(authorize(client)["code"])
    return client


def test_authorization_code_token_and_refresh(base_url):
    client = new_client(base_url)
    callback = authorize(client)
    assert callback["state"] == "ch-2" and callback["code"].startswith("0_")
    tokens = client.exchange_code(callback["code"])
    assert tokens.shop_id == str(CREDS["seller_id"])
    assert tokens.access_expires_at - time.time() == pytest.approx(7 * 86400, abs=60)
    with pytest.raises(AuthError) as reused:
        client.exchange_code(callback["code"])
    assert reused.value.code == "InvalidCode"
    fresh = client.refresh_token(tokens.refresh_token)
    assert fresh.access_token != tokens.access_token and client.access_token == fresh.access_token
    assert fresh.refresh_expires_at <= tokens.refresh_expires_at  # a refresh does not extend it
    assert client.get_seller()["seller_id"] == CREDS["seller_id"]
    with pytest.raises(AuthError) as bad:
        client.refresh_token("50001nope")
    assert bad.value.code == "IllegalRefreshToken"


def test_list_all_product_pages(connected):
    first = connected.products_page(page_size=20)
    assert len(first.items) == 20 and first.next_cursor == "20" and first.total >= 60
    products = connected.list_products(page_size=50)
    assert len(products) == first.total
    skus = {v.sku for p in products for v in p.variants}
    assert {sku for sku, _n, _p in sandbox.CATALOGUE} <= skus
    coffee = next(v for p in products for v in p.variants if v.sku == "CA-PHE-RANG-XAY-500G")
    assert coffee.price == 315000


def test_create_product_then_update_stock_and_price(connected):
    hoodie = NewProduct(
        name="Áo hoodie nỉ bông xám", description="Hoodie nỉ bông", variation_name="Size",
        category_id="10000", weight_grams=450, dimensions_cm=(30, 25, 5),
        images=[NewImage("hoodie.png", photo())],
        variants=[NewVariant("LZ-HOODIE-XAM-M", "M", 329000, 10), NewVariant("LZ-HOODIE-XAM-L", "L", 339000, 4)])
    for changes, words in [({"images": []}, "Images"), ({"category_id": "1"}, "leaf category"),
                           ({"dimensions_cm": (0, 0, 0)}, "package_length")]:
        with pytest.raises(PermanentError) as refused:
            connected.create_product(NewProduct(**{**hoodie.__dict__, **changes}))
        assert words in refused.value.message
    assert connected.find_product(hoodie) is None
    created = connected.create_product(hoodie)
    assert connected.find_product(hoodie).external_item_id == created.external_item_id
    assert created.raw["images"][0].startswith("https://")
    large = created.variant_by_sku("LZ-HOODIE-XAM-L")
    assert large.stock == 4 and large.name == "L"
    result = connected.update_stock([(created.external_item_id, large.external_variant_id, 25, large.sku),
                                     StockUpdate(created.external_item_id, "1", 3)])
    assert result.succeeded == [large.external_variant_id] and "1" in result.failed
    connected.update_price([(created.external_item_id, large.external_variant_id, 349000)])
    again = connected.get_product(created.external_item_id).variant_by_sku("LZ-HOODIE-XAM-L")
    assert (again.stock, again.price) == (25, 349000)
    with pytest.raises(PermanentError):  # the SKU is taken now
        connected.create_product(NewProduct(**{**hoodie.__dict__, "variants": [
            NewVariant("LZ-HOODIE-XAM-L", "", 1000, 1)]}))
    with pytest.raises(NotFound) as missing:
        connected.get_product(1)
    assert missing.value.code == "E208"


def test_list_orders_by_window_with_pagination_and_detail(connected, base_url):
    made = httpx.post(base_url + "/_control/orders", json={"count": 4}).json()["order_ids"]
    now = int(time.time())
    first = connected.list_orders(now - 4 * 86400, now + 5, page_size=10)
    assert len(first.items) == 10 and first.next_cursor == "10" and first.total >= 44
    every = list(connected.iter_orders(now - 4 * 86400, now + 5, page_size=10))
    assert len({o.external_id for o in every}) == len(every) == first.total
    assert set(made) <= {o.external_id for o in every}
    order = connected.get_orders([made[0]])[0]
    assert order.raw_status == "pending" and order.status == "new"
    assert all(line.quantity >= 1 and line.sku for line in order.lines)
    assert sum(l.quantity for l in order.lines) == len(order.raw["items"])  # one item per unit, merged
    assert order.total == sum(l.unit_price * l.quantity for l in order.lines) + order.shipping_fee
    assert order.created_at.utcoffset().total_seconds() == 7 * 3600
    httpx.post(base_url + "/_control/cancel", json={"order_id": made[0], "push": False})
    cancelled = connected.get_orders([made[0]])[0]
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Buyer cancelled")


def _raw_get(base_url, api_path, *, secret=CREDS["app_secret"], timestamp_ms=None, token=None, lower=False):
    params = {"app_key": CREDS["app_key"], "sign_method": "sha256",
              "timestamp": str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))}
    if token is not None:
        params["access_token"] = token
    text = api_path + "".join(k + params[k] for k in sorted(params))
    sign = hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    params["sign"] = sign if lower else sign.upper()
    return httpx.get(base_url + "/rest" + api_path, params=params).json()


def test_sandbox_refuses_bad_requests(connected, base_url):
    token = connected.access_token
    assert _raw_get(base_url, "/seller/get", token=token)["code"] == "0"
    assert _raw_get(base_url, "/seller/get", token=token, secret="wrong")["code"] == "IncompleteSignature"
    assert _raw_get(base_url, "/seller/get", token=token, lower=True)["code"] == "IncompleteSignature"
    stale = _raw_get(base_url, "/seller/get", token=token, timestamp_ms=int(time.time() * 1000) - 7201 * 1000)
    assert stale["code"] == "InvalidTimestamp" and stale["type"] == "ISV"
    seconds = _raw_get(base_url, "/seller/get", token=token, timestamp_ms=int(time.time()))  # seconds, not ms
    assert seconds["code"] == "InvalidTimestamp"
    assert _raw_get(base_url, "/seller/get")["code"] == "MissingParameter"
    assert _raw_get(base_url, "/seller/get", token="nope")["code"] == "IllegalAccessToken"

    with pytest.raises(AuthError) as wrong_key:
        LazadaClient(base_url, app_key=CREDS["app_key"], app_secret="wrong", access_token=token).get_seller()
    assert wrong_key.value.code == "IncompleteSignature"
    assert "lazop standards" in wrong_key.value.message


def test_tampered_post_body_is_refused(connected, base_url):
    """The form ``payload`` is signed: changing it after signing breaks the signature."""
    api_path = "/product/price_quantity/update"
    params = {"app_key": CREDS["app_key"], "sign_method": "sha256", "timestamp": str(int(time.time() * 1000)),
              "access_token": connected.access_token,
              "payload": json.dumps({"Request": {"Product": {"Skus": {"Sku": [{"ItemId": "1", "SkuId": "1", "Quantity": 1}]}}}})}
    params["sign"] = lazada_sign(CREDS["app_secret"], api_path, params)
    signed = httpx.post(base_url + "/rest" + api_path, data=params).json()
    assert signed["detail"][0]["message"] == "SELLER_SKU_NOT_FOUND"  # signature fine, SKU unknown
    params["payload"] = params["payload"].replace('"Quantity": 1', '"Quantity": 999')
    assert httpx.post(base_url + "/rest" + api_path, data=params).json()["code"] == "IncompleteSignature"


def test_expired_access_token_is_refused(base_url):
    client = new_client(base_url)
    client.exchange_code(authorize(client)["code"])
    httpx.post(base_url + "/_control/tokens", json={"expire": "access", "token": client.access_token})
    with pytest.raises(AuthError) as expired:
        client.get_seller()
    assert expired.value.code == "IllegalAccessToken"


@pytest.mark.parametrize("mode, code", [("5xx", "ServiceUnavailable"), ("429", "ApiCallLimit"), ("malformed", "malformed")])
def test_faults_are_retryable(connected, base_url, mode, code):
    httpx.post(base_url + "/_control/faults", json={"mode": mode, "path": "/seller/get"})
    with pytest.raises(RetryableError) as failed:
        connected.get_seller()
    assert failed.value.code == code
    assert connected.get_seller()["seller_id"]


def test_timeout_is_retryable(connected, base_url):
    slow = new_client(base_url, access_token=connected.access_token, timeout=0.3)
    httpx.post(base_url + "/_control/faults", json={"mode": "timeout", "delay": 0.8, "path": "/seller/get"})
    with pytest.raises(RetryableError) as timed_out:
        slow.get_seller()
    assert timed_out.value.code == "timeout"


def test_push_notifications(host, base_url):
    received.clear()
    made = httpx.post(base_url + "/_control/orders", json={"count": 1}).json()["order_ids"][0]
    answer = httpx.post(base_url + "/_control/cancel", json={"order_id": made}).json()
    assert answer["push"]["status"] == 200  # sent to the configured webhook_url
    note = received[-1]
    assert (note.kind, note.order_id, note.order_status, note.shop_id) == (
        "order_status", made, "canceled", str(CREDS["seller_id"]))

    body = json.dumps({"seller_id": "1", "message_type": 0, "timestamp": int(time.time() * 1000),
                       "data": {"trade_order_id": made, "order_status": "delivered"}}).encode()
    good = hmac.new(CREDS["app_secret"].encode(), CREDS["app_key"].encode() + body, hashlib.sha256).hexdigest()
    assert verify_push(body, good, app_key=CREDS["app_key"], app_secret=CREDS["app_secret"]).order_status == "delivered"
    with pytest.raises(AuthError):
        verify_push(body.replace(b"delivered", b"returned"), good, app_key=CREDS["app_key"], app_secret=CREDS["app_secret"])
    forged = httpx.post(host + "/webhooks/lazada", content=body, headers={"Authorization": "f" * 64})
    assert forged.status_code == 401 and isinstance(received[-1], AuthError)
