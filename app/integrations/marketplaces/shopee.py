"""Shopee Open Platform v2 client.

Signing (Shopee "API calls" guide): HMAC-SHA256 keyed with the partner key (its UTF-8 text, never
hex-decoded) over ``partner_id + api_path + timestamp`` for public APIs (auth, token) and with
``access_token + shop_id`` appended for shop APIs; lowercase hex; the common parameters travel in
the query and the JSON body of a POST is *not* signed. Timestamps are unix seconds and Shopee
refuses them after 5 minutes, so every request is signed just before it is sent.

Usage::

    client = ShopeeClient(base_url, partner_id=..., partner_key=..., shop_id=..., access_token=...)
    for product in client.list_products(): ...
    page = client.list_orders(since, until, cursor=None)   # Page[MarketplaceOrder]; page.next_cursor

``exchange_code`` and ``refresh_token`` also switch this client to the new access token. Shopee's
refresh is single-use and rotates the refresh token: persist *both* tokens of the returned TokenSet.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime
from typing import Any, Iterable, Iterator
from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

import httpx

from app.integrations.base import (AuthError, HttpClient, NotFound, PermanentError, RetryableError,
                                   TokenSet)
from app.integrations.marketplaces.common import (MarketplaceOrder, MarketplaceOrderLine,
                                                  MarketplaceProduct, MarketplaceVariant,
                                                  NewProduct, Page, PriceUpdate, PushNotification,
                                                  StockUpdate, UpdateResult, from_unix,
                                                  image_content, push_kind, push_number,
                                                  push_object, push_part, push_text,
                                                  signature_matches, to_unix, vnd)

STATUS_MAP: dict[str, str] = {
    # Waiting for the buyer's payment (or Shopee's fraud check): already an order for us.
    "UNPAID": "new",
    "PENDING": "new",
    "INVOICE_PENDING": "new",
    # Paid/COD confirmed, the seller has to arrange shipment: our "new" until a clerk confirms.
    "READY_TO_SHIP": "new",
    # The seller arranged shipment (tracking number issued): parcel is packed, waiting for pickup.
    "PROCESSED": "packed",
    "RETRY_SHIP": "packed",
    "SHIPPED": "shipped",
    "TO_CONFIRM_RECEIVE": "delivered",
    "COMPLETED": "completed",
    # The buyer asked to cancel; the seller may still refuse, so nothing moves until CANCELLED.
    "IN_CANCEL": "new",
    "CANCELLED": "cancelled",
    # A return/refund request after delivery: our return is the seller's own step.
    "TO_RETURN": "delivered",
}
"""Shopee ``order_status`` → the OrderHub state Shopee's side of the work has reached."""
ATTENTION = {"IN_CANCEL": "cancel_requested", "TO_RETURN": "return_requested"}

PUSH_KINDS = {0: "verify", 1: "shop_authorized", 2: "deauthorized", 3: "order_status",
              4: "tracking_number", 12: "authorization_expiry"}
ACCESS_TOKEN_LIFETIME = 4 * 3600
REFRESH_TOKEN_LIFETIME = 30 * 24 * 3600  # Shopee does not return it; documented as 30 days
ORDER_WINDOW_LIMIT = 15 * 24 * 3600  # get_order_list refuses windows longer than 15 days
_DETAIL_FIELDS = ("buyer_user_id,buyer_username,recipient_address,item_list,total_amount,"
                  "payment_method,cancel_reason,note,actual_shipping_fee,estimated_shipping_fee")
_RETRYABLE_ERRORS = {"error_server", "error_system_busy", "error_busy", "error_inner"}
_AUTH_ERRORS = {"error_sign", "error_auth", "error_permission", "error_shop", "invalid_access_token",
                "error_invalid_token", "invalid_code", "error_token"}


def shopee_base_string(partner_id: int | str, api_path: str, timestamp: int,
                       access_token: str | None = None, shop_id: int | str | None = None) -> str:
    """The string Shopee signs: fixed order, no sorting; the token part only for shop APIs."""
    base = f"{partner_id}{api_path}{timestamp}"
    if access_token is not None:
        base += f"{access_token}{shop_id}"
    return base


def shopee_sign(partner_key: str, base_string: str) -> str:
    """Lowercase, always 64 hex digits (the Java demo's "%032x" drops leading zeros: don't)."""
    return hmac.new(partner_key.encode("utf-8"), base_string.encode("utf-8"),
                    hashlib.sha256).hexdigest()


class ShopeeClient(HttpClient):
    system = "shopee"
    base_suffixes = ("/api/v2",)

    def __init__(self, base_url: str, *, partner_id: int | str, partner_key: str,
                 shop_id: int | str | None = None, access_token: str | None = None, **http):
        super().__init__(base_url, **http)
        self.partner_id = int(partner_id)
        self.partner_key = partner_key
        self.shop_id = int(shop_id) if shop_id not in (None, "") else None
        self.access_token = access_token

    # -- wire ------------------------------------------------------------------------------
    def _request(self, method: str, api_path: str, *, query: Iterable[tuple[str, Any]] = (),
                 body: dict | None = None, shop: bool = True, files: dict | None = None) -> dict:
        """Sign and send one call; returns the parsed body or raises a typed error."""
        timestamp = int(time.time())
        params: list[tuple[str, Any]] = [("partner_id", self.partner_id), ("timestamp", timestamp)]
        if shop:
            if not self.access_token or self.shop_id is None:
                raise AuthError("Shop is not connected: no access token or shop id",
                                provider=self.system, code="no_token")
            params += [("access_token", self.access_token), ("shop_id", self.shop_id)]
            base = shopee_base_string(self.partner_id, api_path, timestamp, self.access_token,
                                      self.shop_id)
        else:
            base = shopee_base_string(self.partner_id, api_path, timestamp)
        params.append(("sign", shopee_sign(self.partner_key, base)))
        params += list(query)
        content = None
        headers = {"Accept": "application/json"}
        if body is not None:
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = httpx.Request(method, self.base_url + api_path, params=params, content=content,
                                headers=headers, files=files)
        request.read()  # a multipart body is built lazily: have it in hand to send and to log
        response = self._send(request, endpoint=api_path)
        return self._check(response)

    def _check(self, response: httpx.Response) -> dict:
        """Shopee signals errors in the body (``error`` non-empty) whatever the HTTP status."""
        try:
            data = response.json()
        except ValueError:
            self._raise_for_http(response)
            data = self._json(response)
        if not isinstance(data, dict):
            raise RetryableError("Shopee sent an unexpected body", provider=self.system,
                                 code="malformed", status=response.status_code, response=data)
        error = data.get("error") or ""
        if not error:
            self._raise_for_http(response)
            return data
        message = data.get("message") or error
        kwargs = dict(provider=self.system, code=error, status=response.status_code, response=data)
        if (response.status_code == 429 or response.status_code >= 500 or error in _RETRYABLE_ERRORS
                or "rate_limit" in error or "too many" in message.lower()):
            raise RetryableError(message, **kwargs)
        if error in _AUTH_ERRORS or error.startswith("error_auth"):
            raise AuthError(message, **kwargs)
        if "not_found" in error or error.endswith("item_not_found"):
            raise NotFound(message, **kwargs)
        raise PermanentError(message, **kwargs)

    # -- authorization ---------------------------------------------------------------------
    def authorization_url(self, redirect_url: str, state: str = "") -> str:
        """The link the seller opens to authorize the shop (valid 5 minutes).

        Shopee has no ``state`` parameter; the state rides in the redirect URL's own query and
        comes back on the callback next to ``code`` and ``shop_id``.
        """
        if state:
            parts = urlsplit(redirect_url)
            query = parse_qsl(parts.query) + [("state", state)]
            redirect_url = urlunsplit(parts._replace(query=urlencode(query)))
        path = "/api/v2/shop/auth_partner"
        timestamp = int(time.time())
        sign = shopee_sign(self.partner_key, shopee_base_string(self.partner_id, path, timestamp))
        query = urlencode({"partner_id": self.partner_id, "timestamp": timestamp, "sign": sign,
                           "redirect": redirect_url})
        return f"{self.base_url}{path}?{query}"

    def exchange_code(self, code: str, shop_id: int | str | None = None, **_) -> TokenSet:
        """Trade the callback's single-use ``code`` (10 minutes) for the shop's tokens."""
        shop_id = int(shop_id if shop_id is not None else self.shop_id)
        data = self._request("POST", "/api/v2/auth/token/get", shop=False,
                             body={"code": code, "partner_id": self.partner_id, "shop_id": shop_id})
        return self._adopt(data, shop_id)

    def refresh_token(self, refresh_token: str, shop_id: int | str | None = None, **_) -> TokenSet:
        """New access *and* refresh token; the old refresh token stops working at once."""
        shop_id = int(shop_id if shop_id is not None else self.shop_id)
        data = self._request("POST", "/api/v2/auth/access_token/get", shop=False,
                             body={"refresh_token": refresh_token, "partner_id": self.partner_id,
                                   "shop_id": shop_id})
        return self._adopt(data, shop_id)

    def _adopt(self, data: dict, shop_id: int) -> TokenSet:
        now = int(time.time())
        self.access_token, self.shop_id = data["access_token"], shop_id
        return TokenSet(access_token=data["access_token"], refresh_token=data["refresh_token"],
                        access_expires_at=now + int(data.get("expire_in") or ACCESS_TOKEN_LIFETIME),
                        refresh_expires_at=now + REFRESH_TOKEN_LIFETIME, shop_id=str(shop_id),
                        extra={"request_id": data.get("request_id")})

    def check_connection(self, **_) -> dict:
        return {"shop": str(self.get_shop_info().get("shop_name") or "")}

    def get_shop_info(self) -> dict:
        """Flat shop info (name, region, status, expire_time); handy to check a connection."""
        return self._request("GET", "/api/v2/shop/get_shop_info")

    # -- products --------------------------------------------------------------------------
    def products_page(self, cursor: str | None = None, page_size: int = 50,
                      statuses: Iterable[str] = ("NORMAL", "UNLIST")) -> Page[MarketplaceProduct]:
        """One page of listings with their models; ``cursor`` is Shopee's offset."""
        query = [("offset", int(cursor or 0)), ("page_size", page_size)]
        query += [("item_status", s) for s in statuses]
        data = self._request("GET", "/api/v2/product/get_item_list", query=query).get("response", {})
        ids = [str(item["item_id"]) for item in data.get("item") or []]
        products = self._products(ids)
        next_cursor = str(data["next_offset"]) if data.get("has_next_page") else None
        return Page(items=products, next_cursor=next_cursor, total=data.get("total_count"))

    def list_products(self, page_size: int = 50) -> list[MarketplaceProduct]:
        """Every listing of the shop, all pages, with models (variants) and SKUs."""
        products, cursor = [], None
        while True:
            page = self.products_page(cursor, page_size)
            products += page.items
            if page.next_cursor is None:
                return products
            cursor = page.next_cursor

    def get_product(self, item_id: int | str) -> MarketplaceProduct:
        products = self._products([str(item_id)])
        if not products:
            raise NotFound(f"Shopee has no item {item_id}", provider=self.system,
                           code="error_item_not_found")
        return products[0]

    def _products(self, item_ids: list[str]) -> list[MarketplaceProduct]:
        products = []
        for start in range(0, len(item_ids), 50):
            chunk = ",".join(item_ids[start:start + 50])
            data = self._request("GET", "/api/v2/product/get_item_base_info",
                                 query=[("item_id_list", chunk)])
            for item in data.get("response", {}).get("item_list") or []:
                products.append(self._product(item))
        return products

    def _product(self, item: dict) -> MarketplaceProduct:
        item_id = str(item["item_id"])
        product = MarketplaceProduct(external_item_id=item_id, name=item.get("item_name", ""),
                                     status=item.get("item_status", ""),
                                     description=item.get("description", ""), raw=item)
        if not item.get("has_model"):
            price = (item.get("price_info") or [{}])[0]
            product.variants.append(MarketplaceVariant(
                sku=item.get("item_sku", ""), external_variant_id="0", name="",
                price=vnd(price.get("original_price")), stock=_stock(item),
                external_item_id=item_id))
            return product
        models = self._request("GET", "/api/v2/product/get_model_list",
                               query=[("item_id", item_id)]).get("response", {})
        tiers = models.get("tier_variation") or []
        for model in models.get("model") or []:
            label = " / ".join(tiers[t]["option_list"][i]["option"]
                               for t, i in enumerate(model.get("tier_index") or []) if t < len(tiers))
            price = (model.get("price_info") or [{}])[0]
            product.variants.append(MarketplaceVariant(
                sku=model.get("model_sku", ""), external_variant_id=str(model["model_id"]),
                name=label, price=vnd(price.get("original_price")), stock=_stock(model),
                external_item_id=item_id))
        return product

    def upload_image(self, content: bytes, filename: str = "image.jpg") -> str:
        """Put an image in Shopee's media space; returns the image id ``add_item`` takes."""
        data = self._request("POST", "/api/v2/media_space/upload_image", shop=False,
                             files={"image": (filename, content)})
        return data["response"]["image_info"]["image_id"]

    def logistics_channels(self) -> list[dict]:
        """The shop's logistics channels (``enabled`` ones can carry a new item)."""
        return self._request("GET", "/api/v2/logistics/get_channel_list").get(
            "response", {}).get("logistics_channel_list") or []

    @staticmethod
    def _lookup_sku(product: NewProduct) -> str:
        """The item-level SKU: the product's code when it has models, else the variant's SKU
        (which is then the one SKU ``get_item_base_info`` reports)."""
        return product.product_sku if _has_models(product) and product.product_sku \
            else product.variants[0].sku

    def find_product(self, product: NewProduct) -> MarketplaceProduct | None:
        """The listing a previous attempt already made for ``product``, found by item SKU."""
        data = self._request("GET", "/api/v2/product/search_item", query=[
            ("item_sku", self._lookup_sku(product)), ("page_size", 10), ("offset", 0)])
        ids = [str(i) for i in (data.get("response") or {}).get("item_id_list") or []]
        found = self._products(ids[:1])
        return found[0] if found else None

    def create_product(self, product: NewProduct,
                       existing: MarketplaceProduct | None = None) -> MarketplaceProduct:
        """Put one of our products on Shopee: images into the media space, ``add_item`` (with
        the shop's enabled logistics channels), then its models via ``init_tier_variation``.
        ``existing``: what an earlier attempt made (``find_product``) — only what is missing is
        done. Returns the listing as Shopee now holds it."""
        variants = product.variants
        models = _has_models(product)
        if existing is None:
            images = [self.upload_image(image_content(self._http, image, self.system), image.filename)
                  for image in product.images]
            logistics = [{"logistic_id": c["logistics_channel_id"], "enabled": True}
                         for c in self.logistics_channels() if c.get("enabled")]
            item = {
                "item_name": product.name, "description": product.description,
                "original_price": min(v.price for v in variants),
                "category_id": int(product.category_id) if str(product.category_id).isdigit() else 0,
                "weight": round(product.weight_grams / 1000, 3),  # kg, as Shopee wants it
                "image": {"image_id_list": images}, "logistic_info": logistics,
                "seller_stock": [{"stock": sum(v.stock for v in variants)}],
                "item_status": "NORMAL", "item_sku": self._lookup_sku(product),
            }
            if all(product.dimensions_cm):
                item["dimension"] = dict(zip(("package_length", "package_width", "package_height"),
                                             product.dimensions_cm))
            item_id = self._request("POST", "/api/v2/product/add_item", body=item)["response"]["item_id"]
        else:
            item_id = existing.external_item_id
            if not models or any(v.external_variant_id not in ("", "0") for v in existing.variants):
                return existing  # complete already
        if models:
            self._request("POST", "/api/v2/product/init_tier_variation", body={
                "item_id": int(item_id),
                "tier_variation": [{"name": product.variation_name,
                                    "option_list": [{"option": v.option} for v in variants]}],
                "model": [{"tier_index": [i], "original_price": v.price, "model_sku": v.sku,
                           "seller_stock": [{"stock": v.stock}]} for i, v in enumerate(variants)],
            })
        return self.get_product(item_id)

    def update_stock(self, updates: Iterable[StockUpdate | tuple]) -> UpdateResult:
        """Set sellable stock; ``updates`` are StockUpdate or (item_id, model_id, quantity)."""
        rows = [u if isinstance(u, StockUpdate) else StockUpdate(str(u[0]), str(u[1]), int(u[2]))
                for u in updates]
        return self._per_item("/api/v2/product/update_stock", "stock_list", rows,
                              lambda u: {"model_id": int(u.variant_id or 0),
                                         "seller_stock": [{"stock": int(u.quantity)}]})

    def update_price(self, updates: Iterable[PriceUpdate | tuple]) -> UpdateResult:
        """Set prices (VND); ``updates`` are PriceUpdate or (item_id, model_id, price)."""
        rows = [u if isinstance(u, PriceUpdate) else PriceUpdate(str(u[0]), str(u[1]), int(u[2]))
                for u in updates]
        return self._per_item("/api/v2/product/update_price", "price_list", rows,
                              lambda u: {"model_id": int(u.variant_id or 0),
                                         "original_price": int(u.price)})

    def _per_item(self, path: str, list_name: str, rows: list, entry) -> UpdateResult:
        result = UpdateResult()
        by_item: dict[str, list] = {}
        for row in rows:
            by_item.setdefault(str(row.item_id), []).append(row)
        for item_id, item_rows in by_item.items():
            for start in range(0, len(item_rows), 50):
                data = self._request("POST", path, body={
                    "item_id": int(item_id), list_name: [entry(r) for r in item_rows[start:start + 50]]})
                response = data.get("response") or {}
                for ok in response.get("success_list") or []:
                    result.succeeded.append(str(ok.get("model_id")))
                for bad in response.get("failure_list") or []:
                    result.failed[str(bad.get("model_id"))] = bad.get("failed_reason", "")
        return result

    # -- orders ----------------------------------------------------------------------------
    def list_orders(self, time_from: datetime | int, time_to: datetime | int,
                    cursor: str | None = None, page_size: int = 50,
                    time_range_field: str = "update_time") -> Page[MarketplaceOrder]:
        """Orders created/updated in [time_from, time_to] (≤ 15 days apart), one page, with
        details. Pass ``page.next_cursor`` back as ``cursor`` until it is None."""
        data = self._request("GET", "/api/v2/order/get_order_list", query=[
            ("time_range_field", time_range_field), ("time_from", to_unix(time_from)),
            ("time_to", to_unix(time_to)), ("page_size", page_size), ("cursor", cursor or ""),
            ("response_optional_fields", "order_status")]).get("response", {})
        order_sns = [o["order_sn"] for o in data.get("order_list") or []]
        next_cursor = data.get("next_cursor") if data.get("more") else None
        return Page(items=self.get_orders(order_sns), next_cursor=next_cursor or None)

    def iter_orders(self, time_from: datetime | int, time_to: datetime | int,
                    page_size: int = 50) -> Iterator[MarketplaceOrder]:
        """Every order in the window, all pages; long windows are split into 15-day slices."""
        start, end = to_unix(time_from), to_unix(time_to)
        while start < end:
            stop = min(end, start + ORDER_WINDOW_LIMIT)
            cursor = None
            while True:
                page = self.list_orders(start, stop, cursor, page_size)
                yield from page.items
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            start = stop

    def get_orders(self, order_ids: Iterable[str]) -> list[MarketplaceOrder]:
        order_ids = list(order_ids)
        orders = []
        for start in range(0, len(order_ids), 50):
            data = self._request("GET", "/api/v2/order/get_order_detail", query=[
                ("order_sn_list", ",".join(order_ids[start:start + 50])),
                ("response_optional_fields", _DETAIL_FIELDS)])
            orders += [_order(o) for o in data.get("response", {}).get("order_list") or []]
        return orders


def _has_models(product: NewProduct) -> bool:
    return len(product.variants) > 1 or bool(product.variants and product.variants[0].option)


def _stock(entry: dict) -> int:
    info = entry.get("stock_info_v2") or {}
    summary = info.get("summary_info") or {}
    if "total_available_stock" in summary:
        return int(summary["total_available_stock"])
    return sum(int(s.get("stock", 0)) for s in info.get("seller_stock") or [])


def _order(o: dict) -> MarketplaceOrder:
    address = o.get("recipient_address") or {}
    lines = [MarketplaceOrderLine(
        sku=i.get("model_sku") or i.get("item_sku") or "",
        quantity=int(i.get("model_quantity_purchased") or 0),
        unit_price=vnd(i.get("model_discounted_price") or i.get("model_original_price")),
        name=" ".join(p for p in (i.get("item_name"), i.get("model_name")) if p),
        external_item_id=str(i.get("item_id", "")), external_variant_id=str(i.get("model_id", "")))
        for i in o.get("item_list") or []]
    return MarketplaceOrder(
        external_id=o["order_sn"], raw_status=o.get("order_status", ""),
        status=STATUS_MAP.get(o.get("order_status", ""), "new"),
        buyer_name=address.get("name") or o.get("buyer_username", ""),
        buyer_phone=address.get("phone", ""), address=address.get("full_address", ""),
        ward=address.get("town", ""), district=address.get("district") or address.get("city", ""),
        province=address.get("state") or address.get("city", ""), lines=lines,
        total=vnd(o.get("total_amount")),
        payment_method="cod" if o.get("cod") else "prepaid",
        created_at=from_unix(o.get("create_time")), updated_at=from_unix(o.get("update_time")),
        shipping_fee=vnd(o.get("actual_shipping_fee") or o.get("estimated_shipping_fee")),
        cancel_reason=o.get("cancel_reason", ""), note=o.get("note") or o.get("message_to_seller", ""),
        attention=ATTENTION.get(o.get("order_status", ""), ""),
        amounts={"items_total": sum(ln.unit_price * ln.quantity for ln in lines),
                 "shipping_fee": vnd(o.get("actual_shipping_fee") or o.get("estimated_shipping_fee"))},
        raw=o)


def parse_push(raw_body: bytes | str) -> PushNotification:
    """Read a push body without checking its signature (use ``verify_push`` for untrusted input).
    MalformedPush when it is not the object Shopee documents."""
    data = push_object(raw_body, "shopee")
    payload = push_part(data, "data")
    code = push_kind(data, "code", "shopee")
    return PushNotification(  # authorization pushes carry the shop in ``data``, if at all
        platform="shopee", shop_id=push_text(data.get("shop_id")) or push_text(payload.get("shop_id")),
        kind=PUSH_KINDS.get(code, f"other:{code}"),
        order_id=push_text(payload.get("ordersn")) or None,
        order_status=push_text(payload.get("status")) or None,
        timestamp=push_number(data.get("timestamp")) or 0, raw=data)


# How its pushes are told apart (app/services/marketplace_notifications.py asks, never by name):
PUSH_WITHOUT_SHOP_GOES_TO_FIRST_SIGNER = True  # URL checks and authorization news name no shop
PUSH_IDS_ARE_UNIQUE = False  # a push carries no id of its own: the body's hash keys it


def signed_by_channel(raw_body: bytes, authorization: str | None, credentials: dict, urls) -> bool:
    """Whether a channel with these credentials signed the push: Shopee signs the callback URL
    too, so each URL we may be known under is tried; no partner key signs nothing."""
    key = str(credentials.get("partner_key") or "")
    return bool(key) and any(push_signed(raw_body, authorization, url=url, partner_key=key)
                             for url in urls)


def push_signed(raw_body: bytes, authorization: str | None, *, url: str, partner_key: str) -> bool:
    """``Authorization`` = hex HMAC-SHA256(partner_key, url + "|" + raw body), checked on the bytes
    as received, before anything reads them."""
    if isinstance(raw_body, str):
        raw_body = raw_body.encode("utf-8")
    expected = hmac.new(partner_key.encode("utf-8"), url.encode("utf-8") + b"|" + raw_body,
                        hashlib.sha256).hexdigest()
    return signature_matches(expected, authorization)


def verify_push(raw_body: bytes, authorization: str | None, *, url: str, partner_key: str,
                max_age_seconds: int | None = None) -> PushNotification:
    """Check a push: the signature (``push_signed``), then its body and age.

    ``url`` must be the callback URL exactly as registered with Shopee (scheme included, even
    behind a proxy), and ``raw_body`` the bytes received, before any JSON parsing. With
    ``max_age_seconds`` an old (replayed) push is refused too.
    """
    if not push_signed(raw_body, authorization, url=url, partner_key=partner_key):
        raise AuthError("Shopee push signature does not match", provider="shopee",
                        code="bad_push_signature")
    notification = parse_push(raw_body)
    check_push_age(notification, max_age_seconds)
    return notification


def check_push_age(notification: PushNotification, max_age_seconds: int | None) -> None:
    """An old push is refused (a replay). The URL-verification push carries no timestamp: it
    changes nothing, so its age is moot."""
    if max_age_seconds is not None and notification.kind != "verify" \
            and abs(time.time() - notification.timestamp) > max_age_seconds:
        raise AuthError("Shopee push is too old (replayed?)", provider="shopee", code="stale_push")
