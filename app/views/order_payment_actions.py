"""The order page's "Record COD payment": a COD order's money is with the carrier, so paying it by
hand (when no carrier statement covers it) is a supervisor's step with the amount received and
its reference, never a clerk's click → orders.take_payment(cod=True)."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _, lazy_gettext

from app.extensions import db
from app.services import orders
from app.views.form_input import money_amount, parse_or_flash


class OrderPaymentActions:
    """Mixed into OrderView."""

    permission_aliases = {"pay_cod_form": "pay_cod"}

    @action("pay_cod", lazy_gettext("Record COD payment"), "", "fa-money", multiple=False)
    def pay_cod(self, items):
        order = items[0] if isinstance(items, list) else items
        return redirect(url_for("OrderView.pay_cod_form", pk=order.id))

    @expose("/pay_cod/<int:pk>", methods=["GET", "POST"])
    @has_access
    def pay_cod_form(self, pk):
        order = self.get_scoped(pk)
        if request.method == "POST":
            amount = parse_or_flash(money_amount, request.form.get("amount"), "amount")
            if amount is not None and self.run_service(
                    orders.take_payment, db.session, pk, amount=amount, cod=True,
                    reference=(request.form.get("reference") or "").strip(),
                    success=_("Payment recorded.")) is not None:
                return redirect(url_for("OrderView.show", pk=pk))
            order = self.get_scoped(pk)
        due = max(0, int(order.total or 0) - int(order.paid_amount or 0))
        return self.render_template("orderhub/pay_cod.html", order=order, due=due,
                                    form=request.form)


ORDER_VIEW_MIXIN = OrderPaymentActions
