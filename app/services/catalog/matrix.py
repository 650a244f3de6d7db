"""The variant matrix of the product form: up to three named attributes (Màu, Size…) with their
values, every combination a variant with its SKU, price, weight and size, and the opening stock
of each variant per warehouse.

The page's script generates the combinations and the SKUs from a pattern (``sku_for`` is the same
rule, for rows sent without a SKU); here the sent matrix is checked as a whole and written on the
product: names on the product, variants created or updated (a row taken off is made inactive,
never deleted: orders and the ledger point at it), opening stock through the ledger, once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Product, ProductVariant, StockLevel, Warehouse
from app.services.catalog.numbers import NotWholeNumber, whole_number
from app.services.catalog.opening_stock import post_opening_stock, stocked_pairs
from app.services.errors import N_, FieldMessage, ValidationErrors
from app.services.search_text import fold

FIELD = "variant_matrix"
MAX_ATTRIBUTES = 3
MAX_ROWS = 500
DEFAULT_PATTERN = "{sku}-{1}-{2}-{3}"
NUMBERS = ("selling_price", "cost_price", "weight_g", "length_cm", "width_cm", "height_cm")
OPENING_NOTE = "Opening stock (product form)"


def value_code(value: str) -> str:
    """"Xanh navy" → "XANH-NAVY": a value as it reads in a SKU."""
    return "-".join(fold(value).upper().split())


def sku_for(pattern: str, product_sku: str, values) -> str:
    """A variant SKU from ``pattern`` ("{sku}-{1}-{2}"): {sku} the product's, {n} value n's code."""
    codes = {str(i): value_code(v or "") for i, v in enumerate(values, start=1)}
    text = re.sub(r"\{(sku|[123])\}",
                  lambda m: product_sku if m.group(1) == "sku" else codes.get(m.group(1), ""),
                  pattern or DEFAULT_PATTERN)
    return re.sub(r"-{2,}", "-", text).strip("-_ ")


@dataclass
class MatrixRow:
    id: int | None
    values: list
    sku: str
    active: bool = True
    barcode: str | None = None
    numbers: dict = field(default_factory=dict)   # NUMBERS given on this row
    opening: dict = field(default_factory=dict)   # warehouse id → quantity


@dataclass
class Matrix:
    attributes: list[tuple[str, list[str]]]
    rows: list[MatrixRow]
    pattern: str = DEFAULT_PATTERN


class _Errors:
    def __init__(self):
        self.messages: list[FieldMessage] = []

    def add(self, template: str, **details) -> None:
        self.messages.append(FieldMessage(template, **details))

    def raise_if_any(self) -> None:
        if self.messages:
            raise ValidationErrors({FIELD: self.messages})


def _text(value, limit: int) -> str | None:
    text = " ".join(str(value or "").split())
    return text[:limit] if text else None


def parse_matrix(payload, product_sku: str) -> Matrix:
    """The matrix the form sent (a dict from its JSON), checked on its own."""
    errors = _Errors()
    if not isinstance(payload, dict):
        raise ValidationErrors({FIELD: [FieldMessage(N_("The variants table could not be read: "
                                                         "reload the page and try again."))]})
    attributes = []
    for item in (payload.get("attributes") or [])[:MAX_ATTRIBUTES + 1]:
        name = _text(item.get("name") if isinstance(item, dict) else None, 40)
        values = [v for v in (_text(x, 60) for x in (item.get("values") or [])) if v] \
            if isinstance(item, dict) else []
        if not name and not values:
            continue
        if not name:
            errors.add(N_("Name the attribute whose values are %(values)s."),
                       values=", ".join(values))
        elif not values:
            errors.add(N_("List the values of %(name)s (e.g. S, M, L)."), name=name)
        attributes.append((name or "", values))
    if len(attributes) > MAX_ATTRIBUTES:
        errors.add(N_("A product has at most three variant attributes."))
    names = [fold(n) for n, _ in attributes if n]
    if len(names) != len(set(names)):
        errors.add(N_("Two attributes have the same name."))
    pattern = _text(payload.get("pattern"), 100) or DEFAULT_PATTERN
    rows = []
    for raw in (payload.get("rows") or [])[:MAX_ROWS + 1]:
        if isinstance(raw, dict):
            rows.append(_row(raw, len(attributes), pattern, product_sku, errors))
    if len(rows) > MAX_ROWS:
        errors.add(N_("At most %(limit)s variants at once."), limit=MAX_ROWS)
    _distinct(rows, errors)
    errors.raise_if_any()
    return Matrix(attributes, rows, pattern)


def _row(raw: dict, width: int, pattern: str, product_sku: str, errors: _Errors) -> MatrixRow:
    values = [_text(v, 60) for v in (raw.get("values") or [])][:width]
    values += [None] * (width - len(values))
    row_id = raw.get("id")
    row = MatrixRow(int(row_id) if str(row_id or "").isdigit() else None, values,
                    _text(raw.get("sku"), 64) or sku_for(pattern, product_sku, values),
                    active=bool(raw.get("active", True)), barcode=_text(raw.get("barcode"), 64))
    if any(v is None for v in values):
        errors.add(N_("Variant %(sku)s lacks a value for an attribute."), sku=row.sku)
    for key in NUMBERS:
        cell = raw.get(key)
        if cell in (None, ""):
            continue
        number = _number(cell, row.sku, key, errors)
        if number is not None:
            row.numbers[key] = number
    for warehouse, cell in (raw.get("opening") or {}).items():
        if cell in (None, "", 0, "0") or not str(warehouse).isdigit():
            continue
        number = _number(cell, row.sku, "opening_stock", errors)
        if number:
            row.opening[int(warehouse)] = number
    return row


_LABELS = {"selling_price": N_("selling price"), "cost_price": N_("cost price"),
           "weight_g": N_("weight"), "length_cm": N_("length"), "width_cm": N_("width"),
           "height_cm": N_("height"), "opening_stock": N_("opening stock")}


def _number(cell, sku: str, key: str, errors: _Errors) -> int | None:
    try:
        value = whole_number(cell)
    except NotWholeNumber:
        errors.messages.append(FieldMessage(N_("%(sku)s: the %(what)s \"%(value)s\" is not a whole "
                                               "number."), sku=sku, what=_LABELS[key], value=cell,
                                            translatable=("what",)))
        return None
    if value < 0:
        errors.messages.append(FieldMessage(N_("%(sku)s: the %(what)s must be zero or more."),
                                            sku=sku, what=_LABELS[key], translatable=("what",)))
        return None
    return value


def _distinct(rows: list[MatrixRow], errors: _Errors) -> None:
    skus, combos = set(), set()
    for row in rows:
        if row.sku.casefold() in skus:
            errors.add(N_("The SKU %(sku)s is given to two variants."), sku=row.sku)
        skus.add(row.sku.casefold())
        combo = tuple(fold(v or "") for v in row.values)
        if row.values and combo in combos:
            errors.add(N_("Two variants have the values %(values)s."),
                       values=" / ".join(v or "" for v in row.values))
        combos.add(combo)


def apply_matrix(session: Session, product: Product, matrix: Matrix) -> list[ProductVariant]:
    """Write the matrix on ``product`` (already flushed: it has an id). Flush, no commit."""
    names = [n for n, _ in matrix.attributes] + [None] * MAX_ATTRIBUTES
    product.attribute_1, product.attribute_2, product.attribute_3 = names[:MAX_ATTRIBUTES]
    existing = {v.id: v for v in product.variants}
    errors = _Errors()
    _check_skus(session, product, matrix, errors)
    warehouses = dict(session.execute(sa.select(Warehouse.id, Warehouse.code)).all())
    for row in matrix.rows:
        if any(w not in warehouses for w in row.opening):
            errors.add(N_("A warehouse of the opening stock no longer exists: reload the page."))
        if row.id is not None and row.id not in existing:
            errors.add(N_("Variant %(sku)s is not one of this product's: reload the page."),
                       sku=row.sku)
    errors.raise_if_any()
    written = []
    for row in matrix.rows:
        variant = existing.get(row.id) if row.id is not None else None
        if variant is None:
            variant = ProductVariant(product=product)
            session.add(variant)
        variant.sku = row.sku
        variant.value_1, variant.value_2, variant.value_3 = (row.values + [None] * 3)[:3]
        variant.active = row.active
        variant.barcode = row.barcode
        for key in NUMBERS:
            value = row.numbers.get(key)
            if key in ("selling_price", "cost_price"):
                setattr(variant, key, value)
            else:
                setattr(variant, key, value or 0)
        written.append(variant)
    if not product.variants:
        # Every product has a variant: one without attributes carries the product's SKU.
        written.append(ProductVariant(product=product, sku=product.sku))
        session.add(written[-1])
    session.flush()
    entries, labels = [], {}
    for row, variant in zip(matrix.rows, written):
        for warehouse_id, quantity in row.opening.items():
            entries.append((variant.id, warehouse_id, quantity))
            labels[(variant.id, warehouse_id)] = (variant.sku, warehouses[warehouse_id])
    post_opening_stock(session, entries, labels=labels, note=OPENING_NOTE)
    session.flush()
    return written


def _check_skus(session: Session, product: Product, matrix: Matrix, errors: _Errors) -> None:
    skus = [r.sku for r in matrix.rows]
    if not skus:
        return
    taken = session.execute(
        sa.select(ProductVariant.sku, Product.sku).join(Product)
        .where(ProductVariant.sku.in_(skus), ProductVariant.product_id != product.id)).all()
    for sku, owner in taken:
        errors.add(N_("The SKU %(sku)s is already a variant of product %(product)s."), sku=sku,
                   product=owner)


def matrix_of(session: Session, product: Product | None) -> dict:
    """The editor's starting state: the product's attributes, values and variants, and for each
    variant the warehouses where it already has stock (no opening stock there any more)."""
    if product is None or product.id is None:
        return {"attributes": [], "pattern": DEFAULT_PATTERN, "rows": []}
    variants = sorted(product.variants, key=lambda v: v.id)
    names = [product.attribute_1, product.attribute_2, product.attribute_3]
    # As many attributes as are named or have values (a value without a name is shown, unnamed,
    # so that saving asks for its name instead of losing it).
    width = max([i + 1 for i in range(3) if names[i] or any(v.values[i] for v in variants)] or [0])
    attributes = []
    for index in range(width):
        seen = []
        for v in variants:
            value = v.values[index]
            if value and value not in seen:
                seen.append(value)
        attributes.append({"name": names[index] or "", "values": seen})
    stocked = stocked_pairs(session, [v.id for v in variants])
    on_hand = {(r.variant_id, r.warehouse_id): r.on_hand for r in session.execute(
        sa.select(StockLevel.variant_id, StockLevel.warehouse_id, StockLevel.on_hand)
        .where(StockLevel.variant_id.in_([v.id for v in variants] or [0])))}
    rows = []
    for v in variants:
        rows.append({"id": v.id, "values": v.values[:width], "sku": v.sku,
                     "active": bool(v.active), "barcode": v.barcode or "",
                     **{k: ("" if getattr(v, k) is None else int(getattr(v, k))) for k in NUMBERS},
                     "stocked": {str(w): on_hand.get((vid, w), 0)
                                 for vid, w in stocked if vid == v.id}})
    return {"attributes": attributes, "pattern": DEFAULT_PATTERN, "rows": rows}
