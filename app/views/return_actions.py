"""Return request buttons: receive the goods back (checking each line's condition), refund (a
supervisor), cancel. Each calls one service; refusals are flashed naming the return's state."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.extensions import db
from app.models import ItemCondition, RefundStatus, ReturnRequest, ReturnStatus
from app.services import returns
from app.views.form_input import money_amount, parse_or_flash, run_form_service
from app.web.formatting import enum_label, format_vnd

CONDITIONS = [c.value for c in ItemCondition]


def _one(items):
    return items[0] if isinstance(items, list) else items


class ReturnRequestActions:
    """Mixed into ReturnRequestView."""

    permission_aliases = {"receive_form": "receive_return", "refund_form": "refund"}

    def _back(self, return_id):
        return redirect(url_for("ReturnRequestView.show", pk=return_id))

    def _load(self, pk):
        request_ = self.get_scoped(pk)
        if request_ is None:
            flash(gettext("No such return."), "danger")
        return request_

    @action("receive_return", "Receive goods", "", "fa-download", multiple=False)
    def receive_return(self, items):
        return redirect(url_for("ReturnRequestView.receive_form", pk=_one(items).id))

    @expose("/receive/<int:pk>", methods=["GET", "POST"])
    @has_access
    def receive_form(self, pk):
        ret = self._load(pk)
        if ret is None:
            return redirect(url_for("ReturnRequestView.list"))
        if request.method == "POST":
            conditions = {ln.id: request.form.get(f"condition_{ln.id}", ln.condition.value)
                          for ln in ret.lines}
            done = run_form_service(returns.receive_return, db.session, pk, conditions=conditions)
            if done is not None:
                damaged = sum(ln.quantity for ln in done.lines
                              if ln.condition == ItemCondition.DAMAGED)
                good = sum(ln.quantity for ln in done.lines) - damaged
                message = gettext("%(number)s received: %(good)s unit(s) back in stock, "
                                  "%(damaged)s written off as damaged.", number=done.number,
                                  good=good, damaged=damaged)
                if done.refund_status == RefundStatus.PENDING:
                    message += " " + gettext("A refund is now due.")
                flash(message, "success")
                return self._back(pk)
            ret = self.get_scoped(pk)
        elif ret.status != ReturnStatus.REQUESTED:
            flash(gettext("Cannot receive this return: it is %(status)s.",
                          status=enum_label(ret.status)), "warning")
        return self.render_template("orderhub/receive_return.html", ret=ret,
                                    conditions=CONDITIONS, form=request.form)

    @action("refund", "Refund", "", "fa-money", multiple=False)
    def refund(self, items):
        return redirect(url_for("ReturnRequestView.refund_form", pk=_one(items).id))

    @expose("/refund/<int:pk>", methods=["GET", "POST"])
    @has_access
    def refund_form(self, pk):
        ret = self._load(pk)
        if ret is None:
            return redirect(url_for("ReturnRequestView.list"))
        if request.method == "POST":
            amount = parse_or_flash(money_amount, request.form.get("amount"), "amount")
            if amount is not None or not (request.form.get("amount") or "").strip():
                done = run_form_service(returns.refund_return, db.session, pk, amount=amount)
                if done is not None:
                    flash(gettext("%(number)s: %(amount)s refunded; the order is %(status)s.",
                                  number=done.number, amount=format_vnd(done.refund_amount),
                                  status=enum_label(done.order.payment_status)), "success")
                    return self._back(pk)
            ret = self.get_scoped(pk)
        elif ret.refund_status != RefundStatus.PENDING:
            state = (gettext("awaiting goods") if ret.status == ReturnStatus.REQUESTED
                     else enum_label(ret.status))
            flash(gettext("Cannot refund this return: it is %(state)s.", state=state), "warning")
        return self.render_template("orderhub/refund_return.html", ret=ret, form=request.form)

    @action("cancel", "Cancel", "Cancel this return request?", "fa-ban", multiple=False)
    def cancel(self, items):
        ret = _one(items)
        run_form_service(returns.cancel_return, db.session, ret.id,
                         success=gettext("%(number)s cancelled.", number=ret.number))
        return self._back(ret.id)
