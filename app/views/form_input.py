"""Reading what a clerk typed on the stock forms (quantities, money, ids) and calling the service.

Numbers are read by ``app.services.amounts.parse_amount`` in the reader's language: quantities
grouped ("1.000") or with a sign ("-3"), money as sellers type it ("289.000", "289k"); a blank
means "not entered". A refusal is flashed naming the field at fault (``quantity: …``) or the record's state.
"""
from __future__ import annotations

from flask import flash

from app.extensions import db
from app.services.amounts import LARGEST_QUANTITY, QUANTITY, AmountError, parse_amount
from app.services.errors import DomainError, ValidationError
from app.web.formatting import reader_language
from app.web.i18n import error_text

LARGEST = LARGEST_QUANTITY  # the largest figure an INTEGER column holds on every database

def whole_number(value, field: str, *, blank=None, largest: int = LARGEST_QUANTITY,
                 label: str | None = None):
    """The integer typed in ``field`` (grouping allowed, a sign too); ``blank`` when empty;
    an AmountError naming the field otherwise."""
    number = parse_amount(value, field=field, label=label or _label(field), kind=QUANTITY,
                          signed=True, largest=largest, locale=reader_language())
    return blank if number is None else number


def money_amount(value, field: str, *, blank=None, label: str | None = None):
    """An amount of đồng typed in ``field`` ("1.250.000", "1tr25")."""
    number = parse_amount(value, field=field, label=label or _label(field),
                          locale=reader_language())
    return blank if number is None else number


def _label(field: str) -> str:
    """"refund_amount" → "Refund amount" (the column's label, looked up in the catalogue)."""
    return (field[:1].upper() + field[1:]).replace("_", " ")


def refusal_message(exc: DomainError) -> str:
    """The message to flash: prefixed by the field when the service named one (a typed number's
    refusal names it already, by its label)."""
    field = getattr(exc, "field", None)
    text = error_text(exc)
    if field and not isinstance(exc, AmountError) and not exc.message.startswith(f"{field}:"):
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
