"""Sales views: customers, orders with everything that hangs off them, order lines, returns."""
from flask import flash, redirect, url_for
from flask_appbuilder.actions import action

from app.models import (Customer, CustomerAddress, Order, OrderLine, ProductVariant, ReturnLine,
                        ReturnRequest)
from app.security.row_rules import warehouse_scope
from app.views.base import OrderHubModelView, start_job_from_view
from app.views.interface import OrderHubInterface
from app.views.invoice_actions import ReturnInvoiceActions
from app.views.invoicing import InvoiceView
from app.views.order_actions import order_view_mixins
from app.views.return_actions import ReturnRequestActions
from app.views.search_select import SearchSelectField
from app.views.shipping import ShipmentView


def variant_field():
    return SearchSelectField("Variant", model=ProductVariant, endpoint="lookup.variants")


def customer_field():
    return SearchSelectField("Customer", model=Customer, endpoint="lookup.customers")


class OrderLineView(OrderHubModelView):
    datamodel = OrderHubInterface(OrderLine, eager=("order", "variant"))
    class_permission_name = "OrderLine"
    list_columns = ["order", "sku", "name", "quantity", "unit_price", "discount", "vat_rate",
                    "line_total", "reserved_quantity", "shipped_quantity", "returned_quantity",
                    "stock_status"]
    search_columns = ["sku", "name", "order"]
    add_columns = ["order", "variant", "sku", "name", "quantity", "unit_price", "discount",
                   "vat_rate"]
    edit_columns = ["quantity", "unit_price", "discount", "vat_rate"]
    add_form_extra_fields = {"variant": variant_field()}
    label_columns = {"line_total": "Line total", "reserved_quantity": "Reserved",
                     "shipped_quantity": "Shipped", "returned_quantity": "Returned",
                     "stock_status": "Stock"}
    base_order = ("id", "asc")
    audit_tables = ("order_line",)


class ReturnLineView(OrderHubModelView):
    datamodel = OrderHubInterface(ReturnLine, eager=("return_request", "order_line"))
    class_permission_name = "ReturnLine"
    list_columns = ["return_request", "order_line", "quantity", "condition"]
    search_columns = ["condition"]
    add_columns = edit_columns = ["return_request", "order_line", "quantity", "condition"]
    base_order = ("id", "asc")


class ReturnRequestView(ReturnInvoiceActions, ReturnRequestActions, OrderHubModelView):
    datamodel = OrderHubInterface(ReturnRequest, eager=("order",))
    class_permission_name = "ReturnRequest"
    list_title = "Returns & exchanges"
    list_columns = ["number", "order", "kind", "status", "refund_amount", "refund_status",
                    "received_at", "created_at"]
    search_columns = ["number", "order", "kind", "status", "refund_status"]
    add_columns = ["order", "kind", "reason", "warehouse", "refund_amount"]
    edit_columns = ["reason", "refund_amount"]
    related_views = [ReturnLineView]
    base_order = ("id", "desc")
    audit_tables = ("return_request",)


class OrderView(*order_view_mixins(), OrderHubModelView):
    datamodel = OrderHubInterface(Order, eager=("channel", "customer", "warehouse"))
    class_permission_name = "Order"
    base_filters = warehouse_scope("warehouse_id", allow_empty=True)
    list_columns = ["number", "placed_at", "channel", "buyer_name", "buyer_phone", "status",
                    "payment_method", "payment_status", "total", "warehouse", "needs_attention"]
    search_columns = ["number", "external_order_id", "buyer_name", "buyer_phone", "status",
                      "payment_status", "payment_method", "channel", "warehouse", "placed_at",
                      "invoice_requested"]
    show_fieldsets = [
        ("Order", {"fields": ["number", "status", "channel", "external_order_id",
                              "marketplace_status", "placed_at", "warehouse", "needs_attention"]}),
        ("Buyer", {"fields": ["customer", "buyer_name", "buyer_phone", "buyer_email",
                              "ship_address", "invoice_requested"]}),
        ("Money", {"fields": ["payment_method", "payment_status", "subtotal", "discount_total",
                              "shipping_fee", "vat_total", "total", "paid_amount",
                              "refunded_amount"]}),
        ("Timeline", {"fields": ["confirmed_at", "packed_at", "shipped_at", "delivered_at",
                                 "completed_at", "cancelled_at", "cancel_reason"], "expanded": False}),
        ("Notes", {"fields": ["notes"], "expanded": False}),
    ]
    add_columns = ["channel", "external_order_id", "customer", "buyer_name", "buyer_phone",
                   "buyer_email", "ship_street", "ship_ward", "ship_district", "ship_province",
                   "warehouse", "payment_method", "shipping_fee", "invoice_requested", "notes"]
    edit_columns = ["customer", "buyer_name", "buyer_phone", "buyer_email", "ship_street",
                    "ship_ward", "ship_district", "ship_province", "warehouse", "payment_method",
                    "shipping_fee", "invoice_requested", "notes"]
    add_form_extra_fields = {"customer": customer_field()}
    edit_form_extra_fields = {"customer": customer_field()}
    label_columns = {"placed_at": "Placed", "buyer_name": "Buyer", "buyer_phone": "Phone",
                     "total": "Total (₫)", "needs_attention": "Attention",
                     "ship_address": "Shipping address", "external_order_id": "Channel order id"}
    related_views = [OrderLineView, ShipmentView, InvoiceView, ReturnRequestView]
    base_order = ("id", "desc")
    audit_tables = ("sales_order",)
    job_target_type = "order"

    @action("bulk_recalculate_totals", "Recalculate totals",
            "Recalculate the totals of the selected orders?", "fa-calculator", single=False)
    def bulk_recalculate_totals(self, items):
        items = items if isinstance(items, list) else [items]
        job = start_job_from_view("orders.recalculate_totals",
                                  f"Recalculate totals of {len(items)} orders", "order",
                                  [o.id for o in items])
        flash(f"Job #{job.id} started: recalculating {len(items)} orders.", "info")
        return redirect(url_for("JobView.show", pk=job.id))


class CustomerAddressView(OrderHubModelView):
    datamodel = OrderHubInterface(CustomerAddress, eager=("customer",))
    class_permission_name = "CustomerAddress"
    list_columns = ["customer", "label", "recipient", "phone", "street", "ward", "district",
                    "province", "is_default"]
    search_columns = ["label", "street", "province"]
    add_columns = edit_columns = ["customer", "label", "recipient", "phone", "street", "ward",
                                  "district", "province", "is_default"]
    base_order = ("id", "asc")


class CustomerOrdersView(OrderView):
    """Orders as a tab on the customer page."""
    list_columns = ["number", "placed_at", "channel", "status", "payment_status", "total"]


class CustomerView(OrderHubModelView):
    datamodel = OrderHubInterface(Customer)
    class_permission_name = "Customer"
    list_columns = ["name", "phone", "email", "province", "company_name", "tax_code",
                    "wants_invoice"]
    search_columns = ["name", "phone", "email", "company_name", "tax_code", "province"]
    show_columns = ["name", "phone", "email", "street", "ward", "district", "province",
                    "company_name", "tax_code", "invoice_address", "invoice_email",
                    "wants_invoice", "order_count", "failed_count", "notes"]
    add_columns = edit_columns = ["name", "phone", "email", "street", "ward", "district",
                                  "province", "company_name", "tax_code", "invoice_address",
                                  "invoice_email", "wants_invoice", "notes"]
    label_columns = {"order_count": "Orders", "failed_count": "Failed deliveries / returns",
                     "tax_code": "Tax code (MST)"}
    related_views = [CustomerAddressView, CustomerOrdersView]
    base_order = ("name", "asc")
    audit_tables = ("customer",)
