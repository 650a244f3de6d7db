"""Taking orders in, from every channel: the clerk's quick entry (phone, Facebook), the order form,
the website, and marketplace imports. (Changing an order afterwards: order_editing; the quick
entry's look-ups: customer_lookup.)

Channel orders are idempotent on (channel, external order id): the database's unique constraint is
the judge, so two imports racing with the same order both end with the one row (the loser's insert
is rolled back to a savepoint and it returns the winner's order with ``created=False``). An unknown
SKU never drops an order: the line is kept with no variant and the order is flagged.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload, undefer

from app.models import Channel, Customer, Order, OrderLine, OrderStatus, ProductVariant
from app.models.base import utcnow
from app.services import addresses
from app.services.amounts import QUANTITY, parse_amount, parse_id
from app.services.attention_notes import UNKNOWN_SKU, note as attention_note
from app.services.errors import N_, ValidationError
from app.services.ledger import use_case
from app.services.order_fields import (EDITABLE_IN, clean_header, main_warehouse_id,
                                       payment_method as _payment_method)
from app.services.orders import OPEN_STATES, cancel_order
from app.services.phones import normalize_phone
from app.services.pricing import whole_dong

ADDRESS_FIELDS = ("street", "ward", "district", "province")


@dataclass
class IncomingLine:
    """One line as a channel sends it (same attribute names as marketplaces.common's order line)."""

    sku: str
    quantity: int
    unit_price: int
    name: str = ""
    discount: int = 0
    external_variant_id: str = ""


@dataclass
class IncomingOrder:
    """An order as a channel sends it; ``marketplaces.common.MarketplaceOrder`` fits the same shape."""

    external_id: str
    buyer_name: str
    buyer_phone: str
    address: str
    ward: str
    district: str
    province: str
    lines: list[IncomingLine]
    payment_method: str = "cod"
    status: str = "new"
    raw_status: str = ""
    buyer_email: str | None = None
    shipping_fee: int = 0
    note: str = ""
    cancel_reason: str = ""
    created_at: dt.datetime | None = None
    area_codes: dict | None = field(default=None)


@dataclass(frozen=True)
class EntryResult:
    order: Order
    created: bool


def find_or_create_customer(session: Session, *, name: str, phone: str | None,
                            email: str | None = None, address: Mapping | None = None) -> Customer:
    """The customer with this (normalised) phone, or a new one; a phone is the buyer's identity."""
    if phone:
        found = session.scalars(sa.select(Customer).where(Customer.phone == phone)
                                .order_by(Customer.id).limit(1)).first()
        if found is not None:
            return found
    address = address or {}
    if isinstance(address, addresses.Address):
        address = address.fields()
    customer = Customer(name=name, phone=phone, email=email or None,
                        **{k: address.get(k) or None for k in (*ADDRESS_FIELDS, "province_code",
                                                                "ward_code")})
    session.add(customer)
    return customer


def _known_variants(session: Session, skus) -> dict[str, ProductVariant]:
    rows = session.scalars(sa.select(ProductVariant).where(ProductVariant.sku.in_(set(skus)))
                           .options(selectinload(ProductVariant.product))).all()
    return {v.sku: v for v in rows}


def _channel_lines(session: Session, incoming) -> tuple[list[OrderLine], list[str]]:
    variants = _known_variants(session, [ln.sku for ln in incoming.lines])
    lines, unknown = [], []
    for ln in incoming.lines:
        variant = variants.get(ln.sku)
        if variant is None:
            unknown.append(ln.sku)
        lines.append(OrderLine(
            variant_id=variant.id if variant else None, sku=ln.sku[:64],
            name=(ln.name or (variant.label if variant else ln.sku))[:255],
            quantity=int(ln.quantity), unit_price=Decimal(int(ln.unit_price)),
            discount=Decimal(int(getattr(ln, "discount", 0) or 0)),
            vat_rate=variant.product.vat_rate if variant else "10",
            external_line_id=(getattr(ln, "external_variant_id", "") or None)))
    return lines, unknown


def unknown_sku_message(skus) -> str:
    # Stored on the order (needs_attention) and matched by its English start ("Unknown SKU").
    return attention_note(UNKNOWN_SKU, skus=", ".join(sorted(set(skus))))


def _new_channel_order(session: Session, channel: Channel, incoming) -> Order:
    lines, unknown = _channel_lines(session, incoming)
    phone = incoming.buyer_phone or None
    try:
        phone = normalize_phone(phone) if phone else None
    except ValidationError:
        pass  # marketplaces mask phones ("******78"); keep what they sent, do not link a customer
    ship, problem = addresses.for_import(incoming.address, incoming.ward, incoming.district,
                                         incoming.province)
    customer = None
    if phone and phone.isdigit():
        customer = find_or_create_customer(session, name=incoming.buyer_name, phone=phone,
                                           email=getattr(incoming, "buyer_email", None),
                                           address={k[5:]: v for k, v in ship.items()})
    cancelled = incoming.status == OrderStatus.CANCELLED.value
    attention = unknown_sku_message(unknown) if unknown else None
    return Order(
        channel_id=channel.id, external_order_id=str(incoming.external_id)[:64],
        marketplace_status=(incoming.raw_status or None), customer=customer,
        buyer_name=incoming.buyer_name[:255], buyer_phone=(phone or None) and phone[:20],
        buyer_email=getattr(incoming, "buyer_email", None), **ship,
        area_codes=getattr(incoming, "area_codes", None),
        warehouse_id=channel.order_warehouse_id,
        payment_method=_payment_method(incoming.payment_method),
        shipping_fee=Decimal(int(incoming.shipping_fee or 0)), notes=incoming.note or None,
        placed_at=incoming.created_at,
        status=OrderStatus.CANCELLED if cancelled else OrderStatus.NEW,
        cancel_reason=(incoming.cancel_reason or None) if cancelled else None,
        needs_attention=addresses.attention(attention, problem), lines=lines)


def _find_channel_order(session: Session, channel_id: int, external_id: str) -> Order | None:
    return session.scalars(sa.select(Order).where(Order.channel_id == channel_id,
                                                  Order.external_order_id == external_id)).first()


def _merge(session: Session, order: Order, incoming) -> Order:
    """A repeat of an order we have: follow the channel's status; never duplicate lines."""
    if incoming.raw_status:
        order.marketplace_status = incoming.raw_status
    if incoming.status == OrderStatus.CANCELLED.value and order.status in OPEN_STATES:
        cancel_order(session, order.id, commit=False,
                     reason=incoming.cancel_reason or "Cancelled by the buyer on the channel")
    return order


@use_case
def upsert_channel_order(session: Session, channel: Channel, incoming) -> EntryResult:
    """Create the order from a channel's payload, or return (and update) the one we already have."""
    external_id = str(incoming.external_id or "").strip()
    if not external_id:
        raise ValidationError("external_id", N_("The channel's order id is missing."))
    if not incoming.lines:
        raise ValidationError("lines", N_("Order %(external_id)s has no lines."),
                              external_id=external_id)
    existing = _find_channel_order(session, channel.id, external_id)
    if existing is not None:
        return EntryResult(_merge(session, existing, incoming), False)
    try:
        with session.begin_nested():
            order = _new_channel_order(session, channel, incoming)
            session.add(order)
            session.flush()
    except sa.exc.IntegrityError:
        existing = _find_channel_order(session, channel.id, external_id)
        if existing is None:
            raise
        return EntryResult(_merge(session, existing, incoming), False)
    return EntryResult(order, True)


def customer_address(customer: Customer | None) -> dict:
    """The customer's address as order entry takes it (the codes when it was chosen)."""
    if customer is None:
        return {}
    return {"street": customer.street, "district": customer.district,
            "ward": customer.ward_code or customer.ward,
            "province": customer.province_code or customer.province}


def _address(given: Mapping | None, customer: Customer | None, prefix: str) -> addresses.Address:
    """The typed address (or, when none is typed, the customer's), checked against the divisions."""
    source = dict(given or {})
    if not any(str(source.get(k) or "").strip() for k in ADDRESS_FIELDS) and customer is not None:
        source = customer_address(customer)
    return addresses.resolve(source, {k: f"{prefix}.{k}" for k in addresses.PARTS})


def manual_line(session: Session, index: int, spec) -> OrderLine:
    """One typed line: (variant_id, quantity[, unit_price[, discount]]) or a mapping."""
    if isinstance(spec, Mapping):
        spec = (spec.get("variant_id"), spec.get("quantity"), spec.get("unit_price"),
                spec.get("discount"))
    variant_id, quantity, unit_price, discount = (tuple(spec) + (None, None))[:4]
    name = f"lines[{index}]"
    variant_id = parse_id(variant_id)
    variant = session.get(ProductVariant, variant_id) if variant_id else None
    if variant is None:
        raise ValidationError(f"{name}.variant_id", N_("Choose a product variant for this line."))
    quantity = parse_amount(quantity, field=f"{name}.quantity", label="Quantity", kind=QUANTITY)
    if quantity is None or quantity <= 0:
        raise ValidationError(f"{name}.quantity",
                              N_("The quantity must be a whole number above zero."))
    price = whole_dong(unit_price, f"{name}.unit_price", allow_none=True)
    price = variant.price if price is None else price
    discount = whole_dong(discount, f"{name}.discount", allow_none=True) or Decimal(0)
    if discount > price * quantity:
        raise ValidationError(f"{name}.discount",
                              N_("The discount must be between 0 and the line's value."))
    # Counts set here, not left to the column defaults: those only arrive with the INSERT, and a
    # new order's line is reported on (reservations.line_result) before anything is flushed.
    return OrderLine(variant_id=variant.id, sku=variant.sku, name=variant.label[:255],
                     quantity=quantity, unit_price=price, discount=discount,
                     vat_rate=variant.product.vat_rate, reserved_quantity=0, shipped_quantity=0,
                     returned_quantity=0)


def _buyer(session: Session, customer_id, customer: Mapping | None) -> tuple[Customer | None, dict]:
    """The chosen customer, or the one with the typed phone, or None for a new buyer; and the
    new buyer's checked name, phone and e-mail."""
    if customer_id is not None:
        buyer = session.get(Customer, parse_id(customer_id)) if parse_id(customer_id) else None
        if buyer is None:
            raise ValidationError("customer_id", N_("Customer #%(id)s does not exist."),
                                  id=customer_id)
        return buyer, {}
    fields = dict(customer or {})
    if not str(fields.get("name") or "").strip():
        raise ValidationError("customer.name", N_("Give the buyer's name."))
    phone = normalize_phone(fields.get("phone"), "customer.phone")
    found = session.scalars(sa.select(Customer).where(Customer.phone == phone)
                            .order_by(Customer.id).limit(1)).first() if phone else None
    return found, {"name": fields["name"].strip(), "phone": phone, "email": fields.get("email"),
                   "address": {k: fields.get(k) for k in ADDRESS_FIELDS}}


@use_case
def create_manual_order(session: Session, *, lines: Sequence, customer_id: int | None = None,
                        customer: Mapping | None = None, shipping_address: Mapping | None = None,
                        payment_method: str = "cod", warehouse_id: int | None = None,
                        channel: Channel | None = None, channel_id: int | None = None,
                        shipping_fee=0, notes: str | None = None,
                        invoice_requested: bool = False) -> Order:
    """The clerk's quick entry: an existing customer (or a new one from ``customer`` fields), lines
    ``(variant_id, quantity, unit_price=None → the variant's price, discount=0)``, address (default:
    the customer's), payment method, the channel it came through (phone, Facebook …) and warehouse
    (default: the channel's, else the main warehouse). The order starts ``new``.
    """
    if channel is None and channel_id not in (None, ""):
        channel = session.get(Channel, channel_id) if str(channel_id).isdigit() else None
        if channel is None or not channel.active:
            raise ValidationError("channel_id", N_("Choose the channel the order came through."))
    buyer, new_buyer = _buyer(session, customer_id, customer)
    if not lines:
        raise ValidationError("lines", N_("Add at least one line."))
    order_lines = [manual_line(session, i, spec) for i, spec in enumerate(lines)]
    given = shipping_address
    if buyer is None and not any(str(v or "").strip() for v in (given or {}).values()):
        given = new_buyer["address"]  # typed with the new customer's fields
    address = _address(given, buyer, "shipping_address")
    if buyer is None:
        buyer = find_or_create_customer(session, name=new_buyer["name"], phone=new_buyer["phone"],
                                        email=new_buyer["email"], address=address)
    fee = whole_dong(shipping_fee, "shipping_fee", allow_none=True) or Decimal(0)
    warehouse = warehouse_id or (channel.order_warehouse_id if channel else None) \
        or main_warehouse_id(session)
    header = clean_header(session, {"warehouse_id": warehouse, "notes": notes,
                                    "invoice_requested": invoice_requested})
    order = Order(customer=buyer, buyer_name=buyer.name, buyer_phone=buyer.phone,
                  buyer_email=buyer.email, channel_id=channel.id if channel else None,
                  payment_method=_payment_method(payment_method), shipping_fee=fee,
                  placed_at=utcnow(), lines=order_lines, **address.fields("ship_"), **header)
    session.add(order)
    return order


@use_case
def create_order(session: Session, **values) -> Order:
    """The order form's "add": a new order's header (lines are added afterwards, one by one).

    The buyer's name defaults to the chosen customer's; the warehouse to the channel's.
    """
    if values.get("shipping_fee") in (None, ""):
        values.pop("shipping_fee", None)
    fields = clean_header(session, {k: v for k, v in values.items() if k in EDITABLE_IN})
    unknown = set(values) - set(EDITABLE_IN)
    if unknown:
        raise ValidationError(sorted(unknown)[0], N_("This field cannot be set here."))
    customer = session.get(Customer, fields["customer_id"]) if fields.get("customer_id") else None
    if not any(fields.get(f) for f in addresses.SHIP_FIELDS if f != "ship_district") and \
            customer is not None and customer.ward_code:
        fields.update({f"ship_{k}": v for k, v in customer_address(customer).items()})
    fields = addresses.ship_changes(None, {k: v for k, v in fields.items()
                                           if k not in addresses.SHIP_FIELDS or v})
    if not fields.get("buyer_name"):
        if customer is None:
            raise ValidationError("buyer_name", N_("Give the buyer's name or choose a customer."))
        fields["buyer_name"] = customer.name
        fields.setdefault("buyer_phone", customer.phone)
    if fields.get("channel_id") and not fields.get("warehouse_id"):
        fields["warehouse_id"] = session.get(Channel, fields["channel_id"]).order_warehouse_id
    if fields.get("external_order_id") and not fields.get("channel_id"):
        raise ValidationError("channel_id", N_("A channel order id needs its channel."))
    fields.setdefault("payment_method", _payment_method(None))
    fields.setdefault("shipping_fee", Decimal(0))
    order = Order(placed_at=utcnow(), **{k: v for k, v in fields.items()})
    session.add(order)
    try:
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        raise ValidationError("external_order_id", N_("This channel already has an order with "
                                                      "that external order id.")) from None
    return order
