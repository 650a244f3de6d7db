"""Invoice page buttons: PDF (the provider's signed copy, or the local rendering), preview, email again
(clerks); replacement and adjustment invoices, also from a customer return (supervisors).

The invoice itself stays read-only: there is no edit or delete, only new invoices that correct it.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access

from app.web.i18n import error_text
from app.extensions import db
from app.models import Invoice, Job, ReturnRequest
from app.security import scope
from app.services.errors import N_, DomainError, ValidationErrors
from app.services.invoice_corrections import (ISSUE_TITLES, correction_for_return, create_correction,
                                              prefill_correction)
from app.services.invoice_rules import ADJUSTMENT, REPLACEMENT
from app.services.invoice_printing import print_pdf
from app.services.invoicing import invoice_pdf, local_pdf, parse_form, preview_pdf
from app.views.base import start_job_from_view
from app.views.invoice_form_page import errors_of, pdf_response, refused, render_invoice_form

TITLES = {REPLACEMENT: lazy_gettext("Replacement invoice"), ADJUSTMENT: lazy_gettext("Adjustment invoice")}
SUBMIT = {REPLACEMENT: lazy_gettext("Issue replacement invoice"), ADJUSTMENT: lazy_gettext("Issue adjustment invoice")}
FORM_ENDPOINT = {REPLACEMENT: "InvoiceView.replace_form", ADJUSTMENT: "InvoiceView.adjust_form"}
PREVIEW_ENDPOINT = {REPLACEMENT: "InvoiceView.replace_preview", ADJUSTMENT: "InvoiceView.adjust_preview"}


def _one(items):
    return items[0] if isinstance(items, list) else items


class InvoiceViewActions:
    """Mixed into InvoiceView."""

    permission_aliases = {"pdf": "download_pdf", "preview_pdf": "preview", "replace_form": "replace",
                          "print_download": "bulk_print",
                          "replace_preview": "replace", "adjust_form": "adjust", "adjust_preview": "adjust",
                          "from_return": "adjust"}
    extra_show_columns = ["replaced_by", "corrected_by"]

    def __init__(self, **kwargs):
        if getattr(self, "show_columns", None):
            self.show_columns = list(self.show_columns) + [c for c in self.extra_show_columns
                                                           if c not in self.show_columns]
            self.label_columns = {**(self.label_columns or {}), "replaced_by": lazy_gettext("Replaced by"),
                                  "corrected_by": lazy_gettext("Corrected by")}
        super().__init__(**kwargs)
        # InvoiceView is read-only (base_permissions = ["can_read"]); its action pages are granted by
        # their own action permissions, never by write/delete.
        own = {f"can_{p}" for p in self.permission_aliases.values()}
        self.base_permissions = list(dict.fromkeys(list(self.base_permissions) + sorted(own)))

    # --- PDFs ---------------------------------------------------------------------------------
    @action("download_pdf", lazy_gettext("Download PDF"), "", "fa-file-pdf-o", multiple=False)
    def download_pdf(self, items):
        return redirect(url_for("InvoiceView.pdf", pk=_one(items).id))

    @expose("/pdf/<int:pk>")
    @has_access
    def pdf(self, pk):
        self.get_scoped(pk)
        try:
            data, name = invoice_pdf(db.session, pk)
        except DomainError as exc:
            refused(exc)
            return redirect(url_for("InvoiceView.list"))
        return pdf_response(data, name, download=True)

    @action("preview", lazy_gettext("Preview PDF"), "", "fa-eye", multiple=False)
    def preview(self, items):
        return redirect(url_for("InvoiceView.preview_pdf", pk=_one(items).id))

    @expose("/preview/<int:pk>")
    @has_access
    def preview_pdf(self, pk):
        invoice = self.get_scoped(pk)
        if invoice is None:
            flash(gettext("No such invoice."), "danger")
            return redirect(url_for("InvoiceView.list"))
        try:
            data = local_pdf(invoice)
        except DomainError as exc:
            refused(exc)
            return redirect(url_for("InvoiceView.show", pk=pk))
        return pdf_response(data, f"invoice-{pk}.pdf")

    @action("bulk_print", lazy_gettext("Print selected invoices"),
            lazy_gettext("Make one PDF of the selected invoices?"), "fa-print", single=False)
    def bulk_print(self, items):
        items = items if isinstance(items, list) else [items]
        job = start_job_from_view("invoicing.print_invoices", N_("Print %(count)s invoices"),
                                  "invoice", [i.id for i in items], queue="bulk", count=len(items))
        flash(gettext("Job #%(id)s is making one PDF of %(count)s invoices; download it from the job's page when "
                      "it is done.", id=job.id, count=len(items)), "info")
        return redirect(url_for("JobView.show", pk=job.id))

    @expose("/print/<int:job_id>")
    @has_access
    def print_download(self, job_id):
        if not scope.visible(db.session, Job, job_id):
            abort(404)
        try:
            data, name = print_pdf(db.session, job_id)
        except DomainError as exc:
            refused(exc)
            return redirect(url_for("JobView.show", pk=job_id))
        return pdf_response(data, name, download=True)

    # --- email --------------------------------------------------------------------------------
    @action("resend_email", lazy_gettext("Email to buyer again"), lazy_gettext("Email this invoice to the buyer again?"),
            "fa-envelope", multiple=False)
    def resend_email(self, items):
        invoice = _one(items)
        job = start_job_from_view("invoicing.resend_email", N_("Email invoice %(invoice)s"),
                                  "invoice", [invoice.id], queue="default",
                                  invoice=invoice.display_number)
        flash(gettext("Job #%(id)s is emailing the invoice to %(to)s.", id=job.id,
                      to=invoice.buyer_email or gettext("the buyer")), "info")
        return redirect(url_for("InvoiceView.show", pk=invoice.id))

    # --- replacement and adjustment -----------------------------------------------------------
    @action("replace", lazy_gettext("Replacement invoice"), "", "fa-exchange", multiple=False)
    def replace(self, items):
        return redirect(url_for("InvoiceView.replace_form", pk=_one(items).id))

    @action("adjust", lazy_gettext("Adjustment invoice"), "", "fa-sliders", multiple=False)
    def adjust(self, items):
        return redirect(url_for("InvoiceView.adjust_form", pk=_one(items).id))

    def _correction_page(self, original, kind, form, errors=None, status=200):
        return render_invoice_form(
            self, form, errors=errors, status=status, kind=kind, original=original, order=original.order,
            title=gettext("%(kind)s for %(invoice)s", kind=TITLES[kind], invoice=original.display_number),
            submit_label=SUBMIT[kind],
            submit_url=url_for(FORM_ENDPOINT[kind], pk=original.id),
            preview_url=url_for(PREVIEW_ENDPOINT[kind], pk=original.id),
            back_url=url_for("InvoiceView.show", pk=original.id))

    def _correction(self, pk, kind):
        original = self.get_scoped(pk)
        if original is None:
            flash(gettext("No such invoice."), "danger")
            return redirect(url_for("InvoiceView.list"))
        if request.method == "GET":
            try:
                form = prefill_correction(db.session, pk, kind, return_id=request.args.get("return_id", type=int))
            except DomainError as exc:
                refused(exc)
                return redirect(url_for("InvoiceView.show", pk=pk))
            return self._correction_page(original, kind, form)
        form = parse_form(request.form)
        try:
            invoice = create_correction(db.session, pk, form, kind)
        except ValidationErrors as exc:
            db.session.rollback()
            return self._correction_page(self.get_scoped(pk), kind, form, errors_of(exc), 422)
        except DomainError as exc:
            refused(exc)
            return redirect(url_for("InvoiceView.show", pk=pk))
        job = start_job_from_view("invoicing.issue_invoices", ISSUE_TITLES[kind], "invoice",
                                  [invoice.id], queue="integrations", invoice=original.display_number)
        flash(gettext("%(kind)s saved; job #%(id)s is issuing it.", kind=TITLES[kind], id=job.id), "info")
        return redirect(url_for("InvoiceView.show", pk=invoice.id))

    def _correction_preview(self, pk, kind):
        original = self.get_scoped(pk)
        if original is None:
            flash(gettext("No such invoice."), "danger")
            return redirect(url_for("InvoiceView.list"))
        form = parse_form(request.form)
        try:
            pdf = preview_pdf(db.session, form, kind=kind, original=original,
                              order_code=original.order.number if original.order else "")
        except DomainError as exc:
            db.session.rollback()
            return self._correction_page(original, kind, form, errors_of(exc) or {"form": [error_text(exc)]}, 422)
        return pdf_response(pdf, f"preview-{kind}-{pk}.pdf")

    @expose("/replace/<int:pk>", methods=["GET", "POST"])
    @has_access
    def replace_form(self, pk):
        return self._correction(pk, REPLACEMENT)

    @expose("/replace_preview/<int:pk>", methods=["POST"])
    @has_access
    def replace_preview(self, pk):
        return self._correction_preview(pk, REPLACEMENT)

    @expose("/adjust/<int:pk>", methods=["GET", "POST"])
    @has_access
    def adjust_form(self, pk):
        return self._correction(pk, ADJUSTMENT)

    @expose("/adjust_preview/<int:pk>", methods=["POST"])
    @has_access
    def adjust_preview(self, pk):
        return self._correction_preview(pk, ADJUSTMENT)

    @expose("/from_return/<int:return_id>")
    @has_access
    def from_return(self, return_id):
        """A return's invoice correction: an adjustment decreasing the invoice by what came back
        (``?kind=replacement`` for a replacement with what the buyer kept, when allowed)."""
        if not scope.visible(db.session, ReturnRequest, return_id):
            abort(404)
        try:
            suggestion = correction_for_return(db.session, return_id)
        except DomainError as exc:
            refused(exc)
            return redirect(url_for("ReturnRequestView.show", pk=return_id))
        kind = request.args.get("kind") or suggestion.kind
        if kind == REPLACEMENT and not suggestion.replacement_allowed:
            flash(gettext("A full return (or an invoice already adjusted) is corrected by an adjustment."),
                  "warning")
            kind = ADJUSTMENT
        return redirect(url_for(FORM_ENDPOINT[kind], pk=suggestion.invoice.id, return_id=return_id))


class ReturnInvoiceActions:
    """Mixed into ReturnRequestView: the invoice correction a customer return calls for (supervisors).
    Both lead to the correction form prefilled from the return; a replacement where the rules do not
    allow one (full return, invoice already adjusted) falls back to the adjustment with a warning."""

    @action("adjust_invoice", lazy_gettext("Adjustment invoice (decrease)"), "", "fa-sliders", multiple=False)
    def adjust_invoice(self, items):
        return redirect(url_for("InvoiceView.from_return", return_id=_one(items).id, kind=ADJUSTMENT))

    @action("replace_invoice", lazy_gettext("Replacement invoice"), "", "fa-exchange", multiple=False)
    def replace_invoice(self, items):
        return redirect(url_for("InvoiceView.from_return", return_id=_one(items).id, kind=REPLACEMENT))


INVOICE_VIEW_MIXIN = InvoiceViewActions
RETURN_VIEW_MIXIN = ReturnInvoiceActions
__all__ = ["InvoiceViewActions", "INVOICE_VIEW_MIXIN", "ReturnInvoiceActions", "RETURN_VIEW_MIXIN"]
