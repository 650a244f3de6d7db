"""Money and quantities as people type them, read the one way everywhere (forms, pages, the API).

VND has no minor unit, so a separator followed by three digits can only group thousands:
``289.000``, ``289,000`` and ``289000`` are all 289 000 ₫, in English as in Vietnamese. What could
mean two amounts is refused with a message naming the field and the rule, never guessed: ``1.5``
(1.5 ₫ or 1 500 ₫?), ``1,50``, ``1.50.000``. The shorthands sellers type are read where they say
one thing: ``289k`` = 289 000, ``1tr`` = 1 000 000, ``1tr2`` = 1 200 000, ``1,5tr`` = 1 500 000
(``k``/``nghìn``/``ngàn`` thousands, ``tr``/``triệu`` millions, ``tỷ`` billions). Quantities are
whole numbers: grouping allowed, decimals and shorthands refused.

Only inside a shorthand's figure (``1,5tr``) may a separator mark decimals; a single separator
followed by three digits there groups thousands when it is the reader's grouping mark (``.`` in
Vietnamese, ``,`` in English) and is refused as ambiguous otherwise (``1.500k`` in English).

``parse_amount`` is pure (no Flask): the caller passes the reader's language.
"""
from __future__ import annotations

import re
from decimal import Decimal

from app.services.errors import N_, ValidationError

MONEY, QUANTITY = "money", "quantity"
# Money columns are NUMERIC(18, 0); a line's value is quantity × price, so stay well inside.
LARGEST_MONEY = 10**15 - 1
# The largest figure an INTEGER column holds on every database we run on (PostgreSQL's is 32-bit).
LARGEST_QUANTITY = 2_147_483_647

UNITS = {"k": 10**3, "nghìn": 10**3, "nghin": 10**3, "ngàn": 10**3, "ngan": 10**3,
         "tr": 10**6, "triệu": 10**6, "trieu": 10**6, "tỷ": 10**9, "tỉ": 10**9, "ty": 10**9,
         "ti": 10**9}
CURRENCY = ("vnđ", "vnd", "đồng", "dong", "₫", "đ", "d")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009_']+")
_SHORTHAND = re.compile(r"^(?P<figure>[0-9][0-9.,]*)(?P<unit>[^\d.,]+)(?P<tail>[0-9]*)$")
_DIGITS = re.compile(r"^[0-9]+$")

BAD_MONEY = N_("%(label)s: “%(value)s” is not an amount of đồng. Type it as 289.000, 289,000, "
               "289000 or 289k.")
BAD_QUANTITY = N_("%(label)s: “%(value)s” is not a whole number. Type it as 12 or 1.000.")
AMBIGUOUS_MONEY = N_("%(label)s: “%(value)s” is ambiguous: đồng have no decimals, and thousands "
                     "are grouped in threes (1.500 or 1,500). Type 1.500, 1500, 1,5k or 1tr5.")
AMBIGUOUS_SHORTHAND = N_("%(label)s: “%(value)s” is ambiguous (thousands or decimals?). Type it "
                         "without the separator, or as 1,5tr / 1tr5.")
FRACTION_QUANTITY = N_("%(label)s: “%(value)s” is not a whole number: a quantity has no "
                       "decimals.")
NOT_WHOLE_MONEY = N_("%(label)s: “%(value)s” is not a whole number of đồng.")
NEGATIVE = N_("%(label)s cannot be negative (got “%(value)s”).")
TOO_LARGE = N_("%(label)s: “%(value)s” is too large.")


class AmountError(ValidationError):
    """A typed number refused: names the field (its label in the reader's words) and the rule."""

    translatable = ("label",)

    def __init__(self, field: str, message: str, *, label: str, value):
        shown = str(value).strip()
        super().__init__(field, message, label=label, value=shown[:40] + ("…" if len(shown) > 40 else ""))


def parse_amount(value, *, field: str = "amount", label: str | None = None, kind: str = MONEY,
                 locale: str | None = None, signed: bool = False, largest: int | None = None):
    """The whole number ``value`` stands for, or None when it is blank.

    ``value`` is what arrived: text typed in a form or sent as a JSON string, or a JSON number.
    ``kind`` is MONEY (đồng) or QUANTITY; ``locale`` the reader's language ("vi", "en", or None
    when unknown: then only what reads the same in both is accepted); ``signed`` allows a leading
    minus (stock adjustments). Raises AmountError naming ``label`` (default: the field's name).
    """
    label = label or field.replace("_", " ")
    largest = largest or (LARGEST_MONEY if kind == MONEY else LARGEST_QUANTITY)

    def refuse(message):
        return AmountError(field, message, label=label, value=value)

    if value is None:
        return None
    if isinstance(value, bool):
        raise refuse(BAD_MONEY if kind == MONEY else BAD_QUANTITY)
    if isinstance(value, (int, float, Decimal)):
        number = _from_number(value, refuse, kind)
    else:
        text = _SPACES.sub("", str(value)).lower()
        if not text:
            return None
        sign = 1
        if text[0] in "-−+":
            sign = -1 if text[0] != "+" else 1
            text = text[1:]
        number = sign * _from_text(text, refuse, kind, locale, largest)
    if number < 0 and not signed:
        raise refuse(NEGATIVE)
    if abs(number) > largest:
        raise refuse(TOO_LARGE)
    return number


def _from_number(value, refuse, kind: str) -> int:
    try:
        amount = Decimal(value)
    except (ArithmeticError, ValueError):
        raise refuse(BAD_MONEY if kind == MONEY else BAD_QUANTITY) from None
    if not amount.is_finite():
        raise refuse(BAD_MONEY if kind == MONEY else BAD_QUANTITY)
    if amount != amount.to_integral_value():
        raise refuse(NOT_WHOLE_MONEY if kind == MONEY else FRACTION_QUANTITY)
    return int(amount)


def _from_text(text: str, refuse, kind: str, locale: str | None, largest: int) -> int:
    for mark in CURRENCY if kind == MONEY else ():
        if text.endswith(mark) and len(text) > len(mark):
            text = text[: -len(mark)]
            break
    if len(re.sub(r"\D", "", text)) > len(str(largest)) + 3:  # 20 digits: no need to read on
        raise refuse(TOO_LARGE)
    if kind == MONEY:
        match = _SHORTHAND.match(text)
        if match and match["unit"] in UNITS:
            return _shorthand(match, refuse, locale)
    if not re.fullmatch(r"[0-9][0-9.,]*", text) or text[-1] in ".,":
        raise refuse(BAD_MONEY if kind == MONEY else BAD_QUANTITY)
    grouped = _grouped(text)
    if grouped is not None:
        return grouped
    # Not a thousands grouping: a decimal fraction (1.5, 1,50) or a broken grouping (1.50.000).
    if kind == QUANTITY:
        if re.fullmatch(r"[0-9]+[.,][0-9]+", text):
            raise refuse(FRACTION_QUANTITY)
        raise refuse(BAD_QUANTITY)
    raise refuse(AMBIGUOUS_MONEY)


def _grouped(text: str) -> int | None:
    """``289000``, ``289.000``, ``1,500,000``: digits, or groups of three after one mark."""
    if _DIGITS.match(text):
        return int(text)
    for mark in ".,":
        other = "," if mark == "." else "."
        if other not in text and re.fullmatch(rf"[0-9]{{1,3}}(\{mark}[0-9]{{3}})+", text):
            return int(text.replace(mark, ""))
    return None


def _shorthand(match, refuse, locale: str | None) -> int:
    figure, unit, tail = match["figure"], match["unit"], match["tail"]
    scale = UNITS[unit]
    if figure[-1] in ".,":
        raise refuse(BAD_MONEY)
    if tail and not _DIGITS.match(figure):
        raise refuse(BAD_MONEY)  # 1,5tr2: one way of writing the decimals, not both
    number = _figure(figure, refuse, locale)
    if tail:  # 1tr2 = 1.2 million, 1tr25 = 1.25 million, 2k5 = 2 500
        if len(tail) > len(str(scale)) - 1:
            raise refuse(BAD_MONEY)
        number += Decimal(f"0.{tail}")
    amount = number * scale
    if amount != amount.to_integral_value():
        raise refuse(NOT_WHOLE_MONEY)
    return int(amount)


def _figure(figure: str, refuse, locale: str | None) -> Decimal:
    """The figure before a unit, where a separator may also mark decimals (1,5tr)."""
    grouping = {"vi": ".", "en": ","}.get((locale or "")[:2])
    marks = [c for c in figure if c in ".,"]
    if not marks:
        return Decimal(figure)
    if len(marks) == 1:
        mark = marks[0]
        whole, fraction = figure.split(mark)
        if len(fraction) == 3:  # 1.500k: thousands in the reader's grouping, else ambiguous
            if mark == grouping:
                return Decimal(whole + fraction)
            raise refuse(AMBIGUOUS_SHORTHAND)
        return Decimal(f"{whole}.{fraction}")
    grouped = _grouped(figure)
    if grouped is not None:
        return Decimal(grouped)
    decimal_mark = marks[-1]  # 1.234,5k: grouped, then one decimal mark of the other kind
    head, fraction = figure.rsplit(decimal_mark, 1)
    whole = _grouped(head)
    if whole is None or decimal_mark in head:
        raise refuse(BAD_MONEY)
    return Decimal(f"{whole}.{fraction}")


def format_amount(value, locale: str | None = None) -> str:
    """A whole number grouped the reader's way: ``289.000`` in Vietnamese, ``289,000`` otherwise
    (what ``parse_amount`` reads back, in either language)."""
    if value is None or value == "":
        return ""
    number = int(Decimal(value))
    text = f"{number:,}"
    return text.replace(",", ".") if (locale or "")[:2] == "vi" else text


def parse_id(value) -> int | None:
    """A record's id as a form or a JSON body sent it: the int, or None when it is not one a key
    can hold (blank, text, 20 digits), for the caller to answer "choose a …" instead of a 500."""
    if isinstance(value, bool):
        return None
    text = str(getattr(value, "id", value) if value is not None else "").strip()
    if not _DIGITS.match(text) or len(text) > len(str(LARGEST_QUANTITY)):
        return None
    number = int(text)
    return number if 0 < number <= LARGEST_QUANTITY else None
