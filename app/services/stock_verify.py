"""The rule behind ``flask stock verify``: the StockLevel cache must equal what the ledger says.

StockLevel.on_hand must equal the sum of its StockMoves, and StockLevel.reserved the sum of what open
orders (new, processing, packed) hold in that warehouse. Any difference is a bug somewhere: this
reports it rather than silently rebuilding, so someone looks at it. (The CLI command, app/cli.py via
app/cli_stock.py, only prints what ``verify_stock`` finds.)
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Order, OrderLine, ProductVariant, StockLevel, StockMove, Warehouse
from app.services.order_fields import OPEN_STATES


@dataclass(frozen=True)
class StockDifference:
    variant_id: int
    warehouse_id: int
    sku: str
    warehouse: str
    field: str      # "on_hand" or "reserved"
    recorded: int   # what StockLevel says (0 when the row is missing)
    expected: int   # what the ledger / open orders say

    def __str__(self) -> str:
        source = "the ledger" if self.field == "on_hand" else "open orders"
        return (f"{self.sku} @ {self.warehouse}: {self.field} is {self.recorded}, "
                f"{source} give {self.expected}")


def verify_stock(session: Session) -> list[StockDifference]:
    """Every (variant, warehouse) whose cached on_hand or reserved disagrees; empty when all is right."""
    session.flush()
    ledger = dict(((r.variant_id, r.warehouse_id), int(r.total)) for r in session.execute(
        sa.select(StockMove.variant_id, StockMove.warehouse_id,
                  sa.func.sum(StockMove.quantity).label("total"))
        .group_by(StockMove.variant_id, StockMove.warehouse_id)))
    held = dict(((r.variant_id, r.warehouse_id), int(r.total)) for r in session.execute(
        sa.select(OrderLine.variant_id, Order.warehouse_id,
                  sa.func.sum(OrderLine.reserved_quantity).label("total"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status.in_(list(OPEN_STATES)), OrderLine.variant_id.is_not(None),
               Order.warehouse_id.is_not(None))
        .group_by(OrderLine.variant_id, Order.warehouse_id)))
    cached = {(r.variant_id, r.warehouse_id): (r.on_hand, r.reserved) for r in session.execute(
        sa.select(StockLevel.variant_id, StockLevel.warehouse_id, StockLevel.on_hand,
                  StockLevel.reserved))}
    # Reservations held by closed orders are bugs too: a cancelled order must hold nothing.
    leaked = session.execute(
        sa.select(OrderLine.variant_id, Order.warehouse_id,
                  sa.func.sum(OrderLine.reserved_quantity).label("total"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status.not_in(list(OPEN_STATES)), OrderLine.reserved_quantity > 0)
        .group_by(OrderLine.variant_id, Order.warehouse_id)).all()

    found: list[tuple[int, int, str, int, int]] = []
    for key in sorted(set(ledger) | set(held) | set(cached)):
        on_hand, reserved = cached.get(key, (0, 0))
        if on_hand != ledger.get(key, 0):
            found.append((*key, "on_hand", on_hand, ledger.get(key, 0)))
        if reserved != held.get(key, 0):
            found.append((*key, "reserved", reserved, held.get(key, 0)))
    for variant_id, warehouse_id, total in leaked:
        found.append((variant_id or 0, warehouse_id or 0, "reserved_by_closed_orders", int(total), 0))
    if not found:
        return []
    skus = dict(session.execute(sa.select(ProductVariant.id, ProductVariant.sku)).all())
    codes = dict(session.execute(sa.select(Warehouse.id, Warehouse.code)).all())
    return [StockDifference(v, w, skus.get(v, f"#{v}"), codes.get(w, f"#{w}"), f, rec, exp)
            for v, w, f, rec, exp in found]
