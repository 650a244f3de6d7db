"""The product form's variant matrix and opening stock, as one form field.

The field carries the matrix as JSON in a hidden input; ``app/static/js/variant_matrix.js`` draws
the editor from it (attribute names and values, the SKU pattern, one row per combination with its
SKU, prices, weight, size and opening stock per warehouse) and writes it back before the form is
sent. The services check and write it (``app.services.catalog.matrix``).
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup, escape
from wtforms import Field

from app.extensions import db
from app.models import Warehouse


def _labels() -> dict:
    return {
        "attribute": gettext("Attribute"), "attributeName": gettext("Name (e.g. Màu, Size)"),
        "values": gettext("Values, separated by commas (e.g. Trắng, Đen)"),
        "addAttribute": gettext("Add an attribute"), "remove": gettext("Remove"),
        "pattern": gettext("SKU pattern"),
        "patternHelp": gettext("{sku} is the product's SKU, {1} {2} {3} the values."),
        "generate": gettext("Generate variants"),
        "defaults": gettext("For every variant"), "applyAll": gettext("Apply to all rows"),
        "sku": gettext("SKU"), "sellingPrice": gettext("Selling price"),
        "costPrice": gettext("Cost price"), "weight": gettext("Weight (g)"),
        "length": gettext("Length (cm)"), "width": gettext("Width (cm)"),
        "height": gettext("Height (cm)"), "barcode": gettext("Barcode"),
        "active": gettext("Active"), "opening": gettext("Opening stock"),
        "hasStock": gettext("has stock moves"),
        "blankPrice": gettext("blank: the product's price"),
        "noVariants": gettext("No variants yet: name the attributes and their values, then "
                              "generate the variants. A product without attributes gets one "
                              "variant with its own SKU."),
        "variants": gettext("%(count)s variants"),
    }


class VariantMatrixWidget:
    def __call__(self, field, **kwargs):
        warehouses = [{"id": w.id, "code": w.code, "name": w.name} for w in db.session.scalars(
            sa.select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.code))]
        # "<" escaped: the JSON sits in a <script> block and must not be able to close it.
        config = json.dumps({"warehouses": warehouses, "labels": _labels()},
                            ensure_ascii=False).replace("<", "\\u003c")
        value = json.dumps(field.raw if field.raw is not None else field.data or {},
                           ensure_ascii=False)
        return Markup(
            f'<div class="oh-matrix" id="variant-matrix" data-field="{escape(field.name)}">'
            f'<input type="hidden" name="{escape(field.name)}" id="{escape(field.id)}" '
            f'value="{escape(value)}">'
            f'<script type="application/json" id="variant-matrix-config">'
            f'{config}</script></div>')


class VariantMatrixField(Field):
    """Holds the matrix as a dict; the form sends it as JSON."""

    widget = VariantMatrixWidget()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label or lazy_gettext("Variants and opening stock"), validators, **kwargs)
        self.raw = None

    def process_formdata(self, valuelist):
        self.raw = None
        self.data = None
        if valuelist and valuelist[0]:
            try:
                self.data = json.loads(valuelist[0])
                self.raw = self.data
            except ValueError:
                raise ValueError(gettext("The variants table could not be read: reload the page "
                                         "and try again.")) from None

    def populate_obj(self, obj, name):
        """Not a column: the view writes the matrix through the catalogue services."""
