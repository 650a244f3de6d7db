"""Order lifecycle actions on the REST API: /api/v1/order/<id>/<action> (SPEC §8)."""
from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe

from app.api.actions import json_body, out_of_scope, run_action
from app.extensions import db
from app.services import orders, returns


def _lines(results) -> list[dict]:
    return [{"line_id": r.line_id, "sku": r.sku, "reserved": r.reserved, "short_by": r.short_by,
             "status": r.status} for r in results]


class OrderLifecycleActions:
    """Mixed into the ``order`` ModelRestApi; each endpoint is permitted as ``can_<action>``."""

    @expose("/<int:pk>/confirm", methods=["POST"])
    @protect()
    @safe
    def confirm(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        body = json_body()
        results, error = run_action(self, orders.confirm_order, db.session, pk,
                                    version=body.get("version"))
        if error:
            return error
        short = [r for r in results if r.short_by]
        return self.response(200, status="processing", lines=_lines(results),
                             message="Every line reserved." if not short else
                             f"{len(short)} line(s) short: a purchase order can be drafted.")

    @expose("/<int:pk>/pack", methods=["POST"])
    @protect()
    @safe
    def pack(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        order, error = run_action(self, orders.pack_order, db.session, pk,
                                  version=json_body().get("version"))
        return error or self.response(200, status=order.status.value)

    @expose("/<int:pk>/pay", methods=["POST"])
    @protect()
    @safe
    def pay(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        order, error = run_action(self, orders.mark_paid, db.session, pk,
                                  amount=json_body().get("amount"))
        return error or self.response(200, status=order.status.value,
                                      payment_status=order.payment_status.value)

    @expose("/<int:pk>/complete", methods=["POST"])
    @protect()
    @safe
    def complete(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        order, error = run_action(self, orders.complete_order, db.session, pk)
        return error or self.response(200, status=order.status.value)

    @expose("/<int:pk>/cancel", methods=["POST"])
    @protect()
    @safe
    def cancel(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        body = json_body()
        order, error = run_action(self, orders.cancel_order, db.session, pk,
                                  reason=str(body.get("reason") or "Cancelled"),
                                  version=body.get("version"))
        return error or self.response(200, status=order.status.value)

    @expose("/<int:pk>/return", methods=["POST"])
    @protect()
    @safe
    def create_return(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        body = json_body()
        ret, error = run_action(self, returns.create_return, db.session, pk,
                                body.get("lines") or [], reason=str(body.get("reason") or ""),
                                kind=body.get("kind", "return"),
                                refund_amount=body.get("refund_amount"),
                                exchange_lines=body.get("exchange_lines") or ())
        return error or self.response(201, return_id=ret.id, number=ret.number,
                                      status=ret.status.value)


ORDER_ACTION_PERMISSIONS = {"confirm": "confirm", "pack": "pack", "pay": "pay",
                            "complete": "complete", "cancel": "cancel", "create_return": "return"}


MIXINS = {"order": [(OrderLifecycleActions, ORDER_ACTION_PERMISSIONS)]}
