"""The live data the assistant answers from, read with a SQLAlchemy session (no Flask): the
catalogue with prices and what can be sold now (on hand − reserved over active warehouses), size
charts, the shop's policies and orders.

Indexing the catalogue costs milliseconds per thousand variants, so the index is kept between turns
and rebuilt only when a product, a variant or a stock level changed (a cheap aggregate query tells).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models import (Category, Order, Product, ProductVariant, ShopPolicy, SizeChartRow,
                        StockLevel, Warehouse)
from app.services.assistant.catalogue import Catalogue, Product as CatalogueProduct, Variant

_CACHE: dict[str, tuple[tuple, Catalogue]] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ChartRow:
    size: str
    height_min_cm: int
    height_max_cm: int
    weight_min_kg: int
    weight_max_kg: int

    def fits(self, height: int | None, weight: int | None) -> bool:
        return (height is None or self.height_min_cm <= height <= self.height_max_cm) and \
            (weight is None or self.weight_min_kg <= weight <= self.weight_max_kg)

    def as_dict(self) -> dict:
        return {"size": self.size, "height_min_cm": self.height_min_cm,
                "height_max_cm": self.height_max_cm, "weight_min_kg": self.weight_min_kg,
                "weight_max_kg": self.weight_max_kg}


def _stamp(session: Session) -> tuple:
    """What changes whenever the catalogue or the stock does (one round trip)."""
    parts = [sa.select(sa.func.count(Product.id)).scalar_subquery(),
             sa.select(sa.func.max(Product.updated_at)).scalar_subquery(),
             sa.select(sa.func.count(ProductVariant.id)).scalar_subquery(),
             sa.select(sa.func.max(ProductVariant.updated_at)).scalar_subquery(),
             sa.select(sa.func.count(StockLevel.id)).scalar_subquery(),
             sa.select(sa.func.max(StockLevel.updated_at)).scalar_subquery(),
             sa.select(sa.func.coalesce(sa.func.sum(StockLevel.on_hand), 0)).scalar_subquery(),
             sa.select(sa.func.coalesce(sa.func.sum(StockLevel.reserved), 0)).scalar_subquery(),
             sa.select(sa.func.count(Warehouse.id)).where(Warehouse.active).scalar_subquery(),
             sa.select(sa.func.max(Warehouse.updated_at)).scalar_subquery()]
    return tuple(session.execute(sa.select(*parts)).one())


def available_by_variant(session: Session, variant_ids=None) -> dict[int, int]:
    """On hand − reserved over the active warehouses, per variant."""
    query = (sa.select(StockLevel.variant_id, sa.func.sum(StockLevel.on_hand - StockLevel.reserved))
             .join(Warehouse, Warehouse.id == StockLevel.warehouse_id).where(Warehouse.active)
             .group_by(StockLevel.variant_id))
    if variant_ids is not None:
        query = query.where(StockLevel.variant_id.in_(list(variant_ids)))
    return {vid: max(int(n or 0), 0) for vid, n in session.execute(query)}


def build_catalogue(session: Session) -> Catalogue:
    available = available_by_variant(session)
    products = session.scalars(sa.select(Product).where(Product.active).options(
        selectinload(Product.variants), selectinload(Product.category),
        selectinload(Product.brand)).order_by(Product.id)).all()
    out = []
    for p in products:
        names = [p.attribute_1, p.attribute_2, p.attribute_3]
        variants = []
        for v in p.variants:
            if not v.active:
                continue
            values = {n: val for n, val in zip(names, v.values) if n}
            price = v.selling_price if v.selling_price is not None else p.selling_price
            variants.append(Variant(sku=v.sku, values=values, price=int(price or 0),
                                    available=available.get(v.id, 0),
                                    vat_rate=str(getattr(p.vat_rate, "value", p.vat_rate) or "0")))
        if variants:
            out.append(CatalogueProduct(sku=p.sku, name=p.name, variants=variants,
                                        category=p.category.name if p.category else "",
                                        brand=p.brand.name if p.brand else "",
                                        aliases=tuple(p.alias_list),
                                        attributes=tuple(n for n in names if n)))
    return Catalogue(out)


def catalogue(session: Session) -> Catalogue:
    """The indexed catalogue, rebuilt only when the catalogue or the stock changed."""
    key = str(session.get_bind().url)
    stamp = _stamp(session)
    with _LOCK:
        cached = _CACHE.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
    built = build_catalogue(session)
    with _LOCK:
        _CACHE[key] = (stamp, built)
    return built


def size_chart(session: Session, product_sku: str, category: str | None) -> list[ChartRow]:
    """The product's own rows, else its category's (SPEC §11)."""
    for column, value in ((SizeChartRow.product_sku, product_sku), (SizeChartRow.category, category)):
        if not value:
            continue
        rows = session.scalars(sa.select(SizeChartRow).where(column == value)
                               .order_by(SizeChartRow.height_min_cm)).all()
        if rows:
            return [ChartRow(r.size, r.height_min_cm, r.height_max_cm, r.weight_min_kg,
                             r.weight_max_kg) for r in rows]
    return []


def policy(session: Session, topic: str, language: str) -> str | None:
    """The policy text in the shopper's language, else in the other one."""
    rows = {str(p.language): p.text for p in session.scalars(
        sa.select(ShopPolicy).where(ShopPolicy.topic == topic))}
    return rows.get(language) or rows.get("vi") or rows.get("en")


def find_order(session: Session, number: str) -> Order | None:
    digits = "".join(ch for ch in str(number) if ch.isdigit())
    if not digits:
        return None
    candidates = [str(number).strip().upper(), f"SO-{int(digits):06d}"]
    return session.scalars(sa.select(Order).where(Order.number.in_(candidates)).options(
        selectinload(Order.lines)).limit(1)).first()


def category_of(session: Session, product_sku: str) -> str | None:
    return session.scalar(sa.select(Category.name).join(Product, Product.category_id == Category.id)
                          .where(Product.sku == product_sku))


class DatabaseShop:
    """``dialogue.ShopData`` over the database, for one turn."""

    def __init__(self, session: Session, *, flat_fee: int | None = None,
                 free_from: int | None = None):
        self.session = session
        self.catalogue = catalogue(session)
        self.flat_fee = flat_fee
        self.free_from = free_from
        self._categories: dict[str, str | None] = {}

    def size_chart(self, product) -> list[ChartRow]:
        return size_chart(self.session, product.sku, product.category or None)

    def category_size_chart(self, category: str) -> list[ChartRow]:
        return size_chart(self.session, "", category)

    def policy(self, topic: str, language: str) -> str | None:
        return policy(self.session, topic, language)

    def order(self, number: str):
        from app.services.assistant.dialogue import OrderFacts
        order = find_order(self.session, number)
        if order is None:
            return None
        return OrderFacts(number=order.number, state=str(order.status.value), phone=order.buyer_phone,
                          customer_id=order.customer_id,
                          items=[(ln.name or ln.sku, int(ln.quantity)) for ln in order.lines],
                          buyer_name=order.buyer_name)

    def shipping_fee(self, lines: list[dict], address: str | None) -> int | None:
        """The seller's flat fee, free from a configured order value (an estimate: the carrier's
        quote is made when the parcel is booked)."""
        if self.flat_fee is None:
            return None
        goods = sum(int(ln.get("unit_price") or 0) * int(ln.get("quantity") or 1) for ln in lines)
        if self.free_from and goods >= self.free_from:
            return 0
        return self.flat_fee
