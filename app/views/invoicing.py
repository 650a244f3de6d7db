"""Invoicing views: e-invoices (read-only once issued), their lines, the registered series."""
from app.models import Invoice, InvoiceLine, InvoiceSeries
from app.views.base import OrderHubModelView
from app.views.invoice_actions import InvoiceViewActions
from app.views.interface import OrderHubInterface


class InvoiceLineView(OrderHubModelView):
    datamodel = OrderHubInterface(InvoiceLine, eager=("invoice",))
    class_permission_name = "InvoiceLine"
    list_columns = ["invoice", "position", "name", "unit", "quantity", "unit_price", "discount",
                    "vat_rate", "amount", "vat_amount"]
    search_columns = ["name", "vat_rate"]
    base_permissions = ["can_read"]
    base_order = ("position", "asc")


class InvoiceView(InvoiceViewActions, OrderHubModelView):
    datamodel = OrderHubInterface(Invoice, eager=("order", "original_invoice"))
    class_permission_name = "Invoice"
    list_columns = ["display_number", "order", "provider", "kind", "status", "buyer_name",
                    "buyer_tax_code", "total", "issued_at", "original_invoice"]
    search_columns = ["series", "number", "provider", "kind", "status", "buyer_name",
                      "buyer_tax_code", "issued_at", "order"]
    show_columns = ["display_number", "order", "provider", "kind", "template", "series", "number",
                    "status", "transaction_key", "buyer_name", "buyer_company", "buyer_tax_code",
                    "buyer_address", "buyer_email", "payment_method", "subtotal", "vat_total",
                    "total", "amount_in_words", "vat_breakdown", "tax_authority_code",
                    "lookup_code", "issued_at", "original_invoice", "adjustment_direction",
                    "reason", "agreement_reference", "error_message", "emailed_at"]
    label_columns = {"display_number": "Invoice", "buyer_tax_code": "Buyer tax code",
                     "tax_authority_code": "Tax authority code", "original_invoice": "Corrects"}
    base_permissions = ["can_read"]  # issued through the invoice actions, never edited
    related_views = [InvoiceLineView]
    base_order = ("id", "desc")
    audit_tables = ("invoice",)


class InvoiceSeriesView(OrderHubModelView):
    datamodel = OrderHubInterface(InvoiceSeries, eager=("provider_account",))
    class_permission_name = "InvoiceSeries"
    list_columns = ["provider_account", "template", "series", "last_number", "active"]
    search_columns = ["series", "template", "active"]
    add_columns = edit_columns = ["provider_account", "template", "series", "active"]
    base_order = ("series", "asc")
