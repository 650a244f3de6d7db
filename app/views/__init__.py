"""The admin panel's views, registered in menus by area."""
from __future__ import annotations


def register_views(appbuilder) -> None:
    from app.views import form_fields
    form_fields.install()
    from app.views import (assistant, catalog, channels, inventory, invoicing, purchasing, sales,
                           shipping, system)

    menus = [
        ("Catalog", "fa-tags", [
            (catalog.ProductView, "Products", "fa-cube"),
            (catalog.ProductVariantView, "Variants", "fa-cubes"),
            (catalog.CategoryView, "Categories", "fa-sitemap"),
            (catalog.BrandView, "Brands", "fa-copyright"),
        ]),
        ("Inventory", "fa-archive", [
            (inventory.StockLevelView, "Stock levels", "fa-bar-chart"),
            (inventory.StockMoveView, "Stock ledger", "fa-list"),
            (inventory.StockCountView, "Stock counts", "fa-check-square-o"),
            (inventory.WarehouseView, "Warehouses", "fa-building"),
        ]),
        ("Sales", "fa-shopping-cart", [
            (sales.OrderView, "Orders", "fa-file-text-o"),
            (sales.CustomerView, "Customers", "fa-users"),
            (sales.ReturnRequestView, "Returns & exchanges", "fa-undo"),
        ]),
        ("Purchasing", "fa-truck", [
            (purchasing.SupplierView, "Suppliers", "fa-industry"),
            (purchasing.PurchaseOrderView, "Purchase orders", "fa-file-o"),
            (purchasing.GoodsReceiptView, "Goods receipts", "fa-download"),
        ]),
        ("Shipping", "fa-paper-plane", [
            (shipping.ShipmentView, "Shipments", "fa-paper-plane-o"),
            (shipping.CodReconciliationView, "COD reconciliation", "fa-money"),
        ]),
        ("Invoicing", "fa-file-text", [
            (invoicing.InvoiceView, "E-invoices", "fa-file-text"),
            (invoicing.InvoiceSeriesView, "Invoice series", "fa-barcode"),
        ]),
        ("Channels", "fa-plug", [
            (channels.ChannelView, "Channels", "fa-plug"),
            (channels.ChannelListingView, "Listings", "fa-link"),
            (channels.WebhookEventView, "Notifications", "fa-bell"),
        ]),
        ("Assistant", "fa-comments", [
            (assistant.ConversationView, "Conversations", "fa-comments-o"),
            (assistant.SaleDraftView, "Sale drafts", "fa-shopping-basket"),
            (assistant.SizeChartView, "Size charts", "fa-arrows-v"),
            (assistant.ShopPolicyView, "Shop policies", "fa-book"),
        ]),
        ("System", "fa-cogs", [
            (system.JobView, "Jobs", "fa-tasks"),
            (system.IntegrationLogView, "Integration log", "fa-exchange"),
            (system.AuditLogView, "Audit log", "fa-history"),
            (system.ProviderAccountView, "Carrier & e-invoice accounts", "fa-key"),
        ]),
    ]
    registered = set()
    for category, cat_icon, items in menus:
        for view, name, icon in items:
            # Menu permissions are checked on the item's name: use the resource name, show the label.
            appbuilder.add_view(view, view.class_permission_name, label=name, icon=icon,
                                category=category, category_icon=cat_icon)
            registered.add(view)
    # The parts of a document (its lines, a product's media, a customer's addresses, a parcel's
    # tracking) are read and changed from the document's own page, not from the menu; their views
    # stay registered for those pages, the REST API and the permission matrix.
    for view in (catalog.ProductMediaView, inventory.StockCountLineView, sales.OrderLineView,
                 sales.CustomerAddressView, sales.ReturnLineView, purchasing.PurchaseOrderLineView,
                 purchasing.GoodsReceiptLineView, shipping.TrackingEventView,
                 shipping.CodReconciliationLineView, invoicing.InvoiceLineView,
                 assistant.ChatMessageView):
        appbuilder.add_view_no_menu(view)
    # Views only reachable as tabs (their resource is registered via a menu view already).
    appbuilder.add_view_no_menu(sales.CustomerOrdersView)
    from app.views.quick_order import QuickOrderView
    appbuilder.add_link("QuickOrder", href="/quick-order/", label="Quick order", icon="fa-bolt",
                        category="Sales")
    appbuilder.add_view_no_menu(QuickOrderView)
    appbuilder.add_link("LowStock", href="/low-stock/", label="Low stock", icon="fa-exclamation",
                        category="Inventory")
    from app.views.catalog_import import CatalogImportView
    appbuilder.add_view_no_menu(CatalogImportView)
    appbuilder.add_link("CatalogImport", href="/catalog/import/", label="Import & export",
                        icon="fa-upload", category="Catalog")
    appbuilder.add_view_no_menu(inventory.LowStockView)
    appbuilder.add_view_no_menu(assistant.TryAssistantView)
    appbuilder.add_link("AssistantReply", href="/assistant/try/", label="Try the assistant",
                        icon="fa-commenting", category="Assistant")
