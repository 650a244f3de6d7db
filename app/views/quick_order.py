"""Quick order entry for phone and Facebook orders: find or create the customer (with their
returned/failed-delivery rate shown as a warning), search variants with the stock free in the chosen
warehouse, and take the order in one form.

The warning does not depend on the browser: on submit the server looks the customer up by the
chosen id or the typed phone and asks once more before taking a risky buyer's order."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.extensions import db
from app.security import scope
from app.security.row_rules import assigned_warehouse_ids
from app.models import Channel, PaymentMethod, Platform, Warehouse
from app.services.amounts import parse_id
from app.services.catalog.media import cover_images
from app.services.customer_lookup import (customer_record, search_customers, search_variants,
                                          variant_hits)
from app.services.errors import DomainError
from app.services.order_entry import create_manual_order
from app.services.order_fields import main_warehouse_id
from app.views.form_input import money_amount, refusal_message, whole_number
from app.web.media import media_src


def _int(value, default=None):
    """An id from the form (customer, warehouse, channel, variant): None unless a key can hold it."""
    number = parse_id(value)
    return default if number is None else number


def _raw_lines(form) -> list[dict]:
    """The lines as typed (variant id, quantity and price text), kept to show them again."""
    return [{"variant_id": _int(variant_id, variant_id), "quantity": qty.strip(),
             "unit_price": price.strip()}
            for variant_id, qty, price in zip(form.getlist("line_variant"),
                                              form.getlist("line_qty"),
                                              form.getlist("line_price")) if variant_id]


def _typed_lines(lines: list[dict], skus: dict) -> list[dict]:
    """Quantities and prices read the reader's way (``1.000``, ``289k``); a refusal names the line."""
    out = []
    for ln in lines:
        sku = skus.get(ln["variant_id"]) or _("line")
        quantity = whole_number(ln["quantity"], "line_qty",
                                label=_("%(sku)s: quantity", sku=sku))
        price = money_amount(ln["unit_price"], "line_price",
                             label=_("%(sku)s: unit price", sku=sku))
        out.append({"variant_id": ln["variant_id"], "quantity": quantity, "unit_price": price})
    return out


def _risk_text(hit) -> str:
    return _("Warning: this customer has a high rate of failed deliveries and returns: "
             "%(rate)s%% (%(bad)s of %(orders)s orders).", rate=round(hit.failed_rate * 100),
             bad=hit.bad_count, orders=hit.order_count)


def _hit_json(h) -> dict:
    return {"id": h.id, "name": h.name, "phone": h.phone, "address": h.address,
            "orders": h.order_count, "failed": h.failed_count, "returned": h.returned_count,
            "failed_rate": h.failed_rate, "risky": h.risky,
            "warning": _risk_text(h) if h.risky else ""}


class QuickOrderView(BaseView):
    route_base = "/quick-order"
    class_permission_name = "Order"
    method_permission_name = {"form": "quick_entry", "customers": "quick_entry",
                              "variants": "quick_entry", "customer_by_phone": "quick_entry"}
    default_view = "form"

    def _page(self, form, warning=None, lines=()):
        warehouses = self._warehouses()
        channels = db.session.scalars(
            sa.select(Channel).where(Channel.active,
                                     Channel.platform.in_([Platform.MANUAL, Platform.WEBSITE]))
            .order_by(Channel.name)).all()
        default_wh = self._warehouse_id(form) or main_warehouse_id(db.session)
        return self.render_template("orderhub/quick_order.html", warehouses=warehouses,
                                    channels=channels, default_warehouse=default_wh,
                                    payment_methods=[m.value for m in PaymentMethod],
                                    form=form, warning=warning, lines=list(lines))

    @staticmethod
    def _warehouses():
        """The active warehouses the user may take orders into (a scoped clerk: theirs)."""
        return db.session.scalars(scope.restrict(
            sa.select(Warehouse).where(Warehouse.active).order_by(Warehouse.code), Warehouse)).all()

    def _warehouse_id(self, form) -> int | None:
        """The chosen warehouse if the user may use it; a scoped clerk's own by default."""
        chosen, allowed = _int(form.get("warehouse_id")), [w.id for w in self._warehouses()]
        if chosen in allowed or (chosen is None and assigned_warehouse_ids() is None):
            return chosen
        return allowed[0] if allowed else None

    @expose("/", methods=["GET", "POST"])
    @has_access
    def form(self):
        if request.method != "POST":
            return self._page(request.form)
        f = request.form
        raw = _raw_lines(f)
        customer_id = _int(f.get("customer_id"))
        shown = self._shown_lines(raw, _int(f.get("warehouse_id")))
        try:
            lines = _typed_lines(raw, {ln["id"]: ln["sku"] for ln in shown})
            shipping_fee = money_amount(f.get("shipping_fee"), "shipping_fee",
                                        label=_("Shipping fee"), blank=0)
        except DomainError as exc:
            flash(refusal_message(exc), "danger")
            return self._page(f, lines=shown)
        record = customer_record(db.session, customer_id=customer_id, phone=f.get("phone"))
        if record is not None and record.risky and not f.get("risk_acknowledged"):
            # Seen before the order is taken, whatever the browser did with the search box.
            flash(_risk_text(record), "warning")
            return self._page(f, warning=_risk_text(record), lines=shown)
        try:
            order = create_manual_order(
                db.session, lines=lines, customer_id=customer_id,
                customer=None if customer_id else {"name": f.get("name", ""),
                                                   "phone": f.get("phone", ""),
                                                   "email": f.get("email") or None},
                shipping_address={k: f.get(k, "") for k in ("street", "ward", "province")},
                payment_method=f.get("payment_method", "cod"),
                warehouse_id=self._warehouse_id(f), channel_id=_int(f.get("channel_id")),
                shipping_fee=shipping_fee,
                notes=f.get("notes") or None,
                invoice_requested=bool(f.get("invoice_requested")))
        except DomainError as exc:
            db.session.rollback()
            flash(refusal_message(exc), "danger")
            return self._page(f, lines=shown)
        flash(_("Order %(number)s taken.", number=order.number), "success")
        return redirect(url_for("OrderView.show", pk=order.id))

    def _shown_lines(self, lines, warehouse_id) -> list[dict]:
        """The typed lines as the table shows them, so an error never loses them."""
        hits = variant_hits(db.session, [ln["variant_id"] for ln in lines
                                         if isinstance(ln["variant_id"], int)], warehouse_id)
        out = []
        for ln in lines:
            hit = hits.get(ln["variant_id"])
            if hit is not None:
                out.append({"id": hit.variant_id, "sku": hit.sku, "label": hit.label,
                            "available": hit.available, "quantity": ln["quantity"],
                            "price": ln["unit_price"]})
        return out

    @expose("/customers")
    @has_access
    def customers(self):
        hits = search_customers(db.session, request.args.get("q", ""), limit=10)
        return jsonify([_hit_json(h) for h in hits])

    @expose("/customer")
    @has_access
    def customer_by_phone(self):
        """The record of whoever has the phone typed in full (null when unknown)."""
        hit = customer_record(db.session, phone=request.args.get("phone"))
        return jsonify(_hit_json(hit) if hit is not None else None)

    @expose("/variants")
    @has_access
    def variants(self):
        hits = search_variants(db.session, request.args.get("q", ""),
                               _int(request.args.get("warehouse_id")), limit=15)
        covers = cover_images(db.session, {h.product_id for h in hits})
        return jsonify([{"id": h.variant_id, "sku": h.sku, "label": h.label, "price": int(h.price),
                         "on_hand": h.on_hand, "available": h.available,
                         "image": media_src(covers.get(h.product_id))} for h in hits])
