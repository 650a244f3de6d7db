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


def reader_language() -> str:
    """The reader's language ("vi", "en"): how numbers they type are read and shown to them."""
    return _language()


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
        return " · ".join(f"{_entry_label(path)}: {format_plain(v)}"
                          for path, v in _leaves("", value).items())
    return value


def _entry_label(path: str) -> str:
    """A settings entry by its form's label; any other key as the panel labels a column."""
    from app.services.connection_fields import setting_label
    label = setting_label(path)
    return _said(label) if label else field_label(path.rsplit(".", 1)[-1])


def format_percent(value) -> str:
    """A share such as a margin ("40.2 %" or 40.2) with the reader's decimal mark: "40,2 %" in
    Vietnamese; anything else ("–") as it is."""
    text = str(value).strip() if value is not None else ""
    number = text.removesuffix("%").strip()
    if not re.fullmatch(r"-?\d+(\.\d+)?", number):
        return text
    if _language() == "vi":
        number = number.replace(".", ",")
    return f"{number} %"


def format_vat_rate(value) -> str:
    """A VAT rate as printed on invoices: "10" → "10 %"; "KCT" (not taxable) and the like as they are."""
    text = "" if value is None else str(getattr(value, "value", value))
    return f"{text} %" if text.isdigit() else enum_label(value)


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


CARRIER_NAMES = {"ghn": "GHN", "viettelpost": "Viettel Post"}


def format_area_codes(value) -> str:
    """An order's carrier area ids: "GHN: province 202, district 1442, ward 144202"."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    from flask_babel import gettext
    labels = {"province_id": gettext("province"), "district_id": gettext("district"),
              "ward_code": gettext("ward"), "ward_id": gettext("ward")}
    parts = []
    for carrier, codes in value.items():
        if isinstance(codes, dict):
            ids = ", ".join(f"{labels.get(k, k)} {v}" for k, v in codes.items() if v not in (None, ""))
            parts.append(f"{CARRIER_NAMES.get(carrier, carrier)}: {ids}")
    return "; ".join(parts)


EMPTY = "∅"


def _leaves(prefix: str, value) -> dict:
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            out.update(_leaves(f"{prefix}.{key}" if prefix else str(key), inner))
        return out
    return {prefix: value}


def _shown(value) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, list):
        return "; ".join(", ".join(f"{k}: {_shown(v)}" for k, v in _leaves("", item).items())
                         if isinstance(item, dict) else _shown(item) for item in value) or EMPTY
    return changed_value(value)


def change_lines(field: str, pair) -> list[tuple[str, str, str]]:
    """An audit row's change of ``field`` as (name, old, new) lines a person reads: a JSON setting
    (``settings``) one line per value that changed (``settings.sender.phone: 09… → 08…``), never
    Python's writing of a dict or a list."""
    old, new = (list(pair) + [None, None])[:2] if isinstance(pair, (list, tuple)) else (None, pair)
    if isinstance(old, dict) or isinstance(new, dict):
        before = _leaves(field, old) if isinstance(old, dict) else {}
        after = _leaves(field, new) if isinstance(new, dict) else {}
        return [(key, _shown(before.get(key)), _shown(after.get(key)))
                for key in list(dict.fromkeys([*before, *after])) if before.get(key) != after.get(key)]
    if field == "area_codes":  # carrier area ids spelled out
        return [(field, format_area_codes(old) or EMPTY, format_area_codes(new) or EMPTY)]
    if field == "needs_attention":  # an order's note, in the reader's language
        from app.web.i18n import note_text
        old, new = note_text(old) or None, note_text(new) or None
    return [(field, _shown(old), _shown(new))]


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
