"""Checking each row of a catalogue file on its own, and the rows of one file against each other.

No database here: what the cells say (required, length, whole numbers ≥ 0, VAT rate, attribute
pairs) and whether the rows agree (rows of one product carry the same product fields; a variant
SKU appears once, or again only to give opening stock in another warehouse; two variants of a
product differ in their attribute values). Every problem is collected; none stops the check.

A blank cell means "not given": a new record takes the default, an existing one keeps its value.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.services.catalog.columns import (ALIAS_SEPARATOR, ATTRIBUTES, CATEGORY_SEPARATORS,
                                          MEASURES)
from app.services.catalog.numbers import NotWholeNumber, whole_number
from app.services.catalog.problems import Problems
from app.services.errors import N_

VAT_RATES = ("0", "5", "8", "10", "KCT", "KKKNT")
# Longest text each column takes (the database's column sizes).
LENGTHS = {"product_sku": 64, "variant_sku": 64, "product_name": 255, "brand": 120,
           "attribute1_name": 40, "attribute2_name": 40, "attribute3_name": 40,
           "attribute1_value": 60, "attribute2_value": 60, "attribute3_value": 60, "barcode": 64,
           "warehouse_code": 20, "description": 20_000, "aliases": 2_000}
CATEGORY_NAME_LENGTH = 120
MAX_AMOUNT = 10**15  # VND; the money columns hold 18 digits
MAX_MEASURE = 2_000_000_000


@dataclass
class Row:
    """One checked row: text stripped, numbers as ints, blanks as None."""

    line: int
    product_sku: str
    variant_sku: str
    product_name: str | None = None
    category: tuple[str, ...] | None = None   # the path, root first
    brand: str | None = None
    description: str | None = None
    vat_rate: str | None = None
    attribute_names: tuple | None = None      # (name1, name2, name3); None when no attribute given
    values: tuple | None = None               # (value1, value2, value3)
    cost_price: int | None = None
    selling_price: int | None = None
    measures: dict = field(default_factory=dict)  # weight_g, length_cm… given on this row
    barcode: str | None = None
    warehouse_code: str | None = None
    opening_stock: int | None = None
    aliases: tuple[str, ...] | None = None
    stock_rows: list = field(default_factory=list)  # later rows giving other warehouses' stock


def text_of(cell) -> str | None:
    """A cell as text: stripped, None when blank; whole numbers typed as numbers lose their ".0"."""
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell).strip()
    return text or None


def split_aliases(text: str | None) -> tuple[str, ...]:
    seen, out = set(), []
    for part in (text or "").split(ALIAS_SEPARATOR):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return tuple(out)


def split_category(text: str) -> tuple[str, ...]:
    for sep in CATEGORY_SEPARATORS[1:]:
        text = text.replace(sep, CATEGORY_SEPARATORS[0])
    return tuple(" ".join(p.split()) for p in text.split(CATEGORY_SEPARATORS[0]))


def normalize_vat(text: str) -> str | None:
    value = text.strip().upper().rstrip("%").strip()
    if value.endswith(".0"):
        value = value[:-2]
    return value if value in VAT_RATES else None


class _Cells:
    """Reads the cells of one row, recording each problem against its column."""

    def __init__(self, line: int, cells: dict, problems: Problems):
        self.line, self.cells, self.problems = line, cells, problems

    def problem(self, column: str, template: str, /, **details) -> None:
        self.problems.add(self.line, column, template, **details)

    def text(self, column: str, required: bool = False) -> str | None:
        value = text_of(self.cells.get(column))
        if value is None:
            if required:
                self.problem(column, N_("Required: the cell is empty."))
            return None
        limit = LENGTHS.get(column)
        if limit and len(value) > limit:
            self.problem(column, N_("Too long: at most %(limit)s characters (it has %(length)s)."),
                         limit=limit, length=len(value))
            return None
        return value

    def number(self, column: str, *, upper: int, required: bool = False) -> int | None:
        cell = self.cells.get(column)
        if text_of(cell) is None:
            if required:
                self.problem(column, N_("Required: the cell is empty."))
            return None
        try:
            value = whole_number(cell)
        except NotWholeNumber:
            self.problem(column, N_("\"%(value)s\" is not a whole number (write 289000 or "
                                    "289.000)."), value=text_of(cell))
            return None
        if value < 0:
            self.problem(column, N_("Must be zero or more (it is %(value)s)."), value=value)
            return None
        if value > upper:
            self.problem(column, N_("%(value)s is too large."), value=value)
            return None
        return value


def check_row(line: int, cells: dict, problems: Problems) -> Row | None:
    """The row as values, or None when a cell it cannot do without is bad (problems recorded)."""
    c = _Cells(line, cells, problems)
    row = Row(line, c.text("product_sku", required=True) or "",
              c.text("variant_sku", required=True) or "")
    row.product_name = c.text("product_name")
    row.brand = c.text("brand")
    row.description = c.text("description")
    row.barcode = c.text("barcode")
    row.warehouse_code = c.text("warehouse_code")
    category = c.text("category")
    if category is not None:
        path = split_category(category)
        if any(not p for p in path):
            c.problem("category", N_("\"%(value)s\" has an empty level: write a path as "
                                     "\"Thời trang > Áo\"."), value=category)
        elif any(len(p) > CATEGORY_NAME_LENGTH for p in path):
            c.problem("category", N_("Too long: at most %(limit)s characters (it has %(length)s)."),
                      limit=CATEGORY_NAME_LENGTH, length=max(len(p) for p in path))
        else:
            row.category = path
    vat = c.text("vat_rate")
    if vat is not None:
        row.vat_rate = normalize_vat(vat)
        if row.vat_rate is None:
            c.problem("vat_rate", N_("\"%(value)s\" is not a VAT rate: write 0, 5, 8, 10, KCT or "
                                     "KKKNT."), value=vat)
    aliases = c.text("aliases")
    if aliases is not None:
        row.aliases = split_aliases(aliases)
    _attributes(c, row)
    row.cost_price = c.number("cost_price", upper=MAX_AMOUNT)
    row.selling_price = c.number("selling_price", upper=MAX_AMOUNT, required=True)
    for column in MEASURES:
        value = c.number(column, upper=MAX_MEASURE)
        if value is not None:
            row.measures[column] = value
    row.opening_stock = c.number("opening_stock", upper=MAX_MEASURE)
    if row.opening_stock and not row.warehouse_code:
        c.problem("warehouse_code", N_("Say which warehouse the opening stock is in."))
    if not row.product_sku or not row.variant_sku or row.selling_price is None:
        return None
    return row


def _attributes(c: _Cells, row: Row) -> None:
    names, values, given = [None] * 3, [None] * 3, False
    for index, name_col, value_col in ATTRIBUTES:
        name, value = c.text(name_col), c.text(value_col)
        if name and not value:
            c.problem(value_col, N_("Required when %(column)s is given."), column=name_col)
        elif value and not name:
            c.problem(name_col, N_("Name the attribute this value belongs to (e.g. Màu, Size)."))
        elif name:
            names[index - 1], values[index - 1], given = name, value, True
    folded = [n.casefold() for n in names if n]
    if len(folded) != len(set(folded)):
        c.problem("attribute2_name", N_("Two attributes of this row have the same name."))
    elif given:
        # Attributes are kept in order without gaps: "Màu" then "Size".
        pairs = [(n, v) for n, v in zip(names, values) if n]
        pairs += [(None, None)] * (3 - len(pairs))
        row.attribute_names = tuple(n for n, _ in pairs)
        row.values = tuple(v for _, v in pairs)


# --- the rows of one file against each other ---------------------------------------------------

PRODUCT_FIELDS = (("product_name", "product_name"), ("category", "category"), ("brand", "brand"),
                  ("description", "description"), ("vat_rate", "vat_rate"),
                  ("aliases", "aliases"), ("attribute_names", "attribute1_name"))
VARIANT_FIELDS = ("product_sku", "values", "cost_price", "selling_price", "measures", "barcode")


@dataclass
class ProductRows:
    """The rows of one product_sku, with the product's fields as the file gives them."""

    sku: str
    first_line: int
    rows: list[Row] = field(default_factory=list)
    fields: dict = field(default_factory=dict)  # product field → (value, line it was read on)


def group_rows(rows: list[Row], problems: Problems) -> dict[str, ProductRows]:
    """Rows by product SKU, checking that they agree with each other."""
    products: dict[str, ProductRows] = {}
    by_variant: dict[str, Row] = {}
    for row in rows:
        group = products.setdefault(row.product_sku, ProductRows(row.product_sku, row.line))
        for attr, column in PRODUCT_FIELDS:
            value = getattr(row, attr)
            if value is None:
                continue
            known = group.fields.get(attr)
            if known is None:
                group.fields[attr] = (value, row.line)
            elif known[0] != value:
                problems.add(row.line, column, N_("Differs from line %(line)s, a row of the same "
                                                  "product %(sku)s."), line=known[1],
                             sku=row.product_sku)
        earlier = by_variant.get(row.variant_sku)
        if earlier is None:
            by_variant[row.variant_sku] = row
            group.rows.append(row)
        else:
            _repeated_variant(earlier, row, problems)
    for group in products.values():
        if "product_name" not in group.fields:
            group.fields["product_name"] = (None, group.first_line)
        _distinct_values(group, problems)
    return products


def _repeated_variant(earlier: Row, row: Row, problems: Problems) -> None:
    """A variant SKU may come again only to give its opening stock in another warehouse."""
    if not row.warehouse_code or not earlier.warehouse_code or \
            row.warehouse_code == earlier.warehouse_code:
        problems.add(row.line, "variant_sku", N_("%(sku)s is already on line %(line)s (a variant "
                                                 "appears once, or again only for another "
                                                 "warehouse's opening stock)."),
                     sku=row.variant_sku, line=earlier.line)
        return
    for attr in VARIANT_FIELDS:
        if getattr(row, attr) not in (None, {}) and getattr(row, attr) != getattr(earlier, attr):
            column = {"values": "attribute1_value", "measures": "weight_g"}.get(attr, attr)
            problems.add(row.line, column, N_("Differs from line %(line)s, a row of the same "
                                              "variant %(sku)s."), line=earlier.line,
                         sku=row.variant_sku)
            return
    earlier.stock_rows.append(row)


def _distinct_values(group: ProductRows, problems: Problems) -> None:
    seen: dict[tuple, Row] = {}
    named = group.fields.get("attribute_names")
    for row in group.rows:
        if row.values is None and named is not None:
            problems.add(row.line, "attribute1_value",
                         N_("Give this variant's attribute values: line %(line)s names the "
                            "product's attributes (%(names)s)."), line=named[1],
                         names=", ".join(n for n in named[0] if n))
            continue
        key = tuple((v or "").casefold() for v in (row.values or ("", "", "")))
        if key in seen:
            problems.add(row.line, "attribute1_value",
                         N_("Same attribute values as line %(line)s (%(sku)s): each variant of a "
                            "product needs its own."), line=seen[key].line,
                         sku=seen[key].variant_sku)
        else:
            seen[key] = row


def opening_entries(row: Row) -> list[tuple[str, int, int]]:
    """(warehouse code, quantity, line) of the opening stock a variant's rows give."""
    rows = [row] + row.stock_rows
    return [(r.warehouse_code, r.opening_stock, r.line) for r in rows
            if r.warehouse_code and r.opening_stock]
