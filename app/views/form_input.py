"""Reading what a clerk typed on the stock forms (quantities, money, ids) and calling the service.

Quantities may be typed the Vietnamese way ("1.000") or with a sign ("-3"); a blank means "not
entered". A refusal is flashed naming the field at fault (``quantity: …``) or the record's state.
"""
from __future__ import annotations

from flask import flash

from app.extensions import db
from app.services.errors import DomainError, ValidationError
from app.web.i18n import error_text


def whole_number(value, field: str, *, blank=None):
    """The integer typed in ``field``; ``blank`` when empty; ValidationError naming the field."""
    text = str(value if value is not None else "").strip().replace(".", "").replace(",", "")
    text = text.replace(" ", "").replace("₫", "")
    if not text:
        return blank
    try:
        return int(text)
    except ValueError:
        raise ValidationError(field, f"Enter a whole number (got {str(value).strip()!r}).") \
            from None


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
