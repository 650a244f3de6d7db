"""Writing a catalogue plan: categories and brands by name, products and variants, then the
opening stock through the ledger. Flushes, never commits (the caller owns the transaction)."""
from __future__ import annotations

from typing import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Brand, Category, Product, ProductVariant
from app.services import ledger
from app.services.catalog.planning import Plan

FLUSH_EVERY = 1000  # variants between two flushes (and two progress reports)
OPENING_NOTE = "Catalogue import"


def apply_plan(session: Session, plan: Plan, progress: Callable[[int], None] | None = None) -> None:
    """Write ``plan``; ``progress(n)`` is told how many of its rows are written so far."""
    categories = _categories(session, plan)
    brands = _brands(session, plan)
    products = _products(session, plan, categories, brands)
    variants: dict[str, ProductVariant] = {}
    for count, item in enumerate(plan.variants, start=1):
        if item.creates:
            variant = ProductVariant(sku=item.sku, **item.values)
            product = products.get(item.product_sku)
            if product is not None:
                variant.product = product
            session.add(variant)
        else:
            variant = item.existing
            for key, value in item.values.items():
                setattr(variant, key, value)
        variants[item.sku] = variant
        if count % FLUSH_EVERY == 0:
            session.flush()
            if progress:
                progress(count)
    session.flush()
    if progress:
        progress(len(plan.variants))
    _opening_stock(session, plan, variants)


def _categories(session: Session, plan: Plan) -> dict[tuple, Category]:
    """The categories to create, by folded path (a product's planned category is one)."""
    made: dict[tuple, Category] = {}
    for path, parent in plan.categories:
        category = Category(name=path[-1])
        if isinstance(parent, tuple):
            category.parent = made[parent]
        else:
            category.parent_id = parent
        made[tuple(p.casefold() for p in path)] = category
        session.add(category)
    return made


def _brands(session: Session, plan: Plan) -> dict[str, Brand]:
    brands = {b.name: b for b in session.scalars(sa.select(Brand))}
    for name in plan.brands:
        brands[name] = Brand(name=name)
        session.add(brands[name])
    return brands


def _products(session: Session, plan: Plan, categories: dict, brands: dict) -> dict[str, Product]:
    products: dict[str, Product] = {}
    for item in plan.products:
        # A new product's variants start as an empty, known list: appending one after a flush
        # then costs no query to load the collection.
        product = item.existing or Product(sku=item.sku, variants=[])
        for key, value in item.values.items():
            if key == "category":
                if isinstance(value, tuple):
                    product.category = categories[value]
                else:
                    product.category_id = value
            elif key == "brand":
                product.brand = brands[value]
            else:
                setattr(product, key, value)
        if item.creates:
            session.add(product)
        products[item.sku] = product
    # Variants of products the file does not change still need their product.
    missing = {v.product_sku for v in plan.variants if v.creates} - set(products)
    if missing:
        for product in session.scalars(sa.select(Product).where(Product.sku.in_(missing))):
            products[product.sku] = product
    return products


def _opening_stock(session: Session, plan: Plan, variants: dict[str, ProductVariant]) -> None:
    if not plan.opening:
        return
    ids = dict(session.execute(sa.select(ProductVariant.sku, ProductVariant.id).where(
        ProductVariant.sku.in_({o.variant_sku for o in plan.opening} - set(variants)))).all()) \
        if set(o.variant_sku for o in plan.opening) - set(variants) else {}
    ids.update({sku: v.id for sku, v in variants.items()})
    ledger.post_opening_moves(session, [(ids[o.variant_sku], o.warehouse_id, o.quantity)
                                        for o in plan.opening], note=OPENING_NOTE)
