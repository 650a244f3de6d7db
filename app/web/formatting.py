"""How money, times and empty values look to the user, by language.

VND has no minor unit: ``1.250.000 ₫`` in Vietnamese, ``1,250,000 ₫`` in English. Times are stored
in UTC and shown in the shop's zone (Asia/Ho_Chi_Minh by default): ``22/11/2026 14:05`` in
Vietnamese, ``2026-11-22 14:05`` in English.
"""
from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context


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
    return value


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
