"""The arithmetic and legal rules of a Vietnamese e-invoice, computed without a database or a provider.

One function does the work: ``compute_invoice(draft) -> ComputedInvoice``. It checks the draft against the
rules of Decree 254/2026 and Circular 91/2026 (research E.1–E.6) and computes every figure the invoice
prints, so the local preview, the S-Invoice payload and the MISA payload all carry the same numbers:

- line amount = round(quantity × unit price) − discount, in whole VND (an adjustment's decrease lines are
  negative); line tax = round(line amount × rate); per-rate breakdown = Σ lines; totals = Σ breakdown.
  Rounding is half-up and happens only in ``round_vnd``; money is ``int`` VND or ``Decimal``, never float.
- template 1 = VAT invoice (every line has a rate), template 2 = sales invoice (no VAT at all);
- series (ký hiệu) = 6 characters whose year digits match the issue year;
- a buyer with a tax code has a legal name and an address; an individual who gives nothing is written
  "Bán cho người tiêu dùng" (ND254; the TT78-era text "Người mua không lấy hóa đơn" is no longer used);
- a contact a marketplace masked (``(+84)97*****33``, ``j***@gmail.com``, ``Nguyễn V***``) is nobody's:
  it is left off the invoice (the providers refuse it), never sent;
- the total is written in Vietnamese words (``amount_in_words``).

Errors are collected and raised together as ``ValidationErrors`` so a form shows them all at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum

from app.services.errors import N_, FieldMessage, InvalidTaxCode, ValidationError, ValidationErrors
from app.services.phones import normalize_phone
from app.services.tax_code import PERSONAL, normalize_tax_code, tax_code_kind

CONSUMER_BUYER_NAME = "Bán cho người tiêu dùng"
VAT_INVOICE = 1      # mẫu số 1: hóa đơn giá trị gia tăng
SALES_INVOICE = 2    # mẫu số 2: hóa đơn bán hàng
TEMPLATE_NAMES = {VAT_INVOICE: "HÓA ĐƠN GIÁ TRỊ GIA TĂNG", SALES_INVOICE: "HÓA ĐƠN BÁN HÀNG"}

ORIGINAL, REPLACEMENT, ADJUSTMENT = "original", "replacement", "adjustment"

# Payment methods as the providers know them: our code -> (S-Invoice paymentMethod, printed name).
PAYMENT_METHODS = {"TM": "1", "CK": "2", "TM/CK": "3", "DTCN": "4", "KHAC": "5"}

MASKED = re.compile(r"[*•●]")
SERIES_RE = re.compile(r"^[CK](\d{2})[TDLMNBGHXF][A-Z0-9]{2}$")
MAX_INVOICE_NUMBER = 99_999_999


class VatRate(str, Enum):
    """The VAT rates an OrderHub seller uses, with how each provider spells them (research E.6)."""

    ZERO = "0"
    FIVE = "5"
    EIGHT = "8"
    TEN = "10"
    KCT = "KCT"        # không chịu thuế: exempt goods
    KKKNT = "KKKNT"    # không phải kê khai, tính nộp thuế GTGT

    @property
    def fraction(self) -> Decimal:
        """The multiplier for the tax; exempt codes carry no tax."""
        return Decimal(self.value) / 100 if self.value.isdigit() else Decimal(0)

    @property
    def label(self) -> str:
        return f"{self.value}%" if self.value.isdigit() else self.value

    @property
    def sinvoice_percentage(self) -> int:
        """S-Invoice ``taxPercentage``: -2 = KCT, -1 = KKKNT."""
        return {"KCT": -2, "KKKNT": -1}.get(self.value) if not self.value.isdigit() else int(self.value)

    @property
    def misa_name(self) -> str:
        """MISA ``VATRateName``."""
        return self.label

    @classmethod
    def parse(cls, value) -> "VatRate":
        """Accept 10, "10", "10%", "KCT", Decimal("0.08") or a provider code (-2/-1)."""
        if isinstance(value, VatRate):
            return value
        text = str(value).strip().upper().rstrip("%")
        aliases = {"-2": "KCT", "-1": "KKKNT", "0.05": "5", "0.08": "8", "0.1": "10", "0.10": "10",
                   "0.0": "0", "0.00": "0", "5.0": "5", "8.0": "8", "10.0": "10"}
        try:
            return cls(aliases.get(text, text))
        except ValueError:
            raise ValueError(f"VAT rate {value!r} is not one of 0%, 5%, 8%, 10%, KCT, KKKNT") from None


RATE_ORDER = [VatRate.ZERO, VatRate.FIVE, VatRate.EIGHT, VatRate.TEN, VatRate.KCT, VatRate.KKKNT]


def round_vnd(value) -> int:
    """Round to whole VND, half up (0.5 → 1, −0.5 → −1). The one place the invoice rounds money."""
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def add_error(errors: dict, key: str, message: str, **details) -> None:
    """Note one problem of form field ``key``; ``message`` is an ``N_`` template the reader sees
    translated, filled from ``details``."""
    errors.setdefault(key, []).append(FieldMessage(message, **details))


def field_message(exc: ValidationError) -> FieldMessage:
    return FieldMessage(exc.template, translatable=exc.translatable,
                        **{k: v for k, v in exc.details.items() if k != "field"})


# ---------------------------------------------------------------------------------------------- inputs

@dataclass
class Buyer:
    """Who buys. ``legal_name`` is the company name; ``name`` the person (or contact) buying."""

    name: str = ""
    legal_name: str = ""
    tax_code: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    id_number: str = ""   # 12-digit CCCD for an individual who asks for it on the invoice
    code: str = ""

    @property
    def is_consumer(self) -> bool:
        """An individual who gave nothing; printed as "Bán cho người tiêu dùng"."""
        return self.name == CONSUMER_BUYER_NAME and not self.tax_code

    @property
    def display_name(self) -> str:
        return self.legal_name or self.name


@dataclass
class Seller:
    name: str
    tax_code: str
    address: str
    phone: str = ""
    email: str = ""
    bank_account: str = ""
    bank_name: str = ""
    business_location: str = ""   # ND254: name/code/address of the business location, where it has one


@dataclass
class InvoiceLineDraft:
    name: str
    unit: str = ""
    quantity: Decimal | int | str = 1
    unit_price: Decimal | int | str = 0
    discount: int = 0
    vat_rate: VatRate | str | int | None = None
    code: str = ""
    decrease: bool = False   # adjustment invoices only: this line lowers the original


@dataclass
class InvoiceReference:
    """The invoice a replacement or adjustment corrects (printed as the "Thay thế/Điều chỉnh cho …" line)."""

    kind: str                 # REPLACEMENT or ADJUSTMENT
    template: int
    series: str
    number: int
    issued_on: date
    reason: str = ""
    agreement: str = ""       # biên bản thỏa thuận (name/number); optional for e-commerce sales (TT91)
    agreement_date: date | None = None


@dataclass
class InvoiceDraft:
    buyer: Buyer
    lines: list[InvoiceLineDraft]
    payment_method: str = "TM/CK"
    template: int = VAT_INVOICE
    series: str = ""
    issue_date: date | None = None
    currency: str = "VND"
    reference: InvoiceReference | None = None
    note: str = ""


# --------------------------------------------------------------------------------------------- results

@dataclass
class ComputedLine:
    line_number: int
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    gross_amount: int        # round(quantity × unit price), signed
    discount: int            # signed like the line
    amount: int              # before tax: gross − discount
    vat_rate: VatRate | None
    tax: int
    code: str = ""
    decrease: bool = False

    @property
    def total(self) -> int:
        return self.amount + self.tax


@dataclass
class RateBreakdown:
    vat_rate: VatRate
    taxable_amount: int
    tax_amount: int


@dataclass
class ComputedInvoice:
    buyer: Buyer
    lines: list[ComputedLine]
    breakdown: list[RateBreakdown]   # empty for a sales invoice
    gross_total: int                 # Σ gross amounts (tiền hàng before discounts)
    discount_total: int
    subtotal: int                    # Σ amounts before tax (after discounts)
    vat_total: int
    total: int
    amount_in_words: str
    template: int
    series: str
    issue_date: date
    payment_method: str
    currency: str = "VND"
    reference: InvoiceReference | None = None
    note: str = ""

    @property
    def kind(self) -> str:
        return self.reference.kind if self.reference else ORIGINAL

    @property
    def template_name(self) -> str:
        return TEMPLATE_NAMES[self.template]


# ---------------------------------------------------------------------------------------------- rules

def validate_series(series: str, issue_date: date, field: str = "series") -> str:
    """Check a 6-character ký hiệu (research E.2) and that its year digits are the issue year's."""
    value = (series or "").strip().upper()
    match = SERIES_RE.match(value)
    if not match:
        raise ValidationError(field, N_("Series %(series)s must be 6 characters: C or K, the 2-digit year, "
                                        "a type letter (T, D, L, M, N, B, G, H, X, F) and 2 letters, "
                                        "e.g. C26TAA."), series=series or "''")
    if int(match.group(1)) != issue_date.year % 100:
        raise ValidationError(field, N_("Series %(series)s is for 20%(series_year)s, but the invoice is "
                                        "issued in %(year)s: use the %(year)s series."),
                              series=value, series_year=match.group(1), year=issue_date.year)
    return value


def split_full_series(full: str) -> tuple[int, str]:
    """``"1C26TAA"`` (template digit + series, as MISA and printed invoices write it) → (1, "C26TAA")."""
    text = (full or "").strip().upper()
    if len(text) != 7 or not text[0].isdigit():
        raise ValidationError("series", N_("%(series)s is not a template digit followed by a 6-character series."),
                              series=full)
    return int(text[0]), text[1:]


def unmasked(value: str) -> str:
    """``value`` without what a marketplace masked: a masked name, address or phone becomes "", a
    masked address among several emails (``a@x.vn;j***@gmail.com``) is dropped."""
    if ";" in value:
        return ";".join(p.strip() for p in value.split(";") if p.strip() and not MASKED.search(p))
    return "" if MASKED.search(value) else value


def _phone(value: str) -> str:
    """A Vietnamese number in its national form; anything else as typed (the provider judges)."""
    if not value:
        return ""
    try:
        return normalize_phone(value, "buyer.phone", mobile_only=False)
    except ValidationError:
        return value


def resolve_buyer(buyer: Buyer) -> Buyer:
    """Apply the buyer rules and return the buyer as it will be printed (tax code normalized)."""
    errors: dict[str, list[str]] = {}
    resolved = Buyer(**{k: (v or "").strip() for k, v in buyer.__dict__.items()})
    for key in ("name", "legal_name", "address", "email", "phone"):
        setattr(resolved, key, unmasked(getattr(resolved, key)))
    resolved.phone = _phone(resolved.phone)
    if resolved.tax_code:
        try:
            resolved.tax_code = normalize_tax_code(resolved.tax_code, "buyer.tax_code")
            personal = tax_code_kind(resolved.tax_code) == PERSONAL
        except InvalidTaxCode as exc:
            errors.setdefault(exc.field, []).append(field_message(exc))
            personal = False
        if not resolved.legal_name and personal:
            resolved.legal_name = resolved.name     # an individual's legal name is their own name
        if not resolved.legal_name:
            add_error(errors, "buyer.legal_name", N_("Company (legal name): a buyer with a tax code needs "
                                                     "its registered name."))
        if not resolved.address:
            add_error(errors, "buyer.address", N_("Address: a buyer with a tax code needs its registered "
                                                  "address."))
    if resolved.id_number and not re.fullmatch(r"\d{12}", resolved.id_number):
        add_error(errors, "buyer.id_number", N_("Personal ID (CCCD): %(value)s — a CCCD number has 12 digits."),
                  value=resolved.id_number)
    if resolved.email and not all(re.fullmatch(r"[^@\s;]+@[^@\s;]+\.[^@\s;]+", e.strip())
                                  for e in resolved.email.split(";")):
        add_error(errors, "buyer.email", N_("Email: %(value)s is not an email address (several are separated "
                                            "by ';')."), value=resolved.email)
    if errors:
        raise ValidationErrors(errors)
    if not (resolved.name or resolved.legal_name or resolved.tax_code or resolved.id_number):
        resolved.name = CONSUMER_BUYER_NAME
    return resolved


def _decimal(value, field: str, errors: dict) -> Decimal | None:
    if isinstance(value, float):
        add_error(errors, field, N_("%(name)s: give amounts as int, str or Decimal, never float."), name=field)
        return None
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        add_error(errors, field, N_("%(name)s: %(value)s is not a number."), name=field, value=value)
        return None
    if not result.is_finite():
        add_error(errors, field, N_("%(name)s: %(value)s is not a number."), name=field, value=value)
        return None
    return result


def _compute_line(index: int, line: InvoiceLineDraft, template: int, kind: str,
                  errors: dict) -> ComputedLine | None:
    prefix = f"lines[{index}]"
    before = sum(len(v) for v in errors.values())
    if not (line.name or "").strip():
        add_error(errors, f"{prefix}.name", N_("Line %(line)s: give the name of the goods or service."),
                  line=index + 1)
    quantity = _decimal(line.quantity, f"{prefix}.quantity", errors)
    price = _decimal(line.unit_price, f"{prefix}.unit_price", errors)
    if quantity is not None and quantity <= 0:
        add_error(errors, f"{prefix}.quantity", N_("Line %(line)s: the quantity must be more than zero."),
                  line=index + 1)
    if price is not None and price < 0:
        add_error(errors, f"{prefix}.unit_price", N_("Line %(line)s: the unit price cannot be negative."),
                  line=index + 1)
    if not isinstance(line.discount, int) or isinstance(line.discount, bool) or line.discount < 0:
        add_error(errors, f"{prefix}.discount", N_("Line %(line)s: the discount is a whole, non-negative "
                                                   "amount of đồng."), line=index + 1)
    if line.decrease and kind != ADJUSTMENT:
        add_error(errors, f"{prefix}.change", N_("Line %(line)s: only an adjustment invoice has decrease lines."),
                  line=index + 1)
    rate = None
    if template == VAT_INVOICE:
        if line.vat_rate is None or line.vat_rate == "":
            add_error(errors, f"{prefix}.vat_rate", N_("Line %(line)s: a VAT invoice needs a VAT rate on every "
                                                       "line."), line=index + 1)
        else:
            try:
                rate = VatRate.parse(line.vat_rate)
            except ValueError as exc:
                add_error(errors, f"{prefix}.vat_rate", N_("Line %(line)s: VAT rate %(rate)s is not one of 0%%, "
                                                           "5%%, 8%%, 10%%, KCT, KKKNT."),
                          line=index + 1, rate=line.vat_rate)
    if sum(len(v) for v in errors.values()) > before:
        return None
    gross = round_vnd(quantity * price)
    if line.discount > gross:
        add_error(errors, f"{prefix}.discount", N_("Line %(line)s: the discount %(discount)s is more than the "
                                                   "line's %(amount)s đồng."),
                  line=index + 1, discount=line.discount, amount=gross)
        return None
    sign = -1 if line.decrease else 1
    amount = sign * (gross - line.discount)
    tax = round_vnd(amount * rate.fraction) if rate else 0
    return ComputedLine(index + 1, line.name.strip(), (line.unit or "").strip(), quantity, price,
                        sign * gross, sign * line.discount, amount, rate, tax, line.code, line.decrease)


def compute_invoice(draft: InvoiceDraft, *, today: date | None = None) -> ComputedInvoice:
    """Check ``draft`` and compute every figure; raises ``ValidationErrors`` listing all problems."""
    errors: dict[str, list[str]] = {}
    issue_date = draft.issue_date or today or date.today()
    if isinstance(issue_date, datetime):
        issue_date = issue_date.date()
    if draft.template not in TEMPLATE_NAMES:
        add_error(errors, "template", N_("Template %(value)s is not 1 (VAT invoice) or 2 (sales invoice)."),
                  value=draft.template)
    if draft.currency != "VND":
        add_error(errors, "currency", N_("Currency: OrderHub issues invoices in VND only."))
    if draft.payment_method not in PAYMENT_METHODS:
        add_error(errors, "payment_method", N_("Payment method must be one of %(choices)s."),
                  choices=", ".join(PAYMENT_METHODS))
    series = ""
    try:
        series = validate_series(draft.series, issue_date)
    except ValidationError as exc:
        errors.setdefault(exc.field, []).append(field_message(exc))
    kind = draft.reference.kind if draft.reference else ORIGINAL
    if draft.reference:
        _check_reference(draft.reference, issue_date, errors)
    try:
        buyer = resolve_buyer(draft.buyer)
    except ValidationErrors as exc:
        errors.update(exc.errors)
        buyer = draft.buyer
    if not draft.lines:
        add_error(errors, "lines", N_("Lines: an invoice needs at least one line."))
    lines = [_compute_line(i, line, draft.template, kind, errors) for i, line in enumerate(draft.lines)]
    if errors:
        raise ValidationErrors(errors)

    breakdown = []
    if draft.template == VAT_INVOICE:
        for rate in RATE_ORDER:
            of_rate = [ln for ln in lines if ln.vat_rate is rate]
            if of_rate:
                breakdown.append(RateBreakdown(rate, sum(ln.amount for ln in of_rate),
                                               sum(ln.tax for ln in of_rate)))
    subtotal = sum(ln.amount for ln in lines)
    vat_total = sum(b.tax_amount for b in breakdown)
    total = subtotal + vat_total
    if kind == ORIGINAL and total < 0:
        raise ValidationErrors({"lines": [FieldMessage(N_("Lines: an original invoice cannot have a negative "
                                                          "total."))]})
    return ComputedInvoice(
        buyer=buyer, lines=lines, breakdown=breakdown,
        gross_total=sum(ln.gross_amount for ln in lines),
        discount_total=sum(ln.discount for ln in lines),
        subtotal=subtotal, vat_total=vat_total, total=total, amount_in_words=amount_in_words(total),
        template=draft.template, series=series, issue_date=issue_date,
        payment_method=draft.payment_method, currency=draft.currency, reference=draft.reference,
        note=draft.note)


def _check_reference(ref: InvoiceReference, issue_date: date, errors: dict) -> None:
    if ref.kind not in (REPLACEMENT, ADJUSTMENT):
        add_error(errors, "reference.kind", N_("A reference is for a replacement or an adjustment."))
    if ref.template not in TEMPLATE_NAMES:
        add_error(errors, "reference.template", N_("The original invoice's template must be 1 or 2."))
    if not SERIES_RE.match((ref.series or "").upper()):
        add_error(errors, "reference.series", N_("The original invoice's series %(series)s is not a 6-character "
                                                 "series."), series=ref.series)
    if not isinstance(ref.number, int) or not 1 <= ref.number <= MAX_INVOICE_NUMBER:
        add_error(errors, "reference.number", N_("The original invoice's number is 1 to 99,999,999."))
    if ref.issued_on and ref.issued_on > issue_date:
        add_error(errors, "reference.issued_on", N_("The original invoice cannot be dated after the invoice "
                                                    "that corrects it."))


def reference_text(ref: InvoiceReference) -> str:
    """The line the law wants on a correcting invoice (research E.5)."""
    verb = "Thay thế" if ref.kind == REPLACEMENT else "Điều chỉnh"
    d = ref.issued_on
    return (f"{verb} cho hóa đơn Mẫu số {ref.template} ký hiệu {ref.series} số {ref.number} "
            f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}")


# ------------------------------------------------------------------------------------ amount in words

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_SCALES = ["", "nghìn", "triệu"]


def _three_digits(n: int, full: bool) -> list[str]:
    """Words for 0–999. ``full`` (a group after a higher one) says "không trăm" and "linh" explicitly."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and (hundreds or full):
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        elif units == 4 and tens >= 2:
            words.append("tư")
        else:
            words.append(_DIGITS[units])
    return words


def _below_billion(n: int, full: bool) -> list[str]:
    groups = [n // 1_000_000, n // 1000 % 1000, n % 1000]
    words: list[str] = []
    for i, group in enumerate(groups):
        if group:
            words += _three_digits(group, full or bool(words))
            if _SCALES[2 - i]:
                words.append(_SCALES[2 - i])
    return words


def number_in_words(n: int) -> str:
    """0 → "không", 1005 → "một nghìn không trăm linh năm", 10**12 → "một nghìn tỷ" (lower case)."""
    if n == 0:
        return "không"
    words: list[str] = []
    billions, rest = divmod(n, 1_000_000_000)
    if billions:
        words += number_in_words(billions).split() + ["tỷ"]
    if rest:
        words += _below_billion(rest, bool(words))
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """The total in words as invoices print it, capitalized, ending in "đồng".

    Conventions (standard/northern usage, as MISA and Viettel print): "linh" not "lẻ", "nghìn" not "ngàn",
    "mốt" (21), "lăm" (15, 25), "tư" (24), "không trăm" inside a number, zero groups skipped, and "chẵn"
    after "đồng" when the amount is a whole thousand (nothing is left over in the last group).
    A negative amount (an adjustment that lowers the total) starts with "Âm".
    """
    if not isinstance(amount, int):
        raise TypeError("amount_in_words takes whole VND as int")
    text = number_in_words(abs(amount)) + " đồng"
    if amount and amount % 1000 == 0:
        text += " chẵn"
    if amount < 0:
        text = "âm " + text
    return text[0].upper() + text[1:]
