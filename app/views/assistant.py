"""The sales assistant's records in the panel (SPEC §11): conversations, their messages and sale
drafts (read by staff), and the set-up records staff edit: size charts and shop policies."""
from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.actions import action
from flask_babel import gettext as _

from app.extensions import db
from app.models import ChatMessage, Conversation, SaleDraft, ShopPolicy, SizeChartRow
from app.services.assistant import conversations, setup
from app.services.errors import DomainError
from app.web.i18n import error_text
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
    base_permissions = ["can_read", "can_staff_reply"]
    base_order = ("id", "desc")
    permission_aliases = {"reply_form": "staff_reply"}

    def _one(self, items):
        return items[0] if isinstance(items, list) else items

    def _back_to(self, item):
        return redirect(url_for("ConversationView.show", pk=item.id))

    @action("take_over", "Take over", "", "fa-hand-paper-o", multiple=False)
    def take_over(self, items):
        item = self._one(items)
        conversations.take_over(item)
        db.session.commit()
        flash(_("You have the conversation: the assistant stays quiet until it is released."),
              "success")
        return self._back_to(item)

    @action("release", "Release to the assistant", "", "fa-reply-all", multiple=False)
    def release(self, items):
        item = self._one(items)
        conversations.release(item)
        db.session.commit()
        flash(_("The assistant answers this conversation again."), "success")
        return self._back_to(item)

    @action("staff_reply", "Reply", "", "fa-reply", multiple=False)
    def staff_reply(self, items):
        return redirect(url_for("ConversationView.reply_form", pk=self._one(items).id))

    @expose("/reply/<int:pk>", methods=["GET", "POST"])
    @has_access
    def reply_form(self, pk):
        item = db.session.get(Conversation, pk)
        if item is None:
            flash(_("No such conversation."), "danger")
            return redirect(url_for("ConversationView.list"))
        if request.method == "POST":
            minutes = int(current_app.config.get("ASSISTANT_PAUSE_MINUTES", 30))
            try:
                conversations.staff_reply(db.session, item, request.form.get("text") or "",
                                          minutes=minutes)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                flash(error_text(exc), "danger")
            else:
                flash(_("Sent. The assistant is paused for %(minutes)s minutes.", minutes=minutes),
                      "success")
                return self._back_to(item)
        messages = db.session.query(ChatMessage).filter_by(conversation_id=item.id) \
            .order_by(ChatMessage.id.desc()).limit(30).all()[::-1]
        return self.render_template("orderhub/assistant_reply.html", conversation=item,
                                    messages=messages)


class TryAssistantView(BaseView):
    """What the assistant would answer, and why (SPEC §11): the test console on a page. Each try
    is a conversation of its own, as a shopper's would be."""
    route_base = "/assistant/try"
    class_permission_name = "AssistantReply"
    method_permission_name = {"page": "reply"}
    default_view = "page"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def page(self):
        from app.api.assistant import settings
        answer, error = None, None
        text = (request.form.get("text") or "").strip() if request.method == "POST" else ""
        conversation = request.form.get("conversation") or None
        if request.method == "POST":
            try:
                conversation, text, channel = conversations.read_request(
                    {"conversation": conversation, "text": text,
                     "channel": request.form.get("channel") or "web"})
                _, answer = conversations.answer(db.session, conversation=conversation, text=text,
                                                 channel=channel, settings=settings())
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                error = error_text(exc)
        import json
        shown = json.dumps(answer, ensure_ascii=False, indent=1) if answer else None
        return self.render_template("orderhub/assistant_try.html", answer=answer, shown=shown,
                                    error=error, text=text)
