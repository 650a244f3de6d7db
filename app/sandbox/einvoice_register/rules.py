"""The sandboxes' own copy of the Vietnamese rules they check requests against — written from the
research notes (sections E.2, E.6, F.1), never imported from the app, so a bug in the app's own
check digit, rounding or series rule cannot hide behind a sandbox that shares it.

Words for the provider's PDF come from ``num2words`` (the providers regenerate them server-side, in
their own style, e.g. "lẻ" where OrderHub writes "linh").
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words

# Ký hiệu (TT91 Phụ lục I): C/K, 2-digit year, type letter, 2 seller letters.
SERIES_PATTERN = re.compile(r"^[CK](\d{2})[TDLMNBGHXF][A-Z0-9]{2}$")
_MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def series_year(series: str) -> int | None:
    """The 2-digit year of a well-formed series, else None."""
    match = SERIES_PATTERN.match(series or "")
    return int(match.group(1)) if match else None


def valid_buyer_tax_code(code: str) -> bool:
    """10 digits with the MST check digit, 13 (10 + branch 001–999, hyphen optional) or a 12-digit CCCD."""
    text = str(code or "").strip()
    if re.fullmatch(r"\d{12}", text):
        return True
    match = re.fullmatch(r"(\d{10})(?:-?(\d{3}))?", text)
    if not match or match.group(2) == "000":
        return False
    digits = [int(c) for c in match.group(1)]
    remainder = sum(w * d for w, d in zip(_MST_WEIGHTS, digits)) % 11
    return remainder != 0 and digits[9] == 10 - remainder


_PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{7,18}[0-9]$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")


def valid_phone(text) -> bool:
    """Digits (spaces, dots, dashes between them, a leading +): what the providers' buyer phone
    field takes. A marketplace's masked number, ``(+84)97*****33``, is refused."""
    return bool(_PHONE.match(str(text or "").strip()))


def valid_emails(text) -> bool:
    """One address or several separated by ``;`` — a masked one (``j***@gmail.com``) is refused."""
    return all(_EMAIL.match(part.strip()) for part in str(text or "").split(";"))


def whole_vnd(value) -> Decimal:
    """Round half up to whole đồng, as the providers do."""
    return Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def words_vnd(amount: int) -> str:
    text = num2words(abs(int(amount)), lang="vi") + " đồng"
    if amount < 0:
        text = "âm " + text
    return text[:1].upper() + text[1:]
