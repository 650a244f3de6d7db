"""Customers, orders with their lines, and returns/exchanges."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.models.base import (Model, Money, Phrase, StrEnum, TimestampMixin, VersionedMixin,
                             enum_column)
from app.models.catalog import VatRate
from app.models.search import needs_trigrams, search_column, trigram_index


class OrderStatus(StrEnum):
    NEW = "new"
    PROCESSING = "processing"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    DELIVERY_FAILED = "delivery_failed"
    RETURNED = "returned"


class PaymentMethod(StrEnum):
    COD = "cod"
    PREPAID = "prepaid"
    BANK_TRANSFER = "bank_transfer"


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ReturnKind(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"


class RefundStatus(StrEnum):
    NONE = "none"
    PENDING = "pending"
    REFUNDED = "refunded"


class ItemCondition(StrEnum):
    GOOD = "good"
    DAMAGED = "damaged"


class Customer(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "customer"
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False, index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    street: Mapped[str | None] = mapped_column(sa.String(255))
    ward: Mapped[str | None] = mapped_column(sa.String(80))
    district: Mapped[str | None] = mapped_column(sa.String(80))
    province: Mapped[str | None] = mapped_column(sa.String(80))
    # GSO codes of the province and ward chosen (app.services.divisions); null until chosen.
    province_code: Mapped[int | None] = mapped_column(sa.Integer)
    ward_code: Mapped[int | None] = mapped_column(sa.Integer)
    company_name: Mapped[str | None] = mapped_column(sa.String(255))
    tax_code: Mapped[str | None] = mapped_column(sa.String(14), index=True)
    invoice_address: Mapped[str | None] = mapped_column(sa.String(500))
    invoice_email: Mapped[str | None] = mapped_column(sa.String(255))
    wants_invoice: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    search_text: Mapped[str] = search_column()

    addresses = relationship("CustomerAddress", back_populates="customer",
                             cascade="all, delete-orphan")
    __table_args__ = (trigram_index("customer"),)

    @property
    def is_business(self) -> bool:
        return bool(self.tax_code)

    @property
    def address(self) -> str:
        """As a person writes it: street, ward(, district), province — only the parts known."""
        return ", ".join(p for p in (self.street, self.ward, self.district, self.province) if p)

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})" if self.phone else self.name


needs_trigrams(Customer.__table__)


class CustomerAddress(TimestampMixin, Model):
    __tablename__ = "customer_address"
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customer.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    label: Mapped[str | None] = mapped_column(sa.String(60))
    recipient: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    street: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    ward: Mapped[str | None] = mapped_column(sa.String(80))
    district: Mapped[str | None] = mapped_column(sa.String(80))
    province: Mapped[str | None] = mapped_column(sa.String(80))
    province_code: Mapped[int | None] = mapped_column(sa.Integer)
    ward_code: Mapped[int | None] = mapped_column(sa.Integer)
    is_default: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    customer = relationship("Customer", back_populates="addresses")

    @property
    def address_text(self) -> str:
        return ", ".join(p for p in (self.street, self.ward, self.district, self.province) if p)

    def __str__(self) -> str:
        return self.address_text


class Order(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "sales_order"
    number: Mapped[str] = mapped_column(sa.String(20), nullable=False, unique=True)
    channel_id: Mapped[int | None] = mapped_column(sa.ForeignKey("channel.id", ondelete="RESTRICT"),
                                                   index=True)
    external_order_id: Mapped[str | None] = mapped_column(sa.String(64))
    marketplace_status: Mapped[str | None] = mapped_column(sa.String(40))
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customer.id", ondelete="RESTRICT"),
                                                    index=True)
    buyer_name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    buyer_phone: Mapped[str | None] = mapped_column(sa.String(20))
    buyer_email: Mapped[str | None] = mapped_column(sa.String(255))
    ship_street: Mapped[str | None] = mapped_column(sa.String(255))
    ship_ward: Mapped[str | None] = mapped_column(sa.String(80))
    ship_district: Mapped[str | None] = mapped_column(sa.String(80))
    ship_province: Mapped[str | None] = mapped_column(sa.String(80))
    # GSO codes of the province and ward (app.services.divisions): set when the address was checked
    # against today's divisions; an order is confirmed and packed only with both.
    ship_province_code: Mapped[int | None] = mapped_column(sa.Integer)
    ship_ward_code: Mapped[int | None] = mapped_column(sa.Integer)
    # Each carrier's own ids for the address, e.g. {"ghn": {"district_id": 1442, "ward_code": "20109"}}
    area_codes: Mapped[dict | None] = mapped_column(sa.JSON)
    warehouse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("warehouse.id", ondelete="RESTRICT"),
                                                     index=True)
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus, "ck_order_status"),
                                                nullable=False, default=OrderStatus.NEW, index=True)
    payment_method: Mapped[PaymentMethod] = mapped_column(
        enum_column(PaymentMethod, "ck_order_payment_method"), nullable=False,
        default=PaymentMethod.COD)
    payment_status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus, "ck_order_payment_status"), nullable=False,
        default=PaymentStatus.UNPAID)
    invoice_requested: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # Computed from the lines by services.pricing, never typed.
    subtotal: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    discount_total: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    shipping_fee: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    vat_total: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    total: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    paid_amount: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    refunded_amount: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    # What the payment was recorded against: a COD statement, a bank transfer's reference …
    payment_reference: Mapped[str | None] = mapped_column(sa.String(100))
    needs_attention: Mapped[str | None] = mapped_column(sa.String(500))  # e.g. unknown SKU
    # The marketplace's own figures (buyer paid, vouchers, platform discounts, fees), as it sent them.
    marketplace_amounts: Mapped[dict | None] = mapped_column(sa.JSON)
    placed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime, index=True)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    packed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    shipped_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(500))
    exchange_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sales_order.id",
                                                                     ondelete="SET NULL"))

    channel = relationship("Channel")
    customer = relationship("Customer")
    warehouse = relationship("Warehouse")
    exchange_of = relationship("Order", remote_side="Order.id")
    lines = relationship("OrderLine", back_populates="order", cascade="all, delete-orphan",
                         order_by="OrderLine.id")
    shipments = relationship("Shipment", back_populates="order", order_by="Shipment.id")
    invoices = relationship("Invoice", back_populates="order", order_by="Invoice.id")
    returns = relationship("ReturnRequest", back_populates="order", order_by="ReturnRequest.id",
                           foreign_keys="ReturnRequest.order_id")

    __table_args__ = (
        sa.UniqueConstraint("channel_id", "external_order_id", name="uq_order_channel_external_id"),
        sa.CheckConstraint("subtotal >= 0 AND discount_total >= 0 AND shipping_fee >= 0 AND "
                           "vat_total >= 0 AND total >= 0", name="ck_order_totals_nonneg"),
        sa.CheckConstraint("paid_amount >= 0 AND refunded_amount >= 0",
                           name="ck_order_payments_nonneg"),
        sa.Index("ix_sales_order_created", "created_at"),
        # When an order was placed (app.services.dashboard.placed): "today" and the sales per day
        # read a range of it; on PostgreSQL the index also carries what they sum and filter on,
        # so they never visit the table.
        sa.Index("ix_sales_order_placed_or_created", sa.text("coalesce(placed_at, created_at)"),
                 postgresql_include=["placed_at", "created_at", "status", "total", "warehouse_id"]),
        # The few orders that need attention, without reading the others.
        sa.Index("ix_sales_order_attention", "status",
                 postgresql_where=sa.text("needs_attention IS NOT NULL"),
                 sqlite_where=sa.text("needs_attention IS NOT NULL")),
        # Search by the buyer's name or phone, any part of it (pg_trgm; a plain index elsewhere).
        sa.Index("ix_sales_order_buyer_name_trgm", "buyer_name", postgresql_using="gin",
                 postgresql_ops={"buyer_name": "gin_trgm_ops"}),
        sa.Index("ix_sales_order_buyer_phone_trgm", "buyer_phone", postgresql_using="gin",
                 postgresql_ops={"buyer_phone": "gin_trgm_ops"}),
        # A phone's beginning and (PostgreSQL) its end, for app/views/phone_search.py's LIKE.
        sa.Index("ix_sales_order_buyer_phone_prefix", "buyer_phone",
                 postgresql_ops={"buyer_phone": "varchar_pattern_ops"}),
        sa.Index("ix_sales_order_buyer_phone_reversed",
                 sa.text("reverse(buyer_phone) text_pattern_ops")).ddl_if(dialect="postgresql"),
    )

    @property
    def ship_address(self) -> str:
        return ", ".join(p for p in (self.ship_street, self.ship_ward, self.ship_district,
                                     self.ship_province) if p)

    def __str__(self) -> str:
        return self.number


needs_trigrams(Order.__table__)


class OrderLine(TimestampMixin, Model):
    __tablename__ = "order_line"
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("sales_order.id", ondelete="CASCADE"),
                                          nullable=False, index=True)
    # Null when the channel sent a SKU we do not know: the line is kept and the order flagged.
    variant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("product_variant.id", ondelete="RESTRICT"), index=True)
    sku: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    discount: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    vat_rate: Mapped[VatRate] = mapped_column(enum_column(VatRate, "ck_order_line_vat_rate"),
                                              nullable=False, default=VatRate.TEN)
    line_total: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    reserved_quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    shipped_quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    returned_quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    external_line_id: Mapped[str | None] = mapped_column(sa.String(64))

    order = relationship("Order", back_populates="lines")
    variant = relationship("ProductVariant")

    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="ck_order_line_qty_pos"),
        sa.CheckConstraint("unit_price >= 0 AND discount >= 0 AND line_total >= 0",
                           name="ck_order_line_money_nonneg"),
        sa.CheckConstraint("reserved_quantity >= 0 AND reserved_quantity <= quantity",
                           name="ck_order_line_reserved_range"),
        sa.CheckConstraint("shipped_quantity >= 0 AND shipped_quantity <= quantity",
                           name="ck_order_line_shipped_range"),
        sa.CheckConstraint("returned_quantity >= 0 AND returned_quantity <= quantity",
                           name="ck_order_line_returned_range"),
    )

    @property
    def short_by(self) -> int:
        return max(0, (self.quantity or 0) - (self.reserved_quantity or 0)
                   - (self.shipped_quantity or 0))

    @property
    def stock_status(self) -> Phrase:
        """Where the line stands ("short by 2"), with its template for the reader's language."""
        if self.variant_id is None:
            return Phrase("unknown SKU", "unknown SKU")
        if self.shipped_quantity >= self.quantity:
            return Phrase("shipped", "shipped")
        if self.short_by == 0:
            return Phrase("reserved", "reserved")
        return Phrase(f"short by {self.short_by}", "short by %(n)s", {"n": self.short_by})

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"


class ReturnRequest(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "return_request"
    number: Mapped[str] = mapped_column(sa.String(20), nullable=False, unique=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("sales_order.id", ondelete="RESTRICT"),
                                          nullable=False, index=True)
    kind: Mapped[ReturnKind] = mapped_column(enum_column(ReturnKind, "ck_return_kind"),
                                             nullable=False, default=ReturnKind.RETURN)
    status: Mapped[ReturnStatus] = mapped_column(enum_column(ReturnStatus, "ck_return_status"),
                                                 nullable=False, default=ReturnStatus.REQUESTED)
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    warehouse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("warehouse.id",
                                                                   ondelete="RESTRICT"))
    refund_amount: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    refund_status: Mapped[RefundStatus] = mapped_column(enum_column(RefundStatus, "ck_refund_status"),
                                                        nullable=False, default=RefundStatus.NONE)
    refunded_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    received_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoice.id", ondelete="SET NULL"))
    exchange_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sales_order.id",
                                                                        ondelete="SET NULL"))

    order = relationship("Order", back_populates="returns", foreign_keys=[order_id])
    exchange_order = relationship("Order", foreign_keys=[exchange_order_id])
    warehouse = relationship("Warehouse")
    invoice = relationship("Invoice", foreign_keys=[invoice_id])
    lines = relationship("ReturnLine", back_populates="return_request", cascade="all, delete-orphan",
                         order_by="ReturnLine.id")
    __table_args__ = (sa.CheckConstraint("refund_amount >= 0", name="ck_return_refund_nonneg"),)

    def __str__(self) -> str:
        return self.number


class ReturnLine(TimestampMixin, Model):
    __tablename__ = "return_line"
    return_request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("return_request.id", ondelete="CASCADE"), nullable=False, index=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_line.id", ondelete="RESTRICT"),
                                               nullable=False)
    quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    condition: Mapped[ItemCondition] = mapped_column(enum_column(ItemCondition, "ck_return_condition"),
                                                     nullable=False, default=ItemCondition.GOOD)
    return_request = relationship("ReturnRequest", back_populates="lines")
    order_line = relationship("OrderLine")
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="ck_return_line_qty_pos"),)

    def __str__(self) -> str:
        return f"{self.order_line.sku if self.order_line else self.order_line_id} × {self.quantity}"


# Derived figures shown when taking an order; one correlated sub-select each, in the same statement.
Customer.order_count = column_property(
    sa.select(sa.func.count(Order.id)).where(Order.customer_id == Customer.id)
    .correlate_except(Order).scalar_subquery(), deferred=True)
Customer.failed_count = column_property(
    sa.select(sa.func.count(Order.id)).where(
        Order.customer_id == Customer.id,
        Order.status.in_([OrderStatus.DELIVERY_FAILED, OrderStatus.RETURNED]))
    .correlate_except(Order).scalar_subquery(), deferred=True)
