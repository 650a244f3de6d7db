"""Turn a database IntegrityError into a message that names the field and the rule."""
from __future__ import annotations

import re

from app.services.errors import ValidationError

# Constraint name (or "table.column" for SQLite's unique errors) → (field, message).
MESSAGES = {
    "product.sku": ("sku", "Another product already uses this SKU; it must be unique."),
    "product_variant.sku": ("sku", "Another variant already uses this SKU; it must be unique."),
    "warehouse.code": ("code", "Another warehouse already uses this code."),
    "brand.name": ("name", "A brand with this name already exists."),
    "channel.name": ("name", "A channel with this name already exists."),
    "uq_category_parent_name": ("name", "This category already has a sub-category with that name."),
    "uq_order_channel_external_id": ("external_order_id",
                                     "This channel already has an order with that external order id."),
    "uq_stock_level_variant_warehouse": ("variant", "This variant already has a stock level in "
                                                    "that warehouse."),
    "uq_listing_channel_external_ids": ("external_item_id", "This marketplace item is already mapped "
                                                            "on the channel."),
    "uq_listing_channel_variant": ("variant", "This variant is already listed on the channel."),
    "uq_channel_platform_shop": ("shop_id", "This shop is already connected."),
    "ck_stock_on_hand_nonneg": ("on_hand", "On hand cannot go below zero."),
    "ck_stock_reserved_le_on_hand": ("reserved", "Cannot reserve more than is on hand."),
    "ck_order_line_qty_pos": ("quantity", "Quantity must be at least 1."),
    "ck_po_line_qty_pos": ("quantity", "Quantity must be at least 1."),
    "ck_gr_line_qty_pos": ("quantity", "Quantity must be at least 1."),
    "ck_return_line_qty_pos": ("quantity", "Quantity must be at least 1."),
    "ck_order_line_money_nonneg": ("unit_price", "Prices and discounts cannot be negative."),
    "ck_product_price_nonneg": ("selling_price", "The selling price cannot be negative."),
    "ck_product_cost_nonneg": ("cost_price", "The cost price cannot be negative."),
    "ck_variant_size_nonneg": ("weight_g", "Weight and dimensions cannot be negative."),
    "ck_media_url_or_file": ("url", "Give a URL or upload a file."),
    "cod_reconciliation_line.shipment_id": ("shipment", "This shipment is already in another COD "
                                                        "statement."),
}

_NAME = re.compile(r'constraint failed: ([a-z0-9_.]+)|constraint "?([a-z0-9_]+)"?', re.IGNORECASE)


def explain_integrity_error(exc) -> ValidationError:
    text = str(getattr(exc, "orig", exc))
    for match in _NAME.finditer(text):
        name = (match.group(1) or match.group(2) or "").strip()
        if name in MESSAGES:
            return ValidationError(*MESSAGES[name])
        if name.startswith(("ck_", "uq_")):
            return ValidationError(name[3:], f"The value breaks the rule {name}.")
    key = re.search(r"Key \(([a-z_]+)\)=", text)  # PostgreSQL unique violation detail
    if key and "unique" in text.lower():
        return ValidationError(key.group(1), f"Another record already uses this {key.group(1)}; "
                                             "it must be unique.")
    if "FOREIGN KEY" in text.upper():
        return ValidationError("record", "This record is still used by other records, or refers "
                                         "to one that does not exist.")
    if "NOT NULL" in text.upper():
        col = text.rsplit(".", 1)[-1].split()[0] if "." in text else "field"
        return ValidationError(col, f"{col} is required.")
    return ValidationError("record", "The change conflicts with existing data.")
