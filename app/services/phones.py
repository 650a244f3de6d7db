"""Vietnamese phone numbers, as buyers type them: 0912 345 678, +84 912 345 678, 84912345678 …

We store the national 0-form ("0912345678"): it is what Vietnamese clerks read and search, what GHN's
``to_phone`` and Viettel Post's ``RECEIVER_PHONE`` expect, and it fits the 20-character columns. Use
``to_e164`` where an international form is needed (SMS gateways, Zalo). Parsing and the list of
mobile prefixes (03x, 05x, 07x, 08x, 09x after the 2018 renumbering) come from ``phonenumbers``'s
metadata rather than a hand-kept table that goes stale.
"""
from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from app.services.errors import ValidationError

_ALLOWED = re.compile(r"^[\d\s().+\-]+$")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def _parse(value, field: str):
    text = str(value or "").strip()
    if not text:
        raise ValidationError(field, "A phone number is required.")
    if not _ALLOWED.match(text):
        raise ValidationError(field, f"{text!r} is not a phone number: use digits, spaces, dots or "
                                     "dashes, optionally starting with +84.")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") or (digits.startswith("84") and len(digits) == 11):
        candidate = "+" + digits
    else:
        candidate = digits
    try:
        number = phonenumbers.parse(candidate, "VN")
    except phonenumbers.NumberParseException:
        raise ValidationError(field, f"{text!r} is not a phone number.") from None
    if number.country_code != 84:
        raise ValidationError(field, f"{text!r} is not a Vietnamese number (+84).")
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(field, f"{text!r} is not a valid Vietnamese number: a mobile number "
                                     "has 10 digits starting with 03, 05, 07, 08 or 09.")
    return number


def normalize_phone(value, field: str = "phone", *, mobile_only: bool = True) -> str:
    """Return the national form "0xxxxxxxxx"; raise ValidationError(field, …) naming the rule broken.

    ``mobile_only`` (the default: carriers call the buyer) refuses landlines such as 024 3xxx xxxx.
    """
    number = _parse(value, field)
    if mobile_only and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValidationError(field, f"{value!r} is a landline; give a mobile number (10 digits "
                                     "starting with 03, 05, 07, 08 or 09).")
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL).replace(" ", "")


def to_e164(value, field: str = "phone") -> str:
    """The same number as "+84xxxxxxxxx"."""
    return phonenumbers.format_number(_parse(value, field), PhoneNumberFormat.E164)


def phone_search_key(text: str) -> str | None:
    """The 0-form of a (possibly partial) number typed in a search box, or None if it has no digits."""
    digits = re.sub(r"\D", "", text or "")
    if not digits:
        return None
    if digits.startswith("84") and len(digits) >= 11:
        return "0" + digits[2:]
    return digits
