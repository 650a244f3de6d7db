"""Search by phone number in the lists: "starts with" and "ends with" typed as a clerk reads a
number ("0912 345", "…345 678"), answered from an index at any size.

Phone numbers are digits, so these compare with LIKE (which a ``varchar_pattern_ops`` index
serves) rather than FAB's ILIKE (which no b-tree can); "ends with" compares the reversed number
with the reversed digits on PostgreSQL, where ``ix_sales_order_buyer_phone_reversed`` indexes it.
Spaces, dots and dashes typed in the value are dropped.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask_appbuilder.models.sqla.filters import FilterEndsWith, FilterStartsWith, get_field_setup_query

PHONE_COLUMNS = ("buyer_phone",)


def digits(value) -> str:
    text = " ".join(value) if isinstance(value, (list, tuple)) else str(value or "")
    return re.sub(r"[\s.\-()]", "", text)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class PhoneStartsWith(FilterStartsWith):
    def apply(self, query, value):
        query, field = get_field_setup_query(query, self.model, self.column_name)
        return query.filter(field.like(_escaped(digits(value)) + "%", escape="\\"))


class PhoneEndsWith(FilterEndsWith):
    def apply(self, query, value):
        query, field = get_field_setup_query(query, self.model, self.column_name)
        typed = digits(value)
        if query.session.get_bind().dialect.name == "postgresql":
            return query.filter(sa.func.reverse(field).like(_escaped(typed[::-1]) + "%",
                                                            escape="\\"))
        return query.filter(field.like("%" + _escaped(typed), escape="\\"))


def phone_filters(filters: list) -> list:
    """FAB's string filters for a phone column with the first two (starts / ends with) replaced,
    in the same places, so addresses like ``_flt_0_buyer_phone=0912`` keep their meaning."""
    swap = {FilterStartsWith: PhoneStartsWith, FilterEndsWith: PhoneEndsWith}
    return [swap[type(f)](f.column_name, f.datamodel) if type(f) in swap else f for f in filters]
