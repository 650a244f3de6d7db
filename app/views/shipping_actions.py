"""Shipment and COD-statement buttons: refresh tracking, cancel, print label(s), receive a returned
parcel back (good / damaged), build a COD statement from selected shipments, enter what the carrier
paid, confirm it. External calls run as jobs; each button calls one service."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, current_app, flash, redirect, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import CodReconciliation, Order, Shipment, ShipmentStatus
from app.services import cod, cod_statements, shipment_labels, tracking
from app.services.carrier_clients import CARRIER_NAMES
from app.services.errors import N_, DomainError
from app.services.shipment_cancel import check_cancellable
from app.web.formatting import reader_language
from app.web.i18n import error_text, field_errors
from app.views.base import start_job_from_view
from app.views.cod_report import MAX_UPLOAD, cod_draft, import_summary, report_lines
from app.views.order_shipping_actions import pdf_response


def _many(items):
    return items if isinstance(items, list) else [items]


class _FormPagesAllowed:
    """Views with an explicit ``base_permissions`` must list their form pages' grants too."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        extra = []
        for klass in type(self).__mro__:
            extra += [f"can_{p}" for p in klass.__dict__.get("permission_aliases", {}).values()]
        self.base_permissions = list(dict.fromkeys(list(self.base_permissions or []) + extra))


class ShipmentViewActions(_FormPagesAllowed):
    """Mixed into ShipmentView."""

    permission_aliases = {"receive_return_form": "receive_return", "label_page": "print_label",
                          "carrier_label_page": "carrier_label"}

    @expose("/label/<int:pk>")
    @has_access
    def label_page(self, pk):
        """Our label as a link (the order page offers it next to the carrier's own)."""
        return self.print_label(self.get_scoped(pk))  # get_scoped answers 404 for others' rows

    @expose("/carrier_label/<int:pk>")
    @has_access
    def carrier_label_page(self, pk):
        return self.carrier_label(self.get_scoped(pk))

    def _back(self, pk):
        return redirect(url_for("ShipmentView.show", pk=pk))

    @action("refresh_tracking", lazy_gettext("Refresh tracking"), lazy_gettext("Ask the carrier where this parcel is?"),
            "fa-refresh", multiple=False)
    def refresh_tracking(self, items):
        shipment = _many(items)[0]
        job = start_job_from_view("shipping.refresh_tracking", N_("Refresh tracking of %(shipment)s"),
                                  "shipment", [shipment.id], queue="integrations",
                                  shipment=shipment)
        flash(gettext("Job #%(job)s started: asking %(carrier)s for %(shipment)s.", job=job.id,
                      carrier=CARRIER_NAMES[shipment.carrier.value], shipment=shipment), "info")
        return redirect(url_for("JobView.show", pk=job.id))

    @action("bulk_refresh_tracking", lazy_gettext("Refresh tracking of selected"),
            lazy_gettext("Ask the carriers where the selected parcels are?"), "fa-refresh", single=False)
    def bulk_refresh_tracking(self, items):
        ids = [s.id for s in _many(items)]
        job = start_job_from_view("shipping.refresh_tracking",
                                  N_("Refresh tracking of %(count)s shipments"), "shipment", ids,
                                  count=len(ids))
        flash(gettext("Job #%(job)s started: refreshing %(n)s shipments.", job=job.id, n=len(ids)),
              "info")
        return redirect(url_for("JobView.show", pk=job.id))

    @action("cancel", lazy_gettext("Cancel shipment"),
            lazy_gettext("Cancel this parcel with the carrier? Only possible before the courier "
                         "picks it up; the order goes back to packed."), "fa-ban", multiple=False)
    def cancel(self, items):
        shipment = _many(items)[0]
        try:
            check_cancellable(shipment)
        except DomainError as exc:
            flash(error_text(exc), "danger")
            return self._back(shipment.id)
        job = start_job_from_view("shipping.cancel_shipment", N_("Cancel shipment %(shipment)s"),
                                  "shipment", [shipment.id], queue="integrations",
                                  params={"reason": "Cancelled by the shop"}, shipment=shipment)
        flash(gettext("Job #%(job)s started: cancelling %(shipment)s with %(carrier)s.", job=job.id,
                      shipment=shipment, carrier=CARRIER_NAMES[shipment.carrier.value]), "info")
        return redirect(url_for("JobView.show", pk=job.id))

    def _ask_carrier(self, items, decision: str, title: str):
        shipment = _many(items)[0]
        if shipment.status != ShipmentStatus.DELIVERY_FAILED:
            flash(gettext("Only after a failed delivery: this shipment is %(state)s.",
                          state=gettext(shipment.status.value.replace("_", " "))), "danger")
            return self._back(shipment.id)
        job = start_job_from_view("shipping.ask_carrier", title, "shipment", [shipment.id],
                                  queue="integrations", params={"decision": decision},
                                  shipment=shipment)
        flash(gettext("Job #%(job)s started: asking %(carrier)s.", job=job.id,
                      carrier=CARRIER_NAMES[shipment.carrier.value]), "info")
        return redirect(url_for("JobView.show", pk=job.id))

    @action("redeliver", lazy_gettext("Request re-delivery"),
            lazy_gettext("Ask the carrier to deliver this parcel again?"), "fa-repeat",
            multiple=False)
    def redeliver(self, items):
        return self._ask_carrier(items, "redeliver", N_("Request re-delivery: %(shipment)s"))

    @action("return_to_sender", lazy_gettext("Return to me"),
            lazy_gettext("Ask the carrier to send this parcel back to the shop?"), "fa-reply",
            multiple=False)
    def return_to_sender(self, items):
        return self._ask_carrier(items, "return_to_sender",
                                 N_("Return to the shop: %(shipment)s"))

    @action("carrier_label", lazy_gettext("Carrier's label"), "", "fa-print", multiple=False)
    def carrier_label(self, items):
        shipment = _many(items)[0]
        result = self.run_service(shipment_labels.carrier_label, db.session, shipment.id)
        if result is None:
            return self._back(shipment.id)
        _shipment, content, kind = result
        return Response(content, mimetype=kind.split(";")[0],
                        headers={"Content-Type": kind})

    @action("print_label", lazy_gettext("Print label"), "", "fa-print", multiple=False)
    def print_label(self, items):
        shipment = _many(items)[0]
        result = self.run_service(shipment_labels.label_pdf, db.session, shipment.id)
        if result is None:
            return self._back(shipment.id)
        return pdf_response(result[1], f"label-{result[0].tracking_number}.pdf")

    @action("bulk_print_labels", lazy_gettext("Print labels of selected"), "", "fa-print", single=False)
    def bulk_print_labels(self, items):
        ids = [s.id for s in _many(items)]
        pdf = self.run_service(shipment_labels.labels_pdf, db.session, ids,
                               zone=current_app.config["SHOW_TIMEZONE"])
        if pdf is None:
            return redirect(url_for("ShipmentView.list"))
        return pdf_response(pdf, f"labels-{len(ids)}.pdf")

    @action("bulk_reconcile_cod", lazy_gettext("COD statement from selected"),
            lazy_gettext("Start a COD reconciliation statement with the selected delivered shipments?"),
            "fa-money", single=False)
    def bulk_reconcile_cod(self, items):
        rec = self.run_service(cod.build_reconciliation, db.session, [s.id for s in _many(items)])
        if rec is None:
            return redirect(url_for("ShipmentView.list"))
        flash(gettext("Statement %(number)s drafted: enter what %(carrier)s paid.",
                      number=rec.number, carrier=CARRIER_NAMES[rec.carrier.value]), "success")
        return redirect(url_for("CodReconciliationView.enter_statement_form", pk=rec.id))

    @action("receive_return", lazy_gettext("Receive returned parcel"), "", "fa-undo", multiple=False)
    def receive_return(self, items):
        return redirect(url_for("ShipmentView.receive_return_form", pk=_many(items)[0].id))

    @expose("/receive/<int:pk>", methods=["GET", "POST"])
    @has_access
    def receive_return_form(self, pk):
        shipment = self.get_scoped(pk)
        if shipment is None:
            flash(gettext("No such shipment."), "danger")
            return redirect(url_for("ShipmentView.list"))
        order = db.session.scalars(sa.select(Order).where(Order.id == shipment.order_id)
                                   .options(selectinload(Order.lines))).first()
        if request.method == "POST":
            damaged = {}
            for line in order.lines:
                raw = (request.form.get(f"damaged_{line.id}") or "0").strip()
                if not raw.isdigit():
                    flash(gettext("%(sku)s: damaged units must be a whole number.", sku=line.sku),
                          "danger")
                    break
                if int(raw):
                    damaged[line.id] = int(raw)
            else:
                if self.run_service(tracking.receive_returned_parcel, db.session, pk, damaged,
                                    success=gettext("Parcel received back; stock updated.")) is not None:
                    return self._back(pk)
        return self.render_template("orderhub/receive_parcel.html", shipment=shipment, order=order)


class CodReconciliationActions(_FormPagesAllowed):
    """Mixed into CodReconciliationView: a statement starts from the carrier's file or from the
    delivered COD shipments picked by hand (also to fill a draft), then is checked and confirmed."""

    permission_aliases = {"build_statement": "confirm_reconciliation",
                          "enter_statement_form": "confirm_reconciliation",
                          "import_statement": "confirm_reconciliation"}

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """A statement is made from its shipments (picked, or from the carrier's file), never
        empty: "+" opens that page."""
        return redirect(url_for("CodReconciliationView.build_statement"))

    @expose("/build/", methods=["GET", "POST"])
    @has_access
    def build_statement(self):
        into = cod_draft(request.values.get("statement"))
        carrier = into.carrier.value if into is not None else (request.values.get("carrier") or "ghn")
        if carrier not in CARRIER_NAMES:
            carrier = "ghn"
        if request.method == "POST":
            chosen = request.form.getlist("shipment_id")
            if into is not None:
                rec = self.run_service(cod.add_shipments, db.session, into.id, chosen)
            else:
                rec = self.run_service(cod.build_reconciliation, db.session, chosen,
                                       statement_ref=(request.form.get("statement_ref") or None))
            if rec is not None:
                return redirect(url_for("CodReconciliationView.enter_statement_form", pk=rec.id))
        rows = db.session.scalars(cod.eligible(db.session, carrier)
                                  .options(selectinload(Shipment.order))).all()
        return self.render_template("orderhub/cod_build.html", carrier=carrier, rows=rows,
                                    carriers=CARRIER_NAMES, into=into)

    @expose("/import/", methods=["POST"])
    @has_access
    def import_statement(self):
        """The carrier's COD statement file (CSV or XLSX) → a draft statement and its report."""
        into = cod_draft(request.form.get("statement"))
        carrier = into.carrier.value if into is not None else request.form.get("carrier", "")
        upload = request.files.get("file")
        back = url_for("CodReconciliationView.build_statement", carrier=carrier,
                       statement=into.id if into is not None else None)
        if upload is None or not upload.filename:
            flash(gettext("Choose the carrier's statement file (CSV or XLSX)."), "danger")
            return redirect(back)
        try:
            rows = cod_statements.read_statement(upload.filename, upload.read(MAX_UPLOAD + 1))
            rec, report = cod_statements.import_statement(
                db.session, carrier, rows, statement_ref=request.form.get("statement_ref") or None,
                into=into.id if into is not None else None)
        except DomainError as exc:
            db.session.rollback()
            for field, messages in (field_errors(exc) or {"": [error_text(exc)]}).items():
                for message in messages:
                    flash(f"{field}: {message}" if field.startswith("line") else message, "danger")
            return redirect(back)
        flash(import_summary(report), "warning" if report.problems else "success")
        if rec is None:
            for text in report_lines(report):
                flash(text, "danger")
            return redirect(back)
        return redirect(url_for("CodReconciliationView.enter_statement_form", pk=rec.id))

    @expose("/enter/<int:pk>", methods=["GET", "POST"])
    @has_access
    def enter_statement_form(self, pk):
        rec = self.get_scoped(pk)
        if rec is None:
            flash(gettext("No such statement."), "danger")
            return redirect(url_for("CodReconciliationView.list"))
        if request.method == "POST":
            rec = cod.statement_with_lines(db.session, pk)
            lines = {line.id: {"cod_received": request.form.get(f"received_{line.id}"),
                               "fee": request.form.get(f"fee_{line.id}")} for line in rec.lines}
            saved = self.run_service(cod.enter_statement, db.session, pk, lines,
                                     locale=reader_language(),
                                     success=gettext("Statement saved."))
            if saved is not None and request.form.get("confirm"):
                if self.run_service(cod.confirm_reconciliation, db.session, pk,
                                    success=gettext("Statement confirmed: the orders are paid.")) is not None:
                    return redirect(url_for("CodReconciliationView.show", pk=pk))
        rec = cod.statement_with_lines(db.session, pk)
        return self.render_template("orderhub/cod_enter.html", rec=rec, carriers=CARRIER_NAMES,
                                    report=report_lines(rec.import_report) if rec.import_report else [])

    @action("confirm_reconciliation", lazy_gettext("Confirm statement"),
            lazy_gettext("Confirm this statement? Its COD orders are marked paid."), "fa-check", multiple=False)
    def confirm_reconciliation(self, items):
        rec = _many(items)[0]
        self.run_service(cod.confirm_reconciliation, db.session, rec.id,
                         success=gettext("Statement %(number)s confirmed: the orders are paid.",
                                         number=rec.number))
        return redirect(url_for("CodReconciliationView.show", pk=rec.id))
