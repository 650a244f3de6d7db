"""Channel views. Credentials are never listed, shown or put in a form here: connecting a shop goes
through the authorization flow, and API secrets are set by the Admin-only credential form.

A channel's page shows, besides its settings, whether the shop must be connected again, its sync
log (every job's messages, newest first) and its latest failed calls to the marketplace."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from flask import g
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import Channel, ChannelListing, WebhookEvent
from app.services.channel_sync import failed_calls, sync_log
from app.web.i18n import phrase_text, say
from app.views.base import OrderHubModelView
from app.views.channel_actions import ChannelViewActions
from app.views.credentials import CredentialsActions
from app.views.interface import OrderHubInterface


class ChannelListingView(OrderHubModelView):
    datamodel = OrderHubInterface(ChannelListing, eager=("channel", "variant.product"))
    class_permission_name = "ChannelListing"
    list_title = _l("Listings")
    list_columns = ["channel", "variant", "external_item_id", "external_model_id", "external_sku",
                    "last_pushed_quantity", "last_pushed_price", "last_pushed_at", "active"]
    search_columns = ["channel", "external_item_id", "external_sku", "active"]
    add_columns = edit_columns = ["channel", "variant", "external_item_id", "external_model_id",
                                  "external_sku", "active"]
    base_order = ("id", "desc")


class WebhookEventView(OrderHubModelView):
    datamodel = OrderHubInterface(WebhookEvent, eager=("channel",))
    class_permission_name = "WebhookEvent"
    list_title = _l("Notifications received")
    list_columns = ["created_at", "platform", "channel", "kind", "status", "reason"]
    search_columns = ["platform", "status", "kind", "created_at"]
    base_permissions = ["can_read"]
    base_order = ("id", "desc")


def _moment(value):
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return value


def _shown(entry):
    """The entry as the reader reads it: its template in their language when the job kept it."""
    return replace(entry, at=_moment(entry.at), title=phrase_text(entry.title),
                   text=say(entry.template, entry.params, entry.text))


class ChannelView(CredentialsActions, ChannelViewActions, OrderHubModelView):
    datamodel = OrderHubInterface(Channel, eager=("order_warehouse",))
    class_permission_name = "Channel"
    show_template = "orderhub/channel_show.html"
    list_columns = ["name", "platform", "shop_id", "connected", "reconnect_reason",
                    "token_expires_at", "last_order_sync_at", "last_stock_push_at", "active"]
    search_columns = ["name", "platform", "shop_id", "active"]
    show_columns = ["name", "platform", "shop_id", "base_url", "connected", "reconnect_reason",
                    "token_expires_at", "order_warehouse", "fulfilling_warehouses", "sync_orders",
                    "sync_stock", "reserve_on_arrival", "listing_category_id", "order_pull_minutes",
                    "last_order_sync_at", "last_product_sync_at", "last_stock_push_at", "active"]
    add_columns = edit_columns = ["name", "platform", "shop_id", "base_url", "order_warehouse",
                                  "fulfilling_warehouses", "sync_orders", "sync_stock",
                                  "reserve_on_arrival", "listing_category_id",
                                  "order_pull_minutes", "active"]
    label_columns = {"reconnect_reason": _l("Reconnect needed"),
                     "reserve_on_arrival": _l("Reserve stock on arrival"),
                     "listing_category_id": _l("Category id for pushed products")}
    description_columns = {
        "reserve_on_arrival": _l("Confirm imported orders at once, so they hold their stock and "
                                 "the next stock push does not sell the same units twice."),
        "listing_category_id": _l("The marketplace's category (a leaf of its category tree) our "
                                  "products are created under by Push products.")}
    related_views = [ChannelListingView]
    base_order = ("name", "asc")
    audit_tables = ("channel",)

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        channel = self.get_scoped(pk)
        g.channel_page = {"channel_reconnect": channel.reconnect_reason,
                          "sync_log": [_shown(e) for e in sync_log(db.session, channel.id)],
                          "failed_calls": failed_calls(db.session, channel.id)}
        return super().show(pk)

    def render_template(self, template, **kwargs):
        return super().render_template(template, **{**kwargs, **getattr(g, "channel_page", {})})
