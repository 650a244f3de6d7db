"""Taking orders in, from every channel: the clerk's quick entry (phone, Facebook), the website, and
marketplace imports — and changing what is on an order while it is still new or processing.

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

from app.models import (Channel, Customer, Order, OrderLine, OrderStatus, PaymentMethod, Product,
                        ProductVariant, StockLevel)
from app.models.base import utcnow
from app.services.errors import ValidationError
from app.services.ledger import use_case
from app.services.editing import check_version
from app.services.orders import (OPEN_STATES, cancel_order, load_order, release_order,
                                 require_state, reserve_order_lines)
from app.services.phones import normalize_phone, phone_search_key
from app.services.reservations import (LineReservation, by_variant, line_result, release_line,
                                       reserve_line)

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


def _payment_method(value: str | None, field_name: str = "payment_method") -> PaymentMethod:
    try:
        return PaymentMethod((value or "cod").strip().lower())
    except ValueError:
        choices = ", ".join(m.value for m in PaymentMethod)
        raise ValidationError(field_name, f"Payment method {value!r} is not one of {choices}.") \
            from None


def find_or_create_customer(session: Session, *, name: str, phone: str | None,
                            email: str | None = None, address: Mapping | None = None) -> Customer:
    """The customer with this (normalised) phone, or a new one; a phone is the buyer's identity."""
    if phone:
        found = session.scalars(sa.select(Customer).where(Customer.phone == phone)
                                .order_by(Customer.id).limit(1)).first()
        if found is not None:
            return found
    address = address or {}
    customer = Customer(name=name, phone=phone, email=email or None,
                        **{k: address.get(k) or None for k in ADDRESS_FIELDS})
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
    return (f"Unknown SKU: {', '.join(sorted(set(skus)))}. Add the variant or choose it on the "
            "line before confirming.")[:500]


def _new_channel_order(session: Session, channel: Channel, incoming) -> Order:
    lines, unknown = _channel_lines(session, incoming)
    phone = incoming.buyer_phone or None
    try:
        phone = normalize_phone(phone) if phone else None
    except ValidationError:
        pass  # marketplaces mask phones ("******78"); keep what they sent, do not link a customer
    customer = None
    if phone and phone.isdigit():
        customer = find_or_create_customer(session, name=incoming.buyer_name, phone=phone,
                                           email=getattr(incoming, "buyer_email", None),
                                           address={"street": incoming.address,
                                                    "ward": incoming.ward,
                                                    "district": incoming.district,
                                                    "province": incoming.province})
    cancelled = incoming.status == OrderStatus.CANCELLED.value
    return Order(
        channel_id=channel.id, external_order_id=str(incoming.external_id)[:64],
        marketplace_status=(incoming.raw_status or None), customer=customer,
        buyer_name=incoming.buyer_name[:255], buyer_phone=(phone or None) and phone[:20],
        buyer_email=getattr(incoming, "buyer_email", None), ship_street=incoming.address or None,
        ship_ward=incoming.ward or None, ship_district=incoming.district or None,
        ship_province=incoming.province or None, area_codes=getattr(incoming, "area_codes", None),
        warehouse_id=channel.order_warehouse_id,
        payment_method=_payment_method(incoming.payment_method),
        shipping_fee=Decimal(int(incoming.shipping_fee or 0)), notes=incoming.note or None,
        placed_at=incoming.created_at,
        status=OrderStatus.CANCELLED if cancelled else OrderStatus.NEW,
        cancel_reason=(incoming.cancel_reason or None) if cancelled else None,
        needs_attention=unknown_sku_message(unknown) if unknown else None, lines=lines)


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
        raise ValidationError("external_id", "The channel's order id is missing.")
    if not incoming.lines:
        raise ValidationError("lines", f"Order {external_id} has no lines.")
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


def _address(given: Mapping | None, customer: Customer | None, prefix: str) -> dict:
    source = dict(given or {})
    if not any(source.get(k) for k in ADDRESS_FIELDS) and customer is not None:
        source = {k: getattr(customer, k) for k in ADDRESS_FIELDS}
    for key in ADDRESS_FIELDS:
        if not str(source.get(key) or "").strip():
            raise ValidationError(f"{prefix}.{key}", f"The shipping address needs a {key}.")
    return {k: str(source[k]).strip() for k in ADDRESS_FIELDS}


def manual_line(session: Session, index: int, spec) -> OrderLine:
    """One quick-entry line: (variant_id, quantity[, unit_price[, discount]]) or a mapping."""
    if isinstance(spec, Mapping):
        spec = (spec.get("variant_id"), spec.get("quantity"), spec.get("unit_price"),
                spec.get("discount"))
    variant_id, quantity, unit_price, discount = (tuple(spec) + (None, None))[:4]
    name = f"lines[{index}]"
    variant = session.get(ProductVariant, variant_id) if variant_id else None
    if variant is None:
        raise ValidationError(f"{name}.variant_id", "Choose a product variant for this line.")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise ValidationError(f"{name}.quantity", "The quantity must be a whole number above zero.")
    price = variant.price if unit_price is None else Decimal(unit_price)
    discount = Decimal(discount or 0)
    if price < 0 or price != price.to_integral_value():
        raise ValidationError(f"{name}.unit_price", "The price must be a whole number of đồng ≥ 0.")
    if discount < 0 or discount > price * quantity:
        raise ValidationError(f"{name}.discount", "The discount must be between 0 and the line's "
                                                  "value.")
    return OrderLine(variant_id=variant.id, sku=variant.sku, name=variant.label[:255],
                     quantity=quantity, unit_price=price, discount=discount,
                     vat_rate=variant.product.vat_rate)


@use_case
def create_manual_order(session: Session, *, lines: Sequence, customer_id: int | None = None,
                        customer: Mapping | None = None, shipping_address: Mapping | None = None,
                        payment_method: str = "cod", warehouse_id: int | None = None,
                        channel: Channel | None = None, shipping_fee: int = 0,
                        notes: str | None = None, invoice_requested: bool = False) -> Order:
    """The clerk's quick entry: an existing customer (or a new one from ``customer`` fields), lines
    ``(variant_id, quantity, unit_price=None → the variant's price, discount=0)``, address (default:
    the customer's), payment method and warehouse. The order starts ``new``.
    """
    if customer_id is not None:
        buyer = session.get(Customer, customer_id)
        if buyer is None:
            raise ValidationError("customer_id", f"Customer #{customer_id} does not exist.")
    else:
        fields = dict(customer or {})
        if not str(fields.get("name") or "").strip():
            raise ValidationError("customer.name", "Give the buyer's name.")
        phone = normalize_phone(fields.get("phone"), "customer.phone")
        buyer = find_or_create_customer(session, name=fields["name"].strip(), phone=phone,
                                        email=fields.get("email"),
                                        address=shipping_address or fields)
    if not lines:
        raise ValidationError("lines", "Add at least one line.")
    order_lines = [manual_line(session, i, spec) for i, spec in enumerate(lines)]
    address = _address(shipping_address, buyer, "shipping_address")
    if not isinstance(shipping_fee, int) or shipping_fee < 0:
        raise ValidationError("shipping_fee", "The shipping fee must be a whole number ≥ 0.")
    order = Order(customer=buyer, buyer_name=buyer.name, buyer_phone=buyer.phone,
                  buyer_email=buyer.email, channel_id=channel.id if channel else None,
                  warehouse_id=warehouse_id or (channel.order_warehouse_id if channel else None),
                  payment_method=_payment_method(payment_method), shipping_fee=shipping_fee,
                  notes=notes, invoice_requested=invoice_requested, placed_at=utcnow(),
                  ship_street=address["street"], ship_ward=address["ward"],
                  ship_district=address["district"], ship_province=address["province"],
                  lines=order_lines)
    session.add(order)
    return order


# --- Changing an order that is still new or processing -------------------------------------------

HEADER_FIELDS = {"buyer_name", "buyer_phone", "buyer_email", "ship_street", "ship_ward",
                 "ship_district", "ship_province", "area_codes", "notes", "payment_method",
                 "shipping_fee", "invoice_requested", "warehouse_id", "customer_id"}


@use_case
def edit_order(session: Session, order_id: int, *, version: int | None = None,
               **changes) -> list[LineReservation]:
    """Edit buyer, address, payment or warehouse. Moving a processing order to another warehouse
    moves its reservations too (released here, reserved there); returns the lines' stock results."""
    order = load_order(session, order_id)
    check_version(order, version, "order")
    require_state(order, "edit")
    unknown = set(changes) - HEADER_FIELDS
    if unknown:
        raise ValidationError(sorted(unknown)[0], "This field cannot be edited here.")
    if "buyer_phone" in changes and changes["buyer_phone"]:
        changes["buyer_phone"] = normalize_phone(changes["buyer_phone"], "buyer_phone")
    if "payment_method" in changes:
        changes["payment_method"] = _payment_method(changes["payment_method"])
    fee = changes.get("shipping_fee", 0)
    if not isinstance(fee, (int, Decimal)) or fee < 0:
        raise ValidationError("shipping_fee", "The shipping fee must be a whole number ≥ 0.")
    new_warehouse = changes.pop("warehouse_id", order.warehouse_id)
    for key, value in changes.items():
        setattr(order, key, value)
    if new_warehouse != order.warehouse_id and order.status == OrderStatus.PROCESSING:
        release_order(session, order)
        order.warehouse_id = new_warehouse
        return reserve_order_lines(session, order)
    order.warehouse_id = new_warehouse
    order.updated_at = utcnow()
    return [line_result(line) for line in order.lines]


def _change_line(session: Session, order: Order, index: int, change: Mapping) -> OrderLine | None:
    name = f"lines[{index}]"
    line = next((ln for ln in order.lines if ln.id == change.get("line_id")), None)
    if change.get("line_id") is not None and line is None:
        raise ValidationError(f"{name}.line_id", f"Line #{change['line_id']} is not on this order.")
    if line is None:
        new = manual_line(session, index, change)
        order.lines.append(new)
        return new
    if change.get("quantity") == 0:  # remove the line, giving back what it held
        release_line(session, line, order.warehouse_id)
        order.lines.remove(line)
        return None
    if change.get("variant_id") and change["variant_id"] != line.variant_id:
        release_line(session, line, order.warehouse_id)
        mapped = manual_line(session, index, {"variant_id": change["variant_id"],
                                              "quantity": line.quantity,
                                              "unit_price": line.unit_price})
        line.variant_id, line.sku, line.vat_rate = mapped.variant_id, mapped.sku, mapped.vat_rate
    merged = manual_line(session, index, {
        "variant_id": line.variant_id, "quantity": change.get("quantity", line.quantity),
        "unit_price": change.get("unit_price", line.unit_price),
        "discount": change.get("discount", line.discount)}) if line.variant_id else None
    if merged is not None:
        excess = line.reserved_quantity - (merged.quantity - line.shipped_quantity)
        if excess > 0:  # give stock back before the smaller quantity is written
            release_line(session, line, order.warehouse_id, excess)
        line.quantity, line.unit_price, line.discount = \
            merged.quantity, merged.unit_price, merged.discount
    return line


@use_case
def edit_order_lines(session: Session, order_id: int, changes: Sequence[Mapping], *,
                     version: int | None = None) -> list[LineReservation]:
    """Add, change or remove lines while the order is new or processing.

    Each change is ``{"line_id": id, "quantity": n}`` (0 removes the line), may carry
    ``unit_price``, ``discount`` or ``variant_id`` (to map an unknown SKU), or has no ``line_id``
    to add a line. On a processing order the reservations follow: a smaller quantity gives stock
    back, a larger one reserves more if it is free. Returns every line's stock result.
    """
    order = load_order(session, order_id)
    check_version(order, version, "order")
    require_state(order, "edit")
    touched = [_change_line(session, order, i, c) for i, c in enumerate(changes)]
    if not order.lines:
        raise ValidationError("lines", "An order needs at least one line; cancel it instead.")
    if order.status == OrderStatus.PROCESSING:
        session.flush()  # new lines need ids for the results
        for line in by_variant([ln for ln in touched if ln is not None]):
            reserve_line(session, line, order.warehouse_id)
    unknown = [ln.sku for ln in order.lines if ln.variant_id is None]
    if unknown:
        order.needs_attention = unknown_sku_message(unknown)
    elif (order.needs_attention or "").startswith("Unknown SKU"):
        order.needs_attention = None
    order.updated_at = utcnow()  # line edits count as an edit of the order (version goes up)
    return [line_result(line) for line in order.lines]


# --- Look-ups for the quick-entry form ------------------------------------------------------------

@dataclass(frozen=True)
class CustomerHit:
    id: int
    name: str
    phone: str | None
    address: str
    order_count: int
    failed_count: int

    @property
    def failed_rate(self) -> float:
        """Share of the customer's orders that failed delivery or came back (a COD risk signal)."""
        return round(self.failed_count / self.order_count, 3) if self.order_count else 0.0


def search_customers(session: Session, text: str, limit: int = 10) -> list[CustomerHit]:
    """Customers whose name or phone matches, with their order count and failed/returned rate."""
    text = (text or "").strip()
    if not text:
        return []
    conditions = [Customer.name.ilike(f"%{text}%")]
    digits = phone_search_key(text)
    if digits and len(digits) >= 3:
        conditions.append(Customer.phone.like(f"%{digits}%"))
    rows = session.scalars(
        sa.select(Customer).where(sa.or_(*conditions))
        .options(undefer(Customer.order_count), undefer(Customer.failed_count))
        .order_by(Customer.name, Customer.id).limit(limit)).all()
    return [CustomerHit(c.id, c.name, c.phone,
                        ", ".join(p for p in (c.street, c.ward, c.district, c.province) if p),
                        int(c.order_count or 0), int(c.failed_count or 0)) for c in rows]


@dataclass(frozen=True)
class VariantHit:
    variant_id: int
    sku: str
    label: str
    price: Decimal
    on_hand: int
    available: int


def search_variants(session: Session, text: str, warehouse_id: int | None,
                    limit: int = 10) -> list[VariantHit]:
    """Active variants matching SKU, barcode or product name, with stock free in the warehouse."""
    text = (text or "").strip()
    if not text:
        return []
    like = f"%{text}%"
    level = StockLevel.__table__
    rows = session.execute(
        sa.select(ProductVariant, level.c.on_hand, level.c.reserved)
        .join(Product, Product.id == ProductVariant.product_id)
        .outerjoin(level, sa.and_(level.c.variant_id == ProductVariant.id,
                                  level.c.warehouse_id == warehouse_id))
        .where(ProductVariant.active, Product.active,
               sa.or_(ProductVariant.sku.ilike(like), ProductVariant.barcode == text,
                      ProductVariant.name.ilike(like), Product.name.ilike(like)))
        .options(selectinload(ProductVariant.product))
        .order_by(ProductVariant.sku).limit(limit)).all()
    return [VariantHit(v.id, v.sku, v.label, v.price, on_hand or 0,
                       (on_hand or 0) - (reserved or 0)) for v, on_hand, reserved in rows]
