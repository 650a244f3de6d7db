"""Purchasing views: suppliers, purchase orders, goods receipts."""
from app.models import (GoodsReceipt, GoodsReceiptLine, ProductVariant, PurchaseOrder,
                        PurchaseOrderLine, Supplier)
from app.security.row_rules import warehouse_scope
from app.views.base import OrderHubModelView
from app.views.interface import OrderHubInterface
from app.views.purchasing_actions import GoodsReceiptActions, PurchaseOrderActions
from app.views.search_select import SearchSelectField


def _variant():
    return SearchSelectField("Variant", model=ProductVariant, endpoint="lookup.variants")


class PurchaseOrderLineView(OrderHubModelView):
    datamodel = OrderHubInterface(PurchaseOrderLine, eager=("purchase_order", "variant"))
    class_permission_name = "PurchaseOrderLine"
    list_columns = ["purchase_order", "variant", "quantity", "unit_price", "received_quantity",
                    "outstanding"]
    search_columns = ["quantity", "unit_price", "received_quantity"]
    add_columns = ["purchase_order", "variant", "quantity", "unit_price"]
    edit_columns = ["quantity", "unit_price"]
    add_form_extra_fields = {"variant": _variant()}
    base_order = ("id", "asc")


class GoodsReceiptLineView(OrderHubModelView):
    datamodel = OrderHubInterface(GoodsReceiptLine, eager=("goods_receipt", "variant"))
    class_permission_name = "GoodsReceiptLine"
    list_columns = ["goods_receipt", "variant", "quantity", "unit_cost", "purchase_order_line"]
    search_columns = ["quantity", "unit_cost"]
    add_columns = ["goods_receipt", "variant", "purchase_order_line", "quantity", "unit_cost"]
    edit_columns = ["quantity", "unit_cost"]
    add_form_extra_fields = {"variant": _variant()}
    base_order = ("id", "asc")


class GoodsReceiptView(GoodsReceiptActions, OrderHubModelView):
    datamodel = OrderHubInterface(GoodsReceipt, eager=("purchase_order", "supplier", "warehouse"))
    class_permission_name = "GoodsReceipt"
    base_filters = warehouse_scope()
    list_columns = ["number", "purchase_order", "supplier", "warehouse", "status", "received_at"]
    search_columns = ["number", "supplier", "warehouse", "status"]
    add_columns = ["purchase_order", "supplier", "warehouse", "note"]
    edit_columns = ["note"]
    related_views = [GoodsReceiptLineView]
    base_order = ("id", "desc")
    audit_tables = ("goods_receipt",)


class PurchaseOrderView(PurchaseOrderActions, OrderHubModelView):
    datamodel = OrderHubInterface(PurchaseOrder, eager=("supplier", "warehouse"))
    class_permission_name = "PurchaseOrder"
    base_filters = warehouse_scope()
    list_columns = ["number", "supplier", "warehouse", "status", "total", "expected_date",
                    "approved_at", "created_at"]
    search_columns = ["number", "supplier", "warehouse", "status", "expected_date"]
    add_columns = ["supplier", "warehouse", "expected_date", "note"]
    edit_columns = ["supplier", "warehouse", "expected_date", "note"]
    related_views = [PurchaseOrderLineView, GoodsReceiptView]
    base_order = ("id", "desc")
    audit_tables = ("purchase_order",)


class SupplierView(OrderHubModelView):
    datamodel = OrderHubInterface(Supplier)
    class_permission_name = "Supplier"
    list_columns = ["name", "tax_code", "contact_person", "phone", "email", "active"]
    search_columns = ["name", "tax_code", "contact_person", "phone", "email", "active"]
    add_columns = edit_columns = ["name", "tax_code", "contact_person", "phone", "email",
                                  "address", "active"]
    related_views = [PurchaseOrderView]
    base_order = ("name", "asc")
    audit_tables = ("supplier",)
