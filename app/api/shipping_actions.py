"""Shipping on the REST API: POST /api/v1/order/<id>/ship and POST /api/v1/shipment/<id>/cancel.

``/ship`` takes an optional JSON body choosing carrier, service, cod_amount, weight_g, length_cm,
width_cm, height_cm, fee_payer, required_note, note, account_id (anything left out is prefilled from
the order); the draft shipment (its idempotency key) is written at once and the booking runs as a
job: 202 ``{"job_id", "shipment_id", "client_reference"}``. A refusal is 409/422 naming the field.
"""
from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe

from app.api.actions import json_body, out_of_scope, run_action, start_api_job
from app.extensions import db
from app.models import Order, Shipment
from app.services import shipments
from app.services.errors import N_, NotFound
from app.services.shipment_cancel import check_cancellable


def _prepare(pk: int, body: dict):
    order = db.session.get(Order, pk)
    if order is None:
        raise NotFound(f"Order #{pk} does not exist.")
    base = shipments.default_form(db.session, order, body.get("carrier") or None)
    form = shipments.parse_form(order, body, base)
    return shipments.prepare_shipment(db.session, pk, form)


class OrderShippingActions:
    @expose("/<int:pk>/ship", methods=["POST"])
    @protect()
    @safe
    def ship(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        shipment, error = run_action(self, _prepare, pk, json_body())
        if error:
            return error
        from jobs.queue import enqueue_after_commit
        from jobs.shipping import start_shipment_jobs
        [job] = start_shipment_jobs(db.session, [pk], enqueue=enqueue_after_commit,
                                    queue="integrations")
        db.session.commit()
        return self.response(202, job_id=job.id, status=job.status.value, title=job.title,
                             shipment_id=shipment.id, client_reference=shipment.client_reference)


class ShipmentActions:

    @expose("/<int:pk>/cancel", methods=["POST"])
    @protect()
    @safe
    def cancel(self, pk):
        if (denied := out_of_scope(self, pk)) is not None:
            return denied
        shipment = db.session.get(Shipment, pk)
        _, error = run_action(self, check_cancellable, shipment)
        if error:
            return error
        job = start_api_job("shipping.cancel_shipment", N_("Cancel shipment %(shipment)s"), "shipment",
                            [pk], queue="integrations",
                            params={"reason": str(json_body().get("reason") or "")[:200]},
                            shipment=shipment)
        return self.response(202, job_id=job.id, status=job.status.value, title=job.title)


class CodStatementActions:
    """``POST /api/v1/cod_reconciliation/import``: a carrier's COD statement file (multipart
    ``file``, ``carrier`` ghn | viettelpost, optional ``statement_ref``, or ``statement`` to add to
    a draft) → 201 with the draft statement and the report of every row it did not take."""

    @expose("/import", methods=["POST"])
    @protect()
    @safe
    def import_statement(self):
        from flask import request

        from app.services import cod_statements
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return self.response(422, message="Send the statement file as multipart 'file'.",
                                 errors={"file": ["Send the carrier's statement file."]})

        def run():
            rows = cod_statements.read_statement(upload.filename,
                                                 upload.read(cod_statements.MAX_BYTES + 1))
            return cod_statements.import_statement(
                db.session, request.form.get("carrier", ""), rows,
                statement_ref=request.form.get("statement_ref") or None,
                into=int(request.form["statement"]) if str(request.form.get("statement", "")).isdigit()
                else None)
        result, error = run_action(self, run)
        if error:
            return error
        rec, report = result
        return self.response(201 if rec is not None else 422,
                             id=rec.id if rec is not None else None,
                             number=rec.number if rec is not None else None,
                             report=report.as_dict(),
                             message=f"{len(report.matched)} parcels matched, "
                                     f"{report.problems} rows to check.")


MIXINS = {"order": [(OrderShippingActions, {"ship": "ship"})],
          "shipment": [(ShipmentActions, {"cancel": "cancel"})],
          "cod_reconciliation": [(CodStatementActions,
                                  {"import_statement": "confirm_reconciliation"})]}
