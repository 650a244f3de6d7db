"""The one form of an account's connection (admins only): every setting its provider's client reads,
labelled and checked, secrets write-only (a password field never prefilled, "set / not set" beside
it), and "Test connection" — for carrier and e-invoice accounts and for a channel's app credentials.
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext

from app.extensions import db
from app.services.connection_check import check_connection, testable
from app.services.connection_settings import describe, fields_of, save
from app.services.errors import DomainError
from app.web.i18n import error_text, field_errors


def form_values(fields, form) -> dict:
    """What the form sent, as {field key: text}. A tick box comes with a hidden "0" before it, so
    an unticked box is a "no" and a field the form did not have is left as it is."""
    return {field.key: form.getlist(field.key)[-1] for field in fields if field.key in form}


def flash_saved(record, changed: list[str]) -> None:
    labels = {f.key: f.label for f in fields_of(record)}
    if changed:
        flash(gettext("Settings saved: %(fields)s.", fields=", ".join(gettext(labels[k]) for k in changed)),
              "success")
    else:
        flash(gettext("Nothing changed."), "info")


def flash_check(check) -> None:
    flash(check.text(gettext), "success" if check.ok else "danger")


class CredentialsActions:
    """Mixed into ChannelView and ProviderAccountView (permissions ``set_credentials`` and
    ``test_connection``: admins only)."""

    permission_aliases = {"credentials_form": "set_credentials", "test_connection": "test_connection"}

    @action("set_credentials", lazy_gettext("Connection settings"), None, "fa-key", multiple=False)
    def set_credentials_action(self, items):
        item = items[0] if isinstance(items, list) else items
        return redirect(url_for(f"{type(self).__name__}.credentials_form", pk=item.id))

    def _show_url(self, pk) -> str:
        return url_for(f"{type(self).__name__}.show", pk=pk)

    @expose("/credentials/<int:pk>", methods=["GET", "POST"])
    @has_access
    def credentials_form(self, pk):
        record = self.get_scoped(pk)
        if request.method != "POST":
            return self.render_connection_form(record)
        values = form_values(fields_of(record), request.form)
        try:
            changed = save(db.session, record, values)
        except DomainError as exc:
            db.session.rollback()
            return self.render_connection_form(record, values=values, errors=field_errors(exc)
                                               or {"": [error_text(exc)]})
        flash_saved(record, changed)
        if request.form.get("then") == "test":
            flash_check(check_connection(db.session, record))
        return redirect(self._show_url(pk))

    @expose("/test-connection/<int:pk>", methods=["POST"])
    @has_access
    def test_connection(self, pk):
        record = self.get_scoped(pk)
        flash_check(check_connection(db.session, record))
        if request.form.get("back") == "form":
            return redirect(url_for(f"{type(self).__name__}.credentials_form", pk=pk))
        return redirect(self._show_url(pk))

    def render_connection_form(self, record, *, values=None, errors=None, provider_title="", action_url=None):
        """The form (again, with what was typed and each refusal on its field: answered 200 like
        every form of the panel, so the browser shows the page, not an error)."""
        groups = describe(db.session, record)
        return self.render_template(
            "orderhub/connection_form.html", record=record, groups=groups, values=values or {},
            errors=errors or {}, action_url=action_url or url_for(f"{type(self).__name__}.credentials_form",
                                                                  pk=record.id),
            test_url=url_for(f"{type(self).__name__}.test_connection", pk=record.id)
            if record.id and testable(record) else None,
            back=self._show_url(record.id) if record.id else url_for(f"{type(self).__name__}.list"),
            provider_title=provider_title, can_test=testable(record))
