"""Quick order entry for phone and Facebook orders: find or create the customer (with their
returned/failed-delivery rate shown as a warning), search variants with the stock free in the chosen
warehouse, and take the order in one form."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.web.i18n import error_text
from app.extensions import db
from app.models import PaymentMethod, Warehouse
from app.services.errors import DomainError
from app.services.customer_lookup import RISKY_RATE, search_customers, search_variants
from app.services.order_entry import create_manual_order



def _int(value, default=None):
    try:
        return int(str(value).replace(".", "").replace(",", "").strip())
    except (TypeError, ValueError):
        return default


def _lines_from_form(form) -> list[dict]:
    lines = []
    for variant_id, qty, price in zip(form.getlist("line_variant"), form.getlist("line_qty"),
                                      form.getlist("line_price")):
        if not variant_id:
            continue
        lines.append({"variant_id": _int(variant_id), "quantity": _int(qty, qty),
                      "unit_price": _int(price) if str(price).strip() else None})
    return lines


class QuickOrderView(BaseView):
    route_base = "/quick-order"
    class_permission_name = "Order"
    method_permission_name = {"form": "quick_entry", "customers": "quick_entry",
                              "variants": "quick_entry"}
    default_view = "form"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def form(self):
        warehouses = db.session.scalars(sa.select(Warehouse).where(Warehouse.active)
                                        .order_by(Warehouse.code)).all()
        if request.method == "POST":
            f = request.form
            customer_id = _int(f.get("customer_id"))
            try:
                order = create_manual_order(
                    db.session, lines=_lines_from_form(f), customer_id=customer_id,
                    customer=None if customer_id else {"name": f.get("name", ""),
                                                       "phone": f.get("phone", ""),
                                                       "email": f.get("email") or None},
                    shipping_address={k: f.get(k, "") for k in ("street", "ward", "district",
                                                                  "province")},
                    payment_method=f.get("payment_method", "cod"),
                    warehouse_id=_int(f.get("warehouse_id")),
                    shipping_fee=_int(f.get("shipping_fee"), 0) or 0,
                    notes=f.get("notes") or None,
                    invoice_requested=bool(f.get("invoice_requested")))
            except DomainError as exc:
                db.session.rollback()
                flash(error_text(exc) if not getattr(exc, "field", None)
                      else f"{exc.field}: {error_text(exc)}", "danger")
            else:
                flash(f"Order {order.number} taken.", "success")
                return redirect(url_for("OrderView.show", pk=order.id))
        return self.render_template("orderhub/quick_order.html", warehouses=warehouses,
                                    payment_methods=[m.value for m in PaymentMethod],
                                    form=request.form, risky_rate=RISKY_RATE)

    @expose("/customers")
    @has_access
    def customers(self):
        hits = search_customers(db.session, request.args.get("q", ""), limit=10)
        return jsonify([{"id": h.id, "name": h.name, "phone": h.phone, "address": h.address,
                         "orders": h.order_count, "failed": h.failed_count,
                         "failed_rate": h.failed_rate, "risky": h.risky}
                        for h in hits])

    @expose("/variants")
    @has_access
    def variants(self):
        hits = search_variants(db.session, request.args.get("q", ""),
                               _int(request.args.get("warehouse_id")), limit=15)
        return jsonify([{"id": h.variant_id, "sku": h.sku, "label": h.label, "price": int(h.price),
                         "on_hand": h.on_hand, "available": h.available} for h in hits])
