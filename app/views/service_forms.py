"""Generated add/edit/delete forms whose writes go through a service instead of straight into the
table (orders, order lines, purchase orders, goods receipts, stock count lines …).

Flask-AppBuilder's own ``_add``/``_edit``/``_delete`` copy the form onto the row and commit it,
which would skip the lifecycle rules (states, reservations, totals). Here the form is only read:
its values (related records as ids) go to the view's ``service_add``/``service_edit``/
``service_delete``; a refusal is shown on the field it names (``OrderHubModelView._saved``) and the
form again with what the user typed.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, request
from flask_appbuilder.urltools import get_filter_args

from app.extensions import db
from app.services.errors import DomainError, N_
from app.views.form_input import refusal_message


def form_values(model, form, columns) -> dict:
    """``{column: value}`` for the form's columns; a relation becomes ``<fk column>: id``."""
    mapper = sa.inspect(model)
    out = {}
    for name in columns:
        field = getattr(form, name, None)
        if field is None or name == "version_seen":
            continue
        value = field.data
        if name in mapper.relationships:
            rel = mapper.relationships[name]
            fk = next(iter(rel.local_columns)).key
            out[fk] = getattr(value, "id", value) if value not in ("", None) else None
        else:
            out[name] = getattr(value, "value", value) if hasattr(value, "value") and \
                not isinstance(value, str) else value
    return out


class ServiceForms:
    """Mixed into an OrderHubModelView; subclasses implement the service_* hooks they allow."""

    def service_add(self, values: dict):
        raise DomainError(N_("Records of this kind are created by their own action."))

    def service_edit(self, item, values: dict, version):
        raise NotImplementedError

    def service_delete(self, item):
        raise DomainError(N_("This record cannot be deleted; cancel it instead."))

    @staticmethod
    def _then_flash(message, fn, *args) -> None:
        fn(*args)
        flash(str(message), "success")

    def _call(self, fn, *args) -> bool:
        try:
            fn(*args)
        except DomainError as exc:
            db.session.rollback()
            flash(refusal_message(exc), "danger")
            return False
        return True

    def _add(self):
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate():
                values = form_values(self.datamodel.obj, form, self.add_columns)
                if self._saved(form, lambda: self._then_flash(self.add_row_message,
                                                              self.service_add, values)):
                    return None
        else:
            self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.get_scoped(pk)
        pk = self.datamodel.get_pk_value(item)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            self._fill_form_exclude_cols(exclude_cols, form)
            form._id = pk
            if form.validate():
                version = getattr(form, "version_seen", None)
                version = version.data if version is not None else None
                values = form_values(self.datamodel.obj, form, self.edit_columns)
                if self._saved(form, lambda: self._then_flash(self.edit_row_message,
                                                              self.service_edit, item, values,
                                                              version)):
                    return None
        else:
            form = self.edit_form.refresh(obj=item)
            self.prefill_form(form, pk)
            self.update_redirect()
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        return self._get_related_views_widgets(item, filters={}, orders={}, pages={},
                                               page_sizes={}, widgets=widgets)

    def _delete(self, pk):
        item = self.get_scoped(pk)
        if self._call(self.service_delete, item):
            flash(str(self.delete_row_message), "success")
        self.update_redirect()
