"""The stock ledger: every change to on-hand stock is a StockMove written with its StockLevel update.

Why one module owns this: StockLevel is only a cache of the ledger (SPEC §2, §4), so the ledger row and
the cache update must always travel together. ``post_move`` is the one place that does both; receipts,
shipments, returns, damage, adjustments, transfers and counts all go through it, and ``verify_stock``
(services/stock_verify.py) checks that they stayed in step.

The StockLevel row is changed by ONE conditional UPDATE (``on_hand + q >= reserved + r`` …) so two
transactions can never push a level below zero or below its reservations, whatever they read before;
on PostgreSQL the row stays locked until commit, which also makes ``balance_after`` a true running
balance per (variant, warehouse).

Transaction convention (every service module in this area follows it)
--------------------------------------------------------------------
* A *use case* (confirm an order, post a goods receipt, post a stock count …) is one function decorated
  with ``@use_case``. It takes a keyword ``commit`` (default ``True``):

  - ``commit=True``: the function commits once at the end. If it raises, it rolls the session back
    first, so nothing half-written survives (and the caller's unflushed changes are discarded too:
    commit anything of your own before calling).
  - ``commit=False``: the function only flushes; the caller composes several use cases and commits or
    rolls back itself (e.g. the shipment job creates the Shipment and calls
    ``orders.record_shipment_moves(..., commit=False)`` in one transaction).

* *Building blocks* (``post_move``, ``reservations.reserve``/``release``) never commit or flush on
  their own; they run inside the caller's transaction.
* A concurrent edit caught by SQLAlchemy's version counter surfaces as ``StaleVersion``.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.models import MoveKind, ProductVariant, StockLevel, StockMove, Warehouse
from app.models.base import utcnow
from app.services.actor import current_actor
from app.services.errors import InsufficientStock, NotFound, StaleVersion, ValidationError
from app.services.stock_changes import note as note_available_changed

LEVELS = StockLevel.__table__


def use_case(fn):
    """Run ``fn`` as one unit of work: commit once (``commit=True``) or only flush (``commit=False``)."""

    @functools.wraps(fn)
    def run(session: Session, *args, commit: bool = True, **kwargs):
        try:
            result = fn(session, *args, **kwargs)
            if commit:
                session.commit()
            else:
                session.flush()
            return result
        except StaleDataError as exc:
            if commit:
                session.rollback()
            raise StaleVersion("record") from exc
        except BaseException:
            if commit:
                session.rollback()
            raise

    return run


@dataclass(frozen=True)
class MoveReference:
    """What a move belongs to: ("order", 12, "SO-000012"), ("goods_receipt", 3, "GR-000003") …"""

    type: str | None = None
    id: int | None = None
    label: str | None = None


def sku_and_warehouse(session: Session, variant_id: int, warehouse_id: int) -> tuple[str, str]:
    sku = session.scalar(sa.select(ProductVariant.sku).where(ProductVariant.id == variant_id))
    code = session.scalar(sa.select(Warehouse.code).where(Warehouse.id == warehouse_id))
    if sku is None:
        raise NotFound(f"Variant #{variant_id} does not exist.")
    if code is None:
        raise NotFound(f"Warehouse #{warehouse_id} does not exist.")
    return sku, code


def ensure_level(session: Session, variant_id: int, warehouse_id: int) -> None:
    """Create the (variant, warehouse) StockLevel row if missing; safe when two sessions race."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    session.execute(insert(LEVELS).values(variant_id=variant_id, warehouse_id=warehouse_id,
                                          on_hand=0, reserved=0, created_at=now, updated_at=now)
                    .on_conflict_do_nothing(index_elements=["variant_id", "warehouse_id"]))


def _expire_cached_level(session: Session, level_id: int) -> None:
    """Our UPDATEs bypass the ORM; a StockLevel already loaded must be re-read, not trusted."""
    obj = session.identity_map.get(session.identity_key(StockLevel, level_id))
    if obj is not None:
        session.expire(obj, ["on_hand", "reserved", "available", "updated_at"])


def change_level(session: Session, variant_id: int, warehouse_id: int, *, on_hand: int = 0,
                 reserved: int = 0):
    """Apply (Δon_hand, Δreserved) atomically; return (level id, on_hand, reserved) or None if refused.

    Refused when the result would break on_hand ≥ reserved ≥ 0, judged on the row as it is at the
    moment of the UPDATE (not on what this transaction read earlier).
    """
    stmt = (sa.update(LEVELS)
            .where(LEVELS.c.variant_id == variant_id, LEVELS.c.warehouse_id == warehouse_id,
                   LEVELS.c.on_hand + on_hand >= LEVELS.c.reserved + reserved,
                   LEVELS.c.reserved + reserved >= 0)
            .values(on_hand=LEVELS.c.on_hand + on_hand, reserved=LEVELS.c.reserved + reserved,
                    updated_at=utcnow())
            .returning(LEVELS.c.id, LEVELS.c.on_hand, LEVELS.c.reserved))
    row = session.execute(stmt).first()
    if row is not None:
        _expire_cached_level(session, row.id)
        note_available_changed(session, [variant_id])  # marketplaces publish what is free to sell
    return row


def read_level(session: Session, variant_id: int, warehouse_id: int, *, lock: bool = False):
    """(on_hand, reserved) straight from the database; (0, 0) when no row exists yet."""
    stmt = sa.select(LEVELS.c.on_hand, LEVELS.c.reserved).where(
        LEVELS.c.variant_id == variant_id, LEVELS.c.warehouse_id == warehouse_id)
    if lock:
        stmt = stmt.with_for_update()
    row = session.execute(stmt).first()
    return (row.on_hand, row.reserved) if row else (0, 0)


def available(session: Session, variant_id: int, warehouse_id: int) -> int:
    on_hand, reserved = read_level(session, variant_id, warehouse_id)
    return on_hand - reserved


def post_move(session: Session, variant_id: int, warehouse_id: int, quantity: int, kind: MoveKind,
              *, reserved_change: int = 0, reference: MoveReference | None = None,
              note: str | None = None) -> StockMove:
    """Write one ledger move and update the level in the same transaction (building block, no commit).

    ``reserved_change`` lets a shipment take goods out of on_hand and out of reserved in one step.
    Raises InsufficientStock when the move would take more than is free (on hand − reserved).
    """
    if not quantity:
        raise ValidationError("quantity", "A stock move needs a quantity other than zero.")
    row = change_level(session, variant_id, warehouse_id, on_hand=quantity,
                       reserved=reserved_change)
    if row is None:  # refused, or the first move of this SKU in this warehouse: no row yet
        ensure_level(session, variant_id, warehouse_id)
        row = change_level(session, variant_id, warehouse_id, on_hand=quantity,
                           reserved=reserved_change)
    if row is None:
        sku, code = sku_and_warehouse(session, variant_id, warehouse_id)
        on_hand, reserved = read_level(session, variant_id, warehouse_id)
        free = on_hand - reserved - reserved_change
        raise InsufficientStock(sku, code, -quantity, max(free, 0))
    ref = reference or MoveReference()
    move = StockMove(variant_id=variant_id, warehouse_id=warehouse_id, quantity=quantity, kind=kind,
                     reference_type=ref.type, reference_id=ref.id,
                     reference=(ref.label or None) and ref.label[:80],
                     balance_after=row.on_hand, note=note and note[:500],
                     user_id=current_actor().user_id)
    session.add(move)
    return move


def _positive(quantity: int, field: str = "quantity") -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise ValidationError(field, f"The {field.replace('_', ' ')} must be a whole number above "
                                     f"zero (got {quantity!r}).")
    return quantity


@use_case
def record_opening_stock(session: Session, variant_id: int, warehouse_id: int, quantity: int, *,
                         note: str | None = None) -> StockMove:
    """Stock already on the shelves when the seller starts using OrderHub."""
    return post_move(session, variant_id, warehouse_id, _positive(quantity), MoveKind.OPENING,
                     reference=MoveReference("opening", None, "Opening stock"), note=note)


def post_opening_moves(session: Session, entries: list[tuple[int, int, int]], *,
                       note: str | None = None) -> int:
    """Opening moves for many (variant id, warehouse id, quantity > 0) at once, as a catalogue
    import posts them (building block, no commit): each level gains its quantity and each move
    records the balance after, in two statements whatever the count.

    Meant for pairs with no move yet (the caller checks); a level row that exists already is
    added to, so the ledger and the levels still agree if one had stock.
    """
    merged: dict[tuple[int, int], int] = {}
    for v, w, q in entries:
        merged[(int(v), int(w))] = merged.get((int(v), int(w)), 0) + _positive(int(q))
    entries = [(v, w, q) for (v, w), q in merged.items()]
    if not entries:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    stmt = insert(LEVELS)
    stmt = stmt.on_conflict_do_update(
        index_elements=["variant_id", "warehouse_id"],
        set_={"on_hand": LEVELS.c.on_hand + stmt.excluded.on_hand, "updated_at": now})
    balances: dict[tuple[int, int], int] = {}
    for start in range(0, len(entries), 1000):
        part = entries[start:start + 1000]
        rows = session.execute(
            stmt.returning(LEVELS.c.id, LEVELS.c.variant_id, LEVELS.c.warehouse_id,
                           LEVELS.c.on_hand),
            [{"variant_id": v, "warehouse_id": w, "on_hand": q, "reserved": 0, "created_at": now,
              "updated_at": now} for v, w, q in part]).all()
        for row in rows:
            balances[(row.variant_id, row.warehouse_id)] = row.on_hand
            _expire_cached_level(session, row.id)
    user_id = current_actor().user_id
    session.execute(sa.insert(StockMove), [
        {"variant_id": v, "warehouse_id": w, "quantity": q, "kind": MoveKind.OPENING,
         "reference_type": "opening", "reference": "Opening stock",
         "balance_after": balances[(v, w)], "note": note and note[:500], "user_id": user_id,
         "created_at": now, "updated_at": now} for v, w, q in entries])
    note_available_changed(session, [v for v, _, _ in entries])
    return len(entries)


@use_case
def record_receipt(session: Session, variant_id: int, warehouse_id: int, quantity: int, *,
                   reference: MoveReference | None = None, note: str | None = None) -> StockMove:
    """Goods received outside a purchase order (purchase orders use purchasing.receive_goods)."""
    return post_move(session, variant_id, warehouse_id, _positive(quantity), MoveKind.RECEIPT,
                     reference=reference, note=note)


@use_case
def record_damage(session: Session, variant_id: int, warehouse_id: int, quantity: int, *,
                  reason: str, reference: MoveReference | None = None) -> StockMove:
    """Write off broken or lost goods; only free stock (not reserved for orders) can be written off."""
    if not (reason or "").strip():
        raise ValidationError("reason", "Say why the goods are written off (e.g. broken in storage).")
    return post_move(session, variant_id, warehouse_id, -_positive(quantity), MoveKind.DAMAGE,
                     reference=reference, note=reason)


@use_case
def record_adjustment(session: Session, variant_id: int, warehouse_id: int, quantity: int, *,
                      reason: str) -> StockMove:
    """A supervisor's correction of on hand, up (+) or down (−), with the reason kept on the move."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity == 0:
        raise ValidationError("quantity", "An adjustment needs a whole number other than zero.")
    if not (reason or "").strip():
        raise ValidationError("reason", "Say why the stock is adjusted.")
    return post_move(session, variant_id, warehouse_id, quantity, MoveKind.ADJUSTMENT,
                     reference=MoveReference("adjustment", None, "Manual adjustment"), note=reason)


@use_case
def transfer_stock(session: Session, variant_id: int, from_warehouse_id: int, to_warehouse_id: int,
                   quantity: int, *, note: str | None = None) -> tuple[StockMove, StockMove]:
    """Move free stock between warehouses: a −q transfer move out and a +q transfer move in."""
    _positive(quantity)
    if from_warehouse_id == to_warehouse_id:
        raise ValidationError("to_warehouse_id", "Choose a destination other than the source "
                                                 "warehouse.")
    _, src = sku_and_warehouse(session, variant_id, from_warehouse_id)
    _, dst = sku_and_warehouse(session, variant_id, to_warehouse_id)
    ref = MoveReference("transfer", None, f"Transfer {src} → {dst}")
    out = post_move(session, variant_id, from_warehouse_id, -quantity, MoveKind.TRANSFER,
                    reference=ref, note=note)
    into = post_move(session, variant_id, to_warehouse_id, quantity, MoveKind.TRANSFER,
                     reference=ref, note=note)
    return out, into
