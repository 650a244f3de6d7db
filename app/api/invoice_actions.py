"""E-invoice actions on the REST API (SPEC §8).

- ``POST /api/v1/order/<id>/invoice`` — save the order's invoice (prefilled from the order; any of
  ``provider_account_id``, ``template``, ``series``, ``buyer``, ``payment_method``, ``lines``, ``note`` in the
  body override the prefill) and issue it in a job: 202 ``{"job_id", "invoice_id"}``;
- ``POST /api/v1/invoice/<id>/replace`` and ``/adjust`` (supervisor) — body ``reason``,
  ``agreement_reference``, ``agreement_date``, optionally ``lines`` (each may say ``change``: increase or
  decrease), ``buyer``, ``direction`` (adjust: increase, decrease or mixed),
  ``return_id`` (prefilled from that return): 202 ``{"job_id", "invoice_id"}``;
- ``POST /api/v1/return_request/<id>/adjust_invoice`` and ``/replace_invoice`` (supervisor) — the
  correction a customer return calls for, prefilled from the return (body as for ``/adjust``; a full
  return decreases the invoiced shipping too): 202 ``{"job_id", "invoice_id", "corrects", "kind"}``;
- ``GET /api/v1/invoice/<id>/pdf`` — the provider's PDF once issued, else the local rendering.

Refusals: 409 naming the state; invalid input 422 with ``errors`` keyed by field (``buyer.tax_code``…).
The invoice resource itself stays read-only (GET only).
"""
from __future__ import annotations

from flask import Response
from flask_appbuilder.api import expose, protect, safe

from app.api.actions import error_body, json_body, out_of_scope, start_api_job
from app.extensions import db
from app.services.errors import N_, DomainError
from app.services.invoice_corrections import (ISSUE_TITLES, create_correction, prefill_correction,
                                              prefill_for_return)
from app.services.invoice_rules import ADJUSTMENT, REPLACEMENT
from app.services.invoicing import InvoiceForm, create_invoice_draft, invoice_pdf, parse_form, prefill_from_order

OVERRIDES = ("provider_account_id", "template", "series", "payment_method", "lines", "note", "reason",
             "agreement_reference", "agreement_date", "direction", "return_id")


def _merged(prefilled: InvoiceForm, body: dict) -> InvoiceForm:
    """The prefilled form with whatever the body gives laid over it (buyer fields one by one)."""
    data = prefilled.as_dict()
    for key in OVERRIDES:
        if key in body:
            data[key] = body[key]
    if isinstance(body.get("buyer"), dict):
        data["buyer"].update(body["buyer"])
    return parse_form(data)


def _error(api, exc: DomainError):
    db.session.rollback()
    return api.response(exc.http_status, **error_body(exc))


class OrderInvoiceActions:
    """Mixed into the ``order`` ModelRestApi."""

    @expose("/<int:pk>/invoice", methods=["POST"])
    @protect()
    @safe
    def issue_invoice(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        body = json_body()
        try:
            form = _merged(prefill_from_order(db.session, pk, account_id=body.get("provider_account_id")), body)
            invoice = create_invoice_draft(db.session, pk, form)
        except DomainError as exc:
            return _error(self, exc)
        job = start_api_job("invoicing.issue_invoices", N_("Issue invoice for order %(order)s"), "order",
                            [pk], queue="integrations", params={"invoice_id": invoice.id},
                            order=invoice.order.number)
        return self.response(202, job_id=job.id, invoice_id=invoice.id, status=job.status.value)


class InvoiceCorrectionActions:
    """Mixed into the read-only ``invoice`` ModelRestApi."""

    def _correct(self, pk, kind):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        body = json_body()
        try:
            form = _merged(prefill_correction(db.session, pk, kind, return_id=body.get("return_id")), body)
            invoice = create_correction(db.session, pk, form, kind)
        except DomainError as exc:
            return _error(self, exc)
        job = start_api_job("invoicing.issue_invoices", ISSUE_TITLES[kind], "invoice", [invoice.id],
                            queue="integrations", invoice=invoice.original_invoice.display_number)
        return self.response(202, job_id=job.id, invoice_id=invoice.id, status=job.status.value)

    @expose("/<int:pk>/replace", methods=["POST"])
    @protect()
    @safe
    def replace(self, pk):
        return self._correct(pk, REPLACEMENT)

    @expose("/<int:pk>/adjust", methods=["POST"])
    @protect()
    @safe
    def adjust(self, pk):
        return self._correct(pk, ADJUSTMENT)

    @expose("/<int:pk>/pdf", methods=["GET"])
    @protect()
    @safe
    def pdf(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        try:
            data, name = invoice_pdf(db.session, pk)
        except DomainError as exc:
            return _error(self, exc)
        return Response(data, mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


class ReturnInvoiceActions:
    """Mixed into the ``return_request`` API: the invoice correction a return calls for."""

    def _correct_for_return(self, pk, kind):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        body = json_body()
        try:
            invoice, kind, prefilled = prefill_for_return(db.session, pk, kind)
            correction = create_correction(db.session, invoice.id, _merged(prefilled, body), kind)
        except DomainError as exc:
            return _error(self, exc)
        job = start_api_job("invoicing.issue_invoices", ISSUE_TITLES[kind], "invoice", [correction.id],
                            queue="integrations", invoice=invoice.display_number)
        return self.response(202, job_id=job.id, invoice_id=correction.id, corrects=invoice.id, kind=kind,
                             status=job.status.value)

    @expose("/<int:pk>/adjust_invoice", methods=["POST"])
    @protect()
    @safe
    def adjust_invoice(self, pk):
        return self._correct_for_return(pk, ADJUSTMENT)

    @expose("/<int:pk>/replace_invoice", methods=["POST"])
    @protect()
    @safe
    def replace_invoice(self, pk):
        return self._correct_for_return(pk, REPLACEMENT)


MIXINS = {
    "order": [(OrderInvoiceActions, {"issue_invoice": "invoice"})],
    "invoice": [(InvoiceCorrectionActions, {"replace": "replace", "adjust": "adjust", "pdf": "download_pdf"})],
    "return_request": [(ReturnInvoiceActions, {"adjust_invoice": "adjust_invoice",
                                                "replace_invoice": "replace_invoice"})],
}
