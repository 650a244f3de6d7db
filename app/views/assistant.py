"""The sales assistant's records in the panel (SPEC §11): conversations, their messages and sale
drafts (read by staff), and the set-up records staff edit: size charts and shop policies."""
from __future__ import annotations

from app.extensions import db
from app.models import ChatMessage, Conversation, SaleDraft, ShopPolicy, SizeChartRow
from app.services.assistant import setup
from app.views.base import OrderHubModelView
from app.views.interface import OrderHubInterface


class SetupChecked:
    def pre_add(self, item):
        super().pre_add(item)
        setup.check(db.session, item)

    def pre_update(self, item):
        super().pre_update(item)
        setup.check(db.session, item)


class SizeChartView(SetupChecked, OrderHubModelView):
    datamodel = OrderHubInterface(SizeChartRow)
    class_permission_name = "SizeChart"
    list_title = "Size charts"
    list_columns = ["category", "product_sku", "size", "height_min_cm", "height_max_cm",
                    "weight_min_kg", "weight_max_kg"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["category", "product_sku", "size"]
    label_columns = {"product_sku": "Product SKU", "height_min_cm": "Height from (cm)",
                     "height_max_cm": "Height to (cm)", "weight_min_kg": "Weight from (kg)",
                     "weight_max_kg": "Weight to (kg)"}
    base_order = ("id", "asc")


class ShopPolicyView(SetupChecked, OrderHubModelView):
    datamodel = OrderHubInterface(ShopPolicy)
    class_permission_name = "ShopPolicy"
    list_title = "Shop policies"
    list_columns = ["topic", "language", "text"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["topic", "language", "text"]
    base_order = ("topic", "asc")


class ChatMessageView(OrderHubModelView):
    datamodel = OrderHubInterface(ChatMessage, eager=("conversation",))
    class_permission_name = "ChatMessage"
    list_title = "Assistant messages"
    list_columns = ["created_at", "conversation", "direction", "text", "intent", "variants",
                    "latency_ms"]
    show_columns = list_columns + ["entities"]
    search_columns = ["conversation", "direction", "intent", "text"]
    label_columns = {"latency_ms": "Latency (ms)"}
    base_permissions = ["can_read"]
    base_order = ("id", "desc")


class SaleDraftView(OrderHubModelView):
    datamodel = OrderHubInterface(SaleDraft, eager=("conversation", "order"))
    class_permission_name = "SaleDraft"
    list_title = "Sale drafts"
    list_columns = ["updated_at", "conversation", "state", "name", "phone", "address",
                    "shipping_fee", "total", "order"]
    show_columns = list_columns + ["lines"]
    search_columns = ["conversation", "state", "name", "phone"]
    base_permissions = ["can_read"]
    base_order = ("id", "desc")


class ConversationView(OrderHubModelView):
    datamodel = OrderHubInterface(Conversation, eager=("customer",))
    class_permission_name = "Conversation"
    list_title = "Conversations"
    list_columns = ["public_id", "channel", "external_id", "customer", "handed_over",
                    "paused_until", "last_message_at"]
    show_columns = list_columns + ["failed_clarifications"]
    search_columns = ["public_id", "channel", "external_id", "customer", "handed_over"]
    label_columns = {"public_id": "Conversation", "external_id": "Shopper on the channel",
                     "handed_over": "Handed to staff", "paused_until": "Assistant paused until",
                     "last_message_at": "Last message"}
    related_views = [ChatMessageView, SaleDraftView]
    base_permissions = ["can_read"]
    base_order = ("id", "desc")
