"""Template filters: money in VND and times in the seller's zone, in the user's language."""
from __future__ import annotations


def register_filters(app) -> None:
    from app.web.formatting import enum_label, format_area_codes, format_datetime, format_vnd

    @app.template_filter("vnd")
    def vnd(value):
        """The number only (templates add the ₫ sign where they want it)."""
        return format_vnd(value).removesuffix(" ₫")

    @app.template_filter("localtime")
    def localtime(value):
        return format_datetime(value)

    @app.template_filter("state")
    def state(value):
        """A state, kind or method in the reader's words ("delivery_failed" → "giao thất bại")."""
        return enum_label(value)

    @app.template_filter("audit_value")
    def audit_value(value, field: str = ""):
        """A changed value in an audit trail as a person reads it (carrier area ids spelled out,
        never a Python dict)."""
        if field == "area_codes":
            return format_area_codes(value)
        return value

    @app.template_filter("address_problem")
    def address_problem(order) -> str:
        """Why the order's address cannot be used yet, in the reader's language ("" when it can)."""
        from app.services.addresses import problem_of
        from app.web.i18n import error_text
        problem = problem_of(order)
        return error_text(problem) if problem is not None else ""
