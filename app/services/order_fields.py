"""What may be typed on an order's header (buyer, address, payment, warehouse …), cleaned one rule
per field, and in which states each field may still change (SPEC §3).

Taking an order (order_entry) and changing it (order_editing) share these rules, whether the values
come from the admin panel's form, the REST API's JSON or the quick-entry page: a wrong value is
refused naming the field, never stored or turned into a database error.
"""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Channel, Customer, OrderStatus, PaymentMethod, Warehouse
from app.services.errors import N_, ValidationError
from app.services.phones import normalize_phone
from app.services.pricing import whole_dong

S = OrderStatus
OPEN_STATES = frozenset({S.NEW, S.PROCESSING, S.PACKED})

# Field → the states in which it may change. SPEC §3: buyer, address and money only while new; the
# fulfilling warehouse until packing (reservations move with it); the clerk's notes while open.
EDITABLE_IN: dict[str, frozenset[OrderStatus]] = {
    **{name: frozenset({S.NEW}) for name in (
        "customer_id", "buyer_name", "buyer_phone", "buyer_email", "ship_street", "ship_ward",
        "ship_district", "ship_province", "ship_province_code", "ship_ward_code", "area_codes", "payment_method", "shipping_fee",
        "invoice_requested", "channel_id", "external_order_id")},
    "warehouse_id": frozenset({S.NEW, S.PROCESSING}),
    "notes": OPEN_STATES,
}

def editable(order) -> bool:
    """Whether anything on the order may still be edited in its state (lines, header or notes)."""
    return order.status in OPEN_STATES


# How a field is named in a message (translated by the web layer).
FIELD_LABELS = {
    "customer_id": N_("customer"), "buyer_name": N_("buyer name"), "buyer_phone": N_("buyer phone"),
    "buyer_email": N_("buyer e-mail"), "ship_street": N_("street"), "ship_ward": N_("ward"),
    "ship_district": N_("district"), "ship_province": N_("province"),
    "ship_province_code": N_("province"), "ship_ward_code": N_("ward"),
    "area_codes": N_("carrier area codes"), "payment_method": N_("payment method"),
    "shipping_fee": N_("shipping fee"), "invoice_requested": N_("invoice request"),
    "channel_id": N_("channel"), "external_order_id": N_("channel order id"),
    "warehouse_id": N_("warehouse"), "notes": N_("notes"),
}
TEXT_LIMITS = {"buyer_name": 255, "buyer_email": 255, "ship_street": 255, "ship_ward": 80,
               "ship_district": 80, "ship_province": 80, "external_order_id": 64, "notes": 5000}


def payment_method(value, field: str = "payment_method") -> PaymentMethod:
    try:
        return PaymentMethod(str(getattr(value, "value", value) or "cod").strip().lower())
    except ValueError:
        raise ValidationError(field, N_("Payment method %(value)s is not one of %(choices)s."),
                              value=repr(value), choices=", ".join(m.value for m in PaymentMethod)
                              ) from None


def record_id(session: Session, model, value, field: str, *, required: bool = False):
    """The id of an existing ``model`` row (None allowed unless ``required``)."""
    if value is None or value == "":
        if required:
            raise ValidationError(field, N_("This field is required."))
        return None
    value = getattr(value, "id", value)
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise ValidationError(field, N_("Give the id of an existing record."))
    if session.get(model, int(value)) is None:
        raise ValidationError(field, N_("Record #%(id)s does not exist."), id=int(value))
    return int(value)


def _text(value, field: str, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(field, N_("This field is required."))
        return None
    if not isinstance(value, str):
        raise ValidationError(field, N_("Must be text."))
    value = value.strip()
    limit = TEXT_LIMITS.get(field, 255)
    if len(value) > limit:
        raise ValidationError(field, N_("At most %(limit)s characters."), limit=limit)
    return value


def _flag(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "on"):
        return True
    if text in ("0", "false", "no", "n", "off", "", "none"):
        return False
    raise ValidationError(field, N_("Must be true or false."))


def clean_header(session: Session, values: dict) -> dict:
    """The given header fields, each checked and normalised; unknown fields are refused."""
    out = {}
    for key, value in values.items():
        if key not in EDITABLE_IN:
            raise ValidationError(key, N_("This field cannot be set here."))
        if key == "customer_id":
            out[key] = record_id(session, Customer, value, key)
        elif key == "warehouse_id":
            out[key] = record_id(session, Warehouse, value, key)
            if out[key] is not None and not session.get(Warehouse, out[key]).active:
                raise ValidationError(key, N_("This warehouse is not active."))
        elif key == "channel_id":
            out[key] = record_id(session, Channel, value, key)
        elif key == "buyer_phone":
            out[key] = normalize_phone(value, key) if str(value or "").strip() else None
        elif key == "buyer_email":
            out[key] = _text(value, key)
            if out[key] and ("@" not in out[key] or " " in out[key]):
                raise ValidationError(key, N_("Not an e-mail address."))
        elif key == "payment_method":
            out[key] = payment_method(value, key)
        elif key == "shipping_fee":
            out[key] = whole_dong(value, key)
        elif key == "invoice_requested":
            out[key] = _flag(value, key)
        elif key in ("ship_province_code", "ship_ward_code"):
            # Set with the names by addresses.ship_changes; a code alone is taken as the choice.
            if value not in (None, "") and not str(value).strip().isdigit():
                raise ValidationError(key, N_("Choose it from the list."))
            out[key.replace("_code", "")] = str(value).strip() if value not in (None, "") else None
        elif key == "area_codes":
            if value is not None and not isinstance(value, dict):
                raise ValidationError(key, N_("Must be an object of carrier → codes."))
            out[key] = value or None
        else:
            out[key] = _text(value, key, required=key == "buyer_name")
    return out


def changed_fields(order, cleaned: dict) -> dict:
    """Only what really differs from the order (a form re-sends every field it shows)."""
    out = {}
    for key, value in cleaned.items():
        current = getattr(order, key)
        if isinstance(current, Decimal) or isinstance(value, Decimal):
            same = current is not None and value is not None and Decimal(current) == Decimal(value)
        else:
            same = (current or None) == (value or None) if not isinstance(value, bool) \
                else bool(current) == value
        if not same:
            out[key] = value
    return out


def main_warehouse_id(session: Session) -> int | None:
    """The warehouse a new manual order ships from by default: the active main warehouse (the
    lowest code among several), else the only active one."""
    from app.models import WarehouseKind
    found = session.scalar(sa.select(Warehouse.id).where(Warehouse.active,
                                                         Warehouse.kind == WarehouseKind.MAIN)
                           .order_by(Warehouse.code).limit(1))
    if found is not None:
        return found
    active = session.scalars(sa.select(Warehouse.id).where(Warehouse.active).limit(2)).all()
    return active[0] if len(active) == 1 else None
