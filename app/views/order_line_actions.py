"""Adding and removing an order's lines from its page, while it is new or processing.

The "Add line" form (variant search, quantity, price defaulting to the variant's) and each line's
remove button post here (CSRF-checked); order_editing does the work, so a processing order's
reservations follow (a new line is reserved if stock allows, else shown short; a removed line gives
its stock back) and any other state is refused with a message naming it. The page's part is
templates/orderhub/_order_lines_edit.html, its script app/static/js/order_lines.js.
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired, Optional

from app.extensions import db
from app.models import OrderStatus, ProductVariant
from app.services import order_editing, orders
from app.services.amounts import QUANTITY, parse_id
from app.services.errors import DomainError
from app.services.reservations import line_result
from app.views.form_fields import AmountField
from app.views.form_input import refusal_message
from app.views.search_select import SearchSelectField
from app.web.formatting import reader_language
from app.web.i18n import error_text

EDITABLE = orders.ACTIONS["edit"][1]  # new, processing


class AddLineForm(FlaskForm):
    variant = SearchSelectField(
        lazy_gettext("Variant"), model=ProductVariant, endpoint="lookup.variants",
        validators=[InputRequired(lazy_gettext("Choose a product variant for this line."))])
    quantity = AmountField(lazy_gettext("Quantity"), kind=QUANTITY, default=1, validators=[
        InputRequired(lazy_gettext("The quantity must be a whole number above zero."))])
    unit_price = AmountField(lazy_gettext("Unit price"), validators=[Optional()])
    version = HiddenField()


def line_status_text(result) -> str:
    if result.short_by:
        return _("short by %(n)s", n=result.short_by)
    return _("reserved") if result.reserved else _("not reserved yet")


class OrderLineEditActions:
    """Mixed into OrderView: the order page's line editing."""

    permission_aliases = {"add_line": "edit_lines", "remove_line": "edit_lines"}

    def line_edit_context(self, order) -> dict | None:
        """What the page's line editing needs, or None when the lines cannot change now (state)
        or by this user."""
        sm = self.appbuilder.sm
        if order.status not in EDITABLE or not sm.has_access("can_edit_lines",
                                                              self.class_permission_name):
            return None
        form = AddLineForm(formdata=None, version=order.version)
        return {"form": form, "grouping": "." if reader_language() == "vi" else ","}

    @expose("/lines/<int:pk>/add", methods=["POST"])
    @has_access
    def add_line(self, pk):
        order = self.get_scoped(pk)
        form = AddLineForm()
        if not form.validate():
            for field, messages in form.errors.items():
                label = getattr(form, field).label.text if hasattr(form, field) else field
                for message in messages:
                    flash(_("%(field)s: %(messages)s", field=label, messages=message), "danger")
            return self._to_lines(order.id)
        try:
            line = order_editing.add_order_line(
                db.session, order.id, variant_id=form.variant.data.id,
                quantity=form.quantity.data, unit_price=form.unit_price.data,
                version=parse_id(form.version.data))
        except DomainError as exc:
            db.session.rollback()
            flash(refusal_message(exc), "danger")
            return self._to_lines(order.id)
        result = line_result(line)
        short = result.short_by and order.status == OrderStatus.PROCESSING
        flash(_("%(sku)s × %(quantity)s added: %(status)s", sku=line.sku, quantity=line.quantity,
                status=line_status_text(result) if order.status == OrderStatus.PROCESSING
                else _("not reserved yet")), "warning" if short else "success")
        return self._to_lines(order.id)

    @expose("/lines/<int:pk>/remove/<int:line_id>", methods=["POST"])
    @has_access
    def remove_line(self, pk, line_id):
        order = self.get_scoped(pk)
        line = next((ln for ln in order.lines if ln.id == line_id), None)
        if line is None:
            flash(_("Line #%(id)s is not on this order.", id=line_id), "danger")
            return self._to_lines(order.id)
        sku = line.sku
        try:
            order_editing.remove_order_line(db.session, line_id,
                                            version=parse_id(request.form.get("version")))
        except DomainError as exc:
            db.session.rollback()
            flash(error_text(exc), "danger")
            return self._to_lines(order.id)
        flash(_("%(sku)s removed from the order.", sku=sku), "success")
        return self._to_lines(order.id)

    @staticmethod
    def _to_lines(order_id):
        return redirect(url_for("OrderView.show", pk=order_id) + "#lines")


ORDER_VIEW_MIXIN = OrderLineEditActions
