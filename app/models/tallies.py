"""Running counts the landing page reads instead of counting a million orders each time.

Every insert, delete, or change of state / channel / warehouse of an order (and of a parcel's
state) adds a row to its tally in the same transaction — by a database trigger (app/db_rules.py),
so raw SQL and bulk updates are counted as ORM writes are: ``+1`` under the new key, ``-1`` under
the old. Rows are only ever added, never updated, so concurrent writers never wait on one another
or deadlock on a counter; ``app.services.tallies.fold`` now and then folds the rows into one per
key. The count of a key is the sum of its rows.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Model, Money


def _folded():
    """False on the rows writers add, True on the one row a key gets when folded."""
    return mapped_column(sa.Boolean, nullable=False, default=False, server_default=sa.false())


class OrderTally(Model):
    __tablename__ = "order_tally"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                    primary_key=True)
    channel_id: Mapped[int | None] = mapped_column(sa.Integer)
    warehouse_id: Mapped[int | None] = mapped_column(sa.Integer)
    status: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    orders: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    folded: Mapped[bool] = _folded()
    __table_args__ = (sa.Index("ix_order_tally_unfolded", "id", postgresql_where=sa.text("NOT folded"),
                               sqlite_where=sa.text("NOT folded")),)


class ShipmentTally(Model):
    __tablename__ = "shipment_tally"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                    primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    shipments: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    folded: Mapped[bool] = _folded()
    __table_args__ = (sa.Index("ix_shipment_tally_unfolded", "id",
                               postgresql_where=sa.text("NOT folded"),
                               sqlite_where=sa.text("NOT folded")),)


class SalesTally(Model):
    """Orders and their totals per hour they were placed in (UTC, coalesce(placed_at,
    created_at) truncated to the hour), per warehouse, cancelled or not: the sales per day of the
    last 30 days in the shop's days (whole-hour offsets, as Việt Nam's) without reading orders."""
    __tablename__ = "sales_tally"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                    primary_key=True)
    hour: Mapped[dt.datetime] = mapped_column(sa.DateTime, nullable=False)
    warehouse_id: Mapped[int | None] = mapped_column(sa.Integer)
    cancelled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    orders: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    sales: Mapped[Decimal] = mapped_column(Money, nullable=False)
    folded: Mapped[bool] = _folded()
    __table_args__ = (sa.Index("ix_sales_tally_hour", "hour"),
                      sa.Index("ix_sales_tally_unfolded", "id",
                               postgresql_where=sa.text("NOT folded"),
                               sqlite_where=sa.text("NOT folded")))
