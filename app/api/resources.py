"""One REST resource per entity, under /api/v1/<resource_name>/ (SPEC §8)."""
from __future__ import annotations

from app import models as m
from app.api.base import OrderHubRestApi
from app.security.row_rules import admin_only_tables
from app.views.interface import OrderHubInterface

# resource name → (model, permission resource, read-only?, extra settings)
# (The warehouse scope of each model is declared in app/security/scope.py and applied by the base.)
RESOURCES = {
    "warehouse": (m.Warehouse, "Warehouse", False, {}),
    "category": (m.Category, "Category", False, {}),
    "brand": (m.Brand, "Brand", False, {}),
    "product": (m.Product, "Product", False, {}),
    "variant": (m.ProductVariant, "ProductVariant", False, {}),
    "stock_level": (m.StockLevel, "StockLevel", True, {}),
    "stock_move": (m.StockMove, "StockMove", True, {}),
    "supplier": (m.Supplier, "Supplier", False, {}),
    "purchase_order": (m.PurchaseOrder, "PurchaseOrder", False, {}),
    "goods_receipt": (m.GoodsReceipt, "GoodsReceipt", False, {}),
    "customer": (m.Customer, "Customer", False, {}),
    "channel": (m.Channel, "Channel", False, {}),
    "channel_listing": (m.ChannelListing, "ChannelListing", False, {}),
    "order": (m.Order, "Order", False, {}),
    "order_line": (m.OrderLine, "OrderLine", False, {}),
    "shipment": (m.Shipment, "Shipment", True, {}),
    "tracking_event": (m.TrackingEvent, "TrackingEvent", True, {}),
    "cod_reconciliation": (m.CodReconciliation, "CodReconciliation", False, {}),
    "invoice": (m.Invoice, "Invoice", True, {}),
    "return_request": (m.ReturnRequest, "ReturnRequest", False, {"without": {"post", "delete"}}),
    "stock_count": (m.StockCount, "StockCount", False, {}),
    "job": (m.Job, "Job", True, {}),
    "integration_log": (m.IntegrationLog, "IntegrationLog", True, {}),
    "audit_log": (m.AuditLog, "AuditLog", True, {"base_filters": admin_only_tables()}),
    "size_chart": (m.SizeChartRow, "SizeChart", False, {}),
    "shop_policy": (m.ShopPolicy, "ShopPolicy", False, {}),
}

# Columns a client may write. Computed, numbered and lifecycle columns are set by the services.
WRITABLE = {
    "warehouse": ["code", "name", "address", "person_in_charge", "phone", "kind", "province",
                  "district", "ward", "active"],
    "category": ["name", "parent"],
    "brand": ["name"],
    "product": ["name", "sku", "category", "brand", "description", "specifications", "vat_rate",
                "cost_price", "selling_price", "attribute_1", "attribute_2", "attribute_3",
                "aliases", "active"],
    "variant": ["product", "sku", "name", "value_1", "value_2", "value_3", "cost_price",
                "selling_price", "barcode", "weight_g", "length_cm", "width_cm", "height_cm",
                "preferred_supplier", "reorder_point", "active"],
    "supplier": ["name", "tax_code", "contact_person", "phone", "email", "address", "active"],
    "purchase_order": ["supplier", "warehouse", "expected_date", "note"],
    "goods_receipt": ["purchase_order", "supplier", "warehouse", "note"],
    "customer": ["name", "phone", "email", "street", "ward", "district", "province",
                 "company_name", "tax_code", "invoice_address", "invoice_email", "wants_invoice",
                 "notes"],
    "channel": ["name", "platform", "shop_id", "base_url", "order_warehouse", "sync_orders",
                "sync_stock", "order_pull_minutes", "active"],
    "channel_listing": ["channel", "variant", "external_item_id", "external_model_id",
                        "external_sku", "active"],
    "order": ["channel", "external_order_id", "customer", "buyer_name", "buyer_phone",
              "buyer_email", "ship_street", "ship_ward", "ship_district", "ship_province",
              "warehouse", "payment_method", "shipping_fee", "invoice_requested", "notes"],
    "order_line": ["order", "variant", "sku", "name", "quantity", "unit_price", "discount",
                   "vat_rate"],
    "cod_reconciliation": ["carrier", "statement_ref", "statement_date"],
    "return_request": ["order", "kind", "reason", "warehouse", "refund_amount"],
    "stock_count": ["warehouse", "scope", "note"],
    "size_chart": ["category", "product_sku", "size", "height_min_cm", "height_max_cm",
                   "weight_min_kg", "weight_max_kg"],
    "shop_policy": ["topic", "language", "text"],
}
EDIT_ONLY_EXCLUDED = {"order": {"channel", "external_order_id"},
                      "order_line": {"order", "variant", "sku", "name"}}


GENERIC_ROUTES = {"get", "get_list", "info", "post", "put", "delete"}

# Modules adding action endpoints; each has MIXINS = {resource: [(mixin class, {method: permission})]}
ACTION_MODULES = ("app.api.order_actions", "app.api.shipping_actions", "app.api.invoice_actions",
                  "app.api.channel_actions", "app.api.job_actions", "app.api.stock_actions",
                  "app.api.channel_connection", "app.api.assistant_setup")


def _action_mixins() -> dict[str, list[tuple[type, dict]]]:
    import importlib
    found: dict[str, list[tuple[type, dict]]] = {}
    for name in ACTION_MODULES:
        module = importlib.import_module(name)
        for resource, entries in getattr(module, "MIXINS", {}).items():
            found.setdefault(resource, []).extend(entries)
    return found


def build_api_classes() -> list[type]:
    from app.security.roles import METHOD_PERMISSIONS
    mixins = _action_mixins()
    classes = []
    for resource, (model, permission, read_only, extra) in RESOURCES.items():
        attrs = {
            "resource_name": resource,
            "class_permission_name": permission,
            "datamodel": OrderHubInterface(model),
            "openapi_spec_tag": permission,
            **extra,
        }
        # The generic routes a resource offers, plus its own action endpoints (retry, cancel…).
        without = attrs.pop("without", set())
        if read_only or without:
            generic = {"get", "get_list", "info"} if read_only else GENERIC_ROUTES - without
            actions = {name for _, perms in mixins.get(resource, ()) for name in perms}
            attrs["include_route_methods"] = generic | actions
        else:
            writable = WRITABLE[resource]
            attrs["add_columns"] = writable
            attrs["edit_columns"] = [c for c in writable
                                     if c not in EDIT_ONLY_EXCLUDED.get(resource, set())]
        bases = tuple(m for m, _ in mixins.get(resource, ())) + (OrderHubRestApi,)
        permissions = dict(METHOD_PERMISSIONS)
        for _, extra_perms in mixins.get(resource, ()):
            permissions.update(extra_perms)
        attrs["method_permission_name"] = permissions
        name = "".join(p.capitalize() for p in resource.split("_")) + "Api"
        classes.append(type(name, bases, attrs))
    return classes
