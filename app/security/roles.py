"""The permission matrix: declared once here, applied at start-up (as Flask-AppBuilder built-in roles,
checked in memory without a query) and by ``flask roles sync`` (which makes sure the role rows exist
and carry no stray database permissions).

Every OrderHub view and API shares one permission name per resource (``class_permission_name``),
with methods folded into ``read`` / ``write`` / ``delete`` (see ``METHOD_PERMISSIONS``); an action
is permitted by its own name (``confirm``, ``bulk_ship``, …).
"""
from __future__ import annotations

import re

READ, WRITE, DELETE = "read", "write", "delete"

# How every generated view/API method maps onto read / write / delete.
METHOD_PERMISSIONS = {
    # ModelView
    "list": READ, "show": READ, "download": READ, "api": READ, "api_read": READ,
    "api_get": READ, "api_readvalues": READ, "api_column_add": WRITE, "api_column_edit": WRITE,
    "add": WRITE, "edit": WRITE, "delete": DELETE, "export_csv": READ,
    # ModelRestApi
    "get": READ, "get_list": READ, "info": READ, "post": WRITE, "put": WRITE,
}

# Resources by menu area (each is a class_permission_name shared by a view and its API).
AREAS = {
    "Catalog": ["Product", "ProductVariant", "ProductMedia", "Category", "Brand"],
    "Inventory": ["Warehouse", "StockLevel", "StockMove", "StockCount", "StockCountLine"],
    "Sales": ["Order", "OrderLine", "Customer", "CustomerAddress", "ReturnRequest", "ReturnLine"],
    "Purchasing": ["Supplier", "PurchaseOrder", "PurchaseOrderLine", "GoodsReceipt",
                   "GoodsReceiptLine"],
    "Shipping": ["Shipment", "TrackingEvent", "CodReconciliation", "CodReconciliationLine"],
    "Invoicing": ["Invoice", "InvoiceLine", "InvoiceSeries"],
    "Channels": ["Channel", "ChannelListing", "WebhookEvent"],
    "Assistant": ["Conversation", "ChatMessage", "SaleDraft", "SizeChart", "ShopPolicy",
                  "AssistantReply"],
    "System": ["Job", "IntegrationLog", "AuditLog", "ProviderAccount", "Dashboard"],
}
ALL_RESOURCES = [r for names in AREAS.values() for r in names]
# Menu entries that are links to pages of a resource (their page checks the resource's permission).
MENU_LINKS = ("QuickOrder", "LowStock")
# Menu links only a supervisor (and the admin) is shown: pages of a supervisor's action.
SUPERVISOR_MENU_LINKS = ("CatalogImport",)

# Resources a clerk may not even read (credentials, provider settings).
ADMIN_ONLY = {"ProviderAccount"}
# Actions on resources others may read that only an admin runs: a channel's connection settings
# (app key and secret, on the panel's form and /api/v1/channel/<id>/connection) and their test.
# No other role is ever granted them, whatever the lists below say.
ADMIN_ONLY_ACTIONS = {"Channel": {"set_credentials", "test_connection"}}

CLERK_WRITE = {"Product", "ProductVariant", "ProductMedia", "Category", "Brand", "Customer",
               "CustomerAddress", "Order", "OrderLine", "Supplier", "PurchaseOrder",
               "PurchaseOrderLine", "GoodsReceipt", "GoodsReceiptLine", "StockCount",
               "StockCountLine", "ReturnRequest"}
# Return lines are written by the return's own forms (create, receive), never by hand.
CLERK_DELETE = {"OrderLine", "PurchaseOrderLine", "GoodsReceiptLine", "StockCountLine",
                "ProductMedia", "CustomerAddress"}
# Single-record actions a clerk runs.
CLERK_ACTIONS = {
    "Order": {"confirm", "edit_lines", "pack", "ship", "print_label", "invoice", "pay", "complete",
              "create_return", "recheck_stock", "draft_purchase_order", "preview_invoice",
              "quick_entry", "return", "deliver", "fail_delivery"},
    "PurchaseOrder": {"submit", "receive", "reserve_waiting_orders"},
    "GoodsReceipt": {"post_receipt", "reserve_waiting_orders"},
    "StockCount": {"start_count", "enter_counts", "finish_count", "count_sheet",
                   "blind_count_sheet"},
    "StockLevel": {"low_stock", "draft_purchase_order"},
    "Shipment": {"print_label", "carrier_label", "refresh_tracking", "receive_return",
                 "redeliver", "return_to_sender"},
    "Invoice": {"preview", "download_pdf", "resend_email"},
    "ReturnRequest": {"receive_return"},
    "ProductVariant": {"draft_purchase_order"},
    "Warehouse": {"draft_purchase_order"},
    "Dashboard": {"show"},
    "Job": {"watch"},
    # The assistant's test console: what the bot would answer (SPEC §11: clerk, supervisor, admin).
    "AssistantReply": {"reply"},
    "Conversation": {"take_over", "release", "staff_reply"},
}
# What a supervisor adds: bulk actions (all named bulk_*), and the controlled single actions.
SUPERVISOR_ACTIONS = {
    "Order": {"cancel", "pay_cod", "bulk_.*"},  # pay_cod: a COD order paid by hand, with the amount
    "PurchaseOrder": {"approve", "cancel", "bulk_.*"},
    "StockCount": {"post_count", "cancel", "bulk_.*"},
    "StockLevel": {"adjust", "transfer", "bulk_.*"},
    "Invoice": {"replace", "adjust", "check_number", "bulk_.*"},
    "ReturnRequest": {"refund", "cancel", "adjust_invoice", "replace_invoice", "bulk_.*"},
    "Channel": {"sync", "connect", "bulk_.*"},
    "Shipment": {"cancel", "bulk_.*"},
    "CodReconciliation": {"confirm_reconciliation", "bulk_.*"},
    "Job": {"retry", "bulk_.*"},
    "ProductVariant": {"bulk_.*"},
    "Product": {"import_catalogue", "bulk_.*"},
    "Customer": {"bulk_.*"},
}
SUPERVISOR_WRITE = {"CodReconciliation", "Warehouse", "ChannelListing", "SizeChart", "ShopPolicy"}

# Pages every signed-in user needs (own profile, password, the API's menu and docs).
SELF_SERVICE = [
    ("UserDBModelView", "can_userinfo"),
    ("ResetMyPasswordView", "can_this_form_(get|post)"),
    ("UserInfoEditView", "can_this_form_(get|post)"),
    ("MenuApi", "can_get"),
    ("OpenApi", "can_get"),
    ("SwaggerView", "can_show"),
]


def _names(names) -> str:
    return "(" + "|".join(sorted(re.escape(n) if ".*" not in n else n for n in names)) + ")"


def _permission_pairs(role: str) -> list[tuple[str, str]]:
    """(resource, permission) pairs of a role, before they become regexes."""
    pairs: list[tuple[str, str]] = []
    readable = [r for r in ALL_RESOURCES if r not in ADMIN_ONLY]
    for resource in readable:
        pairs.append((resource, f"can_{READ}"))
        pairs.append((resource, "menu_access"))
    for resource in CLERK_WRITE:
        pairs.append((resource, f"can_{WRITE}"))
    for resource in CLERK_DELETE:
        pairs.append((resource, f"can_{DELETE}"))
    for resource, actions in CLERK_ACTIONS.items():
        pairs += _action_pairs(resource, actions)
    if role == "Supervisor":
        for resource in SUPERVISOR_WRITE:
            pairs.append((resource, f"can_{WRITE}"))
        for resource, actions in SUPERVISOR_ACTIONS.items():
            pairs += _action_pairs(resource, actions)
    return [(resource, permission) for resource, permission in pairs
            if permission.removeprefix("can_") not in ADMIN_ONLY_ACTIONS.get(resource, ())]


def _action_pairs(resource: str, actions) -> list[tuple[str, str]]:
    """An action is checked by its bare name on list/show pages (FAB @action) and as
    ``can_<name>`` on its form page and REST endpoint; both mean the same grant."""
    return [(resource, a) for a in actions] + [(resource, f"can_{a}") for a in actions]


def fab_roles() -> dict[str, list[list[str]]]:
    """The matrix as Flask-AppBuilder built-in roles (``FAB_ROLES``): anchored regexes."""
    roles: dict[str, list[list[str]]] = {"Admin": [[".*", ".*"]], "Public": []}
    for role in ("Clerk", "Supervisor"):
        by_resource: dict[str, set[str]] = {}
        for resource, permission in _permission_pairs(role):
            by_resource.setdefault(resource, set()).add(permission)
        entries = [[f"^{re.escape(resource)}$", f"^{_names(perms)}$"]
                   for resource, perms in sorted(by_resource.items())]
        # Menu categories (area names) must be reachable for the menu to show.
        links = list(MENU_LINKS) + (list(SUPERVISOR_MENU_LINKS) if role == "Supervisor" else [])
        entries.append([f"^{_names(list(AREAS) + links)}$", "^menu_access$"])
        entries += [[f"^{view}$", f"^{perm}$"] for view, perm in SELF_SERVICE]
        roles[role] = entries
    return roles


def is_allowed(role: str, resource: str, permission: str) -> bool:
    """Evaluate the declared matrix directly (used by tests to predict every answer)."""
    for view_re, perm_re in fab_roles().get(role, []):
        if re.match(view_re, resource) and re.match(perm_re, permission):
            return True
    return False


ROLE_NAMES = ("Admin", "Supervisor", "Clerk")
