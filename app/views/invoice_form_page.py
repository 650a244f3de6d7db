"""The one invoice form page (issue, replacement, adjustment) and its PDF answers, shared by the order
and invoice views."""
from __future__ import annotations

from flask import Response, flash

from app.web.i18n import error_text, field_errors
from app.extensions import db
from app.models import InvoiceSeries
from app.services.einvoice_clients import einvoice_accounts
from app.services.errors import DomainError
from app.services.invoice_rules import PAYMENT_METHODS, RATE_ORDER

BLANK_LINES = 3


def render_invoice_form(view, form, *, errors=None, status=200, **context):
    accounts = einvoice_accounts(db.session)
    series = list(db.session.query(InvoiceSeries).filter(InvoiceSeries.active.is_(True))
                  .order_by(InvoiceSeries.series))
    lines = list(form.lines) + [{} for _ in range(BLANK_LINES)]
    html = view.render_template("orderhub/invoice_form.html", form=form, errors=errors or {},
                                accounts=accounts, series_options=series, lines=lines,
                                payment_methods=list(PAYMENT_METHODS), vat_rates=[r.value for r in RATE_ORDER],
                                **context)
    return (html, status) if status != 200 else html


def errors_of(exc: DomainError) -> dict:
    """The refusal's messages by form field, in the reader's language."""
    return field_errors(exc)


def pdf_response(pdf: bytes, filename: str, *, download: bool = False) -> Response:
    disposition = "attachment" if download else "inline"
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"'})


def refused(exc: DomainError):
    """A refusal that is not about a field: flash it."""
    db.session.rollback()
    flash(error_text(exc), "danger")
