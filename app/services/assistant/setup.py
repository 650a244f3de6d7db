"""The assistant's set-up records, checked before they are written (SPEC §11): a size chart row
names an existing category or an existing product (exactly one of them) and sensible ranges; a shop
policy names a topic and a language and has a text. Used by the REST resources and the panel's
forms alike; knows nothing of Flask."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Category, Product, ShopPolicy, SizeChartRow
from app.services.errors import N_, ValidationError


def check_size_chart_row(session: Session, row: SizeChartRow) -> None:
    row.category = (row.category or "").strip() or None
    row.product_sku = (row.product_sku or "").strip() or None
    row.size = (row.size or "").strip()
    if (row.category is None) == (row.product_sku is None):
        raise ValidationError("category", N_("Give either a category or a product SKU (one of "
                                             "them, not both)."))
    if row.category is not None and session.scalar(
            sa.select(sa.func.count()).select_from(Category).where(Category.name == row.category)) == 0:
        raise ValidationError("category", N_("There is no category named %(value)s."),
                              value=row.category)
    if row.product_sku is not None and session.scalar(
            sa.select(sa.func.count()).select_from(Product).where(Product.sku == row.product_sku)) == 0:
        raise ValidationError("product_sku", N_("There is no product with SKU %(value)s."),
                              value=row.product_sku)
    if not row.size:
        raise ValidationError("size", N_("Required: it cannot be empty or only spaces."))
    for low, high in (("height_min_cm", "height_max_cm"), ("weight_min_kg", "weight_max_kg")):
        lo, hi = getattr(row, low), getattr(row, high)
        if lo is None or hi is None or lo <= 0 or hi < lo:
            raise ValidationError(low, N_("Give a range above zero whose minimum is not above "
                                          "its maximum."))


def check_shop_policy(session: Session, policy: ShopPolicy) -> None:
    policy.text = (policy.text or "").strip()
    if not policy.text:
        raise ValidationError("text", N_("Required: it cannot be empty or only spaces."))


CHECKS = {SizeChartRow: check_size_chart_row, ShopPolicy: check_shop_policy}


def check(session: Session, record) -> None:
    rule = CHECKS.get(type(record))
    if rule is not None:
        rule(session, record)
