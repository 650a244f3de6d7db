"""Sales views: customers, orders with everything that hangs off them, order lines, returns.

Orders and their lines are added, edited and deleted only through the order services (the
lifecycle's states, reservations and totals); returns only through the order's "Create return"."""
from flask import flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _, lazy_gettext
from wtforms import BooleanField, HiddenField
from wtforms.validators import Optional

from app.models import (Customer, CustomerAddress, Order, OrderLine, ProductVariant, ReturnLine,
                        ReturnRequest)
from app.extensions import db
from app.services.amounts import parse_id
from app.services.errors import N_
from app.services import addresses, order_editing, order_entry, order_fields
from app.views.address_fields import province_field, ward_field
from app.views import order_page
from app.views.base import OrderHubModelView, start_job_from_view
from app.views.form_fields import AmountField
from app.views.folded_search import SEARCH_LABEL
from app.views.interface import OrderHubInterface
from app.views.invoice_actions import ReturnInvoiceActions
from app.views.invoicing import InvoiceView
from app.views.order_actions import order_view_mixins
from app.views.return_actions import ReturnRequestActions
from app.views.search_select import SearchSelectField
from app.views.service_forms import ServiceForms
from app.views.shipping import ShipmentView
from app.views.tile_filter import TileFiltered


def variant_field():
    return SearchSelectField("Variant", model=ProductVariant, endpoint="lookup.variants")


def customer_field():
    return SearchSelectField(lazy_gettext("Customer"), model=Customer, endpoint="lookup.customers")


class OrderLineView(ServiceForms, OrderHubModelView):
    datamodel = OrderHubInterface(OrderLine, eager=("order", "variant"))
    class_permission_name = "OrderLine"
    list_columns = ["order", "sku", "name", "quantity", "unit_price", "discount", "vat_rate",
                    "line_total", "reserved_quantity", "shipped_quantity", "returned_quantity",
                    "stock_status"]
    search_columns = ["sku", "name"]
    # SKU and name are snapshots taken from the variant; the price defaults to the variant's.
    add_columns = ["order", "variant", "quantity", "unit_price", "discount", "vat_rate"]
    edit_columns = ["quantity", "unit_price", "discount", "vat_rate", "order_version"]
    # A price left blank is the variant's (order_entry.manual_line), so it is not required here.
    add_form_extra_fields = {
        "variant": variant_field(),
        "unit_price": AmountField(lazy_gettext("Unit Price"), validators=[Optional()],
                                  description=lazy_gettext("Leave blank for the variant's price.")),
        "discount": AmountField(lazy_gettext("Discount"), validators=[Optional()])}
    # Lines have no version of their own: the order's, as the user opened it, guards the edit.
    edit_form_extra_fields = {"order_version": HiddenField()}
    label_columns = {"line_total": "Line total", "reserved_quantity": "Reserved",
                     "shipped_quantity": "Shipped", "returned_quantity": "Returned",
                     "stock_status": "Stock"}
    base_order = ("id", "asc")
    audit_tables = ("order_line",)

    def prefill_form(self, form, pk):
        super().prefill_form(form, pk)
        line = self.datamodel.get(pk)
        if line is not None and hasattr(form, "order_version"):
            form.order_version.data = line.order.version

    def post_add_redirect(self):
        """Back to the order the line was added to."""
        order_id = getattr(g, "line_added_to", None)
        if order_id is not None:
            return redirect(url_for("OrderView.show", pk=order_id) + "#lines")
        return super().post_add_redirect()

    def service_add(self, values):
        g.line_added_to = parse_id(values.get("order_id"))
        order_editing.add_order_line(db.session, values.get("order_id"),
                                     variant_id=values.get("variant_id"),
                                     quantity=values.get("quantity"),
                                     unit_price=values.get("unit_price"),
                                     discount=values.get("discount"),
                                     vat_rate=values.get("vat_rate"))

    def service_edit(self, item, values, version):
        version = values.pop("order_version", None) or None
        order_editing.change_order_line(db.session, item.id, version=version, **values)

    def service_delete(self, item):
        order_editing.remove_order_line(db.session, item.id)


class ReturnLineView(OrderHubModelView):
    datamodel = OrderHubInterface(ReturnLine, eager=("return_request", "order_line"))
    class_permission_name = "ReturnLine"
    list_columns = ["return_request", "order_line", "quantity", "condition"]
    search_columns = ["condition"]
    base_permissions = ["can_read"]  # written by the return's own forms (create, receive)
    base_order = ("id", "asc")


class ReturnRequestView(ReturnInvoiceActions, ReturnRequestActions, OrderHubModelView):
    """Returns are created from the order ("Create return", which checks what may come back) and
    moved on by their own buttons; the generic forms only edit the reason."""

    datamodel = OrderHubInterface(ReturnRequest, eager=("order",))
    class_permission_name = "ReturnRequest"
    list_title = "Returns & exchanges"
    list_columns = ["number", "order", "kind", "status", "refund_amount", "refund_status",
                    "received_at", "created_at"]
    search_columns = ["number", "kind", "status", "refund_status"]
    add_columns = ["order"]   # "add" asks for the order, then opens its Create return form
    edit_columns = ["reason"]
    related_views = [ReturnLineView]
    base_order = ("id", "desc")
    audit_tables = ("return_request",)

    def _add(self):
        form = self.add_form.refresh()
        if request.method == "POST" and form.validate() and form.order.data is not None:
            g.return_for_order = form.order.data.id
            return None
        return self._get_add_widget(form=form)

    def _delete(self, pk):
        self.get_scoped(pk)
        flash(_("A return is cancelled, never deleted: its moves and refund stay on record."),
              "danger")

    def post_add_redirect(self):
        order_id = getattr(g, "return_for_order", None)
        if order_id is not None:
            return redirect(url_for("OrderView.create_return_form", pk=order_id))
        return super().post_add_redirect()


class OrderView(*order_view_mixins(), TileFiltered, ServiceForms, OrderHubModelView):
    # What the list shows (the customer is not a column: joining it cost every skipped row).
    datamodel = OrderHubInterface(Order, eager=("channel", "warehouse"),
                                  record_eager=("channel", "warehouse", "customer"))
    class_permission_name = "Order"
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
                              "payment_reference", "refunded_amount"]}),
        ("Timeline", {"fields": ["confirmed_at", "packed_at", "shipped_at", "delivered_at",
                                 "completed_at", "cancelled_at", "cancel_reason"], "expanded": False}),
        ("Notes", {"fields": ["notes"], "expanded": False}),
    ]
    # The address is chosen: province, then one of its wards (today's divisions), then the street.
    add_columns = ["channel", "external_order_id", "customer", "buyer_name", "buyer_phone",
                   "buyer_email", "ship_province", "ship_ward", "ship_street",
                   "warehouse", "payment_method", "shipping_fee", "invoice_requested", "notes"]
    edit_columns = ["customer", "buyer_name", "buyer_phone", "buyer_email", "ship_province",
                    "ship_ward", "ship_street", "warehouse", "payment_method",
                    "shipping_fee", "invoice_requested", "notes"]
    # A flag is never "required" (unticked is an answer), unlike what FAB infers from NOT NULL.
    add_form_extra_fields = {"customer": customer_field(),
                             "invoice_requested": BooleanField(lazy_gettext("Invoice requested")),
                             "ship_province": province_field(), "ship_ward": ward_field("ship_province")}
    edit_form_extra_fields = {"customer": customer_field(),
                              "invoice_requested": BooleanField(lazy_gettext("Invoice requested")),
                              "ship_province": province_field(),
                              "ship_ward": ward_field("ship_province")}
    label_columns = {"placed_at": "Placed", "buyer_name": "Buyer", "buyer_phone": "Phone",
                     "total": "Total (₫)", "needs_attention": "Attention",
                     "ship_address": "Shipping address", "external_order_id": "Channel order id"}
    related_views = [OrderLineView, ShipmentView, InvoiceView, ReturnRequestView]
    base_order = ("id", "desc")
    audit_tables = ("sales_order",)
    job_target_type = "order"

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The order page (templates/orderhub/order_page.html), see app/views/order_page.py."""
        from app.services.jobs import jobs_for
        from app.web.charts import STATE_COLOURS
        order = self.get_scoped(pk)
        times = [(N_("Confirmed"), order.confirmed_at), (N_("Packed"), order.packed_at),
                 (N_("Shipped"), order.shipped_at), (N_("Delivered"), order.delivered_at),
                 (N_("Completed"), order.completed_at), (N_("Cancelled"), order.cancelled_at)]
        return self.render_template(
            self.show_template, pk=order.id, title=self.show_title, order=order,
            steps=order_page.next_steps(self, order),
            lines=[(line, order_page.line_stock(order, line)) for line in order.lines],
            line_images=order_page.line_images(order),
            timeline=[(label, when) for label, when in times if when],
            can_edit=order_fields.editable(order) and
            self.appbuilder.sm.has_access("can_write", self.class_permission_name),
            line_edit=self.line_edit_context(order),
            colours=STATE_COLOURS, audit_rows=self.audit_rows(order.id),
            job_rows=jobs_for(db.session, "order", order.id))

    def service_add(self, values):
        order_entry.create_order(db.session, **values)

    def service_edit(self, item, values, version):
        results = order_editing.edit_order(db.session, item.id, version=version, **values)
        for r in results:
            if r.short_by:
                flash(_("%(sku)s: short by %(n)s", sku=r.sku, n=r.short_by), "warning")

    def service_delete(self, item):
        order_editing.delete_order(db.session, item.id)

    @action("bulk_recalculate_totals", "Recalculate totals",
            "Recalculate the totals of the selected orders?", "fa-calculator", single=False)
    def bulk_recalculate_totals(self, items):
        items = items if isinstance(items, list) else [items]
        job = start_job_from_view("orders.recalculate_totals",
                                  N_("Recalculate totals of %(count)s orders"), "order",
                                  [o.id for o in items], count=len(items))
        flash(_("Job #%(id)s started: recalculating %(count)s orders.", id=job.id,
                count=len(items)), "info")
        return redirect(url_for("JobView.show", pk=job.id))


class CheckedAddress:
    """A customer's (or saved) address is checked against today's divisions before it is saved."""

    def pre_add(self, item):
        addresses.check_saved(item)
        super().pre_add(item)

    def pre_update(self, item):
        addresses.check_saved(item)
        super().pre_update(item)


class CustomerAddressView(CheckedAddress, OrderHubModelView):
    datamodel = OrderHubInterface(CustomerAddress, eager=("customer",))
    class_permission_name = "CustomerAddress"
    list_columns = ["customer", "label", "recipient", "phone", "address_text", "is_default"]
    order_columns = ["label", "recipient", "phone", "is_default"]  # the address is not a column
    search_columns = ["label", "street", "province"]
    add_columns = edit_columns = ["customer", "label", "recipient", "phone", "province", "ward",
                                  "street", "is_default"]
    add_form_extra_fields = {"province": province_field(), "ward": ward_field("province")}
    edit_form_extra_fields = {"province": province_field(), "ward": ward_field("province")}
    label_columns = {"address_text": "Address"}
    base_order = ("id", "asc")



class CustomerOrdersView(OrderView):
    """Orders as a tab on the customer page."""
    list_columns = ["number", "placed_at", "channel", "status", "payment_status", "total"]


class CustomerView(CheckedAddress, OrderHubModelView):
    datamodel = OrderHubInterface(Customer)
    class_permission_name = "Customer"
    list_columns = ["name", "phone", "email", "address", "company_name", "tax_code",
                    "wants_invoice"]
    order_columns = ["name", "phone", "email", "company_name", "tax_code", "wants_invoice"]
    search_columns = ["search_text", "name", "phone", "email", "company_name", "tax_code",
                      "province"]
    list_template = "orderhub/searchable_list.html"  # a search box without accents on top
    show_columns = ["name", "phone", "email", "address",
                    "company_name", "tax_code", "invoice_address", "invoice_email",
                    "wants_invoice", "order_count", "failed_count", "notes"]
    add_columns = edit_columns = ["name", "phone", "email", "province", "ward", "street",
                                  "company_name", "tax_code", "invoice_address",
                                  "invoice_email", "wants_invoice", "notes"]
    add_form_extra_fields = {"province": province_field(), "ward": ward_field("province")}
    edit_form_extra_fields = {"province": province_field(), "ward": ward_field("province")}
    label_columns = {"order_count": "Orders", "failed_count": "Failed deliveries / returns",
                     "tax_code": "Tax code (MST)", "address": "Address", "search_text": SEARCH_LABEL}
    related_views = [CustomerAddressView, CustomerOrdersView]
    base_order = ("name", "asc")
    audit_tables = ("customer",)

