"""The sales assistant's records (SPEC §11): conversations with shoppers, their messages, the sale
a conversation is collecting (its draft), and the set-up records staff edit: size charts and the
shop's policies the assistant quotes."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from flask_appbuilder import Model
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Money, TimestampMixin, enum_column


class ChatChannel(StrEnum):
    WEB = "web"
    MESSENGER = "messenger"
    ZALO = "zalo"


class MessageDirection(StrEnum):
    IN = "in"        # the shopper wrote it
    OUT = "out"      # the assistant answered
    STAFF = "staff"  # a person of the shop wrote it


class DraftState(StrEnum):
    COLLECTING = "collecting"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    CONFIRMED = "confirmed"
    ABANDONED = "abandoned"


class PolicyTopic(StrEnum):
    PAYMENT = "payment"
    RETURNS = "returns"
    SHIPPING = "shipping"
    WARRANTY = "warranty"
    HOURS = "hours"


class PolicyLanguage(StrEnum):
    VI = "vi"
    EN = "en"


class Conversation(TimestampMixin, Model):
    __tablename__ = "conversation"
    public_id: Mapped[str] = mapped_column(sa.String(40), nullable=False, unique=True)
    channel: Mapped[ChatChannel] = mapped_column(enum_column(ChatChannel, "ck_conversation_channel"),
                                                 nullable=False, default=ChatChannel.WEB)
    external_id: Mapped[str | None] = mapped_column(sa.String(120))  # the shopper on that channel
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customer.id", ondelete="SET NULL"),
                                                    index=True)
    customer = relationship("Customer")
    paused_until: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)  # staff are answering
    handed_over: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    failed_clarifications: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    state: Mapped[dict | None] = mapped_column(sa.JSON)  # what the dialogue remembers between turns
    last_message_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    messages = relationship("ChatMessage", back_populates="conversation", order_by="ChatMessage.id",
                            cascade="all, delete-orphan")

    __table_args__ = (
        sa.UniqueConstraint("channel", "external_id", name="uq_conversation_channel_external"),
        sa.CheckConstraint("failed_clarifications >= 0", name="ck_conversation_failures_nonneg"),
    )

    def __str__(self) -> str:
        return self.public_id


class ChatMessage(TimestampMixin, Model):
    __tablename__ = "chat_message"
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False, index=True)
    conversation = relationship("Conversation", back_populates="messages")
    direction: Mapped[MessageDirection] = mapped_column(
        enum_column(MessageDirection, "ck_chat_message_direction"), nullable=False)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    intent: Mapped[str | None] = mapped_column(sa.String(32))
    entities: Mapped[dict | None] = mapped_column(sa.JSON)
    variants: Mapped[list | None] = mapped_column(sa.JSON)
    latency_ms: Mapped[int | None] = mapped_column(sa.Integer)
    external_message_id: Mapped[str | None] = mapped_column(sa.String(120))

    __table_args__ = (
        sa.UniqueConstraint("conversation_id", "external_message_id", name="uq_chat_message_external"),
        sa.CheckConstraint("latency_ms IS NULL OR latency_ms >= 0", name="ck_chat_message_latency"),
    )

    def __str__(self) -> str:
        return f"{self.direction}: {self.text[:60]}"


class SaleDraft(TimestampMixin, Model):
    """The sale a conversation is collecting; becomes an order on the shopper's confirmation."""
    __tablename__ = "sale_draft"
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False, index=True)
    conversation = relationship("Conversation")
    lines: Mapped[list] = mapped_column(sa.JSON, nullable=False, default=list)
    name: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    address: Mapped[str | None] = mapped_column(sa.String(500))
    shipping_fee: Mapped[Decimal | None] = mapped_column(Money)
    total: Mapped[Decimal | None] = mapped_column(Money)
    state: Mapped[DraftState] = mapped_column(enum_column(DraftState, "ck_sale_draft_state"),
                                              nullable=False, default=DraftState.COLLECTING)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sales_order.id", ondelete="SET NULL"),
                                                 unique=True)
    order = relationship("Order")

    __table_args__ = (
        sa.CheckConstraint("shipping_fee IS NULL OR shipping_fee >= 0", name="ck_sale_draft_fee"),
        sa.CheckConstraint("total IS NULL OR total >= 0", name="ck_sale_draft_total"),
        sa.CheckConstraint("state <> 'confirmed' OR order_id IS NOT NULL",
                           name="ck_sale_draft_confirmed_has_order"),
    )

    def __str__(self) -> str:
        return f"{self.conversation} ({self.state})"


class SizeChartRow(TimestampMixin, Model):
    """Which size fits a height and weight range, for a category or for one product (its own rows
    win over its category's)."""
    __tablename__ = "size_chart"
    # As the contract writes them (SPEC §11): a category's name or a product's SKU, checked
    # against the catalogue when a row is written (services.assistant_setup).
    category: Mapped[str | None] = mapped_column(sa.String(120), index=True)
    product_sku: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    size: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    height_min_cm: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    height_max_cm: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    weight_min_kg: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    weight_max_kg: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    __table_args__ = (
        sa.CheckConstraint("(category IS NULL) <> (product_sku IS NULL)",
                           name="ck_size_chart_category_or_product"),
        sa.CheckConstraint("height_min_cm > 0 AND height_min_cm <= height_max_cm",
                           name="ck_size_chart_height_range"),
        sa.CheckConstraint("weight_min_kg > 0 AND weight_min_kg <= weight_max_kg",
                           name="ck_size_chart_weight_range"),
        sa.UniqueConstraint("category", "product_sku", "size", name="uq_size_chart_size"),
    )

    def __str__(self) -> str:
        return f"{self.product_sku or self.category}: {self.size}"


class ShopPolicy(TimestampMixin, Model):
    """A text the assistant quotes when asked about payment, returns, shipping, warranty or hours."""
    __tablename__ = "shop_policy"
    topic: Mapped[PolicyTopic] = mapped_column(enum_column(PolicyTopic, "ck_shop_policy_topic"),
                                               nullable=False)
    language: Mapped[PolicyLanguage] = mapped_column(
        enum_column(PolicyLanguage, "ck_shop_policy_language"), nullable=False,
        default=PolicyLanguage.VI)
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("topic", "language", name="uq_shop_policy_topic_language"),
        sa.CheckConstraint("length(trim(text)) > 0", name="ck_shop_policy_text"),
    )

    def __str__(self) -> str:
        return f"{self.topic} ({self.language})"
