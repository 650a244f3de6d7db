"""Lazada Open Platform (LazOP) client, Vietnam (``https://api.lazada.vn``).

Signing (LazOP "Signature algorithm" guide and the official SDK): every parameter that is sent
(system and business, form fields of a POST included, ``sign`` excluded) sorted by name in plain
ASCII order and written ``name + value`` after the API path (``/orders/get``, without ``/rest``);
HMAC-SHA256 keyed with the app secret; UPPERCASE hex. The timestamp is in milliseconds. Values are
signed raw and URL-encoded only on the wire (an ISO time's ``+07:00`` must go out as ``%2B07%3A00``).

``base_url`` is the API host, with or without ``/rest`` (``https://api.lazada.vn``); ``auth_base_url`` is
the authorization host (``https://auth.lazada.com``), which defaults to ``base_url`` so a sandbox
can serve both. ``exchange_code`` / ``refresh_token`` switch this client to the new access token.

Lazada sends one order item per unit and a status per item; orders come back with lines merged by
SKU and one order status derived from the items' statuses (see ``order_status``).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta, timezone
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
                                                  image_content, merge_lines, push_kind,
                                                  push_number, push_object, push_part, push_text,
                                                  to_unix, vnd)

STATUS_MAP: dict[str, str] = {
    "unpaid": "new",
    "pending": "new",
    "topack": "new",
    "packed": "packed",
    "ready_to_ship": "packed",
    "toship": "packed",
    "shipped": "shipped",
    "shipping": "shipped",
    "delivered": "delivered",
    "confirmed": "completed",  # buyer confirmed receipt
    "canceled": "cancelled",
    "failed": "delivery_failed",  # the carrier could not deliver
    # The parcel is on its way back, or lost: receiving it (or claiming it) is the seller's step.
    "lost": "shipped",
    "returned": "shipped",
}
"""Lazada item ``status`` → the OrderHub state Lazada's side of the work has reached."""
ATTENTION = {"returned": "returned", "lost": "lost"}

# An order's items can disagree (one unit shipped, one cancelled): the order is as far as its
# least advanced live item; it is cancelled only when every item is.
_PROGRESS = ["unpaid", "pending", "topack", "packed", "ready_to_ship", "toship", "shipped", "shipping",
             "failed", "lost", "delivered", "confirmed", "returned"]
_RETRYABLE = {"ApiCallLimit", "OPEN_API_CALL_EXCEED_LIMIT", "TRAFFIC_CONTROL", "E901",
              "ServiceUnavailable", "ServiceTimeout", "InternalError"}
_AUTH = {"IncompleteSignature", "IllegalAccessToken", "IllegalRefreshToken", "InvalidCode",
         "APP_KEY_INVALID", "AppKeyInvalid", "InvalidTimestamp", "AUTH_TYPE_UNSUPPORTED",
         "AppWhiteIpLimit", "InsufficientPermissions"}
_NOT_FOUND = {"E016", "E208", "E0208", "E030"}
VN = timezone(timedelta(hours=7))


def lazada_sign(app_secret: str, api_path: str, params: dict[str, Any]) -> str:
    """``api_path`` + ``k1v1k2v2…`` (ASCII-sorted, ``sign`` left out), HMAC-SHA256, UPPERCASE hex."""
    text = api_path + "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    return hmac.new(app_secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest().upper()


def iso_vn(moment: datetime | int) -> str:
    """Lazada's ISO 8601 with the Vietnam offset, e.g. ``2026-11-22T08:00:00+07:00``."""
    return datetime.fromtimestamp(to_unix(moment), tz=VN).isoformat(timespec="seconds")


def _lazada_time(text: str | None) -> datetime:
    """Lazada writes ``2026-11-22 08:00:00 +0700``."""
    if not text:
        return datetime.fromtimestamp(0, tz=timezone.utc)
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return datetime.fromtimestamp(0, tz=timezone.utc)


def order_status(item_statuses: Iterable[str]) -> str:
    """One raw status for the order from its items' statuses."""
    statuses = [s for s in item_statuses if s]
    live = [s for s in statuses if s != "canceled"]
    if not live:
        return "canceled" if statuses else ""
    return min(live, key=lambda s: _PROGRESS.index(s) if s in _PROGRESS else len(_PROGRESS))


class LazadaClient(HttpClient):
    system = "lazada"
    base_suffixes = ("/rest",)  # Lazada lists its hosts with it (https://api.lazada.vn/rest)

    def __init__(self, base_url: str, *, app_key: str, app_secret: str, access_token: str | None = None,
                 auth_base_url: str | None = None, **http):
        super().__init__(base_url, **http)
        self.app_key, self.app_secret, self.access_token = str(app_key), app_secret, access_token
        self.auth_base_url = api_root(auth_base_url, self.base_suffixes) or self.base_url

    # -- wire ------------------------------------------------------------------------------
    def _call(self, method: str, api_path: str, params: dict[str, Any] | None = None, *,
              seller: bool = True, host: str | None = None, files: dict | None = None) -> dict:
        signed = {k: str(v) for k, v in (params or {}).items() if v is not None and v != ""}
        signed |= {"app_key": self.app_key, "timestamp": str(int(time.time() * 1000)),
                   "sign_method": "sha256"}
        if seller:
            if not self.access_token:
                raise AuthError("Shop is not connected: no access token", provider=self.system,
                                code="no_token")
            signed["access_token"] = self.access_token
        signed["sign"] = lazada_sign(self.app_secret, api_path, signed)
        url = f"{host or self.base_url}/rest{api_path}"
        if method == "GET":
            request = httpx.Request("GET", url, params=signed)
        elif files:  # a file is not signed; the other parameters travel as multipart fields
            request = httpx.Request("POST", url, data=signed, files=files)
            request.read()  # built lazily: have it in hand to send and to log
        else:  # the SDK posts every parameter, sign included, as form fields
            request = httpx.Request("POST", url, content=urlencode(signed).encode("ascii"),
                                    headers={"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"})
        return self._check(self._send(request, endpoint=api_path))

    def _check(self, response: httpx.Response) -> dict:
        """LazOP puts the outcome in ``code`` ("0" is success) whatever the HTTP status."""
        try:
            data = response.json()
        except ValueError:
            self._raise_for_http(response)
            data = self._json(response)
        if not isinstance(data, dict):
            raise RetryableError("Lazada sent an unexpected body", provider=self.system, code="malformed",
                                 status=response.status_code, response=data)
        code = str(data.get("code", ""))
        if code == "0":
            self._raise_for_http(response)
            return data
        message = data.get("message") or code or f"HTTP {response.status_code}"
        kwargs = dict(provider=self.system, code=code or str(response.status_code),
                      status=response.status_code, response=data)
        if (response.status_code == 429 or response.status_code >= 500 or code in _RETRYABLE
                or data.get("type") in ("SYSTEM", "ISP") and code not in _AUTH):
            raise RetryableError(message, **kwargs)
        if code in _AUTH:
            raise AuthError(message, **kwargs)
        if code in _NOT_FOUND:
            raise NotFound(message, **kwargs)
        raise PermanentError(message, **kwargs)

    # -- authorization ---------------------------------------------------------------------
    def authorization_url(self, redirect_url: str, state: str = "") -> str:
        query = {"response_type": "code", "force_auth": "true", "redirect_uri": redirect_url,
                 "client_id": self.app_key}
        if state:
            query["state"] = state
        return f"{self.auth_base_url}/oauth/authorize?{urlencode(query)}"

    def exchange_code(self, code: str, **_) -> TokenSet:
        """Trade the callback's ``code`` (single-use, 30 minutes) for tokens."""
        return self._adopt(self._call("POST", "/auth/token/create", {"code": code}, seller=False,
                                      host=self.auth_base_url), "country_user_info")

    def refresh_token(self, refresh_token: str, **_) -> TokenSet:
        """A new access token; Lazada keeps the refresh token's own expiry unchanged."""
        return self._adopt(self._call("POST", "/auth/token/refresh", {"refresh_token": refresh_token},
                                      seller=False, host=self.auth_base_url), "country_user_info_list")

    def _adopt(self, data: dict, users_key: str) -> TokenSet:
        now = int(time.time())
        users = data.get(users_key) or data.get("country_user_info") or []
        seller = next((u for u in users if u.get("country") == "vn"), users[0] if users else {})
        self.access_token = data["access_token"]
        return TokenSet(access_token=data["access_token"], refresh_token=data["refresh_token"],
                        access_expires_at=now + int(data.get("expires_in") or 0),
                        refresh_expires_at=now + int(data.get("refresh_expires_in") or 0),
                        shop_id=str(seller.get("seller_id") or "") or None,
                        extra={"account": data.get("account"), "country": data.get("country"),
                               "short_code": seller.get("short_code")})

    def get_seller(self) -> dict:
        """The connected seller (id, name, short code): handy to check a connection."""
        return self._call("GET", "/seller/get")["data"]

    def check_connection(self, **_) -> dict:
        return {"shop": str(self.get_seller().get("name") or "")}

    # -- products --------------------------------------------------------------------------
    def products_page(self, cursor: str | None = None, page_size: int = 50,
                      status_filter: str = "all") -> Page[MarketplaceProduct]:
        offset = int(cursor or 0)
        data = self._call("GET", "/products/get", {"filter": status_filter, "offset": offset,
                                                   "limit": min(page_size, 50)}).get("data") or {}
        products = [self._product(p) for p in data.get("products") or []]
        total = int(data.get("total_products") or 0)
        more = bool(products) and offset + len(products) < total
        return Page(items=products, next_cursor=str(offset + len(products)) if more else None, total=total)

    def list_products(self, page_size: int = 50) -> list[MarketplaceProduct]:
        products, cursor = [], None
        while True:
            page = self.products_page(cursor, page_size)
            products += page.items
            if page.next_cursor is None:
                return products
            cursor = page.next_cursor

    def get_product(self, item_id: int | str) -> MarketplaceProduct:
        return self._product(self._call("GET", "/product/item/get", {"item_id": item_id})["data"])

    @staticmethod
    def _product(p: dict) -> MarketplaceProduct:
        item_id = str(p["item_id"])
        attributes = p.get("attributes") or {}
        variants = []
        for sku in p.get("skus") or []:
            label = " / ".join(str(sku[k]) for k in ("size", "color_family", "Variation") if sku.get(k))
            variants.append(MarketplaceVariant(
                sku=sku.get("SellerSku", ""), external_variant_id=str(sku.get("SkuId", "")), name=label,
                price=vnd(sku.get("price")), stock=int(sku.get("quantity") or 0), external_item_id=item_id))
        return MarketplaceProduct(external_item_id=item_id, name=attributes.get("name", ""),
                                  status=p.get("status", ""), variants=variants,
                                  description=attributes.get("description", ""), raw=p)

    def upload_image(self, content: bytes, filename: str = "image.jpg") -> str:
        """Host an image on Lazada (``/image/upload``); returns the URL ``/product/create`` takes."""
        data = self._call("POST", "/image/upload", files={"image": (filename, content)})
        return data["data"]["image"]["url"]

    def find_product(self, product: NewProduct) -> MarketplaceProduct | None:
        """A listing already holding one of ``product``'s seller SKUs (an earlier attempt's)."""
        data = self._call("GET", "/products/get", {
            "filter": "all", "limit": 10,
            "sku_seller_list": _json([v.sku for v in product.variants])}).get("data") or {}
        found = data.get("products") or []
        return self._product(found[0]) if found else None

    def create_product(self, product: NewProduct,
                       existing: MarketplaceProduct | None = None) -> MarketplaceProduct:
        """Create the listing with all its SKUs in one ``/product/create`` (JSON ``payload``),
        its images hosted on Lazada first. Lazada creates all or nothing, so ``existing`` (an
        earlier attempt's listing) is the answer as it is."""
        if existing is not None:
            return existing
        weight = f"{product.weight_grams / 1000:.2f}"
        length, width, height = (str(d) for d in product.dimensions_cm)
        skus = []
        for v in product.variants:
            sku = {"SellerSku": v.sku, "quantity": v.stock, "price": v.price, "package_weight": weight,
                   "package_length": length, "package_width": width, "package_height": height}
            if v.option:
                sku["size" if product.variation_name.lower() in ("size", "kích cỡ") else "Variation"] = v.option
            skus.append(sku)
        images = [self.upload_image(image_content(self._http, image, self.system), image.filename)
                  for image in product.images]
        payload = {"Request": {"Product": {
            "PrimaryCategory": str(product.category_id), "Images": {"Image": images},
            "Attributes": {"name": product.name, "description": product.description, "brand": "No Brand"},
            "Skus": {"Sku": skus}}}}
        data = self._call("POST", "/product/create", {"payload": _json(payload)})["data"]
        return self.get_product(data["item_id"])

    def update_stock(self, updates: Iterable[StockUpdate | tuple]) -> UpdateResult:
        """Sellable quantities; ``updates`` are StockUpdate or (item_id, sku_id, quantity[, seller_sku])."""
        rows = [u if isinstance(u, StockUpdate) else StockUpdate(str(u[0]), str(u[1]), int(u[2]),
                                                                  *(u[3:4] or ("",))) for u in updates]
        return self._price_quantity(rows, lambda u: {"Quantity": int(u.quantity)})

    def update_price(self, updates: Iterable[PriceUpdate | tuple]) -> UpdateResult:
        rows = [u if isinstance(u, PriceUpdate) else PriceUpdate(str(u[0]), str(u[1]), int(u[2]),
                                                                  *(u[3:4] or ("",))) for u in updates]
        return self._price_quantity(rows, lambda u: {"Price": int(u.price)})

    def _price_quantity(self, rows: list, fields) -> UpdateResult:
        result = UpdateResult()
        for start in range(0, len(rows), 50):
            chunk = rows[start:start + 50]
            skus = [{"ItemId": r.item_id, "SkuId": r.variant_id, **({"SellerSku": r.sku} if r.sku else {}),
                     **fields(r)} for r in chunk]
            try:
                data = self._call("POST", "/product/price_quantity/update",
                                  {"payload": _json({"Request": {"Product": {"Skus": {"Sku": skus}}}})})
            except (PermanentError, RetryableError) as exc:
                if not _details(exc.response):
                    raise
                failed = refused_skus(chunk, exc.response, everything_else=exc.message)
            else:
                failed = refused_skus(chunk, data)
            result.failed.update(failed)
            result.succeeded += [r.variant_id for r in chunk if r.variant_id not in failed]
        return result

    # -- orders ----------------------------------------------------------------------------
    def list_orders(self, time_from: datetime | int, time_to: datetime | int, cursor: str | None = None,
                    page_size: int = 50) -> Page[MarketplaceOrder]:
        """Orders updated in [time_from, time_to), one page with lines; cursor is Lazada's offset."""
        offset = int(cursor or 0)
        data = self._call("GET", "/orders/get", {
            "update_after": iso_vn(time_from), "update_before": iso_vn(time_to), "sort_by": "updated_at",
            "sort_direction": "ASC", "offset": offset, "limit": min(page_size, 100)}).get("data") or {}
        heads = data.get("orders") or []
        total = int(data.get("countTotal") or 0)
        more = bool(heads) and offset + len(heads) < total
        return Page(items=self._with_items(heads), next_cursor=str(offset + len(heads)) if more else None,
                    total=total)

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
        heads = [self._call("GET", "/order/get", {"order_id": oid})["data"] for oid in order_ids]
        return self._with_items(heads)

    def _with_items(self, heads: list[dict]) -> list[MarketplaceOrder]:
        items: dict[str, list] = {}
        for start in range(0, len(heads), 50):
            ids = [int(h["order_id"]) for h in heads[start:start + 50]]
            data = self._call("GET", "/orders/items/get", {"order_ids": _json(ids)}).get("data") or []
            for entry in data:
                items[str(entry["order_id"])] = entry.get("order_items") or []
        return [_order(h, items.get(str(h["order_id"]), [])) for h in heads]


def _details(body: Any) -> list[dict]:
    detail = body.get("detail") if isinstance(body, dict) else None
    return [d for d in detail if isinstance(d, dict)] if isinstance(detail, list) else []


def refused_skus(rows: list, body: dict, everything_else: str | None = None) -> dict[str, str]:
    """{variant id: Lazada's reason} for the rows of one ``/product/price_quantity/update``.

    Lazada reports a batch's failures in ``detail``, one entry per refused SKU as
    ``{"field", "seller_sku", "message"}`` (LazOP common response parameters), whether the call
    answers ``code`` "0" (some refused) or an error code (all refused). An entry naming no SKU we
    sent, or a failed call (``everything_else``: its message), leaves the rows it could be about
    refused: a SKU is counted pushed only when Lazada did not say otherwise."""
    by_sku = {str(r.sku): [r] for r in rows if r.sku}
    by_id = {str(r.variant_id): [r] for r in rows}
    unnamed = [r for r in rows if not r.sku]  # what an entry echoing no SellerSku can be about
    failed: dict[str, str] = {}
    unattributed: list[str] = []
    for entry in _details(body):
        reason = str(entry.get("message") or entry.get("field") or "refused")
        if entry.get("field") and entry.get("message"):
            reason = f"{entry['field']}: {entry['message']}"
        named = str(entry.get("seller_sku") or entry.get("SellerSku") or "")
        about = by_sku.get(named) or by_id.get(str(entry.get("sku_id") or entry.get("SkuId") or "")) \
            or ([] if named else unnamed)
        for row in about:
            failed[row.variant_id] = reason
        if not about:
            unattributed.append(reason)
    rest = "; ".join(unattributed) or everything_else
    if rest:
        failed.update({r.variant_id: rest for r in rows if r.variant_id not in failed})
    return failed


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _order(head: dict, items: list[dict]) -> MarketplaceOrder:
    address = head.get("address_shipping") or {}
    raw_status = order_status([i.get("status", "") for i in items] or head.get("statuses") or [])
    lines = merge_lines(MarketplaceOrderLine(
        sku=i.get("sku", ""), quantity=1, unit_price=vnd(i.get("paid_price") or i.get("item_price")),
        name=" ".join(p for p in (i.get("name"), i.get("variation")) if p),
        external_item_id=str(i.get("product_id", "")), external_variant_id=str(i.get("sku_id", "")))
        for i in items if i.get("status") != "canceled" or raw_status == "canceled")
    name = " ".join(p for p in (address.get("first_name"), address.get("last_name")) if p)
    shipping = vnd(head.get("shipping_fee"))
    amounts = {"items_total": vnd(head.get("price")), "shipping_fee": shipping,
               "voucher": vnd(head.get("voucher")), "voucher_seller": vnd(head.get("voucher_seller")),
               "voucher_platform": vnd(head.get("voucher_platform"))}
    return MarketplaceOrder(
        external_id=str(head["order_id"]), raw_status=raw_status, status=STATUS_MAP.get(raw_status, "new"),
        buyer_name=name or head.get("customer_first_name", ""), buyer_phone=address.get("phone", ""),
        address=address.get("address1", ""), ward=address.get("address5", ""),
        district=address.get("address4", ""), province=address.get("address3", ""), lines=lines,
        total=vnd(head.get("price")) - vnd(head.get("voucher")) + shipping,
        payment_method="cod" if str(head.get("payment_method", "")).upper() == "COD" else "prepaid",
        created_at=_lazada_time(head.get("created_at")), updated_at=_lazada_time(head.get("updated_at")),
        shipping_fee=shipping, cancel_reason=next((i.get("reason", "") for i in items if i.get("reason")), ""),
        note=head.get("buyer_note") or head.get("remarks") or "", attention=ATTENTION.get(raw_status, ""),
        amounts={k: v for k, v in amounts.items() if v or k in ("items_total", "shipping_fee")},
        raw={**head, "items": items})


def parse_push(raw_body: bytes | str) -> PushNotification:
    """Read a push body without checking its signature; MalformedPush when it is not the object
    Lazada documents."""
    data = push_object(raw_body, "lazada")
    payload = push_part(data, "data")
    message_type = push_kind(data, "message_type", "lazada")
    kind = {0: "order_status", 3: "product", 4: "product", 5: "product", 7: "deauthorized"}.get(
        message_type, f"other:{message_type}")
    return PushNotification(
        platform="lazada", shop_id=push_text(data.get("seller_id")), kind=kind,
        order_id=push_text(payload.get("trade_order_id")) or None,
        order_status=push_text(payload.get("order_status")) or None,
        timestamp=(push_number(data.get("timestamp")) or 0) // 1000,
        notification_id=push_text(payload.get("trade_order_line_id")), raw=data)


push_signed = app_push_signed  # HMAC-SHA256(app_secret, app_key + raw body)
signed_by_channel = app_signed_by_channel
PUSH_WITHOUT_SHOP_GOES_TO_FIRST_SIGNER = False  # every push names its shop
PUSH_IDS_ARE_UNIQUE = False  # a push's id is not unique: the body's hash keys it


def verify_push(raw_body: bytes, authorization: str | None, *, app_key: str, app_secret: str,
                max_age_seconds: int | None = None) -> PushNotification:
    """Check a push: ``Authorization`` = hex HMAC-SHA256(app_secret, app_key + raw body).

    Verify the bytes as received: Lazada's FAQ blames most mismatches on re-serialized JSON.
    Delivery is at-least-once, so the caller deduplicates on ``notification_id``.
    """
    if not push_signed(raw_body, authorization, app_key=app_key, app_secret=app_secret):
        raise AuthError("Lazada push signature does not match", provider="lazada", code="bad_push_signature")
    notification = parse_push(raw_body)
    check_push_age(notification, max_age_seconds)
    return notification


def check_push_age(notification: PushNotification, max_age_seconds: int | None) -> None:
    if max_age_seconds is not None and abs(time.time() - notification.timestamp) > max_age_seconds:
        raise AuthError("Lazada push is too old (replayed?)", provider="lazada", code="stale_push")
