"""Channel views. Credentials are never listed, shown or put in a form here: connecting a shop goes
through the authorization flow, and API secrets are set by the Admin-only credential form."""
from app.models import Channel, ChannelListing, WebhookEvent
from app.views.base import OrderHubModelView
from app.views.channel_actions import ChannelViewActions
from app.views.credentials import CredentialsActions
from app.views.interface import OrderHubInterface


class ChannelListingView(OrderHubModelView):
    datamodel = OrderHubInterface(ChannelListing, eager=("channel", "variant.product"))
    class_permission_name = "ChannelListing"
    list_title = "Listings"
    list_columns = ["channel", "variant", "external_item_id", "external_model_id", "external_sku",
                    "last_pushed_quantity", "last_pushed_at", "active"]
    search_columns = ["channel", "external_item_id", "external_sku", "active"]
    add_columns = edit_columns = ["channel", "variant", "external_item_id", "external_model_id",
                                  "external_sku", "active"]
    base_order = ("id", "desc")


class WebhookEventView(OrderHubModelView):
    datamodel = OrderHubInterface(WebhookEvent, eager=("channel",))
    class_permission_name = "WebhookEvent"
    list_title = "Notifications received"
    list_columns = ["created_at", "platform", "channel", "kind", "status", "reason"]
    search_columns = ["platform", "status", "kind", "created_at"]
    base_permissions = ["can_read"]
    base_order = ("id", "desc")


class ChannelView(CredentialsActions, ChannelViewActions, OrderHubModelView):
    datamodel = OrderHubInterface(Channel, eager=("order_warehouse",))
    class_permission_name = "Channel"
    list_columns = ["name", "platform", "shop_id", "connected", "token_expires_at",
                    "last_order_sync_at", "last_stock_push_at", "active"]
    search_columns = ["name", "platform", "shop_id", "active"]
    show_columns = ["name", "platform", "shop_id", "base_url", "connected", "token_expires_at",
                    "order_warehouse", "fulfilling_warehouses", "sync_orders", "sync_stock",
                    "order_pull_minutes", "last_order_sync_at", "last_product_sync_at",
                    "last_stock_push_at", "active"]
    add_columns = edit_columns = ["name", "platform", "shop_id", "base_url", "order_warehouse",
                                  "fulfilling_warehouses", "sync_orders", "sync_stock",
                                  "order_pull_minutes", "active"]
    related_views = [ChannelListingView]
    base_order = ("name", "asc")
    audit_tables = ("channel",)
