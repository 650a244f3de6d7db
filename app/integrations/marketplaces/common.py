"""What the three marketplace clients hand back, in OrderHub's words rather than each provider's.

The channel sync jobs should not know that Shopee calls a variant a "model", Lazada a "SKU" and
TikTok Shop a "sku" with sales attributes, nor that Lazada and TikTok send one order line per unit.
Every client turns its provider's answer into these dataclasses; the raw provider object stays in
``raw`` for the integration log and for fields we have not needed yet.

Money is whole VND (``int``): every VN marketplace prices in integer dong.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, Iterable, TypeVar

from app.integrations import bounded_json
from app.integrations.base import PermanentError

T = TypeVar("T")

ORDER_STATES = ("new", "processing", "packed", "shipped", "delivered", "completed", "cancelled",
                "delivery_failed", "returned")
"""OrderHub's lifecycle states (SPEC §3); every client's STATUS_MAP maps into these: the furthest
state the marketplace's own work has brought the order to (a seller who arranged shipment on
the marketplace has packed it; a parcel with the platform's carrier is shipped)."""

ATTENTION_CODES = ("cancel_requested", "return_requested", "returned", "lost", "partially_shipped")
"""What a marketplace status can ask of the seller that no automatic step does (the clients'
ATTENTION maps raw statuses onto these; the order import words the request)."""


@dataclass
class MarketplaceVariant:
    """One sellable SKU of a listing: what stock and price pushes address."""

    sku: str
    external_variant_id: str  # Shopee model_id ("0" when the item has no models), Lazada SkuId, TikTok sku id
    name: str  # option label, e.g. "Trắng / M"
    price: int  # VND
    stock: int
    external_item_id: str = ""


@dataclass
class MarketplaceProduct:
    """A listing on the marketplace with its variants (ChannelListing rows come from these)."""

    external_item_id: str
    name: str
    status: str
    variants: list[MarketplaceVariant] = field(default_factory=list)
    description: str = ""
    raw: dict = field(default_factory=dict, repr=False)

    def variant_by_sku(self, sku: str) -> MarketplaceVariant | None:
        return next((v for v in self.variants if v.sku == sku), None)


@dataclass
class NewVariant:
    """One of our variants to put on sale ("go up")."""

    sku: str
    option: str  # e.g. "M" or "Trắng"; the single variation axis' value
    price: int  # VND
    stock: int


@dataclass
class NewImage:
    """A product photo to upload (every marketplace wants its own copy before a listing uses it):
    its bytes, or the URL to fetch them from (``image_content``)."""

    filename: str
    content: bytes | None = field(default=None, repr=False)
    url: str | None = None


def image_content(http, image: NewImage, provider: str) -> bytes:
    """The image's bytes, fetched with the client's own ``http`` client when only a URL is known."""
    if image.content is not None:
        return image.content
    from app.integrations.base import PermanentError
    try:
        answer = http.get(image.url, follow_redirects=True)
    except Exception as exc:  # httpx errors, a bad URL: the seller must fix the photo's address
        raise PermanentError(f"The image {image.url} cannot be fetched: {exc}", provider=provider,
                             code="image_unreachable") from exc
    if answer.status_code != 200:
        raise PermanentError(f"The image {image.url} cannot be fetched (HTTP {answer.status_code})",
                             provider=provider, code="image_unreachable")
    return answer.content


@dataclass
class NewProduct:
    """One of our products to create on a marketplace, with its variants.

    ``variation_name`` names the single variation axis ("Size", "Màu"); a product with one variant
    whose option is empty is created without variations. ``category_id`` is the marketplace's own
    (a leaf of its category tree); ``product_sku`` our product's code, which a client may use as the
    listing's own SKU to find it again.
    """

    name: str
    description: str
    variants: list[NewVariant]
    variation_name: str = "Phân loại"
    category_id: str = ""
    weight_grams: int = 300
    images: list[NewImage] = field(default_factory=list)
    product_sku: str = ""
    dimensions_cm: tuple[int, int, int] = (0, 0, 0)  # length, width, height of the parcel


@dataclass
class StockUpdate:
    """Set the sellable quantity of one variant. ``variant_id`` is the provider's id (Shopee
    model_id, Lazada SkuId, TikTok sku id); ``sku`` is the seller SKU (Lazada needs it)."""

    item_id: str
    variant_id: str
    quantity: int
    sku: str = ""


@dataclass
class PriceUpdate:
    item_id: str
    variant_id: str
    price: int  # VND
    sku: str = ""


@dataclass
class UpdateResult:
    """Per-variant outcome of a stock or price push: some may fail while others succeed."""

    succeeded: list[str] = field(default_factory=list)  # variant ids
    failed: dict[str, str] = field(default_factory=dict)  # variant id -> provider's reason


@dataclass
class MarketplaceOrderLine:
    sku: str
    quantity: int
    unit_price: int  # VND, what the buyer pays per unit after item discounts
    name: str = ""
    external_item_id: str = ""
    external_variant_id: str = ""


@dataclass
class MarketplaceOrder:
    external_id: str
    raw_status: str
    status: str  # one of ORDER_STATES
    buyer_name: str
    buyer_phone: str
    address: str  # street / detail line
    ward: str
    district: str
    province: str
    lines: list[MarketplaceOrderLine]
    total: int  # VND the buyer pays
    payment_method: str  # "cod" or "prepaid"
    created_at: datetime
    updated_at: datetime
    shipping_fee: int = 0
    cancel_reason: str = ""
    note: str = ""
    attention: str = ""  # one of ATTENTION_CODES when the status needs the seller's own step
    # The marketplace's own figures besides ``total`` (what the buyer pays): items, vouchers,
    # platform discounts, fees — whole VND, named as in OrderHub, as the provider reported them.
    amounts: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict, repr=False)


@dataclass
class Page(Generic[T]):
    """One page of a list call; ``next_cursor`` is None on the last page. Pass it back as ``cursor``."""

    items: list[T]
    next_cursor: str | None = None
    total: int | None = None


@dataclass
class PushNotification:
    """A verified webhook from a marketplace, in one shape for the webhook recorder."""

    platform: str
    shop_id: str
    kind: str  # "order_status", "shop_authorized", "deauthorized", "product", "other:<code>"
    order_id: str | None
    order_status: str | None
    timestamp: int  # unix seconds
    notification_id: str = ""
    raw: dict = field(default_factory=dict, repr=False)


def signature_matches(expected_hex: str, given: str | None) -> bool:
    """Constant-time check of a hex signature header; any header (empty, non-ASCII) is an answer."""
    if not given:
        return False
    return hmac.compare_digest(expected_hex.encode("ascii"),
                               given.strip().lower().encode("utf-8", "replace"))


def app_signed_by_channel(raw_body: bytes, authorization: str | None, credentials: dict,
                          urls=()) -> bool:
    """Lazada's and TikTok Shop's check of a push against one channel's app key and secret (the
    URL is not signed); no secret signs nothing: an empty key is one anybody can sign with."""
    secret = str(credentials.get("app_secret") or "")
    return bool(secret) and app_push_signed(raw_body, authorization,
                                            app_key=str(credentials.get("app_key") or ""),
                                            app_secret=secret)


def app_push_signed(raw_body: bytes | str, authorization: str | None, *, app_key: str,
                    app_secret: str) -> bool:
    """Lazada's and TikTok Shop's push signature: ``Authorization`` = hex HMAC-SHA256(app_secret,
    app_key + raw body), checked on the bytes as received, before anything reads them."""
    if isinstance(raw_body, str):
        raw_body = raw_body.encode("utf-8")
    expected = hmac.new(app_secret.encode("utf-8"), str(app_key).encode("utf-8") + raw_body,
                        hashlib.sha256).hexdigest()
    return signature_matches(expected, authorization)


class MalformedPush(PermanentError):
    """A correctly signed push whose body is not the object the marketplace documents: 400."""


def push_object(raw_body: bytes | str, provider: str) -> dict:
    """A push body as a JSON object, nested no deeper than any marketplace sends."""
    try:
        data = bounded_json.loads(raw_body)
    except ValueError as exc:
        raise MalformedPush(f"The push body is not JSON: {exc}", provider=provider,
                            code="bad_push") from None
    if not isinstance(data, dict):
        raise MalformedPush("The push body is not a JSON object", provider=provider, code="bad_push")
    return data


def push_part(data: dict, key: str) -> dict:
    """A nested object of a push (``data``), empty when it is missing or not an object."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def push_kind(data: dict, key: str, provider: str) -> int:
    """The push type every push of this marketplace carries, a whole number."""
    value = push_number(data.get(key))
    if value is None:
        raise MalformedPush(f"The push's {key} is missing or not a whole number", provider=provider,
                            code="bad_push")
    return value


def push_text(value: Any) -> str:
    """A push field meant to be an id or a code: text for a string or a number, else empty."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    return str(value)[:128]


def push_number(value: Any) -> int | None:
    """A push field meant to be a whole number (a code, a timestamp), None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 18:
        return int(value.strip())
    return None


def to_unix(moment: datetime | int | float) -> int:
    """Seconds since the epoch; naive datetimes are taken as UTC (the sync jobs store UTC)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return int(moment.timestamp())
    return int(moment)


def from_unix(seconds: int | float | str | None) -> datetime:
    return datetime.fromtimestamp(int(seconds or 0), tz=timezone.utc)


def vnd(amount: Any) -> int:
    """Whole dong from a provider amount (int, "149000", "149000.00"); never through float."""
    if amount is None or amount == "":
        return 0
    try:
        return int(Decimal(str(amount)).quantize(Decimal(1)))
    except InvalidOperation:
        return 0


def merge_lines(lines: Iterable[MarketplaceOrderLine]) -> list[MarketplaceOrderLine]:
    """Lazada and TikTok send one line per unit; OrderHub wants one line per SKU and price."""
    merged: dict[tuple[str, str, int], MarketplaceOrderLine] = {}
    for line in lines:
        key = (line.sku, line.external_variant_id, line.unit_price)
        if key in merged:
            merged[key].quantity += line.quantity
        else:
            merged[key] = MarketplaceOrderLine(**line.__dict__)
    return list(merged.values())
