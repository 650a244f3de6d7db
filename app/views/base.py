"""What every OrderHub CRUD view shares: the permission mapping, eager-loaded lists, one-query
multi-select actions, optimistic locking on edit, friendly errors, CSV export and the audit trail."""
from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask import Response, abort, flash, g, redirect, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext
from flask_babel.speaklater import LazyString
from flask_appbuilder.urltools import (get_filter_args, get_order_args, get_page_args,
                                       get_page_size_args)
from wtforms import HiddenField

from app.extensions import db
from app.models import AuditLog
from app.security import scope
from app.security.roles import METHOD_PERMISSIONS
from app.services.editing import check_version
from app.services.errors import DomainError
from app.services.record_rules import check_record
from app.views.sort_keys import CheckedSort
from app.web.i18n import error_text, field_errors


class OrderHubModelView(CheckedSort, ModelView):
    """Subclasses set ``datamodel``, ``class_permission_name`` and the column lists."""

    method_permission_name = dict(METHOD_PERMISSIONS)
    # No OrderHub record has an uploaded-file column, and FAB's download endpoint answers any name
    # that is not one of its upload file names with a 500: do not serve it.
    exclude_route_methods = {"download"}
    page_size = 25
    list_template = "orderhub/list.html"  # with its Export CSV button
    show_template = "orderhub/show.html"
    # Tables whose audit rows appear on the show page: (table name, FK from those rows to this record)
    audit_tables: tuple[str, ...] = ()
    job_target_type: str | None = None  # e.g. "order": the record page lists the jobs that ran on it
    action_links: dict = {}  # action name → pk → address of its own page (see __init__)
    versioned = False

    def __init__(self, **kwargs):
        # Form pages of an action are granted by the action's permission: each class in the MRO
        # may declare permission_aliases = {"<method>": "<action>"}.
        merged = dict(METHOD_PERMISSIONS)
        for klass in reversed(type(self).__mro__):
            merged.update(klass.__dict__.get("permission_aliases", {}))
        self.method_permission_name = merged
        self.formatters_columns = {**_default_formatters(self.datamodel.obj),
                                   **(self.formatters_columns or {})}
        if getattr(self.datamodel.obj, "version", None) is not None:
            self.versioned = True
            self.edit_form_extra_fields = dict(self.edit_form_extra_fields or {})
            self.edit_form_extra_fields["version_seen"] = HiddenField()
            if self.edit_columns:
                self.edit_columns = list(self.edit_columns) + ["version_seen"]
        explicit_show = bool(self.show_columns or self.show_fieldsets)
        scope.apply_to(self, scope.VIEW_RELATION_FILTERS)  # warehouse scope: app/security/scope.py
        super().__init__(**kwargs)
        # FAB labels the table's columns and the list's; a computed field shown only on the record
        # page ("cost") would read "None".
        self._gen_labels_columns(list(self.show_columns or []) + [
            f for _title, spec in (self.show_fieldsets or []) for f in spec.get("fields", [])])
        if not explicit_show:
            # A record's own page lists its children in the related tabs below; as a field they
            # would only print a Python list.
            self.show_columns = [c for c in self.show_columns
                                 if not (self.datamodel.is_relation(c)
                                         and self.datamodel.is_relation_one_to_many(c))]
        for item in self.actions.values():  # FAB shows an action's question as given
            if isinstance(item.confirmation, str) and item.confirmation:
                item.confirmation = lazy_gettext(item.confirmation)
            if isinstance(item.text, str) and item.text:  # and its label, where not a template
                item.text = lazy_gettext(item.text)
            # An action that sends the browser to another site is a GET link on the record page
            # (templates/appbuilder/general/lib.html): a form's answer may not redirect elsewhere
            # under the Content-Security-Policy's form-action.
            item.link = self.action_links.get(item.name)
        for col, label in list(self.label_columns.items()):  # labels a view spells out itself
            if isinstance(label, str):
                self.label_columns[col] = lazy_gettext(label)
        for attr in ("show_fieldsets", "add_fieldsets", "edit_fieldsets"):
            fieldsets = getattr(self, attr, None)
            if fieldsets:
                setattr(self, attr, [(lazy_gettext(t) if isinstance(t, str) else t, spec)
                                     for t, spec in fieldsets])

    # --- the reader's language ----------------------------------------------------------------
    # FAB makes column labels and page titles from names ("buyer_email" → "Buyer Email", "List
    # Order") as plain strings; ours are looked up in the reader's catalogue when shown.
    # (bin/check_translations.py collects them from the running app for the catalogues.)
    def _gen_labels_columns(self, list_columns):
        super()._gen_labels_columns(list_columns)
        for col in list_columns:
            label = self.label_columns.get(col)
            if isinstance(label, str):
                self.label_columns[col] = lazy_gettext(label)

    def _init_titles(self):
        noun = self._prettify_name(self.datamodel.model_name)
        for attr, verb in (("list_title", "List"), ("show_title", "Show"), ("add_title", "Add"),
                           ("edit_title", "Edit")):
            value = getattr(self, attr)
            if not value:
                setattr(self, attr, LazyString(_title, verb, noun))
            elif isinstance(value, str):
                setattr(self, attr, lazy_gettext(value))
        self.title = self.list_title

    # --- editing ----------------------------------------------------------------------------
    def prefill_form(self, form, pk):
        if self.versioned and hasattr(form, "version_seen"):
            item = self.datamodel.get(pk)
            form.version_seen.data = item.version if item else ""

    def process_form(self, form, is_created):
        if self.versioned and not is_created and hasattr(form, "version_seen"):
            g.version_seen = form.version_seen.data

    def pre_add(self, item):
        check_record(item)

    def pre_update(self, item):
        if self.versioned:
            check_version(item, getattr(g, "version_seen", None), self.datamodel.obj.__name__)
        check_record(item)

    # FAB's add and edit flash a refusal and redirect, losing what the clerk typed; ours show the
    # form again with each message on the field it names (or above the form), and write nothing.
    def _add(self):
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate():
                self.process_form(form, True)
                item = self.datamodel.obj()
                if self._saved(form, lambda: self._do_add(form, item)):
                    return None
        else:
            self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    @staticmethod
    def _populate(form, item) -> None:
        """The form's values onto the record (the version seen is a check, not a value)."""
        for name, field in form._fields.items():
            if name != "version_seen":
                field.populate_obj(item, name)

    def _do_add(self, form, item):
        self._populate(form, item)
        self.pre_add(item)
        self.datamodel.add(item)
        self.post_add(item)
        flash(str(self.add_row_message), "success")

    def _edit(self, pk):
        pages, page_sizes, orders = get_page_args(), get_page_size_args(), get_order_args()
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            self._fill_form_exclude_cols(exclude_cols, form)
            form._id = pk
            if form.validate():
                self.process_form(form, False)
                if self._saved(form, lambda: self._do_edit(form, item)):
                    return None
        else:
            form = self.edit_form.refresh(obj=item)
            self.prefill_form(form, pk)
        widgets = self._get_edit_widget(form=form, exclude_cols=exclude_cols)
        widgets = self._get_related_views_widgets(item, filters={}, orders=orders, pages=pages,
                                                  page_sizes=page_sizes, widgets=widgets)
        self.update_redirect()
        return widgets

    def _do_edit(self, form, item):
        self._populate(form, item)
        self.pre_update(item)
        self.datamodel.edit(item)
        self.post_update(item)
        flash(str(self.edit_row_message), "success")

    def _delete(self, pk):
        """FAB's delete, with a refusal (a rule, a record still in use) in the reader's words."""
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        try:
            self.pre_delete(item)
            self.datamodel.delete(item)
            self.post_delete(item)
            flash(str(self.delete_row_message), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(error_text(exc), "danger")
        self.update_redirect()

    def _saved(self, form, save) -> bool:
        """Run ``save``; on a refusal roll back and put its messages on the form's fields."""
        try:
            save()
            return True
        except DomainError as exc:
            db.session.rollback()
            errors = field_errors(exc) or {"": [error_text(exc)]}
            for field, messages in errors.items():
                target = getattr(form, field, None) or getattr(form, field.removesuffix("_id"), None)
                if target is not None and hasattr(target, "errors"):
                    target.errors = list(target.errors or []) + messages
                else:
                    for message in messages:
                        flash(gettext("%(field)s: %(messages)s", field=field, messages=message)
                              if field else message, "danger")
            return False

    # --- the buttons a record page offers ------------------------------------------------------
    def offered(self, name: str, item) -> bool:
        """Whether the record's state allows the action now (app/services/record_actions.py);
        the role's permission is checked by the page as before."""
        from app.services.record_actions import offered
        return offered(item, name)

    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        widgets = widgets or {}
        actions = {name: a for name, a in (actions or self.actions).items()
                   if self.offered(name, item)}
        widgets["show"] = self.show_widget(
            pk=pk, label_columns=self.label_columns, include_columns=self.show_columns,
            value_columns=self.datamodel.get_values_item(item, self.show_columns),
            formatters_columns=self.formatters_columns, actions=actions,
            fieldsets=show_fieldsets or self.show_fieldsets,
            modelview_name=self.__class__.__name__)
        return widgets

    # --- multi-select actions ---------------------------------------------------------------
    @expose("/action_post", methods=["POST"])
    def action_post(self):
        name = request.form.get("action", "")
        action = self.actions.get(name)
        if action is None:
            flash(gettext("Unknown action."), "danger")
            return redirect(self.get_redirect())
        permission_name = self.get_action_permission_name(name)
        if not self.appbuilder.sm.has_access(permission_name, self.class_permission_name):
            flash(gettext("You are not allowed to do that."), "danger")
            return redirect(self.get_redirect())
        items = self.datamodel.get_many(request.form.getlist("rowid"), self._base_filters)
        return action.func(items)

    @expose("/action/<string:name>/<pk>", methods=["POST"])
    def action(self, name, pk):
        """A single-record action (POST only, CSRF-checked), on a record the user may see."""
        action = self.actions.get(name)
        if action is None:
            flash(gettext("Unknown action."), "danger")
            return redirect(self.get_redirect())
        permission_name = self.get_action_permission_name(name)
        if not self.appbuilder.sm.has_access(permission_name, self.class_permission_name):
            flash(gettext("You are not allowed to do that."), "danger")
            return redirect(self.get_redirect())
        item = self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
        if item is None:
            abort(404)
        return action.func(item)

    def get_scoped(self, pk):
        """The record ``pk`` if the user may see it under this view's row rules, else a 404.

        Custom pages (forms of an action, PDFs) load their record here, never with a bare
        ``session.get``, so a clerk assigned to one warehouse cannot reach another's records by URL.
        """
        item = self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters)
        if item is None:
            abort(404)
        return item

    def run_service(self, fn, *args, success: str | None = None, **kwargs):
        """Call one service function; a domain error becomes a flash message, never a 500."""
        try:
            result = fn(*args, **kwargs)
        except DomainError as exc:
            db.session.rollback()
            flash(error_text(exc), "danger")
            return None
        if success:
            flash(success, "success")
        return result

    def tile_filters(self, filters):
        """The list's filters, narrowed as the dashboard tile it was opened from (tile_filter)."""
        return filters

    # --- CSV export -------------------------------------------------------------------------
    @expose("/export_csv")
    @has_access
    def export_csv(self):
        """The current filtered, ordered list as CSV (list columns, row filters applied)."""
        get_filter_args(self._filters)
        order_column, order_direction = self.base_order or ("", "")
        orders = get_order_args().get(self.__class__.__name__)
        if orders and orders[0] in (self.order_columns or ()):
            order_column, order_direction = orders
        joined = self.tile_filters(self._filters.get_joined_filters(self._base_filters))
        _, items = self.datamodel.query(joined, order_column, order_direction)
        out = io.StringIO()
        writer = csv.writer(out)
        columns = list(self.list_columns)
        writer.writerow([str(self.label_columns.get(c, c)) for c in columns])
        for item in items:
            writer.writerow([_csv_value(item, c) for c in columns])
        name = self.class_permission_name.lower()
        return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})

    # --- show page with the audit trail ------------------------------------------------------
    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        pk = self._deserialize_pk_if_composite(pk)
        widgets = self._show(pk)
        audit_rows = self.audit_rows(pk) if self.audit_tables else None
        job_rows = None
        if self.job_target_type:
            from app.services.jobs import jobs_for
            job_rows = jobs_for(db.session, self.job_target_type, int(pk))
        return self.render_template(self.show_template, pk=pk, title=self.show_title,
                                    widgets=widgets, related_views=self._related_views,
                                    audit_rows=audit_rows, job_rows=job_rows)

    def audit_rows(self, pk) -> list:
        """The record's own changes and those of its parts (an order's lines, shipments…)."""
        table = self.datamodel.obj.__tablename__
        own = sa.and_(AuditLog.table_name == table, AuditLog.record_id == int(pk))
        parts = sa.and_(AuditLog.parent_table == table, AuditLog.parent_id == int(pk))
        return list(db.session.scalars(
            sa.select(AuditLog).where(sa.or_(own, parts)).order_by(AuditLog.id.desc()).limit(200)))


def _title(verb: str, noun: str) -> str:
    """ "List" + "Order" → "List Order", "Danh sách Đơn hàng" (the verb leads in both)."""
    return f"{gettext(verb)} {gettext(noun)}"


def _csv_value(item, column: str):
    value = item
    for part in column.split("."):
        value = getattr(value, part, None) if value is not None else None
    if callable(value):
        value = value()
    if value is None:
        return ""
    return getattr(value, "value", value)


def start_job_from_view(kind: str, title: str, target_type: str, ids: list[int],
                        queue: str = "bulk", params: dict | None = None, **title_values):
    """Create a Job for the selected rows, enqueued after this request's commit; returns it.
    ``title`` is an N_ template filled from ``title_values`` (each reader sees it in their
    language)."""
    from app.services.jobs import start_job
    from jobs.queue import enqueue_after_commit
    job = start_job(db.session, kind, title, target_type=target_type, target_ids=ids,
                    params=params, queue=queue, enqueue=enqueue_after_commit,
                    title_params=title_values)
    db.session.commit()
    return job


def _default_formatters(model) -> dict:
    """Money as VND, times in the shop's zone, enums readable and no "None" anywhere."""
    from app.web.formatting import (enum_label, format_datetime, format_percent, format_plain,
                                    format_vat_rate, format_vnd)
    out = {}
    for attr in sa.inspect(model).column_attrs:
        col = attr.columns[0]
        kind = getattr(col, "type", None)
        if attr.key == "vat_rate":
            out[attr.key] = format_vat_rate
        elif attr.key == "needs_attention":  # an order's note, in the reader's language
            from app.web.i18n import note_text
            out[attr.key] = note_text
        elif isinstance(kind, sa.Enum):
            out[attr.key] = enum_label
        elif isinstance(kind, sa.Numeric) and getattr(kind, "scale", None) == 0:
            out[attr.key] = format_vnd
        elif isinstance(kind, (sa.DateTime, sa.Date)):
            out[attr.key] = format_datetime
        else:
            out[attr.key] = format_plain
    for rel in sa.inspect(model).relationships:  # a missing customer shows empty, not "None"
        out.setdefault(rel.key, format_plain)
    for name in dir(model):  # computed money properties (profit, price, cost…)
        if name in ("profit", "price", "cost", "difference"):
            out.setdefault(name, format_vnd)
        elif name == "margin":
            out.setdefault(name, format_percent)
        elif isinstance(getattr(model, name, None), property):  # flags, lists, phrases
            out.setdefault(name, format_plain)
    return out
