"""Shipments with carriers, their tracking events, and COD reconciliation statements."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, Money, StrEnum, TimestampMixin, VersionedMixin, enum_column


class Carrier(StrEnum):
    GHN = "ghn"
    VIETTELPOST = "viettelpost"


class ShippingService(StrEnum):
    FAST = "fast"
    ECONOMY = "economy"


class ShipmentStatus(StrEnum):
    DRAFT = "draft"              # ours: not yet sent to the carrier
    CREATED = "created"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    RETURNING = "returning"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    LOST_OR_DAMAGED = "lost_or_damaged"


class FeePayer(StrEnum):
    SELLER = "seller"
    BUYER = "buyer"


class ReconciliationStatus(StrEnum):
    DRAFT = "draft"
    CONFIRMED = "confirmed"


class StatusReading(NamedTuple):
    """A parcel's state as we read it, with the carrier's own code ("ready_to_pick", "-100")
    kept beside it: pages show the first, the code in small print."""

    status: ShipmentStatus | None
    code: str | None


class Shipment(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "shipment"
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("sales_order.id", ondelete="RESTRICT"),
                                          nullable=False, index=True)
    carrier: Mapped[Carrier] = mapped_column(enum_column(Carrier, "ck_shipment_carrier"),
                                             nullable=False)
    service: Mapped[ShippingService] = mapped_column(
        enum_column(ShippingService, "ck_shipment_service"), nullable=False,
        default=ShippingService.FAST)
    carrier_service_code: Mapped[str | None] = mapped_column(sa.String(20))
    # Sent to the carrier as GHN client_order_code / Viettel Post ORDER_NUMBER: one carrier order each.
    client_reference: Mapped[str] = mapped_column(sa.String(50), nullable=False, unique=True)
    tracking_number: Mapped[str | None] = mapped_column(sa.String(50), unique=True)
    status: Mapped[ShipmentStatus] = mapped_column(enum_column(ShipmentStatus, "ck_shipment_status"),
                                                   nullable=False, default=ShipmentStatus.DRAFT,
                                                   index=True)
    carrier_status: Mapped[str | None] = mapped_column(sa.String(40))
    status_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    cod_amount: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    fee_quoted: Mapped[Decimal | None] = mapped_column(Money)
    fee_charged: Mapped[Decimal | None] = mapped_column(Money)
    fee_payer: Mapped[FeePayer] = mapped_column(enum_column(FeePayer, "ck_shipment_fee_payer"),
                                                nullable=False, default=FeePayer.SELLER)
    required_note: Mapped[str | None] = mapped_column(sa.String(30))
    weight_g: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    length_cm: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    width_cm: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    height_cm: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    label_pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    # The carrier's own printable label (GHN's A5 page, Viettel Post's print page), fetched by the
    # booking job while its print token is fresh; and the sort/route code the carrier assigned.
    carrier_label: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    carrier_label_type: Mapped[str | None] = mapped_column(sa.String(60))
    sort_code: Mapped[str | None] = mapped_column(sa.String(40))
    expected_delivery_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    handed_over_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    cod_collected: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    cod_reconciled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    provider_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("provider_account.id", ondelete="SET NULL"))

    order = relationship("Order", back_populates="shipments")
    provider_account = relationship("ProviderAccount")
    events = relationship("TrackingEvent", back_populates="shipment",
                          order_by="TrackingEvent.event_time", cascade="all, delete-orphan")
    __table_args__ = (
        sa.CheckConstraint("cod_amount >= 0", name="ck_shipment_cod_nonneg"),
        sa.CheckConstraint("weight_g >= 0 AND length_cm >= 0 AND width_cm >= 0 AND height_cm >= 0",
                           name="ck_shipment_size_nonneg"),
    )

    @property
    def status_reading(self) -> "StatusReading":
        return StatusReading(self.status, self.carrier_status)

    def __str__(self) -> str:
        return self.tracking_number or self.client_reference


class TrackingEvent(TimestampMixin, Model):
    __tablename__ = "tracking_event"
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipment.id", ondelete="CASCADE"),
                                             nullable=False, index=True)
    event_time: Mapped[dt.datetime] = mapped_column(sa.DateTime, nullable=False)
    carrier_status: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    status: Mapped[ShipmentStatus] = mapped_column(enum_column(ShipmentStatus, "ck_tracking_status"),
                                                   nullable=False)
    description: Mapped[str | None] = mapped_column(sa.String(500))
    location: Mapped[str | None] = mapped_column(sa.String(255))
    source: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="webhook")
    shipment = relationship("Shipment", back_populates="events")
    __table_args__ = (sa.UniqueConstraint("shipment_id", "carrier_status", "event_time",
                                          name="uq_tracking_event_dedup"),)

    @property
    def status_reading(self) -> "StatusReading":
        return StatusReading(self.status, self.carrier_status)

    def __str__(self) -> str:
        return f"{self.status} @ {self.event_time:%Y-%m-%d %H:%M}"


class CodReconciliation(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "cod_reconciliation"
    number: Mapped[str] = mapped_column(sa.String(20), nullable=False, unique=True)
    carrier: Mapped[Carrier] = mapped_column(enum_column(Carrier, "ck_cod_carrier"), nullable=False)
    statement_ref: Mapped[str | None] = mapped_column(sa.String(60))
    statement_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    status: Mapped[ReconciliationStatus] = mapped_column(
        enum_column(ReconciliationStatus, "ck_cod_status"), nullable=False,
        default=ReconciliationStatus.DRAFT)
    expected_cod: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    cod_received: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    fees: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    difference: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("ab_user.id", ondelete="SET NULL"))
    # What the carrier's statement file said, row by row (cod_statements.ImportReport), for the
    # supervisor to check before confirming: unknown parcels, differing amounts …
    import_report: Mapped[dict | None] = mapped_column(sa.JSON)
    lines = relationship("CodReconciliationLine", back_populates="reconciliation",
                         cascade="all, delete-orphan", order_by="CodReconciliationLine.id")

    def __str__(self) -> str:
        return self.number


class CodReconciliationLine(TimestampMixin, Model):
    __tablename__ = "cod_reconciliation_line"
    reconciliation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cod_reconciliation.id", ondelete="CASCADE"), nullable=False, index=True)
    # A shipment is in at most one statement.
    shipment_id: Mapped[int] = mapped_column(sa.ForeignKey("shipment.id", ondelete="RESTRICT"),
                                             nullable=False, unique=True)
    expected_cod: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    cod_received: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    fee: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    reconciliation = relationship("CodReconciliation", back_populates="lines")
    shipment = relationship("Shipment")
    __table_args__ = (sa.CheckConstraint("expected_cod >= 0 AND cod_received >= 0 AND fee >= 0",
                                         name="ck_cod_line_nonneg"),)

    @property
    def difference(self) -> Decimal:
        """What the carrier paid plus the fees it kept, minus the COD it should have collected."""
        return (Decimal(self.cod_received or 0) + Decimal(self.fee or 0)
                - Decimal(self.expected_cod or 0))

    def __str__(self) -> str:
        return f"{self.shipment_id}"
