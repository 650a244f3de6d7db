"""Warehouses, the stock ledger (StockMove, append-only) and its per-warehouse cache (StockLevel)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flask_appbuilder.security.sqla.models import User

from app.models.base import Model, StrEnum, TimestampMixin, VersionedMixin, enum_column, utcnow


class WarehouseKind(StrEnum):
    MAIN = "main"
    SUBSIDIARY = "subsidiary"
    BRANCH = "branch"


class MoveKind(StrEnum):
    OPENING = "opening"
    RECEIPT = "receipt"
    SHIPMENT = "shipment"
    RETURN = "return"
    DAMAGE = "damage"
    ADJUSTMENT = "adjustment"
    COUNT = "count"
    TRANSFER = "transfer"


class StockCountStatus(StrEnum):
    DRAFT = "draft"
    COUNTED = "counted"
    POSTED = "posted"
    CANCELLED = "cancelled"


warehouse_user = sa.Table(
    "warehouse_user", Model.metadata,
    sa.Column("warehouse_id", sa.ForeignKey("warehouse.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True),
)


class Warehouse(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "warehouse"
    code: Mapped[str] = mapped_column(sa.String(20), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    address: Mapped[str | None] = mapped_column(sa.String(500))
    person_in_charge: Mapped[str | None] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    kind: Mapped[WarehouseKind] = mapped_column(enum_column(WarehouseKind, "ck_warehouse_kind"),
                                                nullable=False, default=WarehouseKind.MAIN)
    province: Mapped[str | None] = mapped_column(sa.String(80))
    district: Mapped[str | None] = mapped_column(sa.String(80))
    ward: Mapped[str | None] = mapped_column(sa.String(80))
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    # Clerks assigned here see only these warehouses' stock and orders, when any assignment exists.
    assigned_users = relationship("User", secondary=warehouse_user)

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


# A user's warehouses, read-only, loaded with the user on every request (app/security/manager.py)
# so the row rules know a clerk's warehouses without asking the database again.
User.assigned_warehouses = relationship(Warehouse, secondary=warehouse_user, viewonly=True,
                                        overlaps="assigned_users")


class StockLevel(TimestampMixin, Model):
    """Cache of the ledger per (variant, warehouse); ``flask stock verify`` rebuilds and compares."""

    __tablename__ = "stock_level"
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("product_variant.id", ondelete="RESTRICT"),
                                            nullable=False)
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouse.id", ondelete="RESTRICT"),
                                              nullable=False, index=True)
    on_hand: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    reserved: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0, server_default="0")
    available: Mapped[int] = mapped_column(sa.Integer, sa.Computed("on_hand - reserved",
                                                                   persisted=True))

    variant = relationship("ProductVariant", back_populates="stock_levels")
    warehouse = relationship("Warehouse")

    __table_args__ = (
        sa.UniqueConstraint("variant_id", "warehouse_id", name="uq_stock_level_variant_warehouse"),
        sa.CheckConstraint("on_hand >= 0", name="ck_stock_on_hand_nonneg"),
        sa.CheckConstraint("reserved >= 0", name="ck_stock_reserved_nonneg"),
        sa.CheckConstraint("reserved <= on_hand", name="ck_stock_reserved_le_on_hand"),
    )

    def __str__(self) -> str:
        return f"{self.variant.sku if self.variant else self.variant_id} @ " \
               f"{self.warehouse.code if self.warehouse else self.warehouse_id}"


class StockMove(Model):
    """One line of the stock ledger. Never updated or deleted: a mistake is corrected by a new move."""

    __tablename__ = "stock_move"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False,
                                                    index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("product_variant.id", ondelete="RESTRICT"),
                                            nullable=False)
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouse.id", ondelete="RESTRICT"),
                                              nullable=False)
    quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    kind: Mapped[MoveKind] = mapped_column(enum_column(MoveKind, "ck_stock_move_kind"),
                                           nullable=False)
    reference_type: Mapped[str | None] = mapped_column(sa.String(40))
    reference_id: Mapped[int | None] = mapped_column(sa.Integer)
    reference: Mapped[str | None] = mapped_column(sa.String(80))
    balance_after: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="SET NULL"))

    variant = relationship("ProductVariant")
    warehouse = relationship("Warehouse")
    user = relationship("User")

    __table_args__ = (
        sa.CheckConstraint("quantity <> 0", name="ck_stock_move_nonzero"),
        sa.CheckConstraint("balance_after >= 0", name="ck_stock_move_balance_nonneg"),
        sa.Index("ix_stock_move_variant_warehouse", "variant_id", "warehouse_id", "id"),
        sa.Index("ix_stock_move_reference", "reference_type", "reference_id"),
    )

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d}"


class StockCount(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "stock_count"
    number: Mapped[str] = mapped_column(sa.String(20), nullable=False, unique=True)
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouse.id", ondelete="RESTRICT"),
                                              nullable=False, index=True)
    status: Mapped[StockCountStatus] = mapped_column(
        enum_column(StockCountStatus, "ck_stock_count_status"), nullable=False,
        default=StockCountStatus.DRAFT)
    scope: Mapped[str | None] = mapped_column(sa.String(255))  # e.g. "category: Áo thun"
    note: Mapped[str | None] = mapped_column(sa.Text)
    counted_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    posted_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="SET NULL"))

    warehouse = relationship("Warehouse")
    lines = relationship("StockCountLine", back_populates="stock_count", cascade="all, delete-orphan",
                         order_by="StockCountLine.id")

    def __str__(self) -> str:
        return self.number


class StockCountLine(TimestampMixin, Model):
    __tablename__ = "stock_count_line"
    stock_count_id: Mapped[int] = mapped_column(sa.ForeignKey("stock_count.id", ondelete="CASCADE"),
                                                nullable=False, index=True)
    variant_id: Mapped[int] = mapped_column(sa.ForeignKey("product_variant.id", ondelete="RESTRICT"),
                                            nullable=False)
    system_quantity: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    counted_quantity: Mapped[int | None] = mapped_column(sa.Integer)
    stock_count = relationship("StockCount", back_populates="lines")
    variant = relationship("ProductVariant")

    __table_args__ = (
        sa.UniqueConstraint("stock_count_id", "variant_id", name="uq_stock_count_line_variant"),
        sa.CheckConstraint("system_quantity >= 0", name="ck_count_system_nonneg"),
        sa.CheckConstraint("counted_quantity IS NULL OR counted_quantity >= 0",
                           name="ck_count_counted_nonneg"),
    )

    @property
    def variance(self) -> int | None:
        if self.counted_quantity is None:
            return None
        return self.counted_quantity - self.system_quantity

    def __str__(self) -> str:
        return f"{self.variant.sku if self.variant else self.variant_id}"
