"""Figures for the landing page: a handful of grouped queries, no per-row work.

Every figure can be limited to the warehouses a clerk is assigned to (``warehouse_ids``), as the
lists are. Days are the shop's days (Asia/Ho_Chi_Minh by default), not UTC's: an order placed at
06:30 in Hà Nội belongs to that morning, not to the evening before.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import (Channel, Invoice, Job, JobStatus, Order, OrderLine, OrderStatus,
                        OrderTally, ProductVariant, Shipment, ShipmentStatus, StockLevel, Warehouse)
from app.services import tallies
from app.services.errors import N_

OPEN = (OrderStatus.NEW, OrderStatus.PROCESSING, OrderStatus.PACKED)


@dataclass(frozen=True)
class Tile:
    key: str          # what the tile counts (a msgid for its label)
    value: int
    money: bool = False
    name: str = ""    # how the order list asks for the tile's orders (``?tile=<name>``)


def _scoped(query, column, warehouse_ids):
    return query if warehouse_ids is None else query.where(column.in_(warehouse_ids))


def today_in(zone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(zone)).date()


def day_start_utc(day: dt.date, zone: str) -> dt.datetime:
    """The UTC instant (naive, as stored) the shop's ``day`` begins at."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(zone))
    return local.astimezone(dt.timezone.utc).replace(tzinfo=None)


def placed() -> sa.ColumnElement:
    """When an order was placed (taken by hand: when it was entered) — the expression
    ``ix_sales_order_placed_or_created`` indexes, so a range on it reads only those orders."""
    return sa.func.coalesce(Order.placed_at, Order.created_at)


# The tiles, in order: (name in the order list's address, label, money?). Each counts (or sums)
# exactly the orders ``tile_criteria`` selects, so the list a tile opens shows those orders.
TILES = [("today", N_("Orders today"), False), ("sales_today", N_("Sales today"), True),
         ("to_confirm", N_("New orders to confirm"), False),
         ("waiting_for_stock", N_("Waiting for stock"), False),
         ("to_ship", N_("Packed, to ship"), False), ("attention", N_("Need attention"), False)]


def tile_criteria(session: Session, name: str, zone: str) -> list | None:
    """The conditions on Order of the tile called ``name`` (None for no such tile)."""
    if name in ("today", "sales_today"):
        day = today_in(zone)
        today = [placed() >= day_start_utc(day, zone),
                 placed() < day_start_utc(day + dt.timedelta(days=1), zone)]
        return today if name == "today" else today + [Order.status != OrderStatus.CANCELLED]
    if name == "to_confirm":
        return [Order.status == OrderStatus.NEW]
    if name == "waiting_for_stock":
        short = sa.select(OrderLine.id).where(OrderLine.order_id == Order.id,
                                              OrderLine.reserved_quantity < OrderLine.quantity)
        return [Order.status == OrderStatus.PROCESSING, short.exists()]
    if name == "to_ship":
        return [Order.status == OrderStatus.PACKED]
    if name == "attention":
        return [Order.needs_attention.isnot(None),
                Order.status.notin_([OrderStatus.CANCELLED, OrderStatus.COMPLETED])]
    return None


def tiles(session: Session, zone: str, warehouse_ids=None) -> list[Tile]:
    """Today at a glance: what came in, what waits for someone — one statement, each tile a
    sub-select that reads only its own orders through an index."""
    figures = []
    for name, _label, money in TILES:
        figure = sa.func.coalesce(sa.func.sum(Order.total), 0) if money else sa.func.count(Order.id)
        figures.append(_scoped(sa.select(figure).where(*tile_criteria(session, name, zone)),
                               Order.warehouse_id, warehouse_ids).scalar_subquery())
    values = session.execute(sa.select(*figures)).one()
    return [Tile(label, int(value or 0), money=money, name=name)
            for (name, label, money), value in zip(TILES, values)]


def orders_by_channel_and_status(session: Session, warehouse_ids=None) -> dict:
    """``{"statuses": [...], "rows": [(channel id, channel name, {status: count}), ...]}``,
    from the running counts (app/models/tallies.py), not a count of every order."""
    counts = _scoped(sa.select(OrderTally.channel_id, OrderTally.status,
                               sa.func.sum(OrderTally.orders).label("orders")),
                     OrderTally.warehouse_id, warehouse_ids) \
        .group_by(OrderTally.channel_id, OrderTally.status) \
        .having(sa.func.sum(OrderTally.orders) != 0).subquery()
    rows = session.execute(
        sa.select(counts.c.channel_id, Channel.name, counts.c.status, counts.c.orders)
        .outerjoin(Channel, Channel.id == counts.c.channel_id)).all()
    table: dict[tuple, dict[str, int]] = {}
    for channel_id, channel, status, count in rows:
        counts = table.setdefault((channel_id, channel or "—"), {})
        key = getattr(status, "value", status)
        counts[key] = counts.get(key, 0) + int(count)
    ordered = sorted(table.items(), key=lambda item: -sum(item[1].values()))
    return {"statuses": [s.value for s in OrderStatus],
            "rows": [(cid, name, counts) for (cid, name), counts in ordered]}


def revenue_per_day(session: Session, zone: str, days: int = 30,
                    warehouse_ids=None) -> list[tuple[dt.date, int]]:
    """Sales of each of the last ``days`` days (orders placed, cancelled ones left out), every
    day present — a day with no sale is a 0, not a gap. From the hourly sales tally."""
    first = today_in(zone) - dt.timedelta(days=days - 1)
    by_day = tallies.sales_per_day(session, first, zone, warehouse_ids)
    return [(first + dt.timedelta(days=i), by_day.get(first + dt.timedelta(days=i), 0))
            for i in range(days)]


def shipments_by_status(session: Session, warehouse_ids=None) -> list[tuple[str, int]]:
    """Parcels by state: the running count for the whole shop; counted through their orders for
    a clerk who sees some warehouses only."""
    if warehouse_ids is None:
        counts = tallies.shipments_by_status(session)
    else:
        query = sa.select(Shipment.status, sa.func.count(Shipment.id)).group_by(Shipment.status) \
            .join(Order, Order.id == Shipment.order_id).where(Order.warehouse_id.in_(warehouse_ids))
        counts = {getattr(s, "value", s): c for s, c in session.execute(query).all()}
    return [(s.value, counts[s.value]) for s in ShipmentStatus if counts.get(s.value)]


def low_stock(session: Session, limit: int = 12, warehouse_ids=None) -> list[dict]:
    rows = session.execute(_scoped(
        sa.select(ProductVariant.sku, Warehouse.code, StockLevel.available,
                  ProductVariant.reorder_point, Warehouse.id)
        .join(StockLevel, StockLevel.variant_id == ProductVariant.id)
        .join(Warehouse, Warehouse.id == StockLevel.warehouse_id)
        .where(StockLevel.available <= ProductVariant.reorder_point)
        .order_by(StockLevel.available, ProductVariant.sku).limit(limit),
        StockLevel.warehouse_id, warehouse_ids)).all()
    return [{"sku": r[0], "warehouse": r[1], "available": r[2], "reorder_point": r[3],
             "warehouse_id": r[4]} for r in rows]


def failed_jobs(session: Session, limit: int = 8) -> list[Job]:
    return list(session.scalars(sa.select(Job).where(Job.status == JobStatus.FAILED)
                                .order_by(Job.id.desc()).limit(limit)))


def invoices_to_check(session: Session, limit: int = 8) -> list[Invoice]:
    """Invoices a provider issued under a number already recorded for the seller, not yet checked:
    kept with the failed jobs, as work that went wrong and waits for a person."""
    return list(session.scalars(sa.select(Invoice).where(Invoice.number_clash_of_id.is_not(None),
                                                         Invoice.clash_checked_at.is_(None))
                                .order_by(Invoice.id.desc()).limit(limit)))
