"""Order money: the one place where line totals, VAT and order totals are computed and rounded.

VND has no minor unit, so every amount is a whole number of đồng; rounding is half-up (the rule
invoices use), applied per line for VAT.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from app.services.amounts import parse_amount
from app.services.errors import N_, ValidationError

VAT_PERCENT = {"0": Decimal(0), "5": Decimal(5), "8": Decimal(8), "10": Decimal(10),
               "KCT": Decimal(0), "KKKNT": Decimal(0)}


def round_vnd(value) -> Decimal:
    """Round to a whole đồng, half up."""
    return Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def line_amount(quantity: int, unit_price, discount) -> Decimal:
    """Goods value of a line, before VAT: quantity × unit price − discount, never below zero."""
    return max(Decimal(0), round_vnd(Decimal(quantity or 0) * Decimal(unit_price or 0)
                                     - Decimal(discount or 0)))


def line_vat(amount, vat_rate) -> Decimal:
    rate = VAT_PERCENT.get(str(getattr(vat_rate, "value", vat_rate)), Decimal(0))
    return round_vnd(Decimal(amount) * rate / 100)


def compute_order_totals(order) -> None:
    """Set each line's total and the order's subtotal, discount, VAT and total from its lines.

    Prices are taken as VAT-exclusive (what the invoice shows per line); the order total is what the
    buyer pays: goods + VAT + shipping fee.
    """
    subtotal = discount_total = vat_total = Decimal(0)
    for line in order.lines:
        amount = line_amount(line.quantity, line.unit_price, line.discount)
        line.line_total = amount
        subtotal += round_vnd(Decimal(line.quantity or 0) * Decimal(line.unit_price or 0))
        discount_total += Decimal(line.discount or 0)
        vat_total += line_vat(amount, line.vat_rate)
    order.subtotal = subtotal
    order.discount_total = discount_total
    order.vat_total = vat_total
    order.total = max(Decimal(0), subtotal - discount_total) + vat_total + \
        Decimal(order.shipping_fee or 0)


def whole_dong(value, field: str, *, allow_none: bool = False, label: str | None = None,
               locale: str | None = None) -> Decimal | None:
    """A money amount typed in a form or sent in JSON, as whole đồng ≥ 0.

    Read by ``amounts.parse_amount`` (``289.000``, ``289,000``, ``289k``, JSON numbers); anything
    else, ambiguous (``1.5``) or negative is refused naming the field, so it never reaches the
    database.
    """
    amount = parse_amount(value, field=field, label=label, locale=locale)
    if amount is None:
        if allow_none:
            return None
        raise ValidationError(field, N_("Enter an amount in whole đồng."))
    return Decimal(amount)


def purchase_total(lines) -> Decimal:
    """A purchase order's value: Σ quantity × unit price of its lines (cost prices, VAT apart)."""
    return sum((round_vnd(Decimal(ln.quantity or 0) * Decimal(ln.unit_price or 0)) for ln in lines),
               Decimal(0))


def refund_value(line, quantity: int) -> Decimal:
    """What ``quantity`` units of an order line cost the buyer, VAT included, in whole đồng: the
    line's goods value shared pro rata (so line discounts are refunded as given), plus its VAT."""
    goods = round_vnd(Decimal(line.line_total) * quantity / line.quantity)
    return goods + line_vat(goods, line.vat_rate)


def refundable(paid_amount, refunded_amount) -> Decimal:
    """What can still be paid back: what the buyer actually paid, less earlier refunds."""
    return max(Decimal(0), Decimal(paid_amount or 0) - Decimal(refunded_amount or 0))
