"""Order page buttons for e-invoices: "Issue invoice" (a form prefilled from the order, with a PDF
preview) for clerks, and "Issue invoices for selected" (a job) for supervisors."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_babel import gettext, lazy_gettext
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access

from app.web.i18n import error_text
from app.extensions import db
from app.models import Order
from app.services.errors import N_, DomainError, ValidationErrors
from app.services.einvoice_clients import PROVIDER_NAMES
from app.services.invoicing import create_invoice_draft, parse_form, prefill_from_order, preview_pdf
from app.views.base import start_job_from_view
from app.views.invoice_form_page import errors_of, pdf_response, refused, render_invoice_form


def _one(items):
    return items[0] if isinstance(items, list) else items


class OrderInvoiceViewActions:
    """Mixed into OrderView (listed in ORDER_VIEW_MODULES)."""

    permission_aliases = {"invoice_form": "invoice", "invoice_preview": "preview_invoice"}

    @action("invoice", lazy_gettext("Issue invoice"), "", "fa-file-text", multiple=False)
    def invoice(self, items):
        return redirect(url_for("OrderView.invoice_form", pk=_one(items).id))

    def _invoice_page(self, order, form, errors=None, status=200):
        return render_invoice_form(
            self, form, errors=errors, status=status, kind="original", order=order,
            title=gettext("Issue e-invoice for order %(order)s", order=order.number),
            submit_label=lazy_gettext("Issue invoice"),
            submit_url=url_for("OrderView.invoice_form", pk=order.id),
            preview_url=url_for("OrderView.invoice_preview", pk=order.id),
            back_url=url_for("OrderView.show", pk=order.id))

    @expose("/invoice/<int:pk>", methods=["GET", "POST"])
    @has_access
    def invoice_form(self, pk):
        order = self.get_scoped(pk)
        if order is None:
            flash(gettext("No such order."), "danger")
            return redirect(url_for("OrderView.list"))
        if request.method == "GET":
            try:
                form = prefill_from_order(db.session, pk)
            except DomainError as exc:
                refused(exc)
                return redirect(url_for("OrderView.show", pk=pk))
            return self._invoice_page(order, form)
        form = parse_form(request.form)
        try:
            invoice = create_invoice_draft(db.session, pk, form)
        except ValidationErrors as exc:
            db.session.rollback()
            return self._invoice_page(self.get_scoped(pk), form, errors_of(exc), 422)
        except DomainError as exc:
            refused(exc)
            return redirect(url_for("OrderView.show", pk=pk))
        job = start_job_from_view("invoicing.issue_invoices", N_("Issue invoice for order %(order)s"),
                                  "order", [pk], queue="integrations", params={"invoice_id": invoice.id},
                                  order=order.number)
        flash(gettext("Invoice saved; job #%(id)s is issuing it through %(provider)s.", id=job.id,
                      provider=PROVIDER_NAMES.get(invoice.provider.value, invoice.provider.value)), "info")
        return redirect(url_for("OrderView.show", pk=pk))

    @expose("/invoice_preview/<int:pk>", methods=["POST"])
    @has_access
    def invoice_preview(self, pk):
        order = self.get_scoped(pk)
        if order is None:
            flash(gettext("No such order."), "danger")
            return redirect(url_for("OrderView.list"))
        form = parse_form(request.form)
        try:
            pdf = preview_pdf(db.session, form, order_code=order.number)
        except DomainError as exc:
            db.session.rollback()
            return self._invoice_page(order, form, errors_of(exc) or {"form": [error_text(exc)]}, 422)
        return pdf_response(pdf, f"preview-{order.number}.pdf")

    @action("bulk_issue_invoices", lazy_gettext("Issue invoices for selected"),
            lazy_gettext("Issue an e-invoice for each selected order (prefilled from the order)?"), "fa-file-text",
            single=False)
    def bulk_issue_invoices(self, items):
        items = items if isinstance(items, list) else [items]
        job = start_job_from_view("invoicing.issue_invoices", N_("Issue invoices for %(count)s orders"),
                                  "order", [o.id for o in items], queue="integrations", count=len(items))
        flash(gettext("Job #%(id)s started: issuing invoices for %(count)s orders.", id=job.id, count=len(items)),
              "info")
        return redirect(url_for("JobView.show", pk=job.id))


ORDER_VIEW_MIXIN = OrderInvoiceViewActions
