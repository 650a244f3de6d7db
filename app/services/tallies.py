"""Read and fold the running counts of orders and parcels (app/models/tallies.py).

``fold`` replaces the rows of a tally by one row per key (dropping keys whose count is 0), so the
landing page sums a few dozen rows rather than counting a million orders. Rows added by writers
while it runs are left as they are and folded next time: on PostgreSQL the rows taken are deleted
and summed in one statement (one snapshot); SQLite has one writer at a time.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import OrderTally, ShipmentTally

# Fold when this many rows pile up: a few dozen keys, plus what changed since the last fold.
FOLD_ABOVE = 500
_TALLIES = {"order_tally": ("channel_id, warehouse_id, status", "orders"),
            "shipment_tally": ("status", "shipments")}


def fold(session: Session, table: str) -> None:
    keys, figure = _TALLIES[table]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text(f"""
            WITH taken AS (DELETE FROM {table} RETURNING {keys}, {figure})
            INSERT INTO {table} ({keys}, {figure})
            SELECT {keys}, sum({figure}) FROM taken GROUP BY {keys} HAVING sum({figure}) <> 0"""))
        return
    last = session.scalar(sa.text(f"SELECT max(id) FROM {table}"))
    if last is None:
        return
    session.execute(sa.text(f"""
        INSERT INTO {table} ({keys}, {figure})
        SELECT {keys}, sum({figure}) FROM {table} WHERE id <= :last GROUP BY {keys}
        HAVING sum({figure}) <> 0"""), {"last": last})
    session.execute(sa.text(f"DELETE FROM {table} WHERE id <= :last"), {"last": last})


def fold_if_long(session: Session) -> bool:
    """Fold each tally grown past FOLD_ABOVE rows (one statement looks at both, reading at most
    FOLD_ABOVE + 1 rows of each). Returns whether anything was folded (the caller commits)."""
    looks = ", ".join(f"(SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {FOLD_ABOVE + 1}) t)"
                      for table in _TALLIES)
    sizes = session.execute(sa.text(f"SELECT {looks}")).one()
    long = [table for table, rows in zip(_TALLIES, sizes) if rows > FOLD_ABOVE]
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
