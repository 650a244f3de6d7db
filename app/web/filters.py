"""Template filters: money in VND and times in the seller's zone, in the user's language."""
from __future__ import annotations


def register_filters(app) -> None:
    from app.web.formatting import (change_lines, changed_value, enum_label, field_label,
                                    format_datetime, format_vnd, table_label)
    from app.web.i18n import note_text

    app.add_template_global(change_lines, "change_lines")
    app.add_template_filter(note_text, "note")
    app.template_filter("field_label")(field_label)
    app.template_filter("table_label")(table_label)

    @app.template_filter("vnd")
    def vnd(value):
        """The number only (templates add the ₫ sign where they want it)."""
        return format_vnd(value).removesuffix(" ₫")

    @app.template_filter("localtime")
    def localtime(value):
        return format_datetime(value)

    from app.web.i18n import message_text, phrase_text

    @app.template_filter("said")
    def said(value):
        """A job's title or error (a Phrase), or one of its messages, in the reader's language."""
        return message_text(value) if isinstance(value, dict) else phrase_text(value)

    @app.template_filter("changed")
    def changed(value):
        """One side of an audited change ("∅" when empty), never a Python repr."""
        return changed_value(value)

    @app.template_filter("permissions_text")
    def permissions_text(value):
        """A role's permissions (the matrix's rules or stored rows), one resource a line."""
        from app.security.readable import readable_permissions
        return readable_permissions(value)

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
