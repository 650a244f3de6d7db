"""The catalogue as a file in the import's own format (SPEC §12), and the template a seller fills.

Exported prices are what each variant sells at (its own price or its product's), the category is
its path ("Thời trang > Áo"), and a variant's opening stock is repeated on one row per warehouse
it was posted in — so importing an export back changes nothing.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models import Category, MoveKind, Product, StockMove, Warehouse
from app.services.catalog.columns import ALIAS_SEPARATOR, COLUMNS, MEASURES

EXAMPLE = {
    "product_sku": "AO-THUN-BASIC", "product_name": "Áo thun cotton basic",
    "category": "Thời trang > Áo", "brand": "Sài Gòn Basic",
    "description": "Áo thun 100% cotton, form suông.", "vat_rate": "10",
    "attribute1_name": "Màu", "attribute1_value": "Trắng", "attribute2_name": "Size",
    "attribute2_value": "M", "attribute3_name": "", "attribute3_value": "",
    "variant_sku": "AO-THUN-BASIC-TRANG-M", "cost_price": 90000, "selling_price": 149000,
    "weight_g": 200, "length_cm": 30, "width_cm": 20, "height_cm": 5, "barcode": "",
    "warehouse_code": "HCM", "opening_stock": 20, "aliases": "áo phông trắng; basic tee"}


def _paths(session: Session) -> dict[int, str]:
    rows = {r.id: r for r in session.execute(sa.select(Category.id, Category.name,
                                                        Category.parent_id))}
    out: dict[int, str] = {}
    for cid in rows:
        names, node, seen = [], rows.get(cid), set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            names.append(node.name)
            node = rows.get(node.parent_id)
        out[cid] = " > ".join(reversed(names))
    return out


def _opening(session: Session) -> dict[int, list[tuple[str, int]]]:
    rows = session.execute(
        sa.select(StockMove.variant_id, Warehouse.code, sa.func.sum(StockMove.quantity))
        .join(Warehouse, Warehouse.id == StockMove.warehouse_id)
        .where(StockMove.kind == MoveKind.OPENING)
        .group_by(StockMove.variant_id, Warehouse.code).order_by(Warehouse.code))
    out: dict[int, list] = defaultdict(list)
    for variant_id, code, quantity in rows:
        if quantity:
            out[variant_id].append((code, int(quantity)))
    return out


def catalogue_rows(session: Session) -> list[dict]:
    """One dict per variant (and per further warehouse of its opening stock), in COLUMNS."""
    paths, opening = _paths(session), _opening(session)
    rows = []
    products = session.scalars(sa.select(Product).order_by(Product.sku)
                               .options(selectinload(Product.variants), selectinload(Product.brand)))
    for product in products:
        base = {"product_sku": product.sku, "product_name": product.name,
                "category": paths.get(product.category_id, ""),
                "brand": product.brand.name if product.brand else "",
                "description": product.description or "",
                "vat_rate": getattr(product.vat_rate, "value", product.vat_rate) or "",
                "aliases": f"{ALIAS_SEPARATOR} ".join(product.alias_list)}
        names = [product.attribute_1, product.attribute_2, product.attribute_3]
        for variant in sorted(product.variants, key=lambda v: v.id):
            row = dict(base)
            pairs = [(n, v) for n, v in zip(names, variant.values) if n and v]
            for i in range(3):
                name, value = pairs[i] if i < len(pairs) else ("", "")
                row[f"attribute{i + 1}_name"], row[f"attribute{i + 1}_value"] = name, value
            row.update({"variant_sku": variant.sku, "cost_price": int(variant.cost),
                        "selling_price": int(variant.price), "barcode": variant.barcode or "",
                        **{m: int(getattr(variant, m) or 0) for m in MEASURES}})
            stock = opening.get(variant.id) or [("", "")]
            for code, quantity in stock:
                rows.append({**row, "warehouse_code": code, "opening_stock": quantity})
    return rows


def to_csv(rows: list[dict]) -> bytes:
    """UTF-8 with a BOM (so Excel opens the Vietnamese right), comma-separated."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict]) -> bytes:
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet("catalogue")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row.get(c, "") if row.get(c, "") != "" else None for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_rows() -> list[dict]:
    return [dict(EXAMPLE)]
