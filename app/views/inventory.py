"""Inventory views: warehouses, stock levels (a ledger cache), the ledger, stock counts."""
from app.extensions import db
from app.models import StockCount, StockCountLine, StockLevel, StockMove, Warehouse
from app.services import stock_counts
from app.security.row_rules import warehouse_scope
from app.views.base import OrderHubModelView
from app.views.interface import OrderHubInterface
from app.views.service_forms import ServiceForms
from app.views.purchasing_actions import WarehousePurchasingActions
from app.views.stock_actions import StockLevelActions
from app.views.stock_count_actions import StockCountActions


class StockLevelView(StockLevelActions, OrderHubModelView):
    datamodel = OrderHubInterface(StockLevel, eager=("variant", "warehouse"))
    class_permission_name = "StockLevel"
    base_filters = warehouse_scope()
    list_title = "Stock levels"
    list_columns = ["variant", "warehouse", "on_hand", "reserved", "available", "updated_at"]
    search_columns = ["warehouse", "on_hand", "available"]
    base_permissions = ["can_read"]  # changed only through the ledger
    base_order = ("id", "asc")


class StockMoveView(OrderHubModelView):
    datamodel = OrderHubInterface(StockMove, eager=("variant", "warehouse", "user"))
    class_permission_name = "StockMove"
    base_filters = warehouse_scope()
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
    search_columns = ["stock_count"]
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
    base_filters = warehouse_scope()
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
    base_filters = warehouse_scope("id")
    list_columns = ["code", "name", "kind", "address", "person_in_charge", "phone", "active"]
    search_columns = ["code", "name", "kind", "active"]
    add_columns = edit_columns = ["code", "name", "kind", "address", "province", "district",
                                  "ward", "person_in_charge", "phone", "assigned_users", "active"]
    related_views = [StockLevelView]
    base_order = ("code", "asc")
    audit_tables = ("warehouse",)
