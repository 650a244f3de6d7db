"""Confirming an order on PostgreSQL in two statements.

``orders.confirm_order`` is the rule; this is how it runs where it matters most. Confirmation is the
hottest write a shop has (every import, every clerk, racing for the same popular SKUs), and the ORM
path costs half a dozen round trips plus object bookkeeping per order. Here:

1. one UPDATE moves the order from ``new`` to ``processing`` (checking state and version, and that
   it has lines and a warehouse) — that row lock also serialises two confirmations of one order;
2. one statement locks the order's stock rows in variant order (no deadlocks between multi-line
   orders), takes ``LEAST(need, on_hand − reserved)`` of each — computed on the locked, latest row,
   so nothing is ever oversold — spreads it over the lines in line order, and writes the audit
   trail of the order and its lines.

Anything unusual (wrong state, stale version, no lines, no warehouse yet, an address not yet
checked against today's divisions) makes the first UPDATE
match nothing; the caller then takes the ORM path, which raises the precise error or resolves the
warehouse. SQLite, which has no data-modifying CTEs, always takes the ORM path.
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.models import Order, OrderLine
from app.models.base import utcnow
from app.services.actor import current_actor
from app.services.reservations import LineReservation
from app.services.stock_changes import note as note_available_changed

MOVE_TO_PROCESSING = sa.text("""
UPDATE sales_order o
   SET status = 'processing', confirmed_at = :now, updated_at = :now, version = o.version + 1
 WHERE o.id = :order_id AND o.status = 'new' AND o.warehouse_id IS NOT NULL
   AND (CAST(:version AS integer) IS NULL OR o.version = CAST(:version AS integer))
   AND EXISTS (SELECT 1 FROM order_line l WHERE l.order_id = o.id)
   AND (CAST(:any_address AS boolean) OR (o.ship_province_code IS NOT NULL
        AND o.ship_ward_code IS NOT NULL AND TRIM(COALESCE(o.ship_street, '')) <> ''))
RETURNING o.warehouse_id, o.number
""")

RESERVE_LINES = sa.text("""
WITH need AS (
    SELECT l.id, l.variant_id, l.sku, l.quantity, l.shipped_quantity, l.reserved_quantity,
           GREATEST(l.quantity - l.shipped_quantity - l.reserved_quantity, 0) AS need
      FROM order_line l
     WHERE l.order_id = :order_id
), per_variant AS (
    SELECT variant_id, SUM(need) AS need FROM need
     WHERE variant_id IS NOT NULL AND need > 0 GROUP BY variant_id
), locked AS (
    SELECT s.id, s.variant_id, LEAST(p.need, s.on_hand - s.reserved) AS take
      FROM stock_level s JOIN per_variant p ON p.variant_id = s.variant_id
     WHERE s.warehouse_id = :warehouse_id
     ORDER BY s.variant_id
       FOR UPDATE OF s
), taken_levels AS (
    UPDATE stock_level s SET reserved = s.reserved + k.take, updated_at = :now
      FROM locked k WHERE s.id = k.id AND k.take > 0
    RETURNING s.id
), share AS (
    SELECT n.id, n.reserved_quantity AS before,
           GREATEST(0, LEAST(n.need, k.take - (SUM(n.need) OVER (PARTITION BY n.variant_id
                                                                 ORDER BY n.id) - n.need))) AS add
      FROM need n JOIN locked k ON k.variant_id = n.variant_id
     WHERE n.need > 0
), lines AS (
    UPDATE order_line l SET reserved_quantity = l.reserved_quantity + sh.add, updated_at = :now
      FROM share sh WHERE l.id = sh.id AND sh.add > 0
    RETURNING l.id, sh.before, l.reserved_quantity
), audit AS (
    INSERT INTO audit_log (created_at, updated_at, table_name, record_id, record_label, action,
                           changes, user_id, username)
    SELECT CAST(:now AS timestamp), CAST(:now AS timestamp), 'order_line', x.id, n.sku || ' × ' || n.quantity, 'update',
           json_build_object('reserved_quantity', json_build_array(x.before, x.reserved_quantity)),
           CAST(:user_id AS integer), CAST(:username AS varchar)
      FROM lines x JOIN need n ON n.id = x.id
    UNION ALL
    SELECT :now, :now, 'sales_order', :order_id, :number, 'update', CAST(:order_changes AS json),
           CAST(:user_id AS integer), CAST(:username AS varchar)
)
SELECT n.id, n.sku, n.variant_id, n.quantity, n.shipped_quantity,
       COALESCE(x.reserved_quantity, n.reserved_quantity) AS reserved,
       COALESCE(x.reserved_quantity - x.before, 0) AS reserved_now
  FROM need n LEFT JOIN lines x ON x.id = n.id
 ORDER BY n.id
""")


def confirm_in_two_statements(session: Session, order_id: int, version: int | None,
                              check_address: bool = True) -> list[LineReservation] | None:
    """Confirm and reserve; None when the order needs the ORM path (it then explains why)."""
    now = utcnow()
    moved = session.execute(MOVE_TO_PROCESSING, {"order_id": order_id, "version": version,
                                                 "now": now, "any_address": not check_address}
                            ).first()
    if moved is None:
        return None
    actor = current_actor()
    changes = {"status": ["new", "processing"], "confirmed_at": [None, now.isoformat()]}
    rows = session.execute(RESERVE_LINES, {
        "order_id": order_id, "warehouse_id": moved.warehouse_id, "now": now,
        "number": moved.number, "order_changes": json.dumps(changes),
        "user_id": actor.user_id, "username": actor.username}).all()
    _forget_loaded(session, order_id, [r.id for r in rows])
    note_available_changed(session, [r.variant_id for r in rows if r.reserved_now > 0])
    results = []
    for r in rows:
        wanted = (max(0, r.quantity - r.shipped_quantity) if r.variant_id is not None
                  else r.quantity)
        results.append(LineReservation(r.id, r.sku, wanted, r.reserved, r.reserved_now))
    return results


def _forget_loaded(session: Session, order_id: int, line_ids: list[int]) -> None:
    """Objects this session already holds are now out of date: expire them."""
    for cls, ids in ((Order, [order_id]), (OrderLine, line_ids)):
        for pk in ids:
            obj = session.identity_map.get(identity_key(cls, pk))
            if obj is not None:
                session.expire(obj)
