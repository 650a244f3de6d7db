"""Comparing a checked catalogue file with the database: what to create, what to change, which
opening stock to post — and what the database makes wrong (a variant SKU of another product, an
unknown warehouse, a category name two categories share).

Only differences become changes, so importing the same file twice changes nothing the second
time. Prices compare by what the variant sells at (its own price, or its product's): a file that
says what is already true is no change, whichever of the two holds it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models import Brand, Category, Product, ProductVariant, Warehouse
from app.services.catalog.columns import ALIAS_SEPARATOR, MEASURES
from app.services.catalog.opening_stock import stocked_pairs
from app.services.catalog.problems import Problems
from app.services.catalog.rows import ProductRows, Row, opening_entries
from app.services.errors import N_

CHUNK = 500
DEFAULT_VAT = "10"


@dataclass
class ProductPlan:
    sku: str
    line: int
    existing: Product | None
    values: dict = field(default_factory=dict)     # attribute → new value (all, for a new one)

    @property
    def creates(self) -> bool:
        return self.existing is None


@dataclass
class VariantPlan:
    sku: str
    line: int
    product_sku: str
    existing: ProductVariant | None
    values: dict = field(default_factory=dict)

    @property
    def creates(self) -> bool:
        return self.existing is None


@dataclass
class OpeningPlan:
    variant_sku: str
    warehouse_id: int
    warehouse_code: str
    quantity: int
    line: int


@dataclass
class Plan:
    rows: int
    product_count: int = 0    # distinct products and variants the file names
    variant_count: int = 0
    # Categories to create, parents first: (path, parent id | folded parent path | None)
    categories: list[tuple] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)
    products: list[ProductPlan] = field(default_factory=list)
    variants: list[VariantPlan] = field(default_factory=list)
    opening: list[OpeningPlan] = field(default_factory=list)
    opening_skipped: list[OpeningPlan] = field(default_factory=list)


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _mode(values: list[int]) -> int:
    """The most common value (the smallest among equals): the product's own price."""
    counts = Counter(values)
    best = max(counts.values())
    return min(v for v, n in counts.items() if n == best)


class _Categories:
    """Existing categories by (parent id, folded name); paths resolved or planned for creation."""

    def __init__(self, session: Session):
        rows = session.execute(sa.select(Category.id, Category.name, Category.parent_id)).all()
        self.children = {(r.parent_id, r.name.casefold()): r.id for r in rows}
        self.by_name: dict[str, list[int]] = {}
        for r in rows:
            self.by_name.setdefault(r.name.casefold(), []).append(r.id)
        # folded path → (path as first written, parent: an existing id, a folded path or None)
        self.planned: dict[tuple, tuple] = {}

    def resolve(self, path: tuple[str, ...], line: int, problems: Problems):
        """An existing category id, a path to create, or None (a problem was recorded)."""
        if len(path) == 1:
            ids = self.by_name.get(path[0].casefold(), [])
            if len(ids) > 1:
                problems.add(line, "category", N_("%(count)s categories are named \"%(name)s\": "
                                                  "write its path, e.g. \"Thời trang > %(name)s\"."),
                             count=len(ids), name=path[0])
                return None
            if ids:
                return ids[0]
        parent = None
        for depth, name in enumerate(path):
            key = (parent, name.casefold())
            if isinstance(parent, tuple) or key not in self.children:
                folded = tuple(p.casefold() for p in path[:depth + 1])
                self.planned.setdefault(folded, (path[:depth + 1], parent))
                parent = folded
            else:
                parent = self.children[key]
        return parent


def make_plan(session: Session, products: dict[str, ProductRows], rows: int,
              problems: Problems) -> Plan:
    plan = Plan(rows=rows, product_count=len(products),
                variant_count=sum(len(g.rows) for g in products.values()))
    existing = _existing_products(session, list(products))
    owners = _variant_owners(session, [r.variant_sku for g in products.values() for r in g.rows])
    warehouses = {w.code: w.id for w in session.scalars(sa.select(Warehouse))}
    categories = _Categories(session)
    brands = {b.name.casefold(): b.name for b in session.scalars(sa.select(Brand))}
    new_brands: dict[str, str] = {}
    for group in products.values():
        product = existing.get(group.sku)
        fields = {k: v for k, (v, _line) in group.fields.items()}
        if "category" in fields:
            target = categories.resolve(fields["category"], group.fields["category"][1], problems)
            fields["category"] = target
        if fields.get("brand"):
            name = fields["brand"]
            fields["brand"] = brands.get(name.casefold()) or new_brands.setdefault(name.casefold(),
                                                                                   name)
        product_plan = _product_plan(group, product, fields, problems)
        if product_plan is None:
            continue
        if product_plan.creates or product_plan.values:
            plan.products.append(product_plan)
        price, cost = _product_prices(group, product, product_plan)
        known = {v.sku: v for v in product.variants} if product is not None else {}
        for row in group.rows:
            owner = owners.get(row.variant_sku)
            if row.variant_sku not in known and owner is not None:
                problems.add(row.line, "variant_sku", N_("%(sku)s is already a variant of product "
                                                         "%(product)s."), sku=row.variant_sku,
                             product=owner)
                continue
            variant = known.get(row.variant_sku)
            variant_plan = _variant_plan(row, variant, price, cost)
            if variant_plan.creates or variant_plan.values:
                plan.variants.append(variant_plan)
            _plan_opening(plan, row, variant, warehouses, problems)
    _skip_stocked(session, plan, existing)
    plan.categories = list(categories.planned.values())
    plan.brands = sorted(set(new_brands.values()) - set(brands.values()))
    return plan


def _existing_products(session: Session, skus: list[str]) -> dict[str, Product]:
    found: dict[str, Product] = {}
    for chunk in _chunks(skus):
        for product in session.scalars(sa.select(Product).where(Product.sku.in_(chunk))
                                       .options(selectinload(Product.variants),
                                                selectinload(Product.category),
                                                selectinload(Product.brand))):
            found[product.sku] = product
    return found


def _variant_owners(session: Session, skus: list[str]) -> dict[str, str]:
    """Variant SKU → its product's SKU, for the SKUs that exist."""
    owners: dict[str, str] = {}
    for chunk in _chunks(skus):
        owners.update(session.execute(
            sa.select(ProductVariant.sku, Product.sku)
            .join(Product, Product.id == ProductVariant.product_id)
            .where(ProductVariant.sku.in_(chunk))).all())
    return owners


def _aliases_text(aliases) -> str | None:
    return f"{ALIAS_SEPARATOR} ".join(aliases) if aliases else None


def _product_plan(group: ProductRows, product: Product | None, fields: dict,
                  problems: Problems) -> ProductPlan | None:
    wanted = {}
    if fields.get("product_name") is not None:
        wanted["name"] = fields["product_name"]
    if "category" in fields:
        if fields["category"] is None:
            return None  # its problem is recorded
        wanted["category"] = fields["category"]
    if fields.get("brand") is not None:
        wanted["brand"] = fields["brand"]
    for key in ("description", "vat_rate"):
        if fields.get(key) is not None:
            wanted[key] = fields[key]
    if fields.get("aliases") is not None:
        wanted["aliases"] = _aliases_text(fields["aliases"])
    if fields.get("attribute_names") is not None:
        for i, name in enumerate(fields["attribute_names"], start=1):
            wanted[f"attribute_{i}"] = name
    if product is None:
        if "name" not in wanted:
            problems.add(group.first_line, "product_name",
                         N_("Required for a new product (%(sku)s)."), sku=group.sku)
            return None
        wanted.setdefault("vat_rate", DEFAULT_VAT)
        return ProductPlan(group.sku, group.first_line, None, wanted)
    changes = {k: v for k, v in wanted.items() if _current(product, k) != v}
    return ProductPlan(group.sku, group.first_line, product, changes)


def _current(product: Product, key: str):
    if key == "category":
        return product.category_id
    if key == "brand":
        return product.brand.name if product.brand is not None else None
    value = getattr(product, key)
    return getattr(value, "value", value)


def _product_prices(group: ProductRows, product: Product | None,
                    plan: ProductPlan) -> tuple[int, int]:
    """The prices a variant without its own takes: the product's (a new product's: the most
    common price among its rows)."""
    if product is not None:
        return int(product.selling_price or 0), int(product.cost_price or 0)
    prices = [r.selling_price for r in group.rows]
    costs = [r.cost_price for r in group.rows if r.cost_price is not None]
    price, cost = _mode(prices), _mode(costs) if costs else 0
    plan.values["selling_price"], plan.values["cost_price"] = price, cost
    return price, cost


def _variant_plan(row: Row, variant: ProductVariant | None, price: int,
                  cost: int) -> VariantPlan:
    plan = VariantPlan(row.variant_sku, row.line, row.product_sku, variant)
    wanted: dict = {}
    if row.values is not None:
        wanted.update({f"value_{i}": v for i, v in enumerate(row.values, start=1)})
    wanted.update(row.measures)
    if row.barcode is not None:
        wanted["barcode"] = row.barcode
    if variant is None:
        plan.values = {**{m: 0 for m in MEASURES}, **wanted,
                       "selling_price": None if row.selling_price == price else row.selling_price,
                       "cost_price": None if row.cost_price in (None, cost) else row.cost_price}
        return plan
    changes = {k: v for k, v in wanted.items() if getattr(variant, k) != v}
    if row.selling_price != int(variant.price):
        changes["selling_price"] = None if row.selling_price == price else row.selling_price
    if row.cost_price is not None and row.cost_price != int(variant.cost):
        changes["cost_price"] = None if row.cost_price == cost else row.cost_price
    plan.values = changes
    return plan


def _plan_opening(plan: Plan, row: Row, variant: ProductVariant | None, warehouses: dict,
                  problems: Problems) -> None:
    for code, quantity, line in opening_entries(row):
        warehouse_id = warehouses.get(code)
        if warehouse_id is None:
            problems.add(line, "warehouse_code", N_("No warehouse has the code \"%(code)s\"."),
                         code=code)
            continue
        plan.opening.append(OpeningPlan(row.variant_sku, warehouse_id, code, quantity, line))


def _skip_stocked(session: Session, plan: Plan, existing: dict[str, Product]) -> None:
    """Opening stock is posted only where the variant has no stock move yet."""
    ids = {v.sku: v.id for p in existing.values() for v in p.variants}
    moved = stocked_pairs(session, [ids[o.variant_sku] for o in plan.opening
                                    if o.variant_sku in ids])
    keep = []
    for entry in plan.opening:
        if (ids.get(entry.variant_sku), entry.warehouse_id) in moved:
            plan.opening_skipped.append(entry)
        else:
            keep.append(entry)
    plan.opening = keep
