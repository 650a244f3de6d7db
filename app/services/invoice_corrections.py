"""Correcting an issued invoice: replacement (thay thế) or adjustment (điều chỉnh), never an edit.

Rules (research E.5, Decree 254/2026, Circular 91/2026):

- only an issued invoice is corrected, and by a new invoice on the seller's *current* series and date
  that references the original's template, series, number and date, with the reason and, for a business
  buyer, the written agreement (biên bản) reference;
- a replacement carries the full corrected content; once issued the original shows "replaced by";
  an invoice already replaced is neither replaced again nor adjusted (correct its replacement instead);
- an adjustment increases or decreases the original; an adjusted invoice is corrected again only by
  adjustment ("the same method as the first time");
- an adjustment may increase some lines and decrease others in one invoice (both providers take a
  per-line direction: S-Invoice ``isIncreaseItem``, MISA negative amounts);
- a customer return offers the right one: an adjustment that decreases the invoice by what came back
  (a full return decreases it to zero, shipping included — cancelling was abolished in 2025), or, for
  a partial return of an invoice never adjusted, a replacement with what the buyer kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models import Invoice, InvoiceKind, InvoiceStatus, ReturnLine, ReturnRequest
from app.services.errors import N_, DomainError, NotFound, ValidationError
from app.services.invoice_rules import ADJUSTMENT, REPLACEMENT
from app.services.invoicing import (BUYER_FIELDS, InvoiceForm, check_form, current_series, fill_invoice,
                                    new_transaction_key, today_vn)
from app.services.ledger import use_case

KINDS = {REPLACEMENT: InvoiceKind.REPLACEMENT, ADJUSTMENT: InvoiceKind.ADJUSTMENT}
# The title of the job issuing a correction, filled with the corrected invoice's number
ISSUE_TITLES = {REPLACEMENT: N_("Issue replacement invoice for %(invoice)s"),
                ADJUSTMENT: N_("Issue adjustment invoice for %(invoice)s")}


def _load(session: Session, invoice_id: int, *, lock: bool = False) -> Invoice:
    stmt = sa.select(Invoice).where(Invoice.id == invoice_id).options(selectinload(Invoice.lines))
    if lock:
        stmt = stmt.with_for_update(of=Invoice).execution_options(populate_existing=True)
    invoice = session.scalars(stmt).first()
    if invoice is None:
        raise NotFound(N_("Invoice #%(id)s does not exist."), id=invoice_id)
    return invoice


def replacement_of(session: Session, invoice: Invoice) -> Invoice | None:
    return session.scalars(sa.select(Invoice).where(
        Invoice.original_invoice_id == invoice.id, Invoice.kind == InvoiceKind.REPLACEMENT,
        Invoice.status != InvoiceStatus.FAILED).order_by(Invoice.id.desc())).first()


def check_correctable(session: Session, original: Invoice, kind: str) -> None:
    """Refuse a correction the rules do not allow, naming the invoice and its state."""
    number = original.display_number
    if original.status == InvoiceStatus.REPLACED:
        by = replacement_of(session, original)
        raise DomainError(N_("Invoice %(invoice)s is already replaced by %(by)s: correct that invoice instead."),
                          invoice=number, by=by.display_number if by else "—")
    if original.status not in (InvoiceStatus.ISSUED, InvoiceStatus.ADJUSTED):
        raise DomainError(N_("Invoice %(invoice)s is %(state)s: only an issued invoice is corrected."),
                          invoice=number, state=original.status.value)
    if kind == REPLACEMENT and original.status == InvoiceStatus.ADJUSTED:
        raise DomainError(N_("Invoice %(invoice)s is already adjusted: an adjusted invoice is corrected again "
                             "only by adjustment."), invoice=number)
    if original.kind == InvoiceKind.ADJUSTMENT:
        raise DomainError(N_("Invoice %(invoice)s is an adjustment invoice: correct the invoice it adjusts."),
                          invoice=number)
    pending = session.scalars(sa.select(Invoice).where(
        Invoice.original_invoice_id == original.id,
        Invoice.status.in_((InvoiceStatus.DRAFT, InvoiceStatus.PENDING)))).first()
    if pending is not None:
        raise DomainError(N_("Invoice %(invoice)s already has a %(kind)s being issued (#%(id)s, %(state)s); wait "
                             "for it or retry its job."), invoice=number, kind=pending.kind.value, id=pending.id,
                          state=pending.status.value)


def _buyer_of(invoice: Invoice) -> dict:
    values = {"name": invoice.buyer_name, "legal_name": invoice.buyer_company, "tax_code": invoice.buyer_tax_code,
              "address": invoice.buyer_address, "email": invoice.buyer_email, "phone": invoice.buyer_phone,
              "id_number": invoice.buyer_id_number}
    return {k: values.get(k) or "" for k in BUYER_FIELDS}


def _line_dict(line, quantity=None, change: str = "") -> dict:
    qty = Decimal(line.quantity if quantity is None else quantity)
    discount = Decimal(line.discount or 0)
    if quantity is not None and Decimal(line.quantity):
        discount = (discount * qty / Decimal(line.quantity)).quantize(Decimal(1))
    return {"sku": line.sku or "", "name": line.name, "unit": getattr(line, "unit", "") or "Cái",
            "quantity": f"{qty.normalize():f}", "unit_price": str(int(line.unit_price)),
            "discount": str(int(discount)), "vat_rate": line.vat_rate.value, "change": change}


def _line_key(line) -> str:
    return line.sku or line.name


def prefill_correction(session: Session, original_id: int, kind: str, *,
                       return_id: int | None = None) -> InvoiceForm:
    """The replacement or adjustment form for an issued invoice (optionally from a return: see
    ``lines_for_return``). The agreement date starts as today."""
    original = _load(session, original_id)
    check_correctable(session, original, kind)
    series = current_series(session, original.provider_account, original.template.value)
    form = InvoiceForm(provider_account_id=original.provider_account_id, template=original.template.value,
                       series=series.series if series else "", buyer=_buyer_of(original),
                       payment_method=original.payment_method, agreement_date=today_vn().isoformat(),
                       direction="decrease" if kind == ADJUSTMENT else "")
    if kind == REPLACEMENT:
        form.lines = [_line_dict(ln) for ln in original.lines]
    if return_id is not None:
        ret = _return(session, return_id, original)
        form.return_id = return_id
        form.reason = f"Khách trả hàng theo phiếu {ret.number}" + (f": {ret.reason}" if ret.reason else "")
        form.lines = lines_for_return(session, ret, original, kind)
    if original.template.value != "1":
        for ln in form.lines:
            ln["vat_rate"] = ""
    return form


def _return(session: Session, return_id: int, invoice: Invoice) -> ReturnRequest:
    ret = session.scalars(sa.select(ReturnRequest).where(ReturnRequest.id == return_id).options(
        selectinload(ReturnRequest.lines).selectinload(ReturnLine.order_line))).first()
    if ret is None:
        raise NotFound(N_("Return #%(id)s does not exist."), id=return_id)
    if ret.order_id != invoice.order_id:
        raise ValidationError("return_id", N_("Return %(number)s is not for the order of invoice %(invoice)s."),
                              number=ret.number, invoice=invoice.display_number)
    return ret


def returned_quantities(ret: ReturnRequest) -> dict[str, Decimal]:
    """Units of a return, keyed like the invoice's lines (SKU)."""
    out: dict[str, Decimal] = {}
    for line in ret.lines:
        key = line.order_line.sku
        out[key] = out.get(key, Decimal(0)) + line.quantity
    return out


def is_full_return(ret: ReturnRequest, invoice: Invoice) -> bool:
    """Every invoiced unit of goods came back (lines without a SKU — shipping, fees — are not goods)."""
    returned = returned_quantities(ret)
    goods = [ln for ln in invoice.lines if ln.sku]
    return bool(goods) and all(returned.get(ln.sku, 0) >= Decimal(ln.quantity) for ln in goods)


def lines_for_return(session: Session, ret: ReturnRequest, invoice: Invoice, kind: str) -> list[dict]:
    """What a return changes on the invoice (research E.5; cancelling was abolished in 2025):

    - adjustment: a decrease by what came back; a *full* return also decreases the invoiced shipping
      line (and any other line without a SKU), so the invoice stands for zero — the buyer is refunded
      the whole order, delivery included. A supervisor who keeps the shipping charge deletes that line;
    - replacement (partial return of an invoice never adjusted): the full corrected content, i.e. what
      the buyer kept, shipping included.
    """
    returned = returned_quantities(ret)
    if kind == REPLACEMENT:
        kept = []
        for ln in invoice.lines:
            left = Decimal(ln.quantity) - returned.get(_line_key(ln), 0) if ln.sku else Decimal(ln.quantity)
            if left > 0:
                kept.append(_line_dict(ln, left))
        return kept
    full = is_full_return(ret, invoice)
    out = []
    for ln in invoice.lines:
        if ln.sku and returned.get(ln.sku):
            out.append(_line_dict(ln, min(returned[ln.sku], Decimal(ln.quantity)), change="decrease"))
        elif not ln.sku and full:
            out.append(_line_dict(ln, change="decrease"))
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
    """A return is corrected by an adjustment decreasing the invoice (always possible); a replacement
    with what the buyer kept is offered too for a partial return of an invoice never adjusted. A full
    return leaves nothing to replace with: the invoice is adjusted to zero."""
    ret = session.get(ReturnRequest, return_id)
    if ret is None:
        raise NotFound(N_("Return #%(id)s does not exist."), id=return_id)
    invoice = session.scalars(sa.select(Invoice).where(
        Invoice.order_id == ret.order_id, Invoice.kind.in_((InvoiceKind.ORIGINAL, InvoiceKind.REPLACEMENT)),
        Invoice.status.in_((InvoiceStatus.ISSUED, InvoiceStatus.ADJUSTED))).order_by(Invoice.id.desc())).first()
    if invoice is None:
        raise NotFound(N_("The order of return %(number)s has no issued invoice to correct."), number=ret.number)
    full = is_full_return(_return(session, return_id, invoice), invoice)
    return ReturnCorrection(invoice=invoice, kind=ADJUSTMENT, full_return=full,
                            replacement_allowed=not full and invoice.status == InvoiceStatus.ISSUED)


def prefill_for_return(session: Session, return_id: int, kind: str | None = None) -> tuple[Invoice, str, InvoiceForm]:
    """(invoice to correct, kind, its prefilled form) for a return; a replacement where the rules do
    not allow one is refused with the reason."""
    suggestion = correction_for_return(session, return_id)
    kind = kind or suggestion.kind
    if kind not in KINDS:
        raise ValidationError("kind", N_("A correction is a replacement or an adjustment."))
    if kind == REPLACEMENT and not suggestion.replacement_allowed:
        raise DomainError(N_("Invoice %(invoice)s cannot be replaced for this return: a full return (or an "
                             "invoice already adjusted) is corrected by an adjustment."),
                          invoice=suggestion.invoice.display_number)
    return suggestion.invoice, kind, prefill_correction(session, suggestion.invoice.id, kind, return_id=return_id)


@use_case
def create_correction(session: Session, original_id: int, form: InvoiceForm, kind: str) -> Invoice:
    """Save a replacement or adjustment draft (with its transaction key) for an issued invoice.

    The original's row is locked, so two supervisors cannot start two corrections of it at once.
    """
    if kind not in KINDS:
        raise ValidationError("kind", N_("A correction is a replacement or an adjustment."))
    original = _load(session, original_id, lock=True)
    check_correctable(session, original, kind)
    account, computed = check_form(session, form, kind=kind, original=original)
    if account.id != original.provider_account_id:
        raise ValidationError("provider_account_id", N_("A correction goes through the provider account that "
                                                        "issued the original invoice."))
    invoice = fill_invoice(Invoice(order_id=original.order_id, kind=KINDS[kind], original_invoice_id=original.id,
                                   transaction_key=new_transaction_key(), status=InvoiceStatus.DRAFT,
                                   reason=form.reason[:500], agreement_reference=form.agreement_reference[:120] or None),
                           account, computed)
    session.add(invoice)
    if form.return_id:
        ret = session.get(ReturnRequest, form.return_id)
        if ret is None or ret.order_id != original.order_id:
            raise ValidationError("return_id", N_("That return is not for the order of this invoice."))
        session.flush()
        ret.invoice_id = invoice.id
    return invoice
