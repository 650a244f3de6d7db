"""Order lifecycle buttons: single-record actions for clerks, bulk ones (as jobs) for supervisors.
Each calls one service; refusals come back as a flash message naming the order's state."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access

import sqlalchemy as sa
from flask_babel import gettext as _, lazy_gettext

from app.extensions import db
from app.models import Supplier
from app.services import orders, purchasing
from app.services.errors import N_, DomainError
from app.web.i18n import error_text
from app.views.base import start_job_from_view

BULK = {"confirm": "Confirm", "pack": "Mark packed", "recheck": "Re-check stock",
        "cancel": "Cancel", "complete": "Complete", "pay": "Mark paid"}
BULK_TITLES = {"confirm": N_("Confirm %(count)s orders"), "pack": N_("Mark %(count)s orders packed"),
               "recheck": N_("Re-check stock of %(count)s orders"),
               "cancel": N_("Cancel %(count)s orders"), "complete": N_("Complete %(count)s orders"),
               "pay": N_("Mark %(count)s orders paid")}


def _one(items):
    return items[0] if isinstance(items, list) else items


def _line_status(r) -> str:
    """A line's stock check in the reader's words ("reserved", "short by 2"; cf. r.status)."""
    return _("reserved") if not r.short_by else _("short by %(n)s", n=r.short_by)


class OrderLifecycleViewActions:
    """Mixed into OrderView."""

    permission_aliases = {"cancel_form": "cancel", "shortage_form": "draft_purchase_order"}

    def _back(self, order_id):
        return redirect(url_for("OrderView.show", pk=order_id))

    @action("confirm", "Confirm", "Confirm this order and reserve its stock?", "fa-check",
            multiple=False)
    def confirm(self, items):
        order = _one(items)
        results = self.run_service(orders.confirm_order, db.session, order.id)
        if results is not None:
            for r in results:
                flash(_("%(sku)s: %(status)s", sku=r.sku, status=_line_status(r)),
                      "success" if not r.short_by else "warning")
        return self._back(order.id)

    @action("pack", "Mark packed", "Mark this order packed?", "fa-archive", multiple=False)
    def pack(self, items):
        order = _one(items)
        self.run_service(orders.pack_order, db.session, order.id, success=_("Order packed."))
        return self._back(order.id)

    @action("pay", "Mark paid", "Record the payment of this order?", "fa-money", multiple=False)
    def pay(self, items):
        order = _one(items)
        self.run_service(orders.take_payment, db.session, order.id, success=_("Payment recorded."))
        return self._back(order.id)

    @action("complete", "Complete", "Complete this order?", "fa-flag-checkered", multiple=False)
    def complete(self, items):
        order = _one(items)
        self.run_service(orders.complete_order, db.session, order.id, success=_("Order completed."))
        return self._back(order.id)

    @action("recheck_stock", "Re-check stock", "Try again to reserve what this order is short of?",
            "fa-refresh", multiple=False)
    def recheck_stock(self, items):
        order = _one(items)
        results = self.run_service(orders.recheck_order, db.session, order.id)
        for r in results or []:
            flash(_("%(sku)s: %(status)s", sku=r.sku, status=_line_status(r)),
                  "success" if not r.short_by else "warning")
        return self._back(order.id)

    @action("draft_purchase_order", lazy_gettext("Draft purchase order for shortage"), "",
            "fa-shopping-basket", multiple=False)
    def draft_purchase_order(self, items):
        return redirect(url_for("OrderView.shortage_form", pk=_one(items).id))

    @expose("/shortage/<int:pk>", methods=["GET", "POST"])
    @has_access
    def shortage_form(self, pk):
        """What the order is short of, each with its supplier (the remembered one preselected)."""
        order = self.get_scoped(pk)
        if request.method == "POST":
            chosen = {line_variant: request.form.get(f"supplier_{line_variant}")
                      for line_variant in {ln.variant_id for ln in order.lines if ln.variant_id}}
            pos = self.run_service(purchasing.draft_purchase_orders_for_order, db.session, pk,
                                   suppliers={k: v for k, v in chosen.items() if v})
            if pos:
                flash(_("Drafted %(numbers)s.", numbers=", ".join(po.number for po in pos)),
                      "success")
                if len(pos) == 1:
                    return redirect(url_for("PurchaseOrderView.show", pk=pos[0].id))
                return redirect(url_for("PurchaseOrderView.list"))
            order = self.get_scoped(pk)
        rows, problem = [], None
        try:
            orders.require_state(order, "draft_purchase_order")
            wanted = purchasing.shortages(db.session, order)
        except DomainError as exc:
            problem, wanted = error_text(exc), {}
        variants = {ln.variant_id: ln.variant for ln in order.lines if ln.variant_id in wanted}
        rows = [{"variant": variants[vid], "to_buy": qty,
                 "on_order": purchasing.on_order(db.session, order.warehouse_id, [vid]).get(vid, 0)}
                for vid, qty in sorted(wanted.items(), key=lambda kv: variants[kv[0]].sku)]
        if problem is None and not rows:
            problem = _("Nothing to buy: what this order is short of is already on open purchase "
                        "orders or free in stock.")
        suppliers = db.session.scalars(sa.select(Supplier).where(Supplier.active)
                                       .order_by(Supplier.name)).all()
        return self.render_template("orderhub/draft_shortage_po.html", order=order, rows=rows,
                                    suppliers=suppliers, problem=problem, form=request.form)

    @action("cancel", "Cancel", "", "fa-ban", multiple=False)
    def cancel(self, items):
        return redirect(url_for("OrderView.cancel_form", pk=_one(items).id))

    @expose("/cancel/<int:pk>", methods=["GET", "POST"])
    @has_access
    def cancel_form(self, pk):
        order = self.get_scoped(pk)
        if order is None:
            flash(_("No such order."), "danger")
            return redirect(url_for("OrderView.list"))
        if request.method == "POST":
            reason = (request.form.get("reason") or "").strip()
            if not reason:
                flash(_("reason: say why the order is cancelled."), "danger")
            elif self.run_service(orders.cancel_order, db.session, pk, reason=reason,
                                  version=request.form.get("version"),
                                  success=_("Order cancelled; its stock is released.")) is not None:
                return self._back(pk)
        return self.render_template("orderhub/cancel_order.html", order=order)

    # --- bulk, as jobs (Supervisor) -----------------------------------------------------------
    def _bulk(self, items, name):
        items = items if isinstance(items, list) else [items]
        job = start_job_from_view("orders.bulk_action", BULK_TITLES[name], "order",
                                  [o.id for o in items], params={"action": name}, count=len(items))
        flash(_("Job #%(id)s started: %(action)s %(count)s orders.", id=job.id,
                action=_(BULK[name]).lower(), count=len(items)), "info")
        return redirect(url_for("JobView.show", pk=job.id))

    @action("bulk_confirm", "Confirm selected", "Confirm the selected orders?", "fa-check",
            single=False)
    def bulk_confirm(self, items):
        return self._bulk(items, "confirm")

    @action("bulk_pack", "Mark selected packed", "Mark the selected orders packed?", "fa-archive",
            single=False)
    def bulk_pack(self, items):
        return self._bulk(items, "pack")

    @action("bulk_recheck_stock", "Re-check stock of selected",
            "Try to reserve stock for the selected orders?", "fa-refresh", single=False)
    def bulk_recheck_stock(self, items):
        return self._bulk(items, "recheck")

    @action("bulk_cancel", "Cancel selected", "Cancel the selected orders and release their stock?",
            "fa-ban", single=False)
    def bulk_cancel(self, items):
        return self._bulk(items, "cancel")


# Modules adding buttons to the order page; each defines ORDER_VIEW_MIXIN (a class).
ORDER_VIEW_MODULES = ("app.views.order_shipping_actions", "app.views.order_invoice_actions",
                      "app.views.order_return_actions", "app.views.order_line_actions",
                      "app.views.order_payment_actions")


def order_view_mixins() -> tuple[type, ...]:
    import importlib
    mixins: list[type] = [OrderLifecycleViewActions]
    for name in ORDER_VIEW_MODULES:
        mixins.insert(0, importlib.import_module(name).ORDER_VIEW_MIXIN)
    return tuple(mixins)
