"""Suppliers, purchase orders and goods receipts."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, Money, StrEnum, TimestampMixin, VersionedMixin, enum_column


class PurchaseOrderStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


class GoodsReceiptStatus(StrEnum):
    DRAFT = "draft"
    POSTED = "posted"


class Supplier(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "supplier"
    name: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    tax_code: Mapped[str | None] = mapped_column(sa.String(14), index=True)
    contact_person: Mapped[str | None] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(255))
    address: Mapped[str | None] = mapped_column(sa.String(500))
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    def __str__(self) -> str:
        return self.name


class PurchaseOrder(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "purchase_order"
    number: Mapped[str] = mapped_column(sa.String(20), nullable=False, unique=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("supplier.id", ondelete="RESTRICT"),
                                             nullable=False, index=True)
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouse.id", ondelete="RESTRICT"),
                                              nullable=False, index=True)
    status: Mapped[PurchaseOrderStatus] = mapped_column(
        enum_column(PurchaseOrderStatus, "ck_purchase_order_status"), nullable=False,
        default=PurchaseOrderStatus.DRAFT, index=True)
    expected_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.Text)
    total: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="SET NULL"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    source_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sales_order.id",
                                                                      ondelete="SET NULL"))

    supplier = relationship("Supplier")
    warehouse = relationship("Warehouse")
    lines = relationship("PurchaseOrderLine", back_populates="purchase_order",
                         cascade="all, delete-orphan", order_by="PurchaseOrderLine.id")

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(TimestampMixin, Model):
    __tablename__ = "purchase_order_line"
    purchase_order_id: Mapped[int] = mapped_column(
        sa.ForeignKey("purchase_order.id", ondelete="CASCADE"), nullable=False, index=True)
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("product_variant.id", ondelete="RESTRICT"),
                                            nullable=False)
    quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    received_quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    purchase_order = relationship("PurchaseOrder", back_populates="lines")
    variant = relationship("ProductVariant")
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="ck_po_line_qty_pos"),
        sa.CheckConstraint("unit_price >= 0", name="ck_po_line_price_nonneg"),
        sa.CheckConstraint("received_quantity >= 0", name="ck_po_line_received_nonneg"),
    )

    @property
    def outstanding(self) -> int:
        return max(0, (self.quantity or 0) - (self.received_quantity or 0))

    def __str__(self) -> str:
        return f"{self.variant.sku if self.variant else self.variant_id} × {self.quantity}"


class GoodsReceipt(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "goods_receipt"
    number: Mapped[str] = mapped_column(sa.String(20), nullable=False, unique=True)
    purchase_order_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("purchase_order.id", ondelete="RESTRICT"), index=True)
    supplier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("supplier.id", ondelete="RESTRICT"))
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouse.id", ondelete="RESTRICT"),
                                              nullable=False)
    status: Mapped[GoodsReceiptStatus] = mapped_column(
        enum_column(GoodsReceiptStatus, "ck_goods_receipt_status"), nullable=False,
        default=GoodsReceiptStatus.DRAFT)
    received_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    note: Mapped[str | None] = mapped_column(sa.Text)

    purchase_order = relationship("PurchaseOrder")
    supplier = relationship("Supplier")
    warehouse = relationship("Warehouse")
    lines = relationship("GoodsReceiptLine", back_populates="goods_receipt",
                         cascade="all, delete-orphan", order_by="GoodsReceiptLine.id")

    def __str__(self) -> str:
        return self.number


class GoodsReceiptLine(TimestampMixin, Model):
    __tablename__ = "goods_receipt_line"
    goods_receipt_id: Mapped[int] = mapped_column(
        sa.ForeignKey("goods_receipt.id", ondelete="CASCADE"), nullable=False, index=True)
    purchase_order_line_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("purchase_order_line.id", ondelete="RESTRICT"))
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("product_variant.id", ondelete="RESTRICT"),
                                            nullable=False)
    quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    unit_cost: Mapped[Decimal | None] = mapped_column(Money)

    goods_receipt = relationship("GoodsReceipt", back_populates="lines")
    purchase_order_line = relationship("PurchaseOrderLine")
    variant = relationship("ProductVariant")
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="ck_gr_line_qty_pos"),)

    def __str__(self) -> str:
        return f"{self.variant.sku if self.variant else self.variant_id} × {self.quantity}"
