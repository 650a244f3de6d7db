"""Vietnamese tax codes (mã số thuế, MST) — checked before an invoice goes to the provider.

Why we check locally: S-Invoice and MISA refuse an invoice whose buyer tax code fails the check digit, and a
refused invoice in a job is a wasted round trip and a confused clerk. The rule (research F.1):

- 10 digits ``N1..N10``: N10 = 10 − (Σ wᵢ·Nᵢ mod 11) with w = 31, 29, 23, 19, 17, 13, 7, 5, 3. When the
  remainder is 0 the result would be 10, which is not a digit: such a code is never issued.
- 13 digits = a valid 10-digit parent + a 3-digit branch (đơn vị phụ thuộc) suffix 001–999, written
  ``0100109106-509``; the hyphen is optional in storage, so ``0100109106509`` is accepted too.
- 12 digits = the personal ID (CCCD) that serves as tax code for individuals since 01/07/2025. There is no
  public check digit for it; we only check the shape.

``normalize_tax_code`` gives the one canonical spelling we store and send (branch codes with the hyphen).
"""
from __future__ import annotations

import re

from app.services.errors import N_, InvalidTaxCode

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)

COMPANY = "company"      # 10 digits
BRANCH = "branch"        # 10 digits + "-NNN"
PERSONAL = "personal"    # 12-digit CCCD

_SEPARATORS = re.compile(r"[\s.]")
# How each form field holding a tax code is named in its messages (the field key itself otherwise).
FIELD_NAMES = {"buyer.tax_code": N_("Buyer tax code"), "tax_code": N_("Tax code"),
               "settings.seller.tax_code": N_("Seller tax code")}


def check_digit(first_nine: str) -> int | None:
    """The 10th digit for ``first_nine``, or None when no valid code can start with these digits."""
    remainder = sum(w * int(d) for w, d in zip(WEIGHTS, first_nine)) % 11
    value = 10 - remainder
    return None if value == 10 else value


def _clean(value) -> str:
    return _SEPARATORS.sub("", str(value or ""))


def tax_code_kind(value) -> str:
    """``company``, ``branch`` or ``personal`` for a valid code; raises ``InvalidTaxCode`` otherwise."""
    code = normalize_tax_code(value)
    if len(code) == 12:
        return PERSONAL
    return BRANCH if "-" in code else COMPANY


def normalize_tax_code(value, field: str = "tax_code", *, allow_personal: bool = True) -> str:
    """Validate ``value`` and return its canonical form: ``0100109106``, ``0100109106-509`` or 12 digits.

    Spaces and dots (as people type them) are dropped. Raises ``InvalidTaxCode(field, message)`` naming
    the field and the rule that failed, so the form can show it next to the field.
    """
    code = _clean(value)

    def refuse(message: str, **details):
        raise InvalidTaxCode(field, message, code=code, name=FIELD_NAMES.get(field, field), **details)

    if not code:
        refuse(N_("%(name)s: the tax code is empty."))
    if not re.fullmatch(r"[0-9-]+", code):
        refuse(N_("%(name)s: tax code %(code)s may contain only digits and one '-' before a branch suffix."))
    if "-" in code:
        parent, _, branch = code.partition("-")
        if len(parent) != 10 or "-" in branch:
            refuse(N_("%(name)s: tax code %(code)s — a branch code is 10 digits, '-', then 3 digits "
                      "(e.g. 0100109106-001)."))
    elif len(code) == 13:
        parent, branch = code[:10], code[10:]
    elif len(code) == 10:
        parent, branch = code, None
    elif len(code) == 12:
        if not allow_personal:
            refuse(N_("%(name)s: %(code)s is a 12-digit personal ID; a company tax code has 10 or 13 digits."))
        return code
    else:
        refuse(N_("%(name)s: tax code %(code)s has %(digits)s digits; expected 10, 13 (10 + branch suffix) "
                  "or 12 (personal ID)."), digits=len(code))
    if branch is not None and (len(branch) != 3 or branch == "000"):
        refuse(N_("%(name)s: tax code %(code)s — the branch suffix must be 3 digits from 001 to 999."))
    expected = check_digit(parent[:9])
    if expected is None:
        refuse(N_("%(name)s: tax code %(code)s cannot exist — its first nine digits give no valid check digit."))
    if int(parent[9]) != expected:
        refuse(N_("%(name)s: tax code %(code)s has a wrong check digit: the 10th digit should be %(expected)s."),
               expected=expected)
    return f"{parent}-{branch}" if branch else parent


def validate_tax_code(value, field: str = "tax_code", *, allow_personal: bool = True) -> str:
    """Alias of ``normalize_tax_code`` for call sites that read better as a check."""
    return normalize_tax_code(value, field, allow_personal=allow_personal)


def is_valid_tax_code(value, *, allow_personal: bool = True) -> bool:
    try:
        normalize_tax_code(value, allow_personal=allow_personal)
    except InvalidTaxCode:
        return False
    return True


def complete_tax_code(first_nine: str) -> str:
    """First nine digits + their check digit; used to make valid demo codes. Raises if none exists."""
    digit = check_digit(first_nine) if len(first_nine) == 9 and first_nine.isdigit() else None
    if digit is None:
        raise InvalidTaxCode("tax_code", N_("No valid tax code starts with %(digits)s."), digits=first_nine)
    return f"{first_nine}{digit}"
