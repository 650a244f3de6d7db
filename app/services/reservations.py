"""Reserving stock for order lines without ever overselling.

Reserving is one atomic conditional UPDATE (``reserved = reserved + q WHERE on_hand - reserved >= q``,
checked by its row count), as STACK-NOTES measured: no read-then-write gap for a second clerk or
import to slip through, and about three times faster than ``SELECT … FOR UPDATE``. A partial
reservation reads what is free and asks for that much with the same conditional UPDATE, re-reading if
someone took it first, so every unit that is free when we ask is reserved and none is taken twice.

These are building blocks: they run inside the caller's transaction and never commit (see
``app.services.ledger`` for the convention). Lines are reserved in variant order so that two
multi-line orders never lock the same stock rows in opposite orders (no deadlocks).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import OrderLine
from app.services.errors import DomainError, InsufficientStock
from app.services.ledger import sku_and_warehouse, change_level, read_level


@dataclass(frozen=True)
class LineReservation:
    """How one order line stands after a stock check: reserved in full, or short by N."""

    line_id: int | None
    sku: str
    wanted: int        # units still to ship
    reserved: int      # units now held for the line
    reserved_now: int  # units this call added (or released, negative)

    @property
    def short_by(self) -> int:
        return max(0, self.wanted - self.reserved)

    @property
    def status(self) -> str:
        return "reserved" if self.short_by == 0 else f"short by {self.short_by}"


def reserve(session: Session, variant_id: int, warehouse_id: int, quantity: int, *,
            partial: bool = False) -> int:
    """Hold ``quantity`` units for an order; return how many were reserved.

    All or nothing by default (InsufficientStock names the SKU and what is free); with
    ``partial=True`` reserves as many as are free, possibly 0.
    """
    if quantity <= 0:
        return 0
    if not partial:
        if change_level(session, variant_id, warehouse_id, reserved=quantity) is None:
            sku, code = sku_and_warehouse(session, variant_id, warehouse_id)
            on_hand, reserved = read_level(session, variant_id, warehouse_id)
            raise InsufficientStock(sku, code, quantity, on_hand - reserved)
        return quantity
    if change_level(session, variant_id, warehouse_id, reserved=quantity) is not None:
        return quantity  # the usual case: enough is free, one statement
    while True:
        on_hand, reserved = read_level(session, variant_id, warehouse_id)
        take = min(quantity, on_hand - reserved)
        if take <= 0:
            return 0
        if change_level(session, variant_id, warehouse_id, reserved=take) is not None:
            return take
        # Someone reserved or shipped in between: read again and ask for what is left.


def release(session: Session, variant_id: int, warehouse_id: int, quantity: int) -> None:
    """Give back ``quantity`` reserved units (cancel, line reduced, warehouse changed)."""
    if quantity <= 0:
        return
    if change_level(session, variant_id, warehouse_id, reserved=-quantity) is None:
        sku, code = sku_and_warehouse(session, variant_id, warehouse_id)
        raise DomainError(f"Cannot release {quantity} of {sku} in {code}: fewer are reserved. "
                          "Run `flask stock verify` and report this.")


def still_to_ship(line: OrderLine) -> int:
    return max(0, line.quantity - line.shipped_quantity)


def line_result(line: OrderLine, reserved_now: int = 0) -> LineReservation:
    wanted = still_to_ship(line) if line.variant_id is not None else line.quantity
    return LineReservation(line.id, line.sku, wanted, line.reserved_quantity, reserved_now)


def reserve_line(session: Session, line: OrderLine, warehouse_id: int) -> LineReservation:
    """Top up one line's reservation to what it still has to ship, as far as stock allows."""
    return reserve_lines(session, [line], warehouse_id)[0]


def reserve_lines(session: Session, lines, warehouse_id: int) -> list[LineReservation]:
    """Top up each line's reservation as far as stock allows; results in the given line order.

    The lines are written first as if fully reserved, and the stock rows are updated last (then
    the lines corrected if stock was short). The conditional UPDATE locks a popular SKU's row until
    commit, so doing it last keeps that lock to the end of the transaction only: that lock time is
    what limits how many orders a second can take the same hot SKU.
    """
    needs = {}
    for line in lines:
        need = still_to_ship(line) - line.reserved_quantity
        if line.variant_id is not None and need > 0:
            needs[id(line)] = need
            line.reserved_quantity += need
    if not needs:
        return [line_result(line) for line in lines]
    session.flush()
    got = {}
    for line in by_variant([ln for ln in lines if id(ln) in needs]):
        need = needs[id(line)]
        got[id(line)] = reserve(session, line.variant_id, warehouse_id, need, partial=True)
        if got[id(line)] < need:
            line.reserved_quantity -= need - got[id(line)]
    return [line_result(line, got.get(id(line), 0)) for line in lines]


def release_line(session: Session, line: OrderLine, warehouse_id: int,
                 quantity: int | None = None) -> int:
    """Release part (``quantity``) or all of a line's reservation; return the units released."""
    qty = line.reserved_quantity if quantity is None else min(quantity, line.reserved_quantity)
    if qty > 0 and line.variant_id is not None:
        release(session, line.variant_id, warehouse_id, qty)
        line.reserved_quantity -= qty
    return qty


def by_variant(lines) -> list[OrderLine]:
    """Lines in a stable lock order (variant id, then line id)."""
    return sorted(lines, key=lambda l: (l.variant_id or 0, l.id or 0))
