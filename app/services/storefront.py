"""Orders sent by the seller's own website to ``POST /api/v1/storefront/orders`` (SPEC §5.2).

Authentication: the website signs the exact request body with HMAC-SHA256, key = the channel's
``credentials["api_secret"]``, and sends the lowercase hex digest in a header (``X-Signature``; the
value may be prefixed ``sha256=``). We verify against the raw bytes, before parsing anything, with a
constant-time comparison, so a forged body is refused without telling the sender what is wrong.

Body (JSON)::

    {"order_id": "W-1001",                         # the website's id: the idempotency key
     "buyer": {"name": "…", "phone": "0912345678", "email": "…"},
     "shipping_address": {"street": "…", "ward": "…", "province": "…"},
                                                    # ward and province of today's divisions
                                                    # (names or GSO codes); an old address may
                                                    # add "district" and is converted
     "lines": [{"sku": "AT-M", "quantity": 2, "unit_price": 150000, "discount": 0, "name": "…"}],
     "payment_method": "cod" | "prepaid" | "bank_transfer",
     "paid": true,                                  # the website took the money (card, bank)
     "shipping_fee": 30000, "note": "…", "placed_at": "2026-11-02T08:15:00+07:00"}

Money is whole đồng (JSON integers). Every error names the field, e.g. ``lines[1].quantity``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.integrations import bounded_json

from app.models import Channel, Order, Platform
from app.services import addresses
from app.services.errors import DomainError, FieldMessage, ValidationError, ValidationErrors
from app.services.order_entry import (ADDRESS_FIELDS, IncomingLine, IncomingOrder,
                                      upsert_channel_order)
from app.services.orders import mark_paid
from app.services.phones import normalize_phone

MAX_LINES = 200


class StorefrontAuthError(DomainError):
    """The request is not signed by the website's secret: the API answers 401."""

    http_status = 401


@dataclass(frozen=True)
class StorefrontResult:
    order: Order
    created: bool  # False: the website sent an order we already have (a retry); same order back


def verify_signature(channel: Channel, raw_body: bytes, signature_header: str | None) -> None:
    secret = (channel.credentials or {}).get("api_secret")
    if channel.platform != Platform.WEBSITE or not channel.active or not secret:
        raise StorefrontAuthError("This channel does not accept website orders.")
    given = (signature_header or "").strip()
    if given.lower().startswith("sha256="):
        given = given[len("sha256="):]
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode("ascii"), given.lower().encode("utf-8", "replace")):
        raise StorefrontAuthError("The request signature is missing or wrong.")


def _text(data: dict, key: str, field: str, errors: dict, *, required: bool = True,
          limit: int = 255) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.setdefault(field, []).append("This field is required.")
        return ""
    if not isinstance(value, str):
        errors.setdefault(field, []).append("Must be a string.")
        return ""
    if len(value.strip()) > limit:
        errors.setdefault(field, []).append(f"At most {limit} characters.")
    return value.strip()[:limit]


def _whole(data: dict, key: str, field: str, errors: dict, *, minimum: int, default=None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        errors.setdefault(field, []).append("Must be a whole number (money in đồng, no decimals)."
                                            if key != "quantity" else "Must be a whole number.")
        return 0
    if value < minimum:
        errors.setdefault(field, []).append(f"Must be at least {minimum}.")
    return value


def _object(data: dict, key: str, errors: dict) -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        errors.setdefault(key, []).append("This field is required (an object).")
        return {}
    return value


def parse_storefront_order(raw_body: bytes) -> IncomingOrder:
    """Validate the JSON body; raise ValidationErrors listing every field at fault."""
    try:
        data = bounded_json.loads(raw_body)
    except ValueError as exc:
        raise ValidationError("body", f"The body is not valid JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise ValidationError("body", "The body must be a JSON object.")
    errors: dict[str, list[str]] = {}
    order_id = data.get("order_id")
    if isinstance(order_id, int) and not isinstance(order_id, bool):
        order_id = str(order_id)
    order_id = _text({"order_id": order_id}, "order_id", "order_id", errors, limit=64)
    buyer = _object(data, "buyer", errors)
    address = _object(data, "shipping_address", errors)
    name = _text(buyer, "name", "buyer.name", errors)
    phone = ""
    try:
        phone = normalize_phone(buyer.get("phone"), "buyer.phone")
    except ValidationError as exc:
        errors.setdefault("buyer.phone", []).append(exc.message)
    email = _text(buyer, "email", "buyer.email", errors, required=False)
    if email and "@" not in email:
        errors.setdefault("buyer.email", []).append("Not an e-mail address.")
    place = {k: _text(address, k, f"shipping_address.{k}", errors, required=k != "district",
                      limit=80 if k != "street" else 255)
             for k in ADDRESS_FIELDS if not isinstance(address.get(k), int)}
    place.update({k: str(v) for k, v in address.items() if k in ("ward", "province")
                  and isinstance(v, int) and not isinstance(v, bool)})
    if not any(f"shipping_address.{k}" in errors for k in ADDRESS_FIELDS):
        try:
            found = addresses.resolve(place, {k: f"shipping_address.{k}" for k in ADDRESS_FIELDS})
            place.update(ward=found.ward.name, province=found.province.name, district="")
        except ValidationError as exc:
            errors.setdefault(exc.field, []).append(FieldMessage(exc.template, **exc.details))
    raw_lines = data.get("lines")
    lines = []
    if not isinstance(raw_lines, list) or not raw_lines:
        errors.setdefault("lines", []).append("At least one line is required.")
    elif len(raw_lines) > MAX_LINES:
        errors.setdefault("lines", []).append(f"At most {MAX_LINES} lines.")
    else:
        for i, raw in enumerate(raw_lines):
            if not isinstance(raw, dict):
                errors.setdefault(f"lines[{i}]", []).append("Must be an object.")
                continue
            lines.append(IncomingLine(
                sku=_text(raw, "sku", f"lines[{i}].sku", errors, limit=64),
                quantity=_whole(raw, "quantity", f"lines[{i}].quantity", errors, minimum=1),
                unit_price=_whole(raw, "unit_price", f"lines[{i}].unit_price", errors, minimum=0),
                discount=_whole(raw, "discount", f"lines[{i}].discount", errors, minimum=0,
                                default=0),
                name=_text(raw, "name", f"lines[{i}].name", errors, required=False)))
    payment = data.get("payment_method", "cod")
    if payment not in ("cod", "prepaid", "bank_transfer"):
        errors.setdefault("payment_method", []).append("Must be cod, prepaid or bank_transfer.")
    fee = _whole(data, "shipping_fee", "shipping_fee", errors, minimum=0, default=0)
    placed_at = None
    if data.get("placed_at") is not None:
        try:
            placed_at = dt.datetime.fromisoformat(str(data["placed_at"]))
            if placed_at.tzinfo is not None:
                placed_at = placed_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
        except ValueError:
            errors.setdefault("placed_at", []).append("Must be an ISO 8601 date-time.")
    note = _text(data, "note", "note", errors, required=False, limit=2000)
    paid = data.get("paid", False)
    if not isinstance(paid, bool):
        errors.setdefault("paid", []).append("Must be true or false.")
    elif paid and payment == "cod":
        errors.setdefault("paid", []).append("A cash-on-delivery order is paid on delivery, "
                                             "not by the website.")
    if errors:
        raise ValidationErrors(errors)
    incoming = IncomingOrder(external_id=order_id, buyer_name=name, buyer_phone=phone,
                             buyer_email=email or None, address=place["street"],
                             ward=place["ward"], district=place["district"],
                             province=place["province"], lines=lines, payment_method=payment,
                             shipping_fee=fee, note=note, created_at=placed_at)
    incoming.paid = paid is True
    return incoming


def create_storefront_order(session: Session, channel: Channel, raw_body: bytes,
                            signature_header: str | None, *, commit: bool = True
                            ) -> StorefrontResult:
    """Verify, validate and take in a website order; a repeat returns the same order (created=False).

    Unknown SKUs are kept as lines without a variant and the order is flagged (needs_attention).
    """
    verify_signature(channel, raw_body, signature_header)
    incoming = parse_storefront_order(raw_body)
    result = upsert_channel_order(session, channel, incoming, commit=False)
    if result.created and incoming.paid:
        # Paid by card or bank on the website: the payment is a fact to record, not to wait for.
        mark_paid(session, result.order.id, commit=False)
    if commit:
        session.commit()
    return StorefrontResult(result.order, result.created)
