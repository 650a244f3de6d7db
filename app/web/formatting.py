"""How money, times and empty values look to the user, by language.

VND has no minor unit: ``1.250.000 ₫`` in Vietnamese, ``1,250,000 ₫`` in English. Times are stored
in UTC and shown in the shop's zone (Asia/Ho_Chi_Minh by default): ``22/11/2026 14:05`` in
Vietnamese, ``2026-11-22 14:05`` in English.
"""
from __future__ import annotations

import datetime as dt
import enum
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context

from app.models.base import Phrase


def _language() -> str:
    if not has_request_context():
        return "en"
    try:
        from flask_babel import get_locale
        locale = get_locale()
        return locale.language if locale else "en"
    except Exception:  # outside a Babel-enabled app
        return "en"


def format_vnd(value) -> str:
    if value is None or value == "":
        return ""
    try:
        amount = int(Decimal(value))
    except (ArithmeticError, TypeError, ValueError):
        return str(value)
    text = f"{amount:,}"
    if _language() == "vi":
        text = text.replace(",", ".")
    return f"{text} ₫"


def format_datetime(value) -> str:
    if isinstance(value, str):  # a time stored in JSON (a job's messages): ISO 8601, UTC
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y" if _language() == "vi" else "%Y-%m-%d")
        return "" if value is None else str(value)
    zone = ZoneInfo(current_app.config.get("SHOW_TIMEZONE", "Asia/Ho_Chi_Minh")) \
        if has_request_context() else ZoneInfo("Asia/Ho_Chi_Minh")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    local = value.astimezone(zone)
    return local.strftime("%d/%m/%Y %H:%M" if _language() == "vi" else "%Y-%m-%d %H:%M")


def format_plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return enum_label(value)
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, Phrase):
        from app.web.i18n import phrase_text
        return phrase_text(value)
    if isinstance(value, (list, tuple, set)):  # the records of a relation, a JSON list
        return ", ".join(str(format_plain(v)) for v in value if v is not None)
    if isinstance(value, dict):  # a JSON document: its entries as a person reads them
        return " · ".join(f"{k}: {format_plain(v)}" for k, v in value.items())
    return value


def format_changes(value) -> str:
    """An audit row's changes ({"status": ["new", "processing"]}) as "Status: new → processing"
    in the reader's words, separated by "; "; an empty value reads "∅"."""
    if not isinstance(value, dict):
        return format_plain(value)
    lines = []
    for name, pair in value.items():
        old, new = pair if isinstance(pair, (list, tuple)) and len(pair) == 2 else (None, pair)
        lines.append(f"{field_label(name)}: {changed_value(old)} → {changed_value(new)}")
    return "; ".join(lines)


def _said(text: str) -> str:
    """Our own word in the reader's language, or the text as it is when the catalogue has none."""
    if not has_request_context():
        return text
    from flask_babel import gettext
    return gettext(text)


def field_label(name: str) -> str:
    """A column's name as the panel labels it ("tax_code" → "Tax Code", in the reader's words;
    a reference to a record by the record's name: "supplier_id" → "Supplier")."""
    return _said(name.removesuffix("_id").replace("_", " ").title())


def table_label(name: str) -> str:
    """A table's name as the panel names the record ("purchase_order" → "Purchase Order")."""
    return _said({"sales_order": "Order"}.get(name, name.replace("_", " ").title()))


def changed_value(value) -> str:
    """One side of an audited change: a state or a kind in the reader's words, a time in the
    shop's zone, "∅" when empty."""
    if value is None or value == "":
        return "∅"
    if isinstance(value, str) and CODE.fullmatch(value):
        return enum_label(value)
    if isinstance(value, str) and ISO_TIME.fullmatch(value):
        return format_datetime(value)
    return str(format_plain(value))


CODE = re.compile(r"[a-z]+(_[a-z]+)*")  # new, partially_received, delivery_failed …
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?")


def enum_label(value) -> str:
    """A state, method or kind as the reader says it ("delivery failed", "giao thất bại"), from
    the enum member or its stored value (Flask-AppBuilder hands lists the bare value)."""
    if value is None or value == "":
        return ""
    text = str(value.value if isinstance(value, enum.Enum) else value).replace("_", " ")
    if not has_request_context():
        return text
    from flask_babel import gettext
    return gettext(text)


def format_vat_breakdown(value):
    """An invoice's per-rate VAT breakdown as a small table (rate, amount before VAT, VAT)."""
    if not value:
        return ""
    from flask_babel import gettext
    from markupsafe import Markup, escape
    head = "".join(f"<th>{escape(h)}</th>"
                   for h in (gettext("VAT rate"), gettext("Amount before VAT"), gettext("VAT")))
    rows = []
    for part in value if isinstance(value, list) else []:
        rate = str(part.get("rate", ""))
        rate = f"{rate} %" if rate.isdigit() else rate
        rows.append("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in (
            rate, format_vnd(part.get("amount")), format_vnd(part.get("tax")))) + "</tr>")
    return Markup('<table class="table table-condensed oh-vat-breakdown"><thead><tr>'
                  f'{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def format_status_reading(value):
    """A parcel's state in the reader's words, the carrier's own code after it in small print."""
    if not value:
        return ""
    from markupsafe import Markup, escape
    status, code = value
    label = escape(enum_label(status)) if status is not None else ""
    if not code:
        return label
    return Markup(f'{label} <small class="text-muted oh-carrier-code">{escape(code)}</small>')
