"""Catalogue views: products (with their variant matrix, opening stock and media), variants,
categories, brands, and the media files themselves."""
from flask import flash, g, redirect, request, url_for
from flask_babel import lazy_gettext
from flask_appbuilder.fieldwidgets import Select2AJAXWidget  # noqa: F401
from flask_appbuilder.models.sqla.filters import FilterEqual  # noqa: F401
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Brand, Category, Product, ProductMedia, ProductVariant
from app.services.catalog import matrix as variant_matrix
from app.services.errors import StaleVersion
from app.views.base import OrderHubModelView
from app.views.catalog_columns import (ProductInterface, VariantInterface, attribute_title,
                                       cover_cell)
from app.views.folded_search import SEARCH_LABEL
from app.views.interface import OrderHubInterface
from app.views.product_media import ProductMediaPages, media_panel_context
from app.views.purchasing_actions import VariantPurchasingActions
from app.views.variant_matrix import VariantMatrixField


class ProductMediaView(ProductMediaPages, OrderHubModelView):
    datamodel = OrderHubInterface(ProductMedia, eager=("product",))
    class_permission_name = "ProductMedia"
    list_columns = ["preview", "product", "kind", "original_name", "url", "position"]
    search_columns = ["kind", "url", "original_name"]
    show_columns = ["product", "kind", "original_name", "content_type", "byte_size", "url",
                    "position"]
    add_columns = edit_columns = ["product", "kind", "url", "position"]
    label_columns = {"preview": "Preview", "original_name": "File", "byte_size": "Size (bytes)",
                     "content_type": "Type"}
    formatters_columns = {"preview": cover_cell}
    base_order = ("position", "asc")


class ProductVariantView(VariantPurchasingActions, OrderHubModelView):
    datamodel = VariantInterface(ProductVariant, eager=("product",))
    class_permission_name = "ProductVariant"
    list_title = "Variants"
    list_columns = ["sku", "product", "value_1", "value_2", "value_3", "price", "barcode",
                    "weight_g", "active"]
    search_columns = ["search_text", "sku", "name", "barcode", "value_1", "value_2", "active"]
    show_columns = ["sku", "product", "name", "value_1", "value_2", "value_3", "cost_price",
                    "selling_price", "price", "cost", "barcode", "weight_g", "length_cm",
                    "width_cm", "height_cm", "preferred_supplier", "reorder_point", "active"]
    add_columns = edit_columns = ["product", "sku", "name", "value_1", "value_2", "value_3",
                                  "cost_price", "selling_price", "barcode", "weight_g",
                                  "length_cm", "width_cm", "height_cm", "preferred_supplier",
                                  "reorder_point", "active"]
    label_columns = {"weight_g": "Weight (g)", "length_cm": "Length (cm)", "width_cm": "Width (cm)",
                     "height_cm": "Height (cm)", "price": "Selling price",
                     "search_text": SEARCH_LABEL}
    base_order = ("sku", "asc")
    audit_tables = ("product_variant",)
    list_template = "orderhub/searchable_list.html"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The products' own attribute names, worked out for the rows each page shows.
        for index in (1, 2, 3):
            self.label_columns[f"value_{index}"] = attribute_title(index)


class ProductView(OrderHubModelView):
    datamodel = ProductInterface(Product, eager=("category", "brand"))
    class_permission_name = "Product"
    list_columns = ["cover", "sku", "name", "category", "brand", "cost_price", "selling_price",
                    "profit", "margin", "vat_rate", "active"]
    search_columns = ["search_text", "sku", "name", "category", "brand", "active", "vat_rate"]
    show_columns = ["sku", "name", "category", "brand", "description", "specifications",
                    "vat_rate", "cost_price", "selling_price", "profit", "margin", "attribute_1",
                    "attribute_2", "attribute_3", "aliases", "active", "created_at", "updated_at"]
    add_columns = edit_columns = ["sku", "name", "category", "brand", "description",
                                  "specifications", "vat_rate", "cost_price", "selling_price",
                                  "aliases", "active", "variant_matrix"]
    add_form_extra_fields = edit_form_extra_fields = {"variant_matrix": VariantMatrixField()}
    label_columns = {"cost_price": "Cost price (original)", "selling_price": "Selling price",
                     "vat_rate": "VAT rate", "attribute_1": "Variant attribute 1",
                     "attribute_2": "Variant attribute 2", "attribute_3": "Variant attribute 3",
                     "cover": "Image", "search_text": SEARCH_LABEL,
                     "aliases": "Other names (;-separated)"}
    description_columns = {"aliases": lazy_gettext(
        "Names shoppers also use, separated by \";\" (e.g. áo phông; basic tee): search and the "
        "sales assistant read them.")}
    formatters_columns = {"cover": cover_cell}
    related_views = [ProductVariantView, ProductMediaView]
    base_order = ("name", "asc")
    audit_tables = ("product",)
    list_template = "orderhub/product_list.html"
    add_template = "orderhub/product_add.html"
    edit_template = "orderhub/product_edit.html"
    show_template = "orderhub/product_show.html"

    def prefill_form(self, form, pk):
        super().prefill_form(form, pk)
        form.variant_matrix.data = variant_matrix.matrix_of(db.session, self.datamodel.get(pk))

    def render_template(self, template, **kwargs):
        if template in (self.edit_template, self.show_template):
            pk = kwargs.get("pk") or (request.view_args or {}).get("pk")
            kwargs.update(media_panel_context(self.datamodel.get(pk) if pk else None))
        return super().render_template(template, **kwargs)

    # The product, its variants and their opening stock are one save: one transaction.
    def _do_add(self, form, item):
        self._populate(form, item)
        self.pre_add(item)
        self.datamodel.add(item, commit=False)
        self._save_matrix(form, item)
        self.post_add(item)
        flash(str(self.add_row_message), "success")

    def _do_edit(self, form, item):
        self._populate(form, item)
        self.pre_update(item)
        self._save_matrix(form, item)
        self.post_update(item)
        flash(str(self.edit_row_message), "success")

    def post_add(self, item):
        super().post_add(item)
        g.oh_added_product = item.id

    def post_add_redirect(self):
        """To the new product's page, where its pictures and videos are added."""
        added = g.get("oh_added_product")
        if added:
            return redirect(url_for("ProductView.show", pk=added))
        return super().post_add_redirect()

    def _save_matrix(self, form, item) -> None:
        db.session.flush()
        matrix = variant_matrix.parse_matrix(form.variant_matrix.data or {}, item.sku)
        variant_matrix.apply_matrix(db.session, item, matrix)
        try:
            self.datamodel._commit()
        except StaleDataError:
            db.session.rollback()
            raise StaleVersion("product") from None


class CategoryView(OrderHubModelView):
    datamodel = OrderHubInterface(Category, eager=("parent",))
    class_permission_name = "Category"
    list_columns = ["name", "parent", "path"]
    search_columns = ["name", "parent"]
    add_columns = edit_columns = ["name", "parent"]
    base_order = ("name", "asc")


class BrandView(OrderHubModelView):
    datamodel = OrderHubInterface(Brand)
    class_permission_name = "Brand"
    list_columns = ["name"]
    search_columns = ["name"]
    add_columns = edit_columns = ["name"]
    base_order = ("name", "asc")
