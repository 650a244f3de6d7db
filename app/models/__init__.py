"""All OrderHub models, importable from one place (Alembic and FAB need them all registered)."""
from flask_appbuilder.security.sqla.models import Role, User  # noqa: F401  (shared metadata)

from app.models.audit import AuditLog, DocumentSequence, IntegrationLog  # noqa: F401
from app.models.auth import AuthSession, RefreshToken  # noqa: F401
from app.models.catalog import (Brand, Category, MediaKind, Product, ProductMedia,  # noqa: F401
                                ProductVariant, VatRate)
from app.models.channels import (Channel, ChannelListing, Platform, ProviderAccount,  # noqa: F401
                                 ProviderKind, WebhookEvent, WebhookStatus, channel_warehouse)
from app.models.inventory import (MoveKind, StockCount, StockCountLine, StockCountStatus,  # noqa: F401
                                  StockLevel, StockMove, Warehouse, WarehouseKind, warehouse_user)
from app.models.invoicing import (ISSUED_STATES, Invoice, InvoiceKind, InvoiceLine,  # noqa: F401
                                  InvoicePrint, InvoicePrintPart, InvoiceProvider, InvoiceSeries,
                                  InvoiceStatus, InvoiceTemplate, PrintPartStatus)
from app.models.jobs import Job, JobStatus, JobTarget  # noqa: F401
from app.models.purchasing import (GoodsReceipt, GoodsReceiptLine, GoodsReceiptStatus,  # noqa: F401
                                   PurchaseOrder, PurchaseOrderLine, PurchaseOrderStatus, Supplier)
from app.models.sales import (Customer, CustomerAddress, ItemCondition, Order,  # noqa: F401
                              OrderLine, OrderStatus, PaymentMethod, PaymentStatus, RefundStatus,
                              ReturnKind, ReturnLine, ReturnRequest, ReturnStatus)
from app.models.shipping import (Carrier, CodReconciliation, CodReconciliationLine,  # noqa: F401
                                 FeePayer, ReconciliationStatus, Shipment, ShipmentStatus,
                                 ShippingService, TrackingEvent)
from app.models.tallies import OrderTally, SalesTally, ShipmentTally  # noqa: F401
from app.models.assistant import (ChatChannel, ChatMessage, Conversation, DraftState,  # noqa: F401
                                  MessageDirection, PolicyLanguage, PolicyTopic, SaleDraft,
                                  ShopPolicy, SizeChartRow)
