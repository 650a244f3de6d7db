"""Sales channel connections, listings (variant ↔ marketplace ids), inbound notifications, and the
accounts of carriers and e-invoice providers."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import (EncryptedJSON, Model, StrEnum, TimestampMixin, VersionedMixin,
                             enum_column, utcnow)


class Platform(StrEnum):
    WEBSITE = "website"
    SHOPEE = "shopee"
    LAZADA = "lazada"
    TIKTOK = "tiktok"
    MANUAL = "manual"


class ProviderKind(StrEnum):
    CARRIER = "carrier"
    EINVOICE = "einvoice"


class WebhookStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    PROCESSED = "processed"
    FAILED = "failed"


channel_warehouse = sa.Table(
    "channel_warehouse", Model.metadata,
    sa.Column("channel_id", sa.ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("warehouse_id", sa.ForeignKey("warehouse.id", ondelete="CASCADE"), primary_key=True),
)


class Channel(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "channel"
    platform: Mapped[Platform] = mapped_column(enum_column(Platform, "ck_channel_platform"),
                                               nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False, unique=True)
    shop_id: Mapped[str | None] = mapped_column(sa.String(64))
    base_url: Mapped[str | None] = mapped_column(sa.String(500))
    # App keys, secrets, access and refresh tokens: encrypted, never listed, shown or logged.
    credentials: Mapped[dict | None] = mapped_column(EncryptedJSON)
    token_expires_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    refresh_expires_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    order_warehouse_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("warehouse.id", ondelete="RESTRICT"))
    sync_orders: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    sync_stock: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    order_pull_minutes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=5)
    last_order_sync_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    last_product_sync_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    last_stock_push_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    # Confirm imported orders at once, so they hold stock and the next stock push does not oversell.
    reserve_on_arrival: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False,
                                                     server_default=sa.false())
    # The marketplace category our products are listed under when pushed ("go up").
    listing_category_id: Mapped[str | None] = mapped_column(sa.String(40))
    # Why the shop must be connected again (authorization withdrawn or expired); None when fine.
    reconnect_reason: Mapped[str | None] = mapped_column(sa.String(500))
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    order_warehouse = relationship("Warehouse", foreign_keys=[order_warehouse_id])
    fulfilling_warehouses = relationship("Warehouse", secondary=channel_warehouse)
    __table_args__ = (
        sa.UniqueConstraint("platform", "shop_id", name="uq_channel_platform_shop"),
        sa.CheckConstraint("order_pull_minutes >= 1", name="ck_channel_pull_minutes_pos"),
    )

    @property
    def connected(self) -> bool:
        creds = self.credentials or {}
        return bool(creds.get("access_token") or creds.get("api_secret"))

    def __str__(self) -> str:
        return self.name


class ChannelListing(TimestampMixin, Model):
    __tablename__ = "channel_listing"
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channel.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("product_variant.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    external_item_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    external_model_id: Mapped[str] = mapped_column(sa.String(64), nullable=False, default="")
    external_sku: Mapped[str | None] = mapped_column(sa.String(64))
    last_pushed_quantity: Mapped[int | None] = mapped_column(sa.Integer)
    last_pushed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    last_pushed_price: Mapped[int | None] = mapped_column(sa.Integer)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    channel = relationship("Channel")
    variant = relationship("ProductVariant")
    __table_args__ = (
        sa.UniqueConstraint("channel_id", "external_item_id", "external_model_id",
                            name="uq_listing_channel_external_ids"),
        sa.UniqueConstraint("channel_id", "variant_id", name="uq_listing_channel_variant"),
    )

    def __str__(self) -> str:
        return f"{self.external_item_id}/{self.external_model_id}"


class WebhookEvent(TimestampMixin, Model):
    """Every notification received at /webhooks/<platform>, accepted or not, before any job runs."""

    __tablename__ = "webhook_event"
    platform: Mapped[str] = mapped_column(sa.String(20), nullable=False, index=True)
    channel_id: Mapped[int | None] = mapped_column(sa.ForeignKey("channel.id", ondelete="SET NULL"))
    event_key: Mapped[str | None] = mapped_column(sa.String(128))  # replay detection
    kind: Mapped[str | None] = mapped_column(sa.String(60))
    status: Mapped[WebhookStatus] = mapped_column(enum_column(WebhookStatus, "ck_webhook_status"),
                                                  nullable=False)
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    headers: Mapped[dict | None] = mapped_column(sa.JSON)
    body: Mapped[str | None] = mapped_column(sa.Text)
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("job.id", ondelete="SET NULL"))
    channel = relationship("Channel")
    __table_args__ = (sa.UniqueConstraint("platform", "event_key", name="uq_webhook_event_key"),)

    def __str__(self) -> str:
        return f"{self.platform} {self.kind or ''} #{self.id}"


class ProviderAccount(TimestampMixin, VersionedMixin, Model):
    """A carrier (GHN, Viettel Post) or e-invoice provider (S-Invoice, MISA) account: Admin only."""

    __tablename__ = "provider_account"
    kind: Mapped[ProviderKind] = mapped_column(enum_column(ProviderKind, "ck_provider_kind"),
                                               nullable=False)
    provider: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # ghn, viettelpost, sinvoice, misa
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False, unique=True)
    base_url: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    credentials: Mapped[dict | None] = mapped_column(EncryptedJSON)
    settings: Mapped[dict | None] = mapped_column(sa.JSON)  # sender address, series, webhook token id…
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    __table_args__ = (sa.CheckConstraint(
        "provider IN ('ghn', 'viettelpost', 'sinvoice', 'misa')", name="ck_provider_account_provider"),)

    def __str__(self) -> str:
        return self.name


__all__ = ["Channel", "ChannelListing", "WebhookEvent", "ProviderAccount", "Platform",
           "ProviderKind", "WebhookStatus", "utcnow"]
