"""The order page's "Create return" button: a form listing what was delivered, with the quantity
and condition (good / damaged) of each line coming back, the reason, return or exchange (with the
replacement lines) and the refund → returns.create_return."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.extensions import db
from app.models import ItemCondition, Order, ProductVariant, ReturnKind
from app.services import returns
from app.services.errors import N_, ValidationError
from app.views.form_input import money_amount, parse_or_flash, run_form_service, whole_number
from app.web.formatting import enum_label, format_vnd

EXCHANGE_ROWS = 3


def _return_lines(form, order) -> list[dict]:
    lines = []
    for line in order.lines:
        qty = whole_number(form.get(f"qty_{line.id}"), f"{line.sku} quantity", blank=0)
        if qty:
            lines.append({"order_line_id": line.id, "quantity": qty,
                          "condition": form.get(f"condition_{line.id}", "good")})
    return lines


def _exchange_lines(form) -> list[dict]:
    lines = []
    for i in range(EXCHANGE_ROWS):
        sku = (form.get(f"ex_sku_{i}") or "").strip()
        if not sku:
            continue
        variant_id = db.session.scalar(sa.select(ProductVariant.id)
                                       .where(ProductVariant.sku == sku))
        if variant_id is None:
            raise ValidationError(f"exchange_lines[{i}].sku", N_("No variant has the SKU %(sku)s."),
                                  sku=repr(sku))
        lines.append({"variant_id": variant_id,
                      "quantity": whole_number(form.get(f"ex_qty_{i}"),
                                               f"exchange_lines[{i}].quantity", blank=1),
                      "unit_price": money_amount(form.get(f"ex_price_{i}"),
                                                 f"exchange_lines[{i}].unit_price")})
    return lines


class OrderReturnActions:
    """Mixed into OrderView (listed in ORDER_VIEW_MODULES)."""

    permission_aliases = {"create_return_form": "create_return"}

    @action("create_return", "Create return", "", "fa-undo", multiple=False)
    def create_return(self, items):
        order = items[0] if isinstance(items, list) else items
        return redirect(url_for("OrderView.create_return_form", pk=order.id))

    @expose("/return/<int:pk>", methods=["GET", "POST"])
    @has_access
    def create_return_form(self, pk):
        order = self.get_scoped(pk)
        if order is None:
            flash(gettext("No such order."), "danger")
            return redirect(url_for("OrderView.list"))
        if request.method == "POST":
            f = request.form
            lines = parse_or_flash(_return_lines, f, order)
            exchange = parse_or_flash(_exchange_lines, f) if f.get("kind") == "exchange" else []
            refund = parse_or_flash(money_amount, f.get("refund_amount"), "refund_amount")
            kind = f.get("kind") or "return"
            if kind not in {k.value for k in ReturnKind}:
                flash(gettext("kind: choose return or exchange."), "danger")
            elif lines is not None and exchange is not None and (
                    refund is not None or not (f.get("refund_amount") or "").strip()):
                ret = run_form_service(returns.create_return, db.session, pk, lines,
                                       reason=f.get("reason", ""), kind=kind,
                                       refund_amount=refund, exchange_lines=exchange)
                if ret is not None:
                    if ret.exchange_order is not None:
                        message = gettext("%(number)s created for %(order)s; exchange order "
                                          "%(exchange)s; refund %(amount)s.", number=ret.number,
                                          order=order.number, exchange=ret.exchange_order.number,
                                          amount=format_vnd(ret.refund_amount))
                    else:
                        message = gettext("%(number)s created for %(order)s; refund %(amount)s.",
                                          number=ret.number, order=order.number,
                                          amount=format_vnd(ret.refund_amount))
                    flash(message, "success")
                    return redirect(url_for("ReturnRequestView.show", pk=ret.id))
            order = self.get_scoped(pk)
        elif order.status.value not in ("delivered", "completed"):
            flash(gettext("Cannot create a return for this order: it is %(status)s.",
                          status=enum_label(order.status)), "warning")
        return self.render_template("orderhub/create_return.html", order=order,
                                    lines=sorted(order.lines, key=lambda ln: ln.id),
                                    conditions=[c.value for c in ItemCondition],
                                    kinds=[k.value for k in ReturnKind],
                                    exchange_rows=range(EXCHANGE_ROWS), form=request.form)


ORDER_VIEW_MIXIN = OrderReturnActions
