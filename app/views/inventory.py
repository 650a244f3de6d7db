"""Inventory views: warehouses, stock levels (a ledger cache), the ledger, stock counts, and the
low-stock list."""
import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app.extensions import db
from app.models import StockCount, StockCountLine, StockLevel, StockMove, Supplier, Warehouse
from app.services import purchasing, stock_counts
from app.services.order_fields import main_warehouse_id
from app.security.row_rules import assigned_warehouse_ids
from app.views.base import OrderHubModelView
from app.views.form_input import run_form_service
from app.views.interface import OrderHubInterface
from app.views.service_forms import ServiceForms
from app.views.purchasing_actions import WarehousePurchasingActions
from app.views.stock_actions import StockLevelActions
from app.views.stock_count_actions import StockCountActions


class StockLevelView(StockLevelActions, OrderHubModelView):
    datamodel = OrderHubInterface(StockLevel, eager=("variant.product", "warehouse"))
    class_permission_name = "StockLevel"
    list_title = "Stock levels"
    list_columns = ["variant", "warehouse", "on_hand", "reserved", "available", "updated_at"]
    search_columns = ["warehouse", "on_hand", "available"]
    base_permissions = ["can_read"]  # changed only through the ledger
    base_order = ("id", "asc")


class StockMoveView(OrderHubModelView):
    datamodel = OrderHubInterface(StockMove, eager=("variant.product", "warehouse", "user"))
    class_permission_name = "StockMove"
    list_title = "Stock ledger"
    list_columns = ["created_at", "variant", "warehouse", "kind", "quantity", "balance_after",
                    "reference", "user", "note"]
    search_columns = ["warehouse", "kind", "reference", "created_at"]
    base_permissions = ["can_read"]  # append-only: no add, edit or delete here
    base_order = ("id", "desc")


class StockCountLineView(ServiceForms, OrderHubModelView):
    """Counted figures change only while the count is a draft (enter_counts' rule)."""

    datamodel = OrderHubInterface(StockCountLine, eager=("variant", "stock_count"))
    class_permission_name = "StockCountLine"
    list_columns = ["stock_count", "variant", "system_quantity", "counted_quantity", "variance"]
    search_columns = ["system_quantity", "counted_quantity"]
    edit_columns = ["counted_quantity"]
    add_columns = ["stock_count", "variant", "counted_quantity"]
    base_order = ("id", "asc")

    def service_add(self, values):
        stock_counts.add_count_line(db.session, values.get("stock_count_id"),
                                    variant_id=values.get("variant_id"),
                                    counted=values.get("counted_quantity"))

    def service_edit(self, item, values, version):
        stock_counts.set_counted(db.session, item.id, values.get("counted_quantity"))

    def service_delete(self, item):
        stock_counts.remove_count_line(db.session, item.id)


class StockCountView(StockCountActions, OrderHubModelView):
    datamodel = OrderHubInterface(StockCount, eager=("warehouse",))
    class_permission_name = "StockCount"
    list_columns = ["number", "warehouse", "status", "scope", "counted_at", "posted_at"]
    search_columns = ["number", "warehouse", "status"]
    add_columns = ["warehouse", "scope", "note"]
    edit_columns = ["note"]
    related_views = [StockCountLineView]
    base_order = ("id", "desc")
    audit_tables = ("stock_count",)


class WarehouseView(WarehousePurchasingActions, OrderHubModelView):
    datamodel = OrderHubInterface(Warehouse)
    class_permission_name = "Warehouse"
    list_columns = ["code", "name", "kind", "address", "person_in_charge", "phone", "active"]
    search_columns = ["code", "name", "kind", "active"]
    add_columns = edit_columns = ["code", "name", "kind", "address", "province", "district",
                                  "ward", "person_in_charge", "phone", "assigned_users", "active"]
    related_views = [StockLevelView]
    base_order = ("code", "asc")
    audit_tables = ("warehouse",)


class LowStockView(BaseView):
    """Inventory → Low stock: per warehouse, what is available below its reorder point, with what is
    already on order; tick rows (and a supplier where needed) and draft the purchase orders."""

    route_base = "/low-stock"
    class_permission_name = "StockLevel"
    method_permission_name = {"index": "low_stock", "draft": "draft_purchase_order"}
    default_view = "index"

    def _warehouse(self):
        warehouses = db.session.scalars(
            sa.select(Warehouse).where(Warehouse.active).order_by(Warehouse.code)).all()
        scope = assigned_warehouse_ids()  # a clerk assigned to warehouses sees only theirs
        if scope is not None:
            warehouses = [w for w in warehouses if w.id in scope]
        chosen = request.values.get("warehouse_id", "")
        default = main_warehouse_id(db.session)
        pick = next((w for w in warehouses if str(w.id) == chosen), None) or \
            next((w for w in warehouses if w.id == default), None) or \
            (warehouses[0] if warehouses else None)
        return warehouses, pick

    def _page(self, warehouses, warehouse):
        rows = purchasing.low_stock_rows(db.session, warehouse.id) if warehouse else []
        suppliers = db.session.scalars(sa.select(Supplier).where(Supplier.active)
                                       .order_by(Supplier.name)).all()
        return self.render_template("orderhub/low_stock.html", warehouses=warehouses,
                                    warehouse=warehouse, rows=rows, suppliers=suppliers,
                                    form=request.form)

    @expose("/")
    @has_access
    def index(self):
        return self._page(*self._warehouse())

    @expose("/draft", methods=["POST"])
    @has_access
    def draft(self):
        warehouses, warehouse = self._warehouse()
        if warehouse is None:
            abort(404)
        ids = [int(v) for v in request.form.getlist("variant_id") if v.isdigit()]
        if not ids:
            flash(_("Tick the variants to buy first."), "warning")
            return self._page(warehouses, warehouse)
        chosen = {i: request.form.get(f"supplier_{i}") for i in ids
                  if request.form.get(f"supplier_{i}")}
        pos = run_form_service(purchasing.draft_purchase_orders_for_low_stock, db.session,
                               warehouse.id, variant_ids=ids, suppliers=chosen)
        if not pos:
            return self._page(warehouses, warehouse)
        flash(_("Drafted %(numbers)s.", numbers=", ".join(f"{po.number} ({po.supplier})"
                                                          for po in pos)), "success")
        return redirect(url_for("PurchaseOrderView.list"))
