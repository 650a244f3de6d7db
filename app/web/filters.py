"""Template filters: money in VND and times in the seller's zone, in the user's language."""
from __future__ import annotations


def register_filters(app) -> None:
    from app.web.formatting import change_lines, enum_label, format_datetime, format_vnd

    from app.web.i18n import note_text

    app.add_template_global(change_lines, "change_lines")
    app.add_template_filter(note_text, "note")

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

    @app.template_filter("address_problem")
    def address_problem(order) -> str:
        """Why the order's address cannot be used yet, in the reader's language ("" when it can)."""
        from app.services.addresses import problem_of
        from app.web.i18n import error_text
        problem = problem_of(order)
        return error_text(problem) if problem is not None else ""
