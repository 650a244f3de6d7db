"""Catalogue views: products (with variants and media), variants, categories, brands."""
from flask_appbuilder.fieldwidgets import Select2AJAXWidget  # noqa: F401
from flask_appbuilder.models.sqla.filters import FilterEqual  # noqa: F401

from app.models import Brand, Category, Product, ProductMedia, ProductVariant
from app.views.base import OrderHubModelView
from app.views.interface import OrderHubInterface
from app.views.purchasing_actions import VariantPurchasingActions


class ProductMediaView(OrderHubModelView):
    datamodel = OrderHubInterface(ProductMedia, eager=("product",))
    class_permission_name = "ProductMedia"
    list_columns = ["product", "kind", "url", "file", "position"]
    search_columns = ["kind", "url"]
    add_columns = edit_columns = ["product", "kind", "url", "file", "position"]
    base_order = ("position", "asc")


class ProductVariantView(VariantPurchasingActions, OrderHubModelView):
    datamodel = OrderHubInterface(ProductVariant, eager=("product",))
    class_permission_name = "ProductVariant"
    list_title = "Variants"
    list_columns = ["sku", "product", "value_1", "value_2", "value_3", "price", "barcode",
                    "weight_g", "active"]
    search_columns = ["sku", "name", "barcode", "value_1", "value_2", "active"]
    show_columns = ["sku", "product", "name", "value_1", "value_2", "value_3", "cost_price",
                    "selling_price", "price", "cost", "barcode", "weight_g", "length_cm",
                    "width_cm", "height_cm", "preferred_supplier", "reorder_point", "active"]
    add_columns = edit_columns = ["product", "sku", "name", "value_1", "value_2", "value_3",
                                  "cost_price", "selling_price", "barcode", "weight_g",
                                  "length_cm", "width_cm", "height_cm", "preferred_supplier",
                                  "reorder_point", "active"]
    label_columns = {"weight_g": "Weight (g)", "length_cm": "Length (cm)", "width_cm": "Width (cm)",
                     "height_cm": "Height (cm)", "value_1": "Attribute 1", "value_2": "Attribute 2",
                     "value_3": "Attribute 3", "price": "Selling price"}
    base_order = ("sku", "asc")
    audit_tables = ("product_variant",)


class ProductView(OrderHubModelView):
    datamodel = OrderHubInterface(Product, eager=("category", "brand"))
    class_permission_name = "Product"
    list_columns = ["sku", "name", "category", "brand", "cost_price", "selling_price", "profit",
                    "margin", "vat_rate", "active"]
    search_columns = ["sku", "name", "category", "brand", "active", "vat_rate"]
    show_columns = ["sku", "name", "category", "brand", "description", "specifications",
                    "vat_rate", "cost_price", "selling_price", "profit", "margin", "attribute_1",
                    "attribute_2", "attribute_3", "active", "created_at", "updated_at"]
    add_columns = edit_columns = ["sku", "name", "category", "brand", "description",
                                  "specifications", "vat_rate", "cost_price", "selling_price",
                                  "attribute_1", "attribute_2", "attribute_3", "active"]
    label_columns = {"cost_price": "Cost price (original)", "selling_price": "Selling price",
                     "vat_rate": "VAT rate", "attribute_1": "Variant attribute 1",
                     "attribute_2": "Variant attribute 2", "attribute_3": "Variant attribute 3"}
    related_views = [ProductVariantView, ProductMediaView]
    base_order = ("name", "asc")
    audit_tables = ("product",)


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
