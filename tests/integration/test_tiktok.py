"""TikTokShopClient against the TikTok Shop sandbox over real HTTP on loopback."""
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
from app.integrations.marketplaces.common import NewImage, NewProduct, NewVariant
from app.integrations.marketplaces.tiktok import TikTokShopClient, tiktok_sign, verify_push
from app.sandbox import tiktok as sandbox
from tests.support.live_server import serve
from tests.support.marketplaces import photo

CREDS = sandbox.DEMO_CREDENTIALS
received: list = []


def make_app():
    app = flask.Flask(__name__)
    app.register_blueprint(sandbox.create_blueprint(webhook_url="/webhooks/tiktok", seed=9, products=60),
                           url_prefix="/sandbox/tiktok")

    @app.post("/webhooks/tiktok")
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
    return host + "/sandbox/tiktok"


@pytest.fixture(autouse=True)
def clear_faults(base_url):
    yield
    httpx.post(base_url + "/_control/reset", json={})


def new_client(base_url, **kw) -> TikTokShopClient:
    return TikTokShopClient(base_url, app_key=CREDS["app_key"], app_secret=CREDS["app_secret"], **kw)


def authorize(client) -> dict:
    link = client.authorization_url("https://orderhub.example/channels/callback", state="ch-3")
    page = httpx.get(link)
    assert page.status_code == 200 and "Authorize" in page.text
    form = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    answer = httpx.post(link.split("?")[0], data={**form, "decision": "authorize"})
    assert answer.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


@pytest.fixture(scope="module")
def connected(base_url):
    client = new_client(base_url)
    client.exchange_code(authorize(client)["code"])
    return client


def test_authorization_code_token_shops_and_refresh(base_url):
    client = new_client(base_url)
    callback = authorize(client)
    assert callback["state"] == "ch-3"
    tokens = client.exchange_code(callback["code"])
    assert (tokens.shop_id, client.shop_cipher) == (CREDS["shop_id"], CREDS["shop_cipher"])
    assert tokens.access_expires_at - time.time() == pytest.approx(7 * 86400, abs=60)
    with pytest.raises(AuthError) as reused:
        client.exchange_code(callback["code"])
    assert reused.value.code == "36004004"
    fresh = client.refresh_token(tokens.refresh_token)
    assert fresh.access_token != tokens.access_token and fresh.refresh_token == tokens.refresh_token
    assert client.get_authorized_shops()[0]["cipher"] == CREDS["shop_cipher"]


def test_list_all_product_pages(connected):
    first = connected.products_page(page_size=20)
    assert len(first.items) == 20 and ("+" in first.next_cursor or "/" in first.next_cursor)
    products = connected.list_products(page_size=25)
    assert len(products) == first.total >= 60
    skus = {v.sku for p in products for v in p.variants}
    assert {sku for sku, _n, _p in sandbox.CATALOGUE} <= skus
    mask = next(v for p in products for v in p.variants if v.sku == "KHAU-TRANG-VAI-XAM")
    assert mask.price == 25000


def test_create_product_then_update_stock_and_price(connected):
    hoodie = NewProduct(
        name="Áo hoodie nỉ bông xám", description="<p>Hoodie</p>", variation_name="Size", category_id="600001",
        weight_grams=450, images=[NewImage("hoodie.png", photo())],
        variants=[NewVariant("TT-HOODIE-XAM-M", "M", 329000, 10), NewVariant("TT-HOODIE-XAM-L", "L", 339000, 4)])
    for changes, words in [({"images": []}, "main_images"), ({"category_id": "1"}, "leaf category"),
                           ({"weight_grams": 0}, "package_weight")]:
        with pytest.raises(PermanentError) as refused:
            connected.create_product(NewProduct(**{**hoodie.__dict__, **changes}))
        assert words in refused.value.message
    assert connected.find_product(hoodie) is None
    created = connected.create_product(hoodie)
    assert connected.find_product(hoodie).external_item_id == created.external_item_id
    large = created.variant_by_sku("TT-HOODIE-XAM-L")
    assert (large.name, large.stock, large.price) == ("L", 4, 339000)
    result = connected.update_stock([(created.external_item_id, large.external_variant_id, 25),
                                     (created.external_item_id, "42", 1)])
    assert result.succeeded == [large.external_variant_id] and "42" in result.failed
    connected.update_price([(created.external_item_id, large.external_variant_id, 349000)])
    again = connected.get_product(created.external_item_id).variant_by_sku("TT-HOODIE-XAM-L")
    assert (again.stock, again.price) == (25, 349000)
    with pytest.raises(NotFound) as missing:
        connected.get_product("1")
    assert missing.value.code == "12052048"


def test_a_timeout_after_tiktok_created_the_product_does_not_make_a_second_one(connected, base_url):
    slow = new_client(base_url, access_token=connected.access_token, shop_cipher=connected.shop_cipher,
                      timeout=1.0)
    new = NewProduct(name="Túi tote da", description="<p>Túi tote</p>", category_id="600001",
                     weight_grams=500, images=[NewImage("tui.png", photo((10, 10, 10)))],
                     variants=[NewVariant("TT-TUI-DA-DEN", "", 459000, 6)])
    httpx.post(base_url + "/_control/faults", json={"mode": "timeout", "path": "202309/products",
                                                    "delay": 2, "after": True})
    with pytest.raises(RetryableError):
        slow.create_product(new)  # TikTok made it; the answer never came
    found = connected.find_product(new)
    assert found is not None and connected.create_product(new, existing=found) is found
    time.sleep(1.5)
    search = connected._call("POST", "/product/202309/products/search", {"page_size": 10},
                             {"seller_skus": ["TT-TUI-DA-DEN"]})
    assert search["total_count"] == 1


def test_list_orders_by_window_with_pagination_and_detail(connected, base_url):
    made = httpx.post(base_url + "/_control/orders", json={"count": 4}).json()["order_ids"]
    now = int(time.time())
    first = connected.list_orders(now - 4 * 86400, now + 5, page_size=10)
    assert len(first.items) == 10 and first.next_cursor
    every = list(connected.iter_orders(now - 4 * 86400, now + 5, page_size=10))
    assert len({o.external_id for o in every}) == len(every) == first.total >= 44
    assert [o.updated_at for o in every] == sorted(o.updated_at for o in every)
    order = connected.get_orders([made[0]])[0]
    assert order.raw_status == "AWAITING_SHIPMENT" and order.status == "new"
    assert sum(l.quantity for l in order.lines) == len(order.raw["line_items"])
    assert order.total == sum(l.unit_price * l.quantity for l in order.lines) + order.shipping_fee
    assert order.province and order.ward and order.buyer_phone.startswith("(+84)")
    httpx.post(base_url + "/_control/cancel", json={"order_id": made[0], "push": False})
    assert connected.get_orders([made[0]])[0].status == "cancelled"


def _raw(base_url, path, *, method="GET", body=b"", query=None, secret=CREDS["app_secret"], ts=None,
         token=None, upper=False, tamper=None):
    params = {"app_key": CREDS["app_key"], "timestamp": str(int(ts if ts is not None else time.time())),
              **(query or {})}
    sign = tiktok_sign(secret, path, params, body)
    params["sign"] = sign.upper() if upper else sign
    return httpx.request(method, base_url + path, params=params, content=tamper or body or None,
                         headers={"x-tts-access-token": token or "", "content-type": "application/json"})


def test_sandbox_refuses_bad_requests(connected, base_url):
    token, cipher = connected.access_token, {"shop_cipher": CREDS["shop_cipher"]}
    shops = "/authorization/202309/shops"
    assert _raw(base_url, shops, token=token).json()["code"] == 0
    wrong = _raw(base_url, shops, token=token, secret="wrong")
    assert (wrong.status_code, wrong.json()["code"]) == (401, 106001)
    assert _raw(base_url, shops, token=token, upper=True).json()["code"] == 106001
    assert _raw(base_url, shops, token=token, ts=time.time() - 301).json()["code"] == 36009004
    assert _raw(base_url, shops, token=token, ts=time.time() + 60).json()["code"] == 36009004
    assert _raw(base_url, shops, token=token, ts=time.time() * 1000).json()["code"] == 36009004  # ms
    assert _raw(base_url, shops).json()["code"] == 36009004  # no token header
    assert _raw(base_url, shops, token=token, query=cipher).json()["code"] == 36009004  # unexpected cipher
    search = "/product/202309/products/search"
    body = b'{"status":"ALL"}'
    ok = _raw(base_url, search, method="POST", body=body, token=token, query={**cipher, "page_size": "5"})
    assert ok.json()["code"] == 0
    assert _raw(base_url, search, method="POST", body=body, token=token,
                query={"page_size": "5"}).json()["code"] == 106013
    tampered = _raw(base_url, search, method="POST", body=body, token=token, query={**cipher, "page_size": "5"},
                    tamper=b'{"status":"DELETED"}')
    assert tampered.json()["code"] == 106001
    assert _raw(base_url, "/product/202502/nothing", token=token).json()["code"] == 36009009

    with pytest.raises(AuthError) as refused:
        TikTokShopClient(base_url, app_key=CREDS["app_key"], app_secret="wrong", access_token=token,
                         shop_cipher=CREDS["shop_cipher"]).get_warehouses()
    assert refused.value.code == "106001" and refused.value.status == 401


def test_expired_access_token_is_refused(base_url):
    client = new_client(base_url)
    client.exchange_code(authorize(client)["code"])
    httpx.post(base_url + "/_control/tokens", json={"expire": "access", "token": client.access_token})
    with pytest.raises(AuthError) as expired:
        client.get_warehouses()
    assert expired.value.code == "105002"


@pytest.mark.parametrize("mode, code", [("5xx", "36009001"), ("429", "36009002"), ("malformed", "malformed")])
def test_faults_are_retryable(connected, base_url, mode, code):
    httpx.post(base_url + "/_control/faults", json={"mode": mode, "path": "warehouses"})
    with pytest.raises(RetryableError) as failed:
        connected.get_warehouses()
    assert failed.value.code == code
    assert connected.get_warehouses()


def test_timeout_is_retryable(connected, base_url):
    slow = new_client(base_url, access_token=connected.access_token, shop_cipher=connected.shop_cipher, timeout=0.3)
    httpx.post(base_url + "/_control/faults", json={"mode": "timeout", "delay": 0.8, "path": "warehouses"})
    with pytest.raises(RetryableError) as timed_out:
        slow.get_warehouses()
    assert timed_out.value.code == "timeout"


def test_push_notifications(host, base_url):
    received.clear()
    made = httpx.post(base_url + "/_control/orders", json={"count": 1}).json()["order_ids"][0]
    answer = httpx.post(base_url + "/_control/cancel", json={"order_id": made}).json()
    assert answer["push"]["status"] == 200
    note = received[-1]
    assert (note.kind, note.order_id, note.order_status, note.shop_id) == ("order_status", made, "CANCELLED",
                                                                           CREDS["shop_id"])
    body = json.dumps({"type": 1, "shop_id": CREDS["shop_id"], "timestamp": int(time.time()),
                       "tts_notification_id": "1", "data": {"order_id": made, "order_status": "COMPLETED"}}).encode()
    good = hmac.new(CREDS["app_secret"].encode(), CREDS["app_key"].encode() + body, hashlib.sha256).hexdigest()
    assert verify_push(body, good, app_key=CREDS["app_key"], app_secret=CREDS["app_secret"]).order_status == "COMPLETED"
    with pytest.raises(AuthError):
        verify_push(body + b" ", good, app_key=CREDS["app_key"], app_secret=CREDS["app_secret"])
    old = json.dumps({"type": 1, "timestamp": int(time.time()) - 3600, "data": {}}).encode()
    old_sign = hmac.new(CREDS["app_secret"].encode(), CREDS["app_key"].encode() + old, hashlib.sha256).hexdigest()
    with pytest.raises(AuthError) as stale:
        verify_push(old, old_sign, app_key=CREDS["app_key"], app_secret=CREDS["app_secret"], max_age_seconds=300)
    assert stale.value.code == "stale_push"
    forged = httpx.post(host + "/webhooks/tiktok", content=body, headers={"Authorization": "0" * 64})
    assert forged.status_code == 401 and isinstance(received[-1], AuthError)
