"""Preparing an e-invoice: the form prefilled from an order, its checks, and the draft saved before any
provider call.

The flow (issuing itself is in ``invoice_issuing``):

1. ``prefill_from_order`` → an ``InvoiceForm`` the clerk reviews (account, template, series, buyer,
   payment method, lines with their VAT rates);
2. ``check_form`` → the ``ComputedInvoice`` (every figure, the amount in words) or ``ValidationErrors``
   whose keys are the form's field names (``buyer.tax_code``, ``lines[0].vat_rate``, ``series``…);
3. ``create_invoice_draft`` → one transaction: the Invoice (buyer snapshot, lines, per-rate breakdown,
   totals, words) with a fresh transaction key — the idempotency key the provider sees (S-Invoice
   ``transactionUuid``, MISA ``RefID``). It exists before any call, so a retry always reuses it.
4. ``preview_pdf`` renders what will be sent, with no number yet.
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.integrations.einvoice.common import VN_TZ
from app.models import (ISSUED_STATES, Invoice, InvoiceKind, InvoiceLine, InvoiceProvider, InvoiceSeries, InvoiceStatus,
                        InvoiceTemplate, Order, OrderStatus, PaymentMethod, ProviderAccount)
from app.models.catalog import VatRate
from app.services.einvoice_clients import (PROVIDER_NAMES, PROVIDER_TAX_CODES, default_account,
                                           einvoice_traits,
                                           einvoice_account, seller_of)
from app.services.errors import N_, DomainError, InvalidTransition, NotFound, ValidationError, ValidationErrors
from app.services.invoice_pdf import InvoicePdfMeta, render_invoice_pdf, render_invoices_pdf
from app.services.invoice_rules import (ADJUSTMENT, PAYMENT_METHODS, REPLACEMENT, Buyer,
                                        ComputedInvoice, InvoiceDraft, InvoiceLineDraft,
                                        InvoiceReference, add_error, compute_invoice, field_message)
from app.services.ledger import use_case
from app.services.orders import load_order

# How an order was paid → the payment method printed on the invoice (research C.3: TM, CK, TM/CK…).
PAYMENT_OF_ORDER = {PaymentMethod.COD: "TM", PaymentMethod.BANK_TRANSFER: "CK",
                    PaymentMethod.PREPAID: "CK"}
SHIPPING_LINE_NAME = "Phí vận chuyển"
OPEN_STATES = (InvoiceStatus.DRAFT, InvoiceStatus.PENDING)
# ``change`` (adjustments only): "increase" or "decrease"; empty means the form's ``direction``.
LINE_FIELDS = ("sku", "name", "unit", "quantity", "unit_price", "discount", "vat_rate", "change")
DIRECTIONS = ("increase", "decrease", "mixed")
BUYER_FIELDS = ("name", "legal_name", "tax_code", "address", "email", "phone", "id_number")


def today_vn() -> date:
    return datetime.now(VN_TZ).date()


def vn_date(moment: datetime | None) -> date | None:
    """A stored UTC time as the Vietnamese calendar day (invoice dates are VN days)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VN_TZ).date()


@dataclass
class InvoiceForm:
    """What the clerk submits. Field names are those the errors use (``buyer.tax_code``…)."""

    provider_account_id: int | None = None
    template: str = "1"
    series: str = ""
    buyer: dict = field(default_factory=dict)
    payment_method: str = "TM/CK"
    lines: list[dict] = field(default_factory=list)
    note: str = ""
    # replacement / adjustment only
    reason: str = ""
    agreement_reference: str = ""
    agreement_date: str = ""     # ISO date of the agreement (biên bản) or notice
    direction: str = ""          # adjustment: "increase", "decrease" or "mixed" (each line's ``change``)
    return_id: int | None = None

    def as_dict(self) -> dict:
        return {"provider_account_id": self.provider_account_id, "template": self.template,
                "series": self.series, "buyer": dict(self.buyer), "payment_method": self.payment_method,
                "lines": [dict(ln) for ln in self.lines], "note": self.note, "reason": self.reason,
                "agreement_reference": self.agreement_reference, "agreement_date": self.agreement_date,
                "direction": self.direction, "return_id": self.return_id}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def parse_form(data: Mapping) -> InvoiceForm:
    """An ``InvoiceForm`` from JSON (``{"buyer": {...}, "lines": [...]}``) or a flat HTML form
    (``buyer.tax_code``, ``lines[0].name`` …). Empty lines (no name, no price) are dropped."""
    get = data.get
    buyer = dict(get("buyer") or {}) if isinstance(get("buyer"), Mapping) else {}
    for name in BUYER_FIELDS:
        if f"buyer.{name}" in data:
            buyer[name] = get(f"buyer.{name}")
    lines = [dict(ln) for ln in (get("lines") or []) if isinstance(ln, Mapping)] \
        if isinstance(get("lines"), list) else []
    flat: dict[int, dict] = {}
    for key in data.keys():
        if key.startswith("lines[") and "]." in key:
            index, _, name = key[6:].partition("].")
            if index.isdigit() and name in LINE_FIELDS:
                flat.setdefault(int(index), {})[name] = get(key)
    lines += [flat[i] for i in sorted(flat)]
    lines = [ln for ln in lines if _text(ln.get("name")) or _text(ln.get("unit_price"))]
    return_id = get("return_id")
    return InvoiceForm(
        provider_account_id=get("provider_account_id") or None, template=_text(get("template")) or "1",
        series=_text(get("series")).upper(), buyer={k: _text(buyer.get(k)) for k in BUYER_FIELDS},
        payment_method=_text(get("payment_method")) or "TM/CK",
        lines=[{k: _text(ln.get(k)) for k in LINE_FIELDS} for ln in lines], note=_text(get("note")),
        reason=_text(get("reason")), agreement_reference=_text(get("agreement_reference")),
        agreement_date=_text(get("agreement_date")), direction=_text(get("direction")),
        return_id=int(return_id) if _text(return_id).isdigit() else None)


# ------------------------------------------------------------------------------------------ series

def committed_value(obj, name: str):
    """``obj.name`` as the database holds it, even when it was set without its old value loaded."""
    state = sa.inspect(obj)
    hist = state.attrs[name].history
    if hist.deleted:
        return hist.deleted[0]
    if hist.added and state.persistent:
        column = getattr(type(obj), name)
        with state.session.no_autoflush:
            return state.session.scalar(sa.select(column).where(type(obj).id == obj.id))
    return getattr(obj, name)


def check_series_change(session: Session, series: InvoiceSeries, *, deleting: bool = False) -> None:
    """A series that has invoices (numbered, or pending: the provider may hold one) keeps its account,
    template and text: its invoices and the provider's register refer to it. Deactivate it instead."""
    if not sa.inspect(series).persistent:
        return
    account_id, template, text = (committed_value(series, k) for k in ("provider_account_id", "template", "series"))
    with session.no_autoflush:
        used = session.scalar(sa.select(sa.func.count(Invoice.id)).where(
            Invoice.provider_account_id == account_id, Invoice.template == template, Invoice.series == text,
            sa.or_(Invoice.number.is_not(None), Invoice.status.in_((InvoiceStatus.PENDING, *ISSUED_STATES)))))
    if used or (committed_value(series, "last_number") or 0) > 0:
        message = (N_("Series %(series)s already has invoices: it cannot be deleted. Deactivate it instead.")
                   if deleting else
                   N_("Series %(series)s already has invoices: its template and text cannot be changed. "
                      "Deactivate it and register the new series instead."))
        raise DomainError(message, series=f"{getattr(template, 'value', template)}{text}")


# ------------------------------------------------------------------------------------------ prefill

def current_series(session: Session, account: ProviderAccount, template: str,
                   on: date | None = None) -> InvoiceSeries | None:
    """The account's active series of ``template`` for the year of ``on`` (C series first: coded)."""
    year = f"{(on or today_vn()).year % 100:02d}"
    rows = session.scalars(sa.select(InvoiceSeries).where(
        InvoiceSeries.provider_account_id == account.id, InvoiceSeries.template == InvoiceTemplate(template),
        InvoiceSeries.active.is_(True)).order_by(InvoiceSeries.series)).all()
    of_year = [r for r in rows if r.series[1:3] == year]
    return next((r for r in of_year if r.series.startswith("C")), of_year[0] if of_year else None)


def _order_lines(order: Order, template: str, shipping_rate: str) -> list[dict]:
    lines = [{"sku": ln.sku, "name": ln.name, "unit": "Cái", "quantity": str(ln.quantity),
              "unit_price": str(int(ln.unit_price or 0)), "discount": str(int(ln.discount or 0)),
              "vat_rate": str(getattr(ln.vat_rate, "value", ln.vat_rate)) if template == "1" else ""}
             for ln in order.lines]
    if order.shipping_fee:
        lines.append({"sku": "", "name": SHIPPING_LINE_NAME, "unit": "Lần", "quantity": "1",
                      "unit_price": str(int(order.shipping_fee)), "discount": "0",
                      "vat_rate": shipping_rate if template == "1" else ""})
    return lines


def buyer_of_order(order: Order) -> dict:
    """Business customers are invoiced to the company (legal name, tax code, invoice address and
    email); individuals under their own name and delivery address."""
    c = order.customer
    if c is not None and c.tax_code:
        address = c.invoice_address or ", ".join(p for p in (c.street, c.ward, c.district, c.province) if p)
        return {"name": order.buyer_name or c.name, "legal_name": c.company_name or "", "tax_code": c.tax_code,
                "address": address, "email": c.invoice_email or c.email or order.buyer_email or "",
                "phone": order.buyer_phone or c.phone or "", "id_number": ""}
    return {"name": order.buyer_name or (c.name if c else ""), "legal_name": "", "tax_code": "",
            "address": order.ship_address, "email": order.buyer_email or (c.email if c else "") or "",
            "phone": order.buyer_phone or "", "id_number": ""}


def prefill_from_order(session: Session, order_id: int, *, account_id: int | None = None) -> InvoiceForm:
    """The invoice form for an order, filled from the order and its customer."""
    order = session.scalars(sa.select(Order).where(Order.id == order_id)
                            .options(selectinload(Order.lines), selectinload(Order.customer))).first()
    if order is None:
        raise NotFound(N_("Order #%(id)s does not exist."), id=order_id)
    account = einvoice_account(session, account_id) if account_id else default_account(session)
    settings = account.settings or {}
    template = str(settings.get("template") or "1")
    series = current_series(session, account, template)
    return InvoiceForm(
        provider_account_id=account.id, template=template, series=series.series if series else "",
        buyer=buyer_of_order(order), payment_method=PAYMENT_OF_ORDER.get(order.payment_method, "TM/CK"),
        lines=_order_lines(order, template, str(settings.get("shipping_vat_rate") or "10")),
        note=f"Đơn hàng {order.number}")


# --------------------------------------------------------------------------------------- validation

def _int(value, field_name: str, errors: dict) -> int:
    text = _text(value).replace(".", "").replace(",", "") or "0"
    try:
        return int(text)
    except ValueError:
        add_error(errors, field_name, N_("%(name)s: %(value)s is not a whole number of đồng."),
                  name=field_name, value=value)
        return 0


def _line_decreases(form: InvoiceForm, line: dict, index: int, errors: dict) -> bool:
    """Whether an adjustment line lowers the original: its own ``change``, else the form's direction."""
    change = (line.get("change") or "").lower()
    if change and change not in ("increase", "decrease"):
        add_error(errors, f"lines[{index}].change", N_("Line %(line)s: the change is increase or decrease."),
                  line=index + 1)
    if not change and form.direction == "mixed":
        add_error(errors, f"lines[{index}].change", N_("Line %(line)s: a mixed adjustment says for each line "
                                                       "whether it increases or decreases."), line=index + 1)
    return (change or form.direction) == "decrease"


def _draft_lines(form: InvoiceForm, template: int, adjustment: bool, errors: dict) -> list[InvoiceLineDraft]:
    lines = []
    for i, ln in enumerate(form.lines):
        lines.append(InvoiceLineDraft(
            name=ln.get("name", ""), unit=ln.get("unit", ""), quantity=ln.get("quantity") or "0",
            unit_price=(ln.get("unit_price") or "0").replace(",", ""),
            discount=_int(ln.get("discount"), f"lines[{i}].discount", errors),
            vat_rate=(ln.get("vat_rate") or None) if template == 1 else None,
            code=ln.get("sku", ""), decrease=adjustment and _line_decreases(form, ln, i, errors)))
    return lines


def _agreement_date(form: InvoiceForm, original: Invoice | None, errors: dict) -> date | None:
    if not form.agreement_date:
        if form.agreement_reference:
            add_error(errors, "agreement_date", N_("Agreement date: give the date of the agreement (biên bản) "
                                                   "or notice."))
        return None
    try:
        value = date.fromisoformat(form.agreement_date[:10])
    except ValueError:
        add_error(errors, "agreement_date", N_("Agreement date: %(value)s is not a date (YYYY-MM-DD)."),
                  value=form.agreement_date)
        return None
    if value > today_vn():
        add_error(errors, "agreement_date", N_("Agreement date: %(value)s is in the future."), value=value)
    original_day = vn_date(original.issued_at) if original is not None else None
    if original_day and value < original_day:
        add_error(errors, "agreement_date", N_("Agreement date: %(value)s is before the invoice it corrects "
                                               "(%(original)s)."), value=value, original=original_day)
    return value


def _check_correction(form: InvoiceForm, kind: str, account: ProviderAccount | None, original: Invoice | None,
                      errors: dict) -> InvoiceReference | None:
    """Reason, direction, and the agreement (research E.5): a business buyer agrees in writing (biên
    bản) before its invoice is corrected; S-Invoice requires the document's name/number and date on
    every replacement and adjustment (C.3, ``additionalReferenceDesc``) — for an individual buyer, the
    notice sent to them. MISA asks for none: for its individual buyers it is optional."""
    if not form.reason:
        add_error(errors, "reason", N_("Reason: say why the original invoice is corrected."))
    if kind == ADJUSTMENT and form.direction not in DIRECTIONS:
        add_error(errors, "direction", N_("Direction: an adjustment increases or decreases the original, "
                                          "or both line by line (mixed)."))
    buyer_tax_code = form.buyer.get("tax_code") or (original.buyer_tax_code if original else "")
    if not form.agreement_reference:
        if buyer_tax_code:
            add_error(errors, "agreement_reference", N_("Agreement reference: a business buyer must agree in "
                                                        "writing first — give the agreement (biên bản) number."))
        elif account is not None and einvoice_traits(account.provider).needs_agreement_reference:
            add_error(errors, "agreement_reference", N_("Agreement reference: S-Invoice needs the number of the "
                                                        "agreement (biên bản) or of the notice sent to the buyer."))
    agreed_on = _agreement_date(form, original, errors)
    if original is None:
        return None
    return InvoiceReference(kind=kind, template=int(original.template.value), series=original.series,
                            number=original.number or 0, issued_on=vn_date(original.issued_at) or today_vn(),
                            reason=form.reason, agreement=form.agreement_reference, agreement_date=agreed_on)


def check_form(session: Session, form: InvoiceForm, *, kind: str = "original", original: Invoice | None = None,
               issue_date: date | None = None) -> tuple[ProviderAccount, ComputedInvoice]:
    """Every check before anything is saved or sent; errors name the form's fields."""
    errors: dict[str, list[str]] = {}
    account = None
    try:
        account = einvoice_account(session, form.provider_account_id)
        seller_of(account)
    except ValidationError as exc:
        errors.setdefault(exc.field, []).append(field_message(exc))
    if form.template not in ("1", "2"):
        add_error(errors, "template", N_("Template must be 1 (VAT invoice) or 2 (sales invoice)."))
    if form.payment_method not in PAYMENT_METHODS:
        add_error(errors, "payment_method", N_("Payment method must be one of %(choices)s."),
                  choices=", ".join(PAYMENT_METHODS))
    reference = _check_correction(form, kind, account, original, errors) if kind != "original" else None
    if account is not None and form.template in ("1", "2") and form.series:
        registered = session.scalar(sa.select(InvoiceSeries).where(
            InvoiceSeries.provider_account_id == account.id,
            InvoiceSeries.template == InvoiceTemplate(form.template), InvoiceSeries.series == form.series))
        if registered is None or not registered.active:
            add_error(errors, "series", N_("Series %(series)s is not an active series of %(account)s: choose one "
                                           "registered under Invoicing → Invoice series."),
                      series=f"{form.template}{form.series}", account=account.name)
    template = int(form.template) if form.template in ("1", "2") else 1
    lines = _draft_lines(form, template, kind == ADJUSTMENT, errors)
    draft = InvoiceDraft(buyer=Buyer(**{k: form.buyer.get(k, "") for k in BUYER_FIELDS}), lines=lines,
                         payment_method=form.payment_method if form.payment_method in PAYMENT_METHODS
                         else "TM/CK", template=template, series=form.series,
                         issue_date=issue_date or today_vn(), reference=reference, note=form.note)
    computed = None
    try:
        computed = compute_invoice(draft)
    except ValidationErrors as exc:
        for name, messages in exc.errors.items():
            errors.setdefault(name, []).extend(messages)
    if computed is not None and kind == ADJUSTMENT and original is not None and computed.total < 0:
        remaining = remaining_total(session, original)
        if -computed.total > remaining:
            add_error(errors, "lines", N_("Lines: the decrease (%(decrease)s đồng) is more than what invoice "
                                          "%(invoice)s still stands for (%(remaining)s đồng)."),
                      decrease=f"{-computed.total:,}".replace(",", "."), invoice=original.display_number,
                      remaining=f"{remaining:,}".replace(",", "."))
    if errors:
        raise ValidationErrors(errors)
    return account, computed


def remaining_total(session: Session, invoice: Invoice) -> int:
    """What an invoice stands for today: its total plus its issued adjustments."""
    adjustments = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Invoice.total), 0)).where(
        Invoice.original_invoice_id == invoice.id, Invoice.kind == InvoiceKind.ADJUSTMENT,
        Invoice.status.in_((InvoiceStatus.ISSUED, InvoiceStatus.ADJUSTED))))
    return int(invoice.total) + int(adjustments or 0)


# ------------------------------------------------------------------------------------------ drafts

def open_original(session: Session, order_id: int) -> Invoice | None:
    """The order's original invoice that is not failed (draft, pending or issued), if any."""
    return session.scalars(sa.select(Invoice).where(
        Invoice.order_id == order_id, Invoice.kind == InvoiceKind.ORIGINAL,
        Invoice.status != InvoiceStatus.FAILED).order_by(Invoice.id.desc())).first()


def may_invoice(order: Order, invoices) -> bool:
    """Whether "Issue invoice" can work for ``order`` whose invoices are ``invoices`` (the same rule
    ``create_invoice_draft`` enforces: not cancelled, no original already under way or issued)."""
    return order.status != OrderStatus.CANCELLED and not any(
        i.kind == InvoiceKind.ORIGINAL and i.status != InvoiceStatus.FAILED for i in invoices)


def fill_invoice(invoice: Invoice, account: ProviderAccount, computed: ComputedInvoice) -> Invoice:
    """Copy the computed invoice (buyer snapshot, lines, breakdown, totals, words) onto ``invoice``."""
    buyer = computed.buyer
    invoice.provider = InvoiceProvider(account.provider)
    invoice.provider_account_id = account.id
    invoice.seller_tax_code = str(((account.settings or {}).get("seller") or {}).get("tax_code") or "") or None
    invoice.template = InvoiceTemplate(str(computed.template))
    invoice.series = computed.series
    invoice.buyer_name = buyer.name or None
    invoice.buyer_company = buyer.legal_name or None
    invoice.buyer_tax_code = buyer.tax_code or None
    invoice.buyer_address = buyer.address or None
    invoice.buyer_email = buyer.email or None
    invoice.buyer_phone = buyer.phone or None
    invoice.buyer_id_number = buyer.id_number or None
    invoice.payment_method = computed.payment_method
    invoice.vat_breakdown = [{"rate": b.vat_rate.value, "amount": b.taxable_amount, "tax": b.tax_amount}
                             for b in computed.breakdown]
    invoice.subtotal = Decimal(computed.subtotal)
    invoice.vat_total = Decimal(computed.vat_total)
    invoice.total = Decimal(computed.total)
    invoice.amount_in_words = computed.amount_in_words
    invoice.lines = [InvoiceLine(position=ln.line_number, sku=ln.code or None, name=ln.name,
                                 unit=ln.unit or "Cái", quantity=ln.quantity, unit_price=ln.unit_price,
                                 discount=Decimal(abs(ln.discount)),
                                 vat_rate=VatRate(ln.vat_rate.value) if ln.vat_rate else VatRate.EXEMPT,
                                 amount=Decimal(ln.amount), vat_amount=Decimal(ln.tax), is_decrease=ln.decrease)
                     for ln in computed.lines]
    if computed.reference is not None:
        invoice.agreement_date = computed.reference.agreement_date
        if computed.kind == ADJUSTMENT:
            changes = {ln.decrease for ln in computed.lines}
            invoice.adjustment_direction = "mixed" if len(changes) > 1 else \
                ("decrease" if changes == {True} else "increase")
    return invoice


def new_transaction_key() -> str:
    """36 characters: fits S-Invoice's 10–36 limit and MISA's GUID RefID."""
    return str(uuid.uuid4())


@use_case
def create_invoice_draft(session: Session, order_id: int, form: InvoiceForm) -> Invoice:
    """Save the order's invoice as a draft with its transaction key, before any provider call.

    The order row is locked, so two clicks (or the automatic rule racing a clerk) cannot both create
    one; an order whose invoice is waiting or issued is refused with that invoice's number.
    """
    order = load_order(session, order_id)
    if order.status == OrderStatus.CANCELLED:
        raise InvalidTransition("invoice", order.status.value)
    existing = open_original(session, order.id)
    if existing is not None:
        raise DomainError(N_("Order %(order)s already has invoice %(invoice)s (%(state)s); correct an issued "
                             "invoice by replacement or adjustment instead."),
                          order=order.number, invoice=existing.display_number, state=existing.status.value,
                          invoice_id=existing.id)
    account, computed = check_form(session, form)
    invoice = fill_invoice(Invoice(order_id=order.id, kind=InvoiceKind.ORIGINAL,
                                   transaction_key=new_transaction_key(), status=InvoiceStatus.DRAFT),
                           account, computed)
    session.add(invoice)
    return invoice


# ------------------------------------------------------------------------------------ re-computing

def reference_of(invoice: Invoice) -> InvoiceReference | None:
    original = invoice.original_invoice
    if invoice.kind == InvoiceKind.ORIGINAL or original is None:
        return None
    return InvoiceReference(kind=REPLACEMENT if invoice.kind == InvoiceKind.REPLACEMENT else ADJUSTMENT,
                            template=int(original.template.value), series=original.series,
                            number=original.number or 0,
                            issued_on=vn_date(original.issued_at) or today_vn(),
                            reason=invoice.reason or "", agreement=invoice.agreement_reference or "",
                            agreement_date=invoice.agreement_date)


def computed_of(invoice: Invoice, issue_date: date | None = None) -> ComputedInvoice:
    """The stored invoice computed again (same rules, same figures), dated ``issue_date``."""
    template = int(invoice.template.value)
    draft = InvoiceDraft(
        buyer=Buyer(name=invoice.buyer_name or "", legal_name=invoice.buyer_company or "",
                    tax_code=invoice.buyer_tax_code or "", address=invoice.buyer_address or "",
                    email=invoice.buyer_email or "", phone=invoice.buyer_phone or "",
                    id_number=invoice.buyer_id_number or ""),
        lines=[InvoiceLineDraft(name=ln.name, unit=ln.unit, quantity=Decimal(ln.quantity),
                                unit_price=Decimal(ln.unit_price), discount=int(ln.discount or 0),
                                vat_rate=ln.vat_rate.value if template == 1 else None, code=ln.sku or "",
                                decrease=bool(ln.is_decrease)) for ln in invoice.lines],
        payment_method=invoice.payment_method, template=template, series=invoice.series,
        issue_date=issue_date or vn_date(invoice.issued_at) or today_vn(), reference=reference_of(invoice),
        note=f"Đơn hàng {invoice.order.number}" if invoice.order is not None else "")
    return compute_invoice(draft)


def pdf_meta(invoice: Invoice) -> InvoicePdfMeta:
    settings = (invoice.provider_account.settings or {}) if invoice.provider_account else {}
    return InvoicePdfMeta(
        number=invoice.number, tax_authority_code=invoice.tax_authority_code,
        lookup_code=invoice.lookup_code, lookup_url=settings.get("lookup_url"),
        signed_at=invoice.issued_at.replace(tzinfo=timezone.utc).astimezone(VN_TZ) if invoice.issued_at else None,
        provider_name=PROVIDER_NAMES.get(invoice.provider.value, ""),
        provider_tax_code=PROVIDER_TAX_CODES.get(invoice.provider.value, ""),
        order_code=invoice.order.number if invoice.order is not None else "")


def preview_pdf(session: Session, form: InvoiceForm, *, kind: str = "original",
                original: Invoice | None = None, order_code: str = "") -> bytes:
    """The local PDF of what the form would issue (no number yet); errors name the field."""
    account, computed = check_form(session, form, kind=kind, original=original)
    meta = InvoicePdfMeta(provider_name=PROVIDER_NAMES.get(account.provider, ""),
                          provider_tax_code=PROVIDER_TAX_CODES.get(account.provider, ""), order_code=order_code)
    return render_invoice_pdf(computed, seller_of(account), meta)


def invoice_pdf(session: Session, invoice_id: int) -> tuple[bytes, str]:
    """(PDF, file name): the provider's signed PDF once issued and fetched, else the local rendering."""
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound(N_("Invoice #%(id)s does not exist."), id=invoice_id)
    number = f"{invoice.number:08d}" if invoice.number else f"draft-{invoice.id}"
    name = f"{invoice.template.value}{invoice.series}-{number}.pdf"
    if invoice.pdf:
        return invoice.pdf, name
    return local_pdf(invoice), name


def local_pdf(invoice: Invoice) -> bytes:
    return local_pdfs([invoice])


def local_pdfs(invoices: list[Invoice]) -> bytes:
    """OrderHub's own rendering of stored invoices, one PDF, each invoice from a new page."""
    return render_invoices_pdf([(computed_of(i), seller_of(i.provider_account), pdf_meta(i)) for i in invoices])
