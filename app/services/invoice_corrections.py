"""Correcting an issued invoice: replacement (thay thế) or adjustment (điều chỉnh), never an edit.

Rules (research E.5, Decree 254/2026, Circular 91/2026):

- only an issued invoice is corrected, and by a new invoice on the seller's *current* series and date
  that references the original's template, series, number and date, with the reason and, for a business
  buyer, the written agreement (biên bản) reference;
- a replacement carries the full corrected content; once issued the original shows "replaced by";
  an invoice already replaced is neither replaced again nor adjusted (correct its replacement instead);
- an adjustment increases or decreases the original; an adjusted invoice is corrected again only by
  adjustment ("the same method as the first time");
- a customer return offers the right one: an adjustment that decreases the invoice by what came back
  (a full return decreases it to zero — cancelling was abolished in 2025), or, for a partial return of
  an invoice never adjusted, a replacement with what the buyer kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models import Invoice, InvoiceKind, InvoiceStatus, ReturnLine, ReturnRequest
from app.services.errors import DomainError, InvalidTransition, NotFound, ValidationError
from app.services.invoice_rules import ADJUSTMENT, REPLACEMENT
from app.services.invoicing import (BUYER_FIELDS, InvoiceForm, check_form, current_series, fill_invoice,
                                    new_transaction_key)
from app.services.ledger import use_case

KINDS = {REPLACEMENT: InvoiceKind.REPLACEMENT, ADJUSTMENT: InvoiceKind.ADJUSTMENT}


def _load(session: Session, invoice_id: int, *, lock: bool = False) -> Invoice:
    stmt = sa.select(Invoice).where(Invoice.id == invoice_id).options(selectinload(Invoice.lines))
    if lock:
        stmt = stmt.with_for_update(of=Invoice).execution_options(populate_existing=True)
    invoice = session.scalars(stmt).first()
    if invoice is None:
        raise NotFound(f"Invoice #{invoice_id} does not exist.")
    return invoice


def replacement_of(session: Session, invoice: Invoice) -> Invoice | None:
    return session.scalars(sa.select(Invoice).where(
        Invoice.original_invoice_id == invoice.id, Invoice.kind == InvoiceKind.REPLACEMENT,
        Invoice.status != InvoiceStatus.FAILED).order_by(Invoice.id.desc())).first()


def check_correctable(session: Session, original: Invoice, kind: str) -> None:
    """Refuse a correction the rules do not allow, naming the invoice and its state."""
    action = "replace" if kind == REPLACEMENT else "adjust"
    if original.status == InvoiceStatus.REPLACED:
        by = replacement_of(session, original)
        raise InvalidTransition(action, f"already replaced by {by.display_number if by else 'another invoice'}"
                                        " — correct that invoice instead", record="invoice")
    if original.status not in (InvoiceStatus.ISSUED, InvoiceStatus.ADJUSTED):
        raise InvalidTransition(action, f"{original.status.value} (only an issued invoice is corrected)",
                                record="invoice")
    if kind == REPLACEMENT and original.status == InvoiceStatus.ADJUSTED:
        raise InvalidTransition(action, "already adjusted — an adjusted invoice is corrected again only by "
                                        "adjustment", record="invoice")
    if original.kind == InvoiceKind.ADJUSTMENT:
        raise InvalidTransition(action, "an adjustment invoice — correct the invoice it adjusts",
                                record="invoice")
    pending = session.scalars(sa.select(Invoice).where(
        Invoice.original_invoice_id == original.id,
        Invoice.status.in_((InvoiceStatus.DRAFT, InvoiceStatus.PENDING)))).first()
    if pending is not None:
        raise DomainError(f"Invoice {original.display_number} already has a {pending.kind.value} being "
                          f"issued (#{pending.id}, {pending.status.value}); wait for it or retry its job.")


def _buyer_of(invoice: Invoice) -> dict:
    values = {"name": invoice.buyer_name, "legal_name": invoice.buyer_company, "tax_code": invoice.buyer_tax_code,
              "address": invoice.buyer_address, "email": invoice.buyer_email, "phone": invoice.buyer_phone}
    return {k: values.get(k) or "" for k in BUYER_FIELDS}


def _line_dict(line, quantity=None) -> dict:
    qty = Decimal(line.quantity if quantity is None else quantity)
    discount = Decimal(line.discount or 0)
    if quantity is not None and Decimal(line.quantity):
        discount = (discount * qty / Decimal(line.quantity)).quantize(Decimal(1))
    return {"sku": line.sku or "", "name": line.name, "unit": getattr(line, "unit", "") or "Cái",
            "quantity": f"{qty.normalize():f}", "unit_price": str(int(line.unit_price)),
            "discount": str(int(discount)), "vat_rate": line.vat_rate.value}


def prefill_correction(session: Session, original_id: int, kind: str, *,
                       return_id: int | None = None) -> InvoiceForm:
    """The replacement or adjustment form for an issued invoice (optionally from a return)."""
    original = _load(session, original_id)
    check_correctable(session, original, kind)
    series = current_series(session, original.provider_account, original.template.value)
    form = InvoiceForm(provider_account_id=original.provider_account_id, template=original.template.value,
                       series=series.series if series else "", buyer=_buyer_of(original),
                       payment_method=original.payment_method,
                       direction="decrease" if kind == ADJUSTMENT else "")
    template_vat = original.template.value == "1"
    if kind == REPLACEMENT:
        form.lines = [_line_dict(ln) for ln in original.lines]
    if return_id is not None:
        returned = returned_quantities(session, return_id, original)
        form.return_id = return_id
        ret = session.get(ReturnRequest, return_id)
        form.reason = f"Khách trả hàng theo phiếu {ret.number}" + (f": {ret.reason}" if ret.reason else "")
        if kind == REPLACEMENT:
            kept = []
            for ln in original.lines:
                left = Decimal(ln.quantity) - returned.get(ln.sku or ln.name, 0)
                if left > 0:
                    kept.append(_line_dict(ln, left))
            form.lines = kept
        else:
            form.lines = [_line_dict(ln, returned[ln.sku or ln.name]) for ln in original.lines
                          if returned.get(ln.sku or ln.name)]
    if not template_vat:
        for ln in form.lines:
            ln["vat_rate"] = ""
    return form


def returned_quantities(session: Session, return_id: int, invoice: Invoice) -> dict[str, Decimal]:
    """Units of a return, keyed like the invoice's lines (SKU)."""
    ret = session.scalars(sa.select(ReturnRequest).where(ReturnRequest.id == return_id).options(
        selectinload(ReturnRequest.lines).selectinload(ReturnLine.order_line))).first()
    if ret is None:
        raise NotFound(f"Return #{return_id} does not exist.")
    if ret.order_id != invoice.order_id:
        raise ValidationError("return_id", f"Return {ret.number} is not for the order of this invoice.")
    out: dict[str, Decimal] = {}
    for line in ret.lines:
        key = line.order_line.sku
        out[key] = out.get(key, Decimal(0)) + line.quantity
    return out


@dataclass
class ReturnCorrection:
    """What a return should lead to: the invoice to correct, the suggested kind, and whether the
    buyer sent everything back."""

    invoice: Invoice
    kind: str
    full_return: bool
    replacement_allowed: bool


def correction_for_return(session: Session, return_id: int) -> ReturnCorrection:
    ret = session.get(ReturnRequest, return_id)
    if ret is None:
        raise NotFound(f"Return #{return_id} does not exist.")
    invoice = session.scalars(sa.select(Invoice).where(
        Invoice.order_id == ret.order_id, Invoice.kind.in_((InvoiceKind.ORIGINAL, InvoiceKind.REPLACEMENT)),
        Invoice.status.in_((InvoiceStatus.ISSUED, InvoiceStatus.ADJUSTED))).order_by(Invoice.id.desc())).first()
    if invoice is None:
        raise NotFound(f"The order of return {ret.number} has no issued invoice to correct.")
    returned = returned_quantities(session, return_id, invoice)
    full = all(returned.get(ln.sku or ln.name, 0) >= Decimal(ln.quantity) for ln in invoice.lines
               if ln.sku)
    return ReturnCorrection(invoice=invoice, kind=ADJUSTMENT, full_return=full,
                            replacement_allowed=not full and invoice.status == InvoiceStatus.ISSUED)


@use_case
def create_correction(session: Session, original_id: int, form: InvoiceForm, kind: str) -> Invoice:
    """Save a replacement or adjustment draft (with its transaction key) for an issued invoice.

    The original's row is locked, so two supervisors cannot start two corrections of it at once.
    """
    if kind not in KINDS:
        raise ValidationError("kind", "A correction is a replacement or an adjustment.")
    original = _load(session, original_id, lock=True)
    check_correctable(session, original, kind)
    account, computed = check_form(session, form, kind=kind, original=original)
    if account.id != original.provider_account_id:
        raise ValidationError("provider_account_id", "A correction goes through the provider account that "
                                                     "issued the original invoice.")
    invoice = fill_invoice(Invoice(order_id=original.order_id, kind=KINDS[kind], original_invoice_id=original.id,
                                   transaction_key=new_transaction_key(), status=InvoiceStatus.DRAFT,
                                   reason=form.reason[:500], agreement_reference=form.agreement_reference[:120] or None,
                                   adjustment_direction=form.direction if kind == ADJUSTMENT else None),
                           account, computed)
    session.add(invoice)
    if form.return_id:
        ret = session.get(ReturnRequest, form.return_id)
        if ret is None or ret.order_id != original.order_id:
            raise ValidationError("return_id", "That return is not for the order of this invoice.")
        session.flush()
        ret.invoice_id = invoice.id
    return invoice
