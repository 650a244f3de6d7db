"""The columns of a catalogue file (SPEC §12), in the order the export and the template write them."""
from __future__ import annotations

COLUMNS = ("product_sku", "product_name", "category", "brand", "description", "vat_rate",
           "attribute1_name", "attribute1_value", "attribute2_name", "attribute2_value",
           "attribute3_name", "attribute3_value", "variant_sku", "cost_price", "selling_price",
           "weight_g", "length_cm", "width_cm", "height_cm", "barcode", "warehouse_code",
           "opening_stock", "aliases")
# A file may leave out any other column (its cells then count as blank).
REQUIRED = ("product_sku", "product_name", "variant_sku", "selling_price")
ATTRIBUTES = ((1, "attribute1_name", "attribute1_value"), (2, "attribute2_name", "attribute2_value"),
              (3, "attribute3_name", "attribute3_value"))
MEASURES = ("weight_g", "length_cm", "width_cm", "height_cm")
# Category paths: "Thời trang > Áo" (the export writes " > "; "›" is read too).
CATEGORY_SEPARATORS = (">", "›")
ALIAS_SEPARATOR = ";"
