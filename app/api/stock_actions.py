"""Purchasing, stock count and return actions on the REST API (SPEC §8):

POST /api/v1/purchase_order/<id>/approve          {"version": n}            → status
POST /api/v1/purchase_order/<id>/receive          {"lines": {po_line_id: qty}, "note": …,
                                                   "reserve_waiting": true}  → receipt, status
POST /api/v1/stock_count/<id>/finish              {"version": n}            → status
POST /api/v1/stock_count/<id>/post                {"version": n}            → variances
POST /api/v1/return_request/<id>/receive          {"conditions": {return_line_id: "good"|"damaged"}}
POST /api/v1/return_request/<id>/refund           {"amount": n}             → payment status
"""
from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe

from app.api.actions import json_body, out_of_scope, run_action
from app.api.service_records import ServiceRecordApi
from app.extensions import db
from app.services import orders, purchase_documents, purchasing, returns, stock_counts
from app.services.errors import N_, ValidationError


def _keyed_by_id(mapping, field: str) -> dict:
    """A JSON object's keys are strings: {"12": 3} → {12: 3}; anything else names the field."""
    if not isinstance(mapping, dict) or not mapping:
        raise ValidationError(field, N_("Send %(field)s as an object of id → value."), field=field)
    out = {}
    for key, value in mapping.items():
        try:
            out[int(key)] = value
        except (TypeError, ValueError):
            raise ValidationError(f"{field}[{key}]", N_("The key must be a numeric id.")) from None
    return out


def _receive(session, po_id, lines, note):
    return purchasing.receive_goods(session, po_id, _keyed_by_id(lines, "lines"), note=note)


class PurchaseOrderActions:
    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @safe
    def approve(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        po, error = run_action(self, purchasing.approve_purchase_order, db.session, pk,
                               version=json_body().get("version"))
        return error or self.response(200, number=po.number, status=po.status.value)

    @expose("/<int:pk>/receive", methods=["POST"])
    @protect()
    @safe
    def receive(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        body = json_body()
        receipt, error = run_action(self, _receive, db.session, pk, body.get("lines"),
                                    body.get("note"))
        if error:
            return error
        variant_ids = sorted({ln.variant_id for ln in receipt.lines})
        answer = {"receipt_id": receipt.id, "receipt_number": receipt.number,
                  "received": {str(ln.purchase_order_line_id): ln.quantity for ln in receipt.lines}}
        po = receipt.purchase_order
        answer["status"] = po.status.value
        answer["lines"] = [{"id": ln.id, "sku": ln.variant.sku, "quantity": ln.quantity,
                            "received_quantity": ln.received_quantity}
                           for ln in sorted(po.lines, key=lambda ln: ln.id)]
        if body.get("reserve_waiting", True):
            gained, error = run_action(self, orders.reserve_waiting_orders, db.session, variant_ids)
            if error:
                return error
            answer["reserved_orders"] = sorted(gained)
        return self.response(200, **answer)


class StockCountActions:
    @expose("/<int:pk>/finish", methods=["POST"])
    @protect()
    @safe
    def finish(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        count, error = run_action(self, stock_counts.finish_count, db.session, pk,
                                  version=json_body().get("version"))
        return error or self.response(200, number=count.number, status=count.status.value)

    @expose("/<int:pk>/post", methods=["POST"])
    @protect()
    @safe
    def post_count(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        variances, error = run_action(self, stock_counts.post_stock_count, db.session, pk,
                                      version=json_body().get("version"))
        if error:
            return error
        return self.response(200, status="posted", variances=[
            {"variant_id": v.variant_id, "sku": v.sku, "system_quantity": v.system_quantity,
             "counted_quantity": v.counted_quantity, "variance": v.variance, "posted": v.posted}
            for v in variances])


def _receive_return(session, return_id, conditions):
    if conditions is not None:
        conditions = _keyed_by_id(conditions, "conditions")
    return returns.receive_return(session, return_id, conditions=conditions)


def _refund(session, return_id, amount):
    return returns.refund_return(session, return_id, amount=amount)


class ReturnRequestActions:
    @expose("/<int:pk>/receive", methods=["POST"])
    @protect()
    @safe
    def receive(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        ret, error = run_action(self, _receive_return, db.session, pk,
                                json_body().get("conditions"))
        return error or self.response(200, number=ret.number, status=ret.status.value,
                                      refund_status=ret.refund_status.value)

    @expose("/<int:pk>/refund", methods=["POST"])
    @protect()
    @safe
    def refund(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        ret, error = run_action(self, _refund, db.session, pk, json_body().get("amount"))
        return error or self.response(200, number=ret.number, status=ret.status.value,
                                      refund_amount=int(ret.refund_amount),
                                      payment_status=ret.order.payment_status.value)


class PurchaseOrderRecordApi(ServiceRecordApi):
    """POST/PUT/DELETE /api/v1/purchase_order/: a draft may change; an approved PO keeps its
    supplier, warehouse and lines."""

    def service_add(self, values):
        return purchase_documents.create_purchase_order(db.session, **values)

    def service_edit(self, pk, values, version):
        return purchase_documents.edit_purchase_order(db.session, pk, version=version, **values)

    def service_delete(self, pk):
        return purchase_documents.delete_purchase_order(db.session, pk)


class GoodsReceiptRecordApi(ServiceRecordApi):
    def service_add(self, values):
        return purchase_documents.create_goods_receipt(db.session, **values)

    def service_edit(self, pk, values, version):
        return purchase_documents.edit_goods_receipt(db.session, pk, version=version, **values)

    def service_delete(self, pk):
        return purchase_documents.delete_goods_receipt(db.session, pk)


class StockCountRecordApi(ServiceRecordApi):
    """POST creates a count of every variant in the warehouse (with its snapshot); only the note
    may be edited afterwards."""

    def service_add(self, values):
        if values.get("scope"):
            raise ValidationError("scope", N_("The scope follows from what is counted; create a "
                                              "count by category or SKU prefix in the panel."))
        return stock_counts.create_stock_count(db.session, values.get("warehouse_id"),
                                               note=values.get("note"))

    def service_edit(self, pk, values, version):
        extra = sorted(set(values) - {"note"})
        if extra:
            raise ValidationError(extra[0], N_("Only the note of a stock count can be edited."))
        return stock_counts.edit_count_note(db.session, pk, values.get("note"), version=version)


MIXINS = {
    "purchase_order": [(PurchaseOrderActions, {"approve": "approve", "receive": "receive"}),
                       (PurchaseOrderRecordApi, {})],
    "goods_receipt": [(GoodsReceiptRecordApi, {})],
    "stock_count": [(StockCountActions, {"finish": "finish_count", "post_count": "post_count"}),
                    (StockCountRecordApi, {})],
    "return_request": [(ReturnRequestActions, {"receive": "receive_return", "refund": "refund"})],
}
