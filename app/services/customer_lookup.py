"""Look-ups for taking an order by hand: customers by name or phone with their delivery record
(the COD risk a clerk should see before promising goods), and variants with the stock free in the
chosen warehouse.

The risk rule lives here, not in a page: a customer is risky when at least ``RISKY_RATE`` of their
orders failed delivery, came back to sender, or were returned by them afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models import (Customer, Order, OrderStatus, Product, ProductVariant, ReturnRequest,
                        ReturnStatus, StockLevel)
from app.services.catalog import search
from app.services.errors import ValidationError
from app.services.phones import normalize_phone, phone_search_key

RISKY_RATE = 0.2  # warn when a fifth or more of a customer's orders went wrong
FAILED_STATES = (OrderStatus.DELIVERY_FAILED, OrderStatus.RETURNED)


@dataclass(frozen=True)
class CustomerHit:
    id: int
    name: str
    phone: str | None
    address: str
    order_count: int
    failed_count: int      # failed deliveries and parcels returned to sender
    returned_count: int    # delivered orders the customer sent (some of) back

    @property
    def bad_count(self) -> int:
        return self.failed_count + self.returned_count

    @property
    def failed_rate(self) -> float:
        """Share of the customer's orders that failed delivery or came back (a COD risk signal)."""
        return round(min(1.0, self.bad_count / self.order_count), 3) if self.order_count else 0.0

    @property
    def risky(self) -> bool:
        return self.order_count > 0 and self.failed_rate >= RISKY_RATE


def _hits(session: Session, condition, limit: int) -> list[CustomerHit]:
    orders = sa.select(sa.func.count(Order.id)).where(Order.customer_id == Customer.id) \
        .correlate(Customer).scalar_subquery()
    failed = sa.select(sa.func.count(Order.id)).where(
        Order.customer_id == Customer.id, Order.status.in_(FAILED_STATES)) \
        .correlate(Customer).scalar_subquery()
    returned = sa.select(sa.func.count(sa.distinct(ReturnRequest.order_id))) \
        .join(Order, Order.id == ReturnRequest.order_id) \
        .where(Order.customer_id == Customer.id, ReturnRequest.status != ReturnStatus.CANCELLED) \
        .correlate(Customer).scalar_subquery()
    rows = session.execute(sa.select(Customer, orders, failed, returned).where(condition)
                           .order_by(Customer.name, Customer.id).limit(limit)).all()
    return [CustomerHit(c.id, c.name, c.phone,
                        ", ".join(p for p in (c.street, c.ward, c.district, c.province) if p),
                        int(n or 0), int(f or 0), int(r or 0)) for c, n, f, r in rows]


def search_customers(session: Session, text: str, limit: int = 10) -> list[CustomerHit]:
    """Customers whose name or phone matches, with their order count and failed/returned rate."""
    text = (text or "").strip()
    if not text:
        return []
    match = search.find_customers(session, text)
    conditions = [match.condition] if match is not None else []
    digits = phone_search_key(text)
    if digits and len(digits) >= 3:
        conditions.append(Customer.phone.like(f"%{digits}%"))
    if not conditions:
        return []
    return _hits(session, sa.or_(*conditions), limit)


def customer_record(session: Session, *, customer_id=None, phone=None) -> CustomerHit | None:
    """The delivery record of a chosen customer, or of whoever has this phone number (typed in
    full); None when nobody is known — a phone that is not a valid number is simply unknown."""
    if customer_id not in (None, "") and str(customer_id).isdigit():
        found = _hits(session, Customer.id == int(customer_id), 1)
        return found[0] if found else None
    if not phone:
        return None
    try:
        phone = normalize_phone(phone)
    except ValidationError:
        return None
    found = _hits(session, Customer.phone == phone, 1)
    return found[0] if found else None


@dataclass(frozen=True)
class VariantHit:
    variant_id: int
    sku: str
    label: str
    price: Decimal
    on_hand: int
    available: int
    product_id: int | None = None


def search_variants(session: Session, text: str, warehouse_id: int | None,
                    limit: int = 10) -> list[VariantHit]:
    """Active variants matching what was typed — SKU, barcode, product name, aliases, colour or
    size, with or without accents — with the stock free in the warehouse, closest first."""
    text = (text or "").strip()
    if not text:
        return []
    ids = _variant_page(session, text, limit, forgive=False)
    if not ids:  # nothing answers every word: a typo? (PostgreSQL finds the closest)
        ids = _variant_page(session, text, limit, forgive=True)
    hits = variant_hits(session, ids, warehouse_id)
    return [hits[i] for i in ids if i in hits]


def _variant_page(session: Session, text: str, limit: int, forgive: bool) -> list[int]:
    """Ids of the active variants found, in order: only the page, by the variants' own columns
    (a common word matches thousands); their products and stock are read for these alone."""
    match = search.find_variants(session, text, forgive=forgive)
    if forgive and (match is None or not match.fuzzy):
        return []
    found = ProductVariant.barcode == text
    if match is not None:
        found = sa.or_(match.condition, found)
    inactive = sa.select(Product.id).where(Product.active.is_(False))
    return list(session.scalars(
        sa.select(ProductVariant.id)
        .where(ProductVariant.active, ProductVariant.product_id.not_in(inactive), found)
        .order_by(search.code_first(ProductVariant.sku, text, ProductVariant.barcode),
                  *(match.order if match is not None else ()), ProductVariant.sku)
        .limit(limit)))


def variant_hits(session: Session, variant_ids, warehouse_id: int | None) -> dict[int, VariantHit]:
    """The same figures for lines already on a form (re-shown after an error)."""
    ids = [int(v) for v in variant_ids if str(v).isdigit()]
    if not ids:
        return {}
    level = StockLevel.__table__
    rows = session.execute(
        sa.select(ProductVariant, level.c.on_hand, level.c.reserved)
        .outerjoin(level, sa.and_(level.c.variant_id == ProductVariant.id,
                                  level.c.warehouse_id == warehouse_id))
        .where(ProductVariant.id.in_(ids)).options(selectinload(ProductVariant.product))).all()
    return {v.id: VariantHit(v.id, v.sku, v.label, v.price, on_hand or 0,
                             (on_hand or 0) - (reserved or 0), v.product_id)
            for v, on_hand, reserved in rows}
