"""TikTok Shop Partner API client, version 202309.

Signing ("Sign your API request"): HMAC-SHA256 keyed with the app secret over
``app_secret + path + sorted query as key+value (without sign and access_token) + raw body +
app_secret``, lowercase hex. The body is the exact bytes sent (serialized once, compact JSON) and is
left out only for multipart uploads. The token travels in the ``x-tts-access-token`` header and is
never signed; ``shop_cipher`` (a query parameter, signed) names the shop on shop APIs and must not
be sent to ``/authorization/*``. Timestamps are unix seconds, accepted in [now−300 s, now+30 s].

``base_url`` is the API host (``https://open-api.tiktokglobalshop.com``); ``auth_base_url`` the
token host (``https://auth.tiktok-shops.com``), defaulting to ``base_url``. ``exchange_code`` also
reads the authorized shops and adopts the first shop's cipher unless one was given.

TikTok sends one line item per unit; orders come back with lines merged by SKU.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime
from typing import Any, Iterable, Iterator
from urllib.parse import urlencode

import httpx

from app.integrations.base import (AuthError, HttpClient, NotFound, PermanentError, RetryableError,
                                   TokenSet, api_root)
from app.integrations.marketplaces.common import (MarketplaceOrder, MarketplaceOrderLine,
                                                  MarketplaceProduct, MarketplaceVariant,
                                                  NewProduct, Page, PriceUpdate, PushNotification,
                                                  StockUpdate, UpdateResult, app_push_signed,
                                                  app_signed_by_channel,
                                                  from_unix, image_content, merge_lines, push_kind,
                                                  push_number, push_object, push_part, push_text,
                                                  to_unix, vnd)

STATUS_MAP: dict[str, str] = {
    "UNPAID": "new",
    "ON_HOLD": "new",  # paid, in TikTok's cancellation grace period
    "AWAITING_SHIPMENT": "new",
    # Some packages left, others not: OrderHub ships an order whole, so the seller looks at it.
    "PARTIALLY_SHIPPING": "packed",
    "AWAITING_COLLECTION": "packed",  # shipping arranged, waiting for the carrier's pickup
    "IN_TRANSIT": "shipped",
    "DELIVERED": "delivered",
    "COMPLETED": "completed",
    "CANCELLED": "cancelled",
}
"""TikTok Shop order ``status`` → the OrderHub state TikTok's side of the work has reached."""
ATTENTION = {"PARTIALLY_SHIPPING": "partially_shipped"}

PUSH_KINDS = {1: "order_status", 3: "recipient_address", 4: "package_update", 5: "product",
              6: "deauthorized", 7: "authorization_expiry", 11: "cancellation", 12: "return",
              15: "product", 16: "product", 27: "inventory"}
API_VERSION = "202309"
_AUTH = {106001, 36009004, 105001, 105002, 105005, 36004004}
_RETRYABLE = {36009002, 36009001}
_NOT_FOUND = {12052048, 21011001}


def tiktok_sign(app_secret: str, path: str, query: dict[str, Any], body: bytes | str = b"") -> str:
    """Lowercase hex HMAC-SHA256 over secret + path + sorted query (no sign/access_token) + body + secret."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    pairs = "".join(f"{k}{query[k]}" for k in sorted(query) if k not in ("sign", "access_token"))
    message = app_secret.encode("utf-8") + (path + pairs).encode("utf-8") + body + app_secret.encode("utf-8")
    return hmac.new(app_secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


class TikTokShopClient(HttpClient):
    system = "tiktok"

    def __init__(self, base_url: str, *, app_key: str, app_secret: str, access_token: str | None = None,
                 shop_cipher: str | None = None, auth_base_url: str | None = None,
                 warehouse_id: str | None = None, **http):
        super().__init__(base_url, **http)
        self.app_key, self.app_secret = str(app_key), app_secret
        self.access_token, self.shop_cipher, self.warehouse_id = access_token, shop_cipher, warehouse_id
        self.auth_base_url = api_root(auth_base_url, ("/api/v2",)) or self.base_url

    # -- wire ------------------------------------------------------------------------------
    def _call(self, method: str, path: str, query: dict[str, Any] | None = None, body: Any = None,
              *, shop: bool = True, files: dict | None = None, form: dict | None = None) -> dict:
        params = {k: str(v) for k, v in (query or {}).items() if v is not None and v != ""}
        params |= {"app_key": self.app_key, "timestamp": str(int(time.time()))}
        if shop:
            if not self.shop_cipher:
                raise PermanentError("No shop_cipher: read it from get_authorized_shops()",
                                     provider=self.system, code="no_shop_cipher")
            params["shop_cipher"] = self.shop_cipher
        if not self.access_token:
            raise AuthError("Shop is not connected: no access token", provider=self.system, code="no_token")
        headers = {"x-tts-access-token": self.access_token}
        if files:  # a multipart body is left out of the signature
            params["sign"] = tiktok_sign(self.app_secret, path, params)
            request = httpx.Request(method, self.base_url + path, params=params, data=form or {},
                                    files=files, headers=headers)
            request.read()  # built lazily: have it in hand to send and to log
        else:
            content = b"" if body is None else json.dumps(body, ensure_ascii=False,
                                                          separators=(",", ":")).encode("utf-8")
            params["sign"] = tiktok_sign(self.app_secret, path, params, content)
            request = httpx.Request(method, self.base_url + path, params=params, content=content or None,
                                    headers={**headers, "content-type": "application/json"})
        return self._check(self._send(request, endpoint=path))

    def _check(self, response: httpx.Response) -> dict:
        """TikTok signals the outcome in ``code`` (0 is success); 429/5xx are worth a retry."""
        try:
            data = response.json()
        except ValueError:
            self._raise_for_http(response)
            data = self._json(response)
        if not isinstance(data, dict):
            raise RetryableError("TikTok Shop sent an unexpected body", provider=self.system,
                                 code="malformed", status=response.status_code, response=data)
        code = data.get("code")
        if code == 0:
            self._raise_for_http(response)
            return data.get("data") or {}
        message = data.get("message") or f"HTTP {response.status_code}"
        kwargs = dict(provider=self.system, code=str(code if code is not None else response.status_code),
                      status=response.status_code, response=data)
        if response.status_code == 429 or response.status_code >= 500 or code in _RETRYABLE:
            raise RetryableError(message, **kwargs)
        if code in _AUTH:
            raise AuthError(message, **kwargs)
        if code in _NOT_FOUND:
            raise NotFound(message, **kwargs)
        raise PermanentError(message, **kwargs)

    # -- authorization ---------------------------------------------------------------------
    def authorization_url(self, redirect_url: str, state: str = "") -> str:
        """The (legacy-style) authorization link. The live service takes the redirect URL from
        the app's settings in Partner Center; ``redirect_uri`` is passed for the sandbox."""
        query = {"app_key": self.app_key, "state": state, "redirect_uri": redirect_url}
        return f"{self.auth_base_url}/oauth/authorize?{urlencode(query)}"

    def exchange_code(self, code: str, **_) -> TokenSet:
        """Trade ``auth_code`` (single-use, 30 minutes) for tokens, then learn the shop's cipher."""
        return self._token("/api/v2/token/get", {"auth_code": code, "grant_type": "authorized_code"})

    def refresh_token(self, refresh_token: str, **_) -> TokenSet:
        return self._token("/api/v2/token/refresh", {"refresh_token": refresh_token,
                                                     "grant_type": "refresh_token"})

    def _token(self, path: str, params: dict) -> TokenSet:
        """The token endpoints are unsigned GETs carrying the app secret in the query."""
        request = httpx.Request("GET", self.auth_base_url + path,
                                params={"app_key": self.app_key, "app_secret": self.app_secret, **params})
        data = self._check(self._send(request, endpoint=path))
        self.access_token = data["access_token"]
        tokens = TokenSet(access_token=data["access_token"], refresh_token=data["refresh_token"],
                          access_expires_at=int(data["access_token_expire_in"]),
                          refresh_expires_at=int(data["refresh_token_expire_in"]),
                          extra={"open_id": data.get("open_id"), "seller_name": data.get("seller_name"),
                                 "seller_base_region": data.get("seller_base_region")})
        shops = self.get_authorized_shops()
        shop = next((s for s in shops if s.get("cipher") == self.shop_cipher), shops[0] if shops else None)
        if shop is not None:
            self.shop_cipher = shop["cipher"]
            tokens.shop_id = str(shop["id"])
            tokens.extra |= {"shop_cipher": shop["cipher"], "shops": shops}
        return tokens

    def check_connection(self, **_) -> dict:
        shops = self.get_authorized_shops()
        return {"shop": ", ".join(str(s.get("name") or s.get("id")) for s in shops)}

    def get_authorized_shops(self) -> list[dict]:
        """``[{id, name, region, seller_type, cipher, code}]``; store ``cipher`` per shop."""
        return self._call("GET", f"/authorization/{API_VERSION}/shops", shop=False).get("shops") or []

    def get_warehouses(self) -> list[dict]:
        return self._call("GET", f"/logistics/{API_VERSION}/warehouses").get("warehouses") or []

    def _warehouse(self) -> str:
        if not self.warehouse_id:
            warehouses = self.get_warehouses()
            default = next((w for w in warehouses if w.get("is_default")), warehouses[0] if warehouses else None)
            if default is None:
                raise PermanentError("The shop has no warehouse", provider=self.system, code="no_warehouse")
            self.warehouse_id = str(default["id"])
        return self.warehouse_id

    # -- products --------------------------------------------------------------------------
    def products_page(self, cursor: str | None = None, page_size: int = 50,
                      status: str = "ALL") -> Page[MarketplaceProduct]:
        data = self._call("POST", f"/product/{API_VERSION}/products/search",
                          {"page_size": page_size, "page_token": cursor}, {"status": status})
        products = [_product(p) for p in data.get("products") or []]
        return Page(items=products, next_cursor=data.get("next_page_token") or None, total=data.get("total_count"))

    def list_products(self, page_size: int = 50) -> list[MarketplaceProduct]:
        products, cursor = [], None
        while True:
            page = self.products_page(cursor, page_size)
            products += page.items
            if page.next_cursor is None:
                return products
            cursor = page.next_cursor

    def get_product(self, product_id: str) -> MarketplaceProduct:
        return _product(self._call("GET", f"/product/{API_VERSION}/products/{product_id}"))

    def upload_image(self, content: bytes, filename: str = "image.jpg") -> str:
        """Upload a main image (``images/upload``, multipart); returns the ``uri`` a product takes."""
        data = self._call("POST", f"/product/{API_VERSION}/images/upload", shop=False,
                          files={"data": (filename, content)}, form={"use_case": "MAIN_IMAGE"})
        return data["uri"]

    def find_product(self, product: NewProduct) -> MarketplaceProduct | None:
        """A product already holding one of ``product``'s seller SKUs (an earlier attempt's)."""
        data = self._call("POST", f"/product/{API_VERSION}/products/search", {"page_size": 10},
                          {"status": "ALL", "seller_skus": [v.sku for v in product.variants]})
        found = data.get("products") or []
        return self.get_product(found[0]["id"]) if found else None

    def create_product(self, product: NewProduct,
                       existing: MarketplaceProduct | None = None) -> MarketplaceProduct:
        """One ``products`` call with every SKU, its images uploaded first. TikTok creates all or
        nothing, so ``existing`` (an earlier attempt's product) is the answer as it is."""
        if existing is not None:
            return existing
        warehouse = self._warehouse()
        skus = [{"seller_sku": v.sku, "price": {"amount": str(v.price), "currency": "VND"},
                 "inventory": [{"warehouse_id": warehouse, "quantity": v.stock}],
                 "sales_attributes": [{"name": product.variation_name, "value_name": v.option}] if v.option else []}
                for v in product.variants]
        images = [self.upload_image(image_content(self._http, image, self.system), image.filename)
                  for image in product.images]
        body = {"title": product.name, "description": product.description,
                "category_id": str(product.category_id), "main_images": [{"uri": uri} for uri in images],
                "skus": skus, "is_cod_allowed": True, "save_mode": "LISTING",
                "package_weight": {"value": f"{product.weight_grams / 1000:.3f}", "unit": "KILOGRAM"}}
        if all(product.dimensions_cm):
            body["package_dimensions"] = {"length": str(product.dimensions_cm[0]),
                                          "width": str(product.dimensions_cm[1]),
                                          "height": str(product.dimensions_cm[2]), "unit": "CENTIMETER"}
        data = self._call("POST", f"/product/{API_VERSION}/products", body=body)
        return self.get_product(data["product_id"])

    def update_stock(self, updates: Iterable[StockUpdate | tuple]) -> UpdateResult:
        """Sellable stock in the shop's warehouse; ``updates`` are StockUpdate or (product_id, sku_id, qty)."""
        rows = [u if isinstance(u, StockUpdate) else StockUpdate(str(u[0]), str(u[1]), int(u[2])) for u in updates]
        warehouse = self._warehouse()
        result = UpdateResult()
        for product_id, group in _by_product(rows).items():
            data = self._call("POST", f"/product/{API_VERSION}/products/{product_id}/inventory/update", body={
                "skus": [{"id": r.variant_id, "inventory": [{"warehouse_id": warehouse, "quantity": int(r.quantity)}]}
                         for r in group]})
            failed = {str((e.get("detail") or {}).get("sku_id")): e.get("message", "") for e in data.get("errors") or []}
            result.failed |= failed
            result.succeeded += [r.variant_id for r in group if r.variant_id not in failed]
        return result

    def update_price(self, updates: Iterable[PriceUpdate | tuple]) -> UpdateResult:
        rows = [u if isinstance(u, PriceUpdate) else PriceUpdate(str(u[0]), str(u[1]), int(u[2])) for u in updates]
        result = UpdateResult()
        for product_id, group in _by_product(rows).items():
            self._call("POST", f"/product/{API_VERSION}/products/{product_id}/prices/update", body={
                "skus": [{"id": r.variant_id, "price": {"amount": str(int(r.price)), "currency": "VND"}} for r in group]})
            result.succeeded += [r.variant_id for r in group]
        return result

    # -- orders ----------------------------------------------------------------------------
    def list_orders(self, time_from: datetime | int, time_to: datetime | int, cursor: str | None = None,
                    page_size: int = 50) -> Page[MarketplaceOrder]:
        """Orders updated in [time_from, time_to), oldest first; ``cursor`` is TikTok's page_token."""
        data = self._call("POST", f"/order/{API_VERSION}/orders/search",
                          {"page_size": page_size, "page_token": cursor, "sort_field": "update_time",
                           "sort_order": "ASC"},
                          {"update_time_ge": to_unix(time_from), "update_time_lt": to_unix(time_to)})
        return Page(items=[_order(o) for o in data.get("orders") or []],
                    next_cursor=data.get("next_page_token") or None, total=data.get("total_count"))

    def iter_orders(self, time_from: datetime | int, time_to: datetime | int,
                    page_size: int = 50) -> Iterator[MarketplaceOrder]:
        cursor = None
        while True:
            page = self.list_orders(time_from, time_to, cursor, page_size)
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def get_orders(self, order_ids: Iterable[str]) -> list[MarketplaceOrder]:
        order_ids = list(order_ids)
        orders = []
        for start in range(0, len(order_ids), 50):
            data = self._call("GET", f"/order/{API_VERSION}/orders", {"ids": ",".join(order_ids[start:start + 50])})
            orders += [_order(o) for o in data.get("orders") or []]
        return orders


def _by_product(rows: list) -> dict[str, list]:
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(str(row.item_id), []).append(row)
    return groups


def _product(p: dict) -> MarketplaceProduct:
    product_id = str(p["id"])
    variants = [MarketplaceVariant(
        sku=s.get("seller_sku", ""), external_variant_id=str(s["id"]),
        name=" / ".join(a.get("value_name", "") for a in s.get("sales_attributes") or []),
        price=vnd((s.get("price") or {}).get("sale_price") or (s.get("price") or {}).get("tax_exclusive_price")),
        stock=sum(int(i.get("quantity") or 0) for i in s.get("inventory") or []), external_item_id=product_id)
        for s in p.get("skus") or []]
    return MarketplaceProduct(external_item_id=product_id, name=p.get("title", ""), status=p.get("status", ""),
                              variants=variants, description=p.get("description", ""), raw=p)


def _order(o: dict) -> MarketplaceOrder:
    address = o.get("recipient_address") or {}
    levels = {d.get("address_level_name", "").lower(): d.get("address_name", "")
              for d in address.get("district_info") or []}
    payment = o.get("payment") or {}
    lines = merge_lines(MarketplaceOrderLine(
        sku=i.get("seller_sku", ""), quantity=1, unit_price=vnd(i.get("sale_price")),
        name=" ".join(p for p in (i.get("product_name"), i.get("sku_name")) if p),
        external_item_id=str(i.get("product_id", "")), external_variant_id=str(i.get("sku_id", "")))
        for i in o.get("line_items") or [])
    return MarketplaceOrder(
        external_id=str(o["id"]), raw_status=o.get("status", ""), status=STATUS_MAP.get(o.get("status", ""), "new"),
        buyer_name=address.get("name", ""), buyer_phone=address.get("phone_number", ""),
        address=address.get("address_detail") or address.get("full_address", ""),
        ward=levels.get("ward", ""), district=levels.get("district", ""),
        province=levels.get("province") or levels.get("city", ""), lines=lines,
        total=vnd(payment.get("total_amount")), payment_method="cod" if o.get("is_cod") else "prepaid",
        created_at=from_unix(o.get("create_time")), updated_at=from_unix(o.get("update_time")),
        shipping_fee=vnd(payment.get("shipping_fee")), cancel_reason=o.get("cancel_reason", ""),
        note=o.get("buyer_message", ""), attention=ATTENTION.get(o.get("status", ""), ""),
        amounts={name: vnd(payment.get(key)) for name, key in (
            ("items_total", "sub_total"), ("shipping_fee", "shipping_fee"),
            ("seller_discount", "seller_discount"), ("platform_discount", "platform_discount"),
            ("original_items_total", "original_total_product_price"), ("tax", "tax"))
            if payment.get(key) not in (None, "")},
        raw=o)


def parse_push(raw_body: bytes | str) -> PushNotification:
    """Read a push body without checking its signature; MalformedPush when it is not the object
    TikTok Shop documents."""
    data = push_object(raw_body, "tiktok")
    payload = push_part(data, "data")
    push_type = push_kind(data, "type", "tiktok")
    kind = PUSH_KINDS.get(push_type, f"other:{push_type}")
    return PushNotification(
        platform="tiktok", shop_id=push_text(data.get("shop_id")), kind=kind,
        order_id=push_text(payload.get("order_id")) or None,
        order_status=push_text(payload.get("order_status")) or None,
        timestamp=push_number(data.get("timestamp")) or 0,
        notification_id=push_text(data.get("tts_notification_id")), raw=data)


push_signed = app_push_signed  # HMAC-SHA256(app_secret, app_key + raw body)
signed_by_channel = app_signed_by_channel
PUSH_WITHOUT_SHOP_GOES_TO_FIRST_SIGNER = False  # every push names its shop
PUSH_IDS_ARE_UNIQUE = True  # each push has its own id


def verify_push(raw_body: bytes, authorization: str | None, *, app_key: str, app_secret: str,
                max_age_seconds: int | None = None) -> PushNotification:
    """Check a webhook: ``Authorization`` = hex HMAC-SHA256(app_secret, app_key + raw body).

    Answer 401 on AuthError; TikTok retries at 2 min, 30 min, 3 h and 12 h, so deduplicate on
    ``notification_id``.
    """
    if not push_signed(raw_body, authorization, app_key=app_key, app_secret=app_secret):
        raise AuthError("TikTok Shop webhook signature does not match", provider="tiktok", code="bad_push_signature")
    notification = parse_push(raw_body)
    check_push_age(notification, max_age_seconds)
    return notification


def check_push_age(notification: PushNotification, max_age_seconds: int | None) -> None:
    if max_age_seconds is not None and abs(time.time() - notification.timestamp) > max_age_seconds:
        raise AuthError("TikTok Shop webhook is too old (replayed?)", provider="tiktok", code="stale_push")
