"""Opening stock: what was on the shelves when the seller started with OrderHub, posted once per
variant and warehouse as an opening move through the ledger.

"Once" means: only where the variant has no stock move yet in that warehouse. After the first
move, stock changes by receipts, counts and adjustments, never by a second opening.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import StockMove
from app.services import ledger
from app.services.errors import N_, FieldMessage, ValidationErrors

CHUNK = 500


def stocked_pairs(session: Session, variant_ids) -> set[tuple[int, int]]:
    """(variant id, warehouse id) pairs that already have at least one stock move."""
    ids = sorted({int(v) for v in variant_ids if v is not None})
    found: set[tuple[int, int]] = set()
    for start in range(0, len(ids), CHUNK):
        found.update(session.execute(
            sa.select(StockMove.variant_id, StockMove.warehouse_id).distinct()
            .where(StockMove.variant_id.in_(ids[start:start + CHUNK]))).tuples())
    return found


def post_opening_stock(session: Session, entries: list[tuple[int, int, int]], *,
                       labels: dict | None = None, note: str | None = None) -> int:
    """Post (variant id, warehouse id, quantity) opening moves (no commit). Refused, naming each
    pair, when a variant already has stock moves in that warehouse: use an adjustment then.
    ``labels`` maps a pair to (SKU, warehouse code) for the message."""
    entries = [(v, w, q) for v, w, q in entries if q]
    taken = stocked_pairs(session, [v for v, _, _ in entries])
    clashes = [(v, w) for v, w, _ in entries if (v, w) in taken]
    if clashes:
        labels = labels or {}
        raise ValidationErrors({"opening_stock": [
            FieldMessage(N_("%(sku)s already has stock moves in %(warehouse)s: its opening stock "
                            "was posted before. Use a stock adjustment to change it."),
                         sku=labels.get(pair, (pair[0], pair[1]))[0],
                         warehouse=labels.get(pair, (pair[0], pair[1]))[1])
            for pair in clashes]})
    return ledger.post_opening_moves(session, entries, note=note)
