"""Order lifecycle actions on the REST API: /api/v1/order/<id>/<action> (SPEC §8)."""
from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe

from app.api.actions import json_body, out_of_scope, run_action
from app.api.service_records import ServiceRecordApi
from app.extensions import db
from app.services import order_editing, order_entry, orders, returns
from app.models import Order, PaymentMethod
from app.services.errors import N_, DomainError, ValidationError
from app.web.formatting import reader_language
from app.web.i18n import error_text
from app.services.pricing import whole_dong


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
        """Marked paid; a COD order only by a supervisor (``pay_cod``), with the amount received
        and its reference."""
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        body = json_body()
        cod = db.session.get(Order, pk).payment_method == PaymentMethod.COD
        if cod and not self.appbuilder.sm.has_access("can_pay_cod", self.class_permission_name):
            return self.response(403, message=error_text(DomainError(
                orders.COD_PAID_BY_STATEMENT, number=db.session.get(Order, pk).number)))
        order, error = run_action(self, _pay, db.session, pk, body.get("amount"),
                                  body.get("reference"), cod)
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
        reason = body.get("reason")
        order, error = run_action(self, orders.cancel_order, db.session, pk,
                                  reason=reason if isinstance(reason, str) else "",
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
                                warehouse_id=body.get("warehouse_id"),
                                kind=body.get("kind", "return"),
                                refund_amount=body.get("refund_amount"),
                                exchange_lines=body.get("exchange_lines") or ())
        return error or self.response(201, return_id=ret.id, number=ret.number,
                                      status=ret.status.value)


def _pay(session, order_id, amount, reference, cod):
    return orders.take_payment(session, order_id, cod=cod, reference=reference,
                               amount=whole_dong(amount, "amount", allow_none=True,
                                                 locale=reader_language()))


class OrderRecordApi(ServiceRecordApi):
    """POST/PUT/DELETE /api/v1/order/: through order_entry.create_order and order_editing."""

    def service_add(self, values):
        return order_entry.create_order(db.session, **values)

    def service_edit(self, pk, values, version):
        return order_editing.edit_order(db.session, pk, version=version, **values)

    def service_delete(self, pk):
        return order_editing.delete_order(db.session, pk)


class OrderLineRecordApi(ServiceRecordApi):
    """POST/PUT/DELETE /api/v1/order_line/: reservations follow on a processing order; "version"
    is the order's, as the client read it."""

    def service_add(self, values):
        for snapshot in ("sku", "name"):
            if values.pop(snapshot, None) not in (None, ""):
                raise ValidationError(snapshot, N_("The SKU and name are taken from the variant."))
        return order_editing.add_order_line(
            db.session, values.pop("order_id", None), variant_id=values.pop("variant_id", None),
            quantity=values.pop("quantity", None), **values)

    def service_edit(self, pk, values, version):
        return order_editing.change_order_line(db.session, pk, version=version, **values)

    def service_delete(self, pk):
        return order_editing.remove_order_line(db.session, pk)


class ReturnRecordApi(ServiceRecordApi):
    """Returns are created only by POST /api/v1/order/<id>/return (which checks what was
    delivered and what may be refunded); the resource itself is read-only apart from its reason
    (app.api.resources offers it without POST and DELETE)."""

    def service_edit(self, pk, values, version):
        extra = sorted(set(values) - {"reason"})
        if extra:
            raise ValidationError(extra[0], N_("Only the reason of a return can be edited; its "
                                               "lines and refund follow its own actions."))
        return returns.edit_return_reason(db.session, pk, values.get("reason"), version=version)


ORDER_ACTION_PERMISSIONS = {"confirm": "confirm", "pack": "pack", "pay": "pay",
                            "complete": "complete", "cancel": "cancel", "create_return": "return"}


MIXINS = {"order": [(OrderLifecycleActions, ORDER_ACTION_PERMISSIONS), (OrderRecordApi, {})],
          "order_line": [(OrderLineRecordApi, {})],
          "return_request": [(ReturnRecordApi, {})]}
