"""Reading what a clerk typed on the stock forms (quantities, money, ids) and calling the service.

Quantities may be typed the Vietnamese way ("1.000") or with a sign ("-3"); a blank means "not
entered". A refusal is flashed naming the field at fault (``quantity: …``) or the record's state.
"""
from __future__ import annotations

from flask import flash

from app.extensions import db
from app.services.errors import N_, DomainError, ValidationError
from app.web.i18n import error_text

# The largest figure an INTEGER column holds on every database we run on (PostgreSQL's is 32-bit).
LARGEST = 2_147_483_647


def whole_number(value, field: str, *, blank=None, largest: int = LARGEST):
    """The integer typed in ``field``; ``blank`` when empty; ValidationError naming the field."""
    text = str(value if value is not None else "").strip().replace(".", "").replace(",", "")
    text = text.replace(" ", "").replace("₫", "")
    if not text:
        return blank
    try:
        number = int(text)
    except ValueError:
        raise ValidationError(field, N_("Enter a whole number (got %(value)s)."),
                              value=str(value).strip()) from None
    if abs(number) > largest:
        raise ValidationError(field, N_("%(value)s is too large."), value=str(value).strip())
    return number


def money_amount(value, field: str, *, blank=None):
    """An amount of đồng typed in ``field`` ("1.250.000"): money columns hold up to 10^15."""
    return whole_number(value, field, blank=blank, largest=10**15)


def refusal_message(exc: DomainError) -> str:
    """The message to flash: prefixed by the field when the service named one."""
    field = getattr(exc, "field", None)
    text = error_text(exc)
    if field and not exc.message.startswith(f"{field}:"):
        return f"{field}: {text}"
    return text


def run_form_service(fn, *args, success: str | None = None, **kwargs):
    """Call one service for a form; a refusal becomes a flash message (never a 500) and None."""
    try:
        result = fn(*args, **kwargs)
    except DomainError as exc:
        db.session.rollback()
        flash(refusal_message(exc), "danger")
        return None
    if success:
        flash(success, "success")
    return result


def parse_or_flash(parse, *args):
    """Run a form parser; a ValidationError is flashed and None returned."""
    try:
        return parse(*args)
    except ValidationError as exc:
        flash(refusal_message(exc), "danger")
        return None
