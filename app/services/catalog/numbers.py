"""Whole numbers as a Vietnamese seller types them in a spreadsheet: money in đồng, grams,
centimetres, pieces.

``whole_number("289.000") == whole_number("289,000") == whole_number("289000") == 289000``: a dot,
comma or space groups thousands (never a decimal point: VND has no minor unit). A trailing "đ",
"₫" or "VND" is allowed. An XLSX cell arrives as an int or a float; a float must be whole.
Pure, no dependency.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_CURRENCY = re.compile(r"\s*(?:₫|đ|vnd|vnđ)\s*$", re.IGNORECASE)
_PLAIN = re.compile(r"^[+-]?\d+$")
# 1–3 digits, then groups of exactly three, every group after the same separator.
_GROUPED = re.compile(r"^([+-]?)(\d{1,3})([.,\u00a0\u202f ])(\d{3}(?:\3\d{3})*)$")


class NotWholeNumber(ValueError):
    """The cell is not a whole number written one of the accepted ways."""


def whole_number(value) -> int:
    """The integer a cell holds; raises ``NotWholeNumber`` for anything else (text, 12.5, 28.90)."""
    if isinstance(value, bool):
        raise NotWholeNumber(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            raise NotWholeNumber(value)
        return int(value)
    if isinstance(value, Decimal):
        try:
            if value == value.to_integral_value():
                return int(value)
        except InvalidOperation:
            pass
        raise NotWholeNumber(value)
    text = _CURRENCY.sub("", str(value or "").strip()).strip()
    if _PLAIN.match(text):
        return int(text)
    grouped = _GROUPED.match(text)
    if grouped:
        sign, head, sep, rest = grouped.groups()
        return int(sign + head + rest.replace(sep, ""))
    raise NotWholeNumber(value)
