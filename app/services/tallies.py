"""Read and fold the running counts of orders, parcels and sales (app/models/tallies.py).

``fold`` replaces the rows of each key that has new (unfolded) rows by one folded row per key
(dropping keys whose figures are all 0), so the landing page sums a few rows per key rather than
counting a million orders, and a fold touches only the keys that changed. Rows added by writers
while it runs are left as they are and folded next time: on PostgreSQL the rows taken are deleted
and summed in one statement (one snapshot); SQLite has one writer at a time.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import OrderTally, SalesTally, ShipmentTally

# Fold a tally when this many new rows pile up (what changed since the last fold).
FOLD_ABOVE = 500
# table: (key columns, figure columns)
TALLIES = {"order_tally": (("channel_id", "warehouse_id", "status"), ("orders",)),
           "shipment_tally": (("status",), ("shipments",)),
           "sales_tally": (("hour", "warehouse_id", "cancelled"), ("orders", "sales"))}


def fold(session: Session, table: str) -> None:
    keys, figures = TALLIES[table]
    key_list, fig_list = ", ".join(keys), ", ".join(figures)
    sums = ", ".join(f"sum({f})" for f in figures)
    nonzero = " OR ".join(f"sum({f}) <> 0" for f in figures)
    if session.get_bind().dialect.name == "postgresql":
        same_key = " AND ".join(f"t.{k} IS NOT DISTINCT FROM c.{k}" for k in keys)
        session.execute(sa.text(f"""
            WITH changed AS (SELECT DISTINCT {key_list} FROM {table} WHERE NOT folded),
            taken AS (DELETE FROM {table} t USING changed c WHERE {same_key}
                      RETURNING {", ".join(f"t.{c}" for c in keys + figures)})
            INSERT INTO {table} ({key_list}, {fig_list}, folded)
            SELECT {key_list}, {sums}, true FROM taken GROUP BY {key_list} HAVING {nonzero}"""))
        return
    last = session.scalar(sa.text(f"SELECT max(id) FROM {table}"))
    if last is None:
        return
    session.execute(sa.text(f"""
        INSERT INTO {table} ({key_list}, {fig_list}, folded)
        SELECT {key_list}, {sums}, 1 FROM {table} WHERE id <= :last GROUP BY {key_list}
        HAVING {nonzero}"""), {"last": last})
    session.execute(sa.text(f"DELETE FROM {table} WHERE id <= :last"), {"last": last})


def fold_if_long(session: Session) -> bool:
    """Fold each tally with more than FOLD_ABOVE new rows (one statement looks at all, reading at
    most FOLD_ABOVE + 1 rows of each through its index). Returns whether anything was folded
    (the caller commits)."""
    looks = ", ".join(f"(SELECT count(*) FROM (SELECT 1 FROM {table} WHERE NOT folded "
                      f"LIMIT {FOLD_ABOVE + 1}) t)" for table in TALLIES)
    sizes = session.execute(sa.text(f"SELECT {looks}")).one()
    long = [table for table, rows in zip(TALLIES, sizes) if rows > FOLD_ABOVE]
    for table in long:
        fold(session, table)
    return bool(long)


def orders_by_key(session: Session, warehouse_ids=None) -> list[tuple[int | None, str, int]]:
    """``[(channel id, status, orders), ...]`` over the warehouses given (all when None)."""
    query = sa.select(OrderTally.channel_id, OrderTally.status, sa.func.sum(OrderTally.orders)) \
        .group_by(OrderTally.channel_id, OrderTally.status) \
        .having(sa.func.sum(OrderTally.orders) != 0)
    if warehouse_ids is not None:
        query = query.where(OrderTally.warehouse_id.in_(warehouse_ids))
    return [(c, s, int(n)) for c, s, n in session.execute(query).all()]


def shipments_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(sa.select(ShipmentTally.status, sa.func.sum(ShipmentTally.shipments))
                           .group_by(ShipmentTally.status)).all()
    return {s: int(n) for s, n in rows if n}


def sales_per_day(session: Session, first: dt.date, zone: str, warehouse_ids=None
                  ) -> dict[dt.date, int]:
    """Sales (cancelled orders left out) of each of the shop's days from ``first`` on."""
    local = dt.datetime.combine(first, dt.time(), tzinfo=ZoneInfo(zone))
    since = local.astimezone(dt.timezone.utc).replace(tzinfo=None)
    query = sa.select(SalesTally.hour, sa.func.sum(SalesTally.sales)) \
        .where(SalesTally.hour >= since, SalesTally.cancelled.is_(False)) \
        .group_by(SalesTally.hour)
    if warehouse_ids is not None:
        query = query.where(SalesTally.warehouse_id.in_(warehouse_ids))
    by_day: dict[dt.date, int] = defaultdict(int)
    for hour, sales in session.execute(query).all():
        day = hour.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(zone)).date()
        by_day[day] += int(sales or 0)
    return by_day
