"""Order page buttons for shipping: "Create shipment" (a form prefilled from the order with each
service's quoted fee), "Print label", and the supervisors' bulk ship / bulk print; plus the
tracking timeline of the order's parcels on its page."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Response, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from sqlalchemy.orm import selectinload

from app.web.i18n import error_text
from app.extensions import db
from app.integrations.base import IntegrationError
from app.models import Order, OrderLine, OrderStatus, Shipment
from app.services import shipment_labels, shipments
from app.services.carrier_clients import CARRIER_NAMES, carrier_accounts, logged_client
from app.services.errors import DomainError, ValidationErrors


def _many(items):
    return items if isinstance(items, list) else [items]


def pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename={filename}"})


def start_shipment_jobs(order_ids: list[int], choices: dict | None = None):
    from jobs.queue import enqueue_after_commit
    from jobs.shipping import start_shipment_jobs as start
    jobs = start(db.session, order_ids, enqueue=enqueue_after_commit, choices=choices)
    db.session.commit()
    return jobs


class OrderShippingActions:
    """Mixed into OrderView (ORDER_VIEW_MIXIN)."""

    permission_aliases = {"ship_form": "ship", "ship_quote": "ship", "bulk_ship_form": "bulk_ship"}
    show_template = "orderhub/order_page.html"

    # --- the order page: its parcels and their tracking timeline -------------------------------
    def render_template(self, template, **kwargs):
        if template == self.show_template and kwargs.get("pk") is not None:
            kwargs["shipment_timeline"] = list(db.session.scalars(
                sa.select(Shipment).where(Shipment.order_id == int(kwargs["pk"]))
                .options(selectinload(Shipment.events)).order_by(Shipment.id)))
        return super().render_template(template, **kwargs)

    # --- create shipment -------------------------------------------------------------------
    @action("ship", lazy_gettext("Create shipment"), "", "fa-truck", multiple=False)
    def ship(self, items):
        return redirect(url_for("OrderView.ship_form", pk=_many(items)[0].id))

    @expose("/ship/<int:pk>", methods=["GET", "POST"])
    @has_access
    def ship_form(self, pk):
        order, back = self._order_to_ship(pk)
        if order is None:
            return back
        accounts = carrier_accounts(db.session)
        carrier = request.values.get("carrier") or accounts[0].provider
        try:
            base = shipments.default_form(db.session, order, carrier)
        except DomainError as exc:
            flash(error_text(exc), "danger")
            return back
        form, errors = base, {}
        if request.method == "POST":
            try:
                form = shipments.parse_form(order, request.form, base)
            except ValidationErrors as exc:
                errors = exc.errors
                form = base
                for field, messages in errors.items():
                    flash(gettext("%(field)s: %(messages)s", field=field,
                                  messages=" ".join(gettext(m) for m in messages)), "danger")
            if not errors:
                # The fee is quoted again here, for the parcel as posted: what the page showed
                # may be stale (weight edited since) and hidden fields can say anything.
                quote = _quotes(order, form).get(form.service)
                form.fee_quoted = quote.fee if quote is not None and not isinstance(quote, str) else None
                form.carrier_service_code = quote.carrier_service_code if form.fee_quoted else None
                if self.run_service(shipments.prepare_shipment, db.session, pk, form) is not None:
                    job = start_shipment_jobs([pk])[0]
                    flash(gettext("Job #%(job)s started: booking the parcel with %(carrier)s.",
                                  job=job.id, carrier=CARRIER_NAMES[form.carrier]), "info")
                    return redirect(url_for("JobView.show", pk=job.id))
        quotes = {a.provider: _quotes(order, base if a.provider == carrier else
                                      shipments.default_form(db.session, order, a.provider))
                  for a in accounts}
        db.session.rollback()  # looking area codes up must not write anything from a GET
        return self.render_template("orderhub/ship_order.html", order=order, form=form,
                                    quotes=quotes, carriers=CARRIER_NAMES, errors=errors,
                                    values=request.form if request.method == "POST" else {})

    @expose("/ship_quote/<int:pk>")
    @has_access
    def ship_quote(self, pk):
        """The fee of each service of each carrier for the parcel as the form has it now (JSON):
        the ship form asks again whenever the clerk changes weight, size, COD or payer."""
        order, _back = self._order_to_ship(pk, flash_errors=False)
        if order is None:
            return jsonify({"message": gettext("This order cannot be shipped.")}), 409
        out = {}
        for account in carrier_accounts(db.session):
            try:
                base = shipments.default_form(db.session, order, account.provider)
                form = shipments.parse_form(order, {**request.args.to_dict(),
                                                    "carrier": account.provider}, base)
            except ValidationErrors as exc:
                db.session.rollback()
                return jsonify({"errors": exc.errors,
                                "message": error_text(exc)}), 422
            except DomainError as exc:
                out[account.provider] = {"error": error_text(exc)}
                continue
            quotes = _quotes(order, form)
            out[account.provider] = {"error": quotes["error"]} if "error" in quotes else {
                service: {"fee": q.fee, "fee_text": f"{q.fee:,}".replace(",", "."),
                          "code": q.carrier_service_code, "name": q.name,
                          "eta": q.eta.isoformat() if q.eta else None}
                for service, q in quotes.items()}
        db.session.rollback()
        return jsonify(out)

    def _order_to_ship(self, pk, flash_errors: bool = True):
        """The packed order (scoped to the user's rows) and a way back if it cannot ship."""
        order = self.get_scoped(pk)
        back = redirect(url_for("OrderView.show", pk=pk))
        message = None
        if order is None:
            message, back = gettext("No such order."), redirect(url_for("OrderView.list"))
        elif order.status != OrderStatus.PACKED:
            message = gettext("Cannot ship this order: it is %(state)s.",
                              state=gettext(order.status.value.replace("_", " ")))
        elif not carrier_accounts(db.session):
            message = gettext("No carrier account is set up: an admin adds one under System → "
                              "Carrier & e-invoice accounts.")
        if message:
            if flash_errors:
                flash(message, "danger")
            return None, back
        order = db.session.scalars(sa.select(Order).where(Order.id == pk).options(
            selectinload(Order.lines).joinedload(OrderLine.variant))).first()
        return order, back

    # --- labels --------------------------------------------------------------------------------
    @action("print_label", lazy_gettext("Print label"), "", "fa-print", multiple=False)
    def print_label(self, items):
        order = _many(items)[0]
        shipment_id = shipment_labels.latest_booked(db.session, [order.id]).get(order.id)
        if shipment_id is None:
            flash(gettext("Order %(number)s has no booked shipment: no label to print.",
                          number=order.number), "danger")
            return redirect(url_for("OrderView.show", pk=order.id))
        result = self.run_service(shipment_labels.label_pdf, db.session, shipment_id)
        if result is None:
            return redirect(url_for("OrderView.show", pk=order.id))
        shipment, pdf = result
        return pdf_response(pdf, f"label-{shipment.tracking_number}.pdf")

    @action("bulk_print_labels", lazy_gettext("Print labels of selected"), "", "fa-print", single=False)
    def bulk_print_labels(self, items):
        ids = shipment_labels.latest_booked(db.session, [o.id for o in _many(items)])
        pdf = self.run_service(shipment_labels.labels_pdf, db.session, list(ids.values()),
                               zone=current_app.config["SHOW_TIMEZONE"])
        if pdf is None:
            return redirect(url_for("OrderView.list"))
        return pdf_response(pdf, f"labels-{len(ids)}.pdf")

    @action("bulk_ship", lazy_gettext("Create shipments for selected"), "", "fa-truck",
            single=False)
    def bulk_ship(self, items):
        ids = ",".join(str(o.id) for o in _many(items))
        return redirect(url_for("OrderView.bulk_ship_form", ids=ids))

    @expose("/bulk_ship/", methods=["GET", "POST"])
    @has_access
    def bulk_ship_form(self):
        """The supervisor's choice for a selection: carrier, service, who pays, required note; each
        order's COD and (for the first ones) its quoted fee, as the carriers price it."""
        raw = request.values.get("ids", "")
        orders_ = self.datamodel.get_many([i for i in raw.split(",") if i.strip()],
                                          self._base_filters)
        if not orders_:
            flash(gettext("Select the packed orders to ship."), "danger")
            return redirect(url_for("OrderView.list"))
        ids = [o.id for o in orders_]
        accounts = carrier_accounts(db.session)
        if not accounts:
            flash(gettext("No carrier account is set up: an admin adds one under System → "
                          "Carrier & e-invoice accounts."), "danger")
            return redirect(url_for("OrderView.list"))
        values = {k: request.values.get(k) for k in shipments.BULK_CHOICES if request.values.get(k)}
        values.setdefault("carrier", accounts[0].provider)
        try:
            choices = shipments.bulk_choices(values)
        except ValidationErrors as exc:
            flash(error_text(exc), "danger")
            choices = {"carrier": accounts[0].provider}
        if request.method == "POST":
            jobs_ = start_shipment_jobs(ids, choices)
            flash(gettext("Job(s) #%(jobs)s started: booking parcels for %(n)s orders.",
                          jobs=", #".join(str(j.id) for j in jobs_), n=len(ids)), "info")
            return redirect(url_for("JobView.show", pk=jobs_[0].id))
        rows = _bulk_rows(ids, choices)
        db.session.rollback()  # quoting must not write anything from a GET
        return self.render_template("orderhub/bulk_ship.html", rows=rows, ids=",".join(map(str, ids)),
                                    choices=choices, carriers={a.provider: CARRIER_NAMES[a.provider]
                                                               for a in accounts},
                                    quoted_up_to=BULK_QUOTES,
                                    total_cod=sum(r["cod"] for r in rows if r["cod"]),
                                    total_fee=sum(r["fee"] or 0 for r in rows))


BULK_QUOTES = 20  # orders quoted on the bulk form (each quote is a few carrier calls)


def _bulk_rows(ids: list[int], choices: dict) -> list[dict]:
    loaded = db.session.scalars(sa.select(Order).where(Order.id.in_(ids)).order_by(Order.id)
                                .options(selectinload(Order.lines).joinedload(OrderLine.variant)))
    rows = []
    for i, order in enumerate(loaded):
        row = {"order": order, "cod": None, "fee": None, "note": ""}
        if order.status != OrderStatus.PACKED:
            row["note"] = gettext("Skipped: it is %(state)s.",
                                  state=gettext(order.status.value.replace("_", " ")))
            rows.append(row)
            continue
        try:
            form = shipments.bulk_form(db.session, order, choices)
        except DomainError as exc:
            row["note"] = error_text(exc)
            rows.append(row)
            continue
        row["cod"], row["weight"] = form.cod_amount, form.weight_g
        if i < BULK_QUOTES:
            quote = _quotes(order, form)
            if "error" in quote:
                row["note"] = quote["error"]
            elif form.service in quote:
                row["fee"] = quote[form.service].fee
            else:
                row["note"] = gettext("This service is not offered on this route.")
        rows.append(row)
    return rows


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _quotes(order, form) -> dict:
    """{"fast": Quote, "economy": Quote} or {"error": message}: the fee of each service."""
    from app.services.carrier_clients import account_for
    try:
        account = account_for(db.session, form.carrier, form.account_id)
        with logged_client(db.session, account, timeout=8) as client:
            return {q.service: q for q in shipments.quote_order(db.session, order, form, client)}
    except (DomainError, IntegrationError) as exc:
        return {"error": getattr(exc, "message", str(exc))}


ORDER_VIEW_MIXIN = OrderShippingActions
