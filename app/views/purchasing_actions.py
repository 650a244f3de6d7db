"""Purchasing buttons: approve / cancel / receive a purchase order, post a goods receipt, reserve
stock for the orders that were waiting for the goods, and draft purchase orders from the low-stock
list (a warehouse's, or for selected variants). Each calls one service; refusals are flashed."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext

from app.extensions import db
from app.security import scope
from app.models import (Order, ProductVariant, PurchaseOrder, PurchaseOrderStatus, StockLevel,
                        Supplier, Warehouse)
from app.services import orders, purchasing
from app.services.errors import N_
from app.views.base import start_job_from_view
from app.views.form_input import parse_or_flash, run_form_service, whole_number
from app.web.formatting import enum_label


def _one(items):
    return items[0] if isinstance(items, list) else items


def _many(items):
    return items if isinstance(items, list) else [items]


def reserve_for_waiting_orders(variant_ids, first=()) -> None:
    """Re-check the processing orders short of these variants and flash what they got (the
    orders in ``first``, those the goods were bought for, before the others)."""
    variant_ids = sorted(set(variant_ids))
    gained = run_form_service(orders.reserve_waiting_orders, db.session, variant_ids,
                              first=[i for i in first if i])
    if gained is None:
        return
    if not gained:
        flash(gettext("No order was waiting for these goods."), "info")
        return
    numbers = dict(db.session.execute(sa.select(Order.id, Order.number)
                                      .where(Order.id.in_(list(gained)))).all())
    parts = []
    for order_id, results in gained.items():
        short = sum(r.short_by for r in results)
        state = gettext("fully reserved") if not short else gettext("still short by %(n)s", n=short)
        parts.append(f"{numbers.get(order_id, order_id)} ({state})")
    flash(gettext("Stock reserved for %(count)s waiting order(s): %(parts)s.", count=len(gained),
                  parts=", ".join(parts)), "success")


BULK_TITLES = {"approve": N_("Approve %(count)s purchase orders"),
               "cancel": N_("Cancel %(count)s purchase orders")}


class PurchaseOrderActions:
    """Mixed into PurchaseOrderView."""

    permission_aliases = {"receive_form": "receive"}

    def _back(self, po_id):
        return redirect(url_for("PurchaseOrderView.show", pk=po_id))

    @action("approve", "Approve", "Approve this purchase order?", "fa-check", multiple=False)
    def approve(self, items):
        po = _one(items)
        run_form_service(purchasing.approve_purchase_order, db.session, po.id,
                         success=gettext("%(number)s approved: it can now be received.",
                                         number=po.number))
        return self._back(po.id)

    @action("cancel", "Cancel", "Cancel this purchase order?", "fa-ban", multiple=False)
    def cancel(self, items):
        po = _one(items)
        run_form_service(purchasing.cancel_purchase_order, db.session, po.id,
                         success=gettext("%(number)s cancelled.", number=po.number))
        return self._back(po.id)

    @action("receive", "Receive goods", "", "fa-download", multiple=False)
    def receive(self, items):
        return redirect(url_for("PurchaseOrderView.receive_form", pk=_one(items).id))

    @action("reserve_waiting_orders", "Reserve for waiting orders",
            "Reserve the received goods for the orders waiting for them?", "fa-refresh",
            multiple=False)
    def reserve_waiting_orders(self, items):
        po = _one(items)
        reserve_for_waiting_orders((line.variant_id for line in po.lines), [po.source_order_id])
        return self._back(po.id)

    @expose("/receive/<int:pk>", methods=["GET", "POST"])
    @has_access
    def receive_form(self, pk):
        po = self.get_scoped(pk)
        if po is None:
            flash(gettext("No such purchase order."), "danger")
            return redirect(url_for("PurchaseOrderView.list"))
        lines = [ln for ln in sorted(po.lines, key=lambda ln: ln.id) if ln.outstanding > 0]
        if request.method == "POST":
            quantities = parse_or_flash(_received_quantities, request.form, lines)
            receipt = quantities is not None and run_form_service(
                purchasing.receive_goods, db.session, po.id, quantities,
                note=(request.form.get("note") or "").strip() or None)
            if receipt:
                po = self.get_scoped(pk)
                flash(gettext("%(number)s posted: %(quantity)s unit(s) received; %(po_number)s "
                              "is %(status)s.", number=receipt.number,
                              quantity=sum(ln.quantity for ln in receipt.lines),
                              po_number=po.number, status=enum_label(po.status)), "success")
                if request.form.get("reserve_waiting"):
                    reserve_for_waiting_orders((ln.variant_id for ln in receipt.lines),
                                               [po.source_order_id])
                return self._back(pk)
        elif po.status not in (PurchaseOrderStatus.CONFIRMED,
                               PurchaseOrderStatus.PARTIALLY_RECEIVED):
            flash(gettext("Cannot receive goods for this purchase order: it is %(status)s.",
                          status=enum_label(po.status)), "warning")
        return self.render_template("orderhub/receive_goods.html", po=po, lines=lines,
                                    form=request.form)

    # --- bulk, as jobs (Supervisor) -----------------------------------------------------------
    def _bulk(self, items, name, label):
        items = _many(items)
        job = start_job_from_view("purchasing.bulk_action", BULK_TITLES[name], "purchase_order",
                                  [po.id for po in items], params={"action": name},
                                  count=len(items))
        flash(gettext("Job #%(id)s started: %(label)s %(count)s purchase orders.", id=job.id,
                      label=gettext(label).lower(), count=len(items)), "info")
        return redirect(url_for("JobView.show", pk=job.id))

    @action("bulk_approve", "Approve selected", "Approve the selected purchase orders?",
            "fa-check", single=False)
    def bulk_approve(self, items):
        return self._bulk(items, "approve", "Approve")

    @action("bulk_cancel", "Cancel selected", "Cancel the selected purchase orders?", "fa-ban",
            single=False)
    def bulk_cancel(self, items):
        return self._bulk(items, "cancel", "Cancel")


def _received_quantities(form, lines) -> dict[int, int]:
    return {ln.id: whole_number(form.get(f"qty_{ln.id}"), f"{ln.variant.sku} quantity", blank=0)
            for ln in lines}


class GoodsReceiptActions:
    """Mixed into GoodsReceiptView: post a draft receipt typed in line by line."""

    def _back(self, receipt_id):
        return redirect(url_for("GoodsReceiptView.show", pk=receipt_id))

    @action("post_receipt", "Post receipt", "Post this receipt into stock?", "fa-check",
            multiple=False)
    def post_receipt(self, items):
        receipt = _one(items)
        run_form_service(purchasing.post_goods_receipt, db.session, receipt.id,
                         success=gettext("%(number)s posted into stock.", number=receipt.number))
        return self._back(receipt.id)

    @action("reserve_waiting_orders", "Reserve for waiting orders",
            "Reserve the received goods for the orders waiting for them?", "fa-refresh",
            multiple=False)
    def reserve_waiting_orders(self, items):
        receipt = _one(items)
        source = receipt.purchase_order.source_order_id if receipt.purchase_order else None
        reserve_for_waiting_orders((line.variant_id for line in receipt.lines), [source])
        return self._back(receipt.id)


# --- drafting purchase orders from the low-stock list ------------------------------------------
def _low_stock_rows(warehouse_id: int, variant_ids=None) -> list[dict]:
    """What the form shows: each variant's free stock, reorder point and the quantity to buy."""
    to_buy = purchasing.low_stock(db.session, warehouse_id)
    ids = sorted(to_buy) if variant_ids is None else list(variant_ids)
    if not ids:
        return []
    level = StockLevel.__table__
    rows = db.session.execute(
        sa.select(ProductVariant, sa.func.coalesce(level.c.available, 0))
        .outerjoin(level, sa.and_(level.c.variant_id == ProductVariant.id,
                                  level.c.warehouse_id == warehouse_id))
        .where(ProductVariant.id.in_(ids)).order_by(ProductVariant.sku)).all()
    return [{"variant": v, "available": avail, "to_buy": to_buy.get(v.id, 0)} for v, avail in rows]


def _suppliers():
    return db.session.scalars(sa.select(Supplier).where(Supplier.active)
                              .order_by(Supplier.name)).all()


def _chosen_supplier():
    return whole_number(request.form.get("supplier_id"), "supplier_id")


def _drafted(pos):
    flash(gettext("Drafted %(numbers)s.",
                  numbers=", ".join(f"{po.number} ({po.supplier})" for po in pos)), "success")
    if len(pos) == 1:
        return redirect(url_for("PurchaseOrderView.show", pk=pos[0].id))
    return redirect(url_for("PurchaseOrderView.list"))


class WarehousePurchasingActions:
    """Mixed into WarehouseView: draft purchase orders for what runs low in this warehouse."""

    permission_aliases = {"low_stock_form": "draft_purchase_order"}

    @action("draft_purchase_order", "Draft purchase orders for low stock", "", "fa-shopping-basket",
            multiple=False)
    def draft_purchase_order(self, items):
        return redirect(url_for("WarehouseView.low_stock_form", pk=_one(items).id))

    @expose("/low_stock/<int:pk>", methods=["GET", "POST"])
    @has_access
    def low_stock_form(self, pk):
        warehouse = self.get_scoped(pk)
        if warehouse is None:
            flash(gettext("No such warehouse."), "danger")
            return redirect(url_for("WarehouseView.list"))
        if request.method == "POST":
            supplier_id = parse_or_flash(_chosen_supplier)
            if supplier_id is not None or not request.form.get("supplier_id"):
                pos = run_form_service(purchasing.draft_purchase_orders_for_low_stock, db.session,
                                       pk, supplier_id=supplier_id)
                if pos:
                    return _drafted(pos)
        rows = _low_stock_rows(pk)
        if not rows and request.method == "GET":
            flash(gettext("Nothing in %(code)s is below its reorder point.", code=warehouse.code),
                  "info")
        return self.render_template("orderhub/draft_purchase_orders.html", warehouse=warehouse,
                                    warehouses=None, rows=rows, suppliers=_suppliers(),
                                    form=request.form, variant_ids=None,
                                    back=url_for("WarehouseView.show", pk=pk))


class VariantPurchasingActions:
    """Mixed into ProductVariantView: draft purchase orders for the selected variants that are
    below their reorder point, from a chosen supplier or each variant's remembered one."""

    permission_aliases = {"draft_po_form": "draft_purchase_order"}

    def _to_form(self, items):
        ids = ",".join(str(v.id) for v in _many(items))
        return redirect(url_for("ProductVariantView.draft_po_form", ids=ids))

    @action("draft_purchase_order", "Draft purchase order", "", "fa-shopping-basket",
            multiple=False)
    def draft_purchase_order(self, items):
        return self._to_form(items)

    @action("bulk_draft_purchase_order", "Draft purchase orders for selected", "",
            "fa-shopping-basket", single=False)
    def bulk_draft_purchase_order(self, items):
        return self._to_form(items)

    @expose("/draft_purchase_order", methods=["GET", "POST"])
    @has_access
    def draft_po_form(self):
        ids = [int(i) for i in (request.values.get("ids") or "").split(",") if i.strip().isdigit()]
        if not ids:
            flash(gettext("Select the variants to buy first."), "warning")
            return redirect(url_for("ProductVariantView.list"))
        if len(ids) > 1 and not self.appbuilder.sm.has_access("bulk_draft_purchase_order",
                                                              self.class_permission_name):
            flash(gettext("Drafting for several variants at once is a supervisor's action."),
                  "danger")
            return redirect(url_for("ProductVariantView.list"))
        warehouses = db.session.scalars(scope.restrict(
            sa.select(Warehouse).where(Warehouse.active).order_by(Warehouse.code), Warehouse)).all()
        if not warehouses:
            flash(gettext("warehouse_id: create a warehouse first."), "danger")
            return redirect(url_for("ProductVariantView.list"))
        chosen = parse_or_flash(whole_number, request.values.get("warehouse_id"), "warehouse_id")
        warehouse = next((w for w in warehouses if w.id == chosen), warehouses[0])
        if request.method == "POST" and request.form.get("draft"):
            supplier_id = parse_or_flash(_chosen_supplier)
            if supplier_id is not None or not request.form.get("supplier_id"):
                pos = run_form_service(purchasing.draft_purchase_orders_for_low_stock, db.session,
                                       warehouse.id, supplier_id=supplier_id, variant_ids=ids)
                if pos:
                    return _drafted(pos)
        return self.render_template("orderhub/draft_purchase_orders.html", warehouse=warehouse,
                                    warehouses=warehouses, rows=_low_stock_rows(warehouse.id, ids),
                                    suppliers=_suppliers(), form=request.form,
                                    variant_ids=",".join(map(str, ids)),
                                    back=url_for("ProductVariantView.list"))
