"""Figures for the landing page: a handful of grouped queries, no per-row work."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import (Channel, Job, JobStatus, Order, OrderStatus, ProductVariant, Shipment,
                        StockLevel, Warehouse)
from app.models.base import utcnow


def orders_by_channel_and_status(session: Session) -> dict:
    rows = session.execute(
        sa.select(Channel.name, Order.status, sa.func.count(Order.id))
        .select_from(Order).outerjoin(Channel, Order.channel_id == Channel.id)
        .group_by(Channel.name, Order.status)).all()
    table: dict[str, dict[str, int]] = {}
    for channel, status, count in rows:
        counts = table.setdefault(channel or "Manual", {})
        key = getattr(status, "value", status)
        counts[key] = counts.get(key, 0) + count
    return {"statuses": [s.value for s in OrderStatus], "rows": table}


def revenue_per_day(session: Session, days: int = 30) -> list[tuple[dt.date, int]]:
    since = utcnow() - dt.timedelta(days=days)
    placed = sa.func.coalesce(Order.placed_at, Order.created_at)
    day = sa.func.date(placed)
    rows = session.execute(
        sa.select(day, sa.func.sum(Order.total))
        .where(placed >= since, Order.status.notin_([OrderStatus.CANCELLED]))
        .group_by(day).order_by(day)).all()
    return [(str(d), int(total or 0)) for d, total in rows]


def shipments_by_status(session: Session) -> list[tuple[str, int]]:
    rows = session.execute(sa.select(Shipment.status, sa.func.count(Shipment.id))
                           .group_by(Shipment.status)).all()
    return [(getattr(s, "value", s), c) for s, c in rows]


def low_stock(session: Session, limit: int = 15) -> list[dict]:
    rows = session.execute(
        sa.select(ProductVariant.sku, Warehouse.code, StockLevel.available,
                  ProductVariant.reorder_point)
        .join(StockLevel, StockLevel.variant_id == ProductVariant.id)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.available <= ProductVariant.reorder_point)
        .order_by(StockLevel.available).limit(limit)).all()
    return [{"sku": r[0], "warehouse": r[1], "available": r[2], "reorder_point": r[3]} for r in rows]


def failed_jobs(session: Session, limit: int = 10) -> list[Job]:
    return list(session.scalars(sa.select(Job).where(Job.status == JobStatus.FAILED)
                                .order_by(Job.id.desc()).limit(limit)))
