"""Purchasing views: suppliers, purchase orders, goods receipts. Purchase orders, receipts and
their lines are written through services/purchase_documents (a draft may change; an approved PO or
a posted receipt may not)."""
from app.extensions import db
from app.models import (GoodsReceipt, GoodsReceiptLine, ProductVariant, PurchaseOrder,
                        PurchaseOrderLine, Supplier)
from app.services import purchase_documents as docs
from app.views.base import OrderHubModelView
from app.views.interface import OrderHubInterface
from app.views.purchasing_actions import GoodsReceiptActions, PurchaseOrderActions
from app.views.search_select import SearchSelectField
from app.views.service_forms import ServiceForms


def _variant():
    return SearchSelectField("Variant", model=ProductVariant, endpoint="lookup.variants")


class PurchaseOrderLineView(ServiceForms, OrderHubModelView):
    datamodel = OrderHubInterface(PurchaseOrderLine, eager=("purchase_order", "variant"))
    class_permission_name = "PurchaseOrderLine"
    list_columns = ["purchase_order", "variant", "quantity", "unit_price", "received_quantity",
                    "outstanding"]
    search_columns = ["quantity", "unit_price", "received_quantity"]
    add_columns = ["purchase_order", "variant", "quantity", "unit_price"]
    edit_columns = ["quantity", "unit_price"]
    add_form_extra_fields = {"variant": _variant()}
    base_order = ("id", "asc")

    def service_add(self, values):
        docs.add_po_line(db.session, values.get("purchase_order_id"),
                         variant_id=values.get("variant_id"), quantity=values.get("quantity"),
                         unit_price=values.get("unit_price"))

    def service_edit(self, item, values, version):
        docs.change_po_line(db.session, item.id, **values)

    def service_delete(self, item):
        docs.remove_po_line(db.session, item.id)


class GoodsReceiptLineView(ServiceForms, OrderHubModelView):
    datamodel = OrderHubInterface(GoodsReceiptLine, eager=("goods_receipt", "variant"))
    class_permission_name = "GoodsReceiptLine"
    list_columns = ["goods_receipt", "variant", "quantity", "unit_cost", "purchase_order_line"]
    search_columns = ["quantity", "unit_cost"]
    add_columns = ["goods_receipt", "variant", "purchase_order_line", "quantity", "unit_cost"]
    edit_columns = ["quantity", "unit_cost"]
    add_form_extra_fields = {"variant": _variant()}
    base_order = ("id", "asc")

    def service_add(self, values):
        docs.add_receipt_line(db.session, values.get("goods_receipt_id"),
                              variant_id=values.get("variant_id"), quantity=values.get("quantity"),
                              unit_cost=values.get("unit_cost"),
                              purchase_order_line_id=values.get("purchase_order_line_id"))

    def service_edit(self, item, values, version):
        docs.change_receipt_line(db.session, item.id, **values)

    def service_delete(self, item):
        docs.remove_receipt_line(db.session, item.id)


class GoodsReceiptView(GoodsReceiptActions, ServiceForms, OrderHubModelView):
    datamodel = OrderHubInterface(GoodsReceipt, eager=("purchase_order", "supplier", "warehouse"))
    class_permission_name = "GoodsReceipt"
    list_columns = ["number", "purchase_order", "supplier", "warehouse", "status", "received_at"]
    search_columns = ["number", "supplier", "warehouse", "status"]
    add_columns = ["purchase_order", "supplier", "warehouse", "note"]
    edit_columns = ["note"]
    related_views = [GoodsReceiptLineView]
    base_order = ("id", "desc")
    audit_tables = ("goods_receipt",)

    def service_add(self, values):
        docs.create_goods_receipt(db.session, **values)

    def service_edit(self, item, values, version):
        docs.edit_goods_receipt(db.session, item.id, version=version, **values)

    def service_delete(self, item):
        docs.delete_goods_receipt(db.session, item.id)


class PurchaseOrderView(PurchaseOrderActions, ServiceForms, OrderHubModelView):
    datamodel = OrderHubInterface(PurchaseOrder, eager=("supplier", "warehouse"))
    class_permission_name = "PurchaseOrder"
    list_columns = ["number", "supplier", "warehouse", "status", "total", "expected_date",
                    "approved_at", "created_at"]
    search_columns = ["number", "supplier", "warehouse", "status", "expected_date"]
    add_columns = ["supplier", "warehouse", "expected_date", "note"]
    edit_columns = ["supplier", "warehouse", "expected_date", "note"]
    related_views = [PurchaseOrderLineView, GoodsReceiptView]
    base_order = ("id", "desc")
    audit_tables = ("purchase_order",)

    def service_add(self, values):
        docs.create_purchase_order(db.session, **values)

    def service_edit(self, item, values, version):
        docs.edit_purchase_order(db.session, item.id, version=version, **values)

    def service_delete(self, item):
        docs.delete_purchase_order(db.session, item.id)


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
