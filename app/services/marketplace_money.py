"""Prices between OrderHub and the marketplaces: theirs include VAT, ours do not.

A marketplace shows the buyer what they pay, VAT included; OrderHub's prices are VAT-exclusive (the
invoice adds VAT per line, ``services.pricing``). So a price goes up as ``ours + VAT`` and an
imported line comes in as ``theirs − VAT``, each rounded half up to the đồng. The round trip can
differ from the marketplace's own total by rounding only — at most one đồng per unit — which is
the tolerance of ``amount_differs``; anything more (a voucher, a platform discount, a price we do
not know of) is a real difference the seller must see before the COD amount is settled.
"""
from __future__ import annotations

import functools
from decimal import Decimal

from app.services.pricing import VAT_PERCENT, round_vnd


def _rate(vat_rate) -> Decimal:
    return VAT_PERCENT.get(str(getattr(vat_rate, "value", vat_rate)), Decimal(0))


def price_with_vat(price, vat_rate) -> int:
    """What the marketplace should show for one of our (VAT-exclusive) prices."""
    return int(round_vnd(Decimal(price) * (100 + _rate(vat_rate)) / 100))


@functools.lru_cache(maxsize=4096)  # an import converts the same few prices over and over
def price_without_vat(price, vat_rate) -> Decimal:
    """Our unit price for a marketplace (VAT-inclusive) price."""
    return round_vnd(Decimal(price) * 100 / (100 + _rate(vat_rate)))


def amount_differs(ours, theirs, units: int) -> bool:
    """Is our order total off the marketplace's by more than the VAT round trip explains?"""
    return abs(Decimal(ours) - Decimal(theirs)) > max(int(units), 1)
