"""Invoicing views: e-invoices (read-only once issued), their lines, the registered series."""
from flask import flash, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext

from app.extensions import db
from app.models import Invoice, InvoiceLine, InvoiceSeries
from app.services.invoice_numbers import mark_number_checked
from app.services.invoicing import check_series_change
from app.views.base import OrderHubModelView
from app.views.invoice_actions import InvoiceViewActions
from app.views.interface import OrderHubInterface
from app.web.formatting import format_vat_breakdown


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
                    "seller_tax_code", "status", "transaction_key", "buyer_name", "buyer_company", "buyer_tax_code",
                    "buyer_address", "buyer_email", "buyer_id_number", "payment_method", "subtotal", "vat_total",
                    "total", "amount_in_words", "vat_breakdown", "tax_authority_code",
                    "lookup_code", "issued_at", "original_invoice", "adjustment_direction",
                    "reason", "agreement_reference", "agreement_date", "error_message", "emailed_at"]
    label_columns = {"display_number": lazy_gettext("Invoice"), "buyer_tax_code": lazy_gettext("Buyer tax code"),
                     "buyer_id_number": lazy_gettext("Personal ID (CCCD)"),
                     "tax_authority_code": lazy_gettext("Tax authority code"),
                     "original_invoice": lazy_gettext("Corrects"), "agreement_date": lazy_gettext("Agreement date"),
                     "seller_tax_code": lazy_gettext("Seller tax code"),
                     "number_clash_of": lazy_gettext("Number already held by"),
                     "number_clash_of_id": lazy_gettext("Number already held by"),
                     "clash_checked_at": lazy_gettext("Number clash checked at")}
    formatters_columns = {"vat_breakdown": format_vat_breakdown}
    base_permissions = ["can_read"]  # issued through the invoice actions, never edited
    related_views = [InvoiceLineView]
    base_order = ("id", "desc")
    audit_tables = ("invoice",)
    show_template = "orderhub/invoice_show.html"
    permission_aliases = {**InvoiceViewActions.permission_aliases, "number_checked": "check_number"}

    def render_template(self, template, **kwargs):
        if template == self.show_template and kwargs.get("pk") is not None:
            kwargs["invoice_record"] = self.get_scoped(kwargs["pk"])
        return super().render_template(template, **kwargs)

    @expose("/number-checked/<int:pk>", methods=["POST"])
    @has_access
    def number_checked(self, pk):
        """A supervisor has checked an invoice issued under a number already recorded."""
        invoice = self.get_scoped(pk)
        if self.run_service(mark_number_checked, db.session, invoice) is not None:
            flash(gettext("Invoice %(invoice)s is marked as checked.", invoice=invoice.display_number), "success")
        return redirect(url_for("InvoiceView.show", pk=pk))


class InvoiceSeriesView(OrderHubModelView):
    datamodel = OrderHubInterface(InvoiceSeries, eager=("provider_account",))
    class_permission_name = "InvoiceSeries"
    list_columns = ["provider_account", "template", "series", "last_number", "active"]
    search_columns = ["series", "template", "active"]
    add_columns = edit_columns = ["provider_account", "template", "series", "active"]
    label_columns = {"provider_account": lazy_gettext("E-invoice account"), "template": lazy_gettext("Template"),
                     "series": lazy_gettext("Series"), "last_number": lazy_gettext("Last number"),
                     "active": lazy_gettext("Active")}
    base_order = ("series", "asc")

    # A series with invoices keeps its text (the database refuses too): say why on the form.
    def pre_update(self, item):
        super().pre_update(item)
        self._check(item)

    def pre_delete(self, item):
        self._check(item, deleting=True)

    def _check(self, item, deleting: bool = False):
        check_series_change(db.session, item, deleting=deleting)  # refusals shown by the base view
