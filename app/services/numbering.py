"""Human-readable document numbers (SO-000123, PO-000045 …), gap-free per prefix.

The counter row is updated in the caller's transaction, so on PostgreSQL it is locked until commit
and two transactions never take the same number; a rolled-back transaction gives its number back.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.audit import DocumentSequence

PREFIXES = {"Order": "SO", "PurchaseOrder": "PO", "GoodsReceipt": "GR", "ReturnRequest": "RT",
            "StockCount": "SC", "CodReconciliation": "COD"}


def take_numbers(session: Session, prefix: str, count: int = 1) -> list[str]:
    """Reserve ``count`` consecutive numbers for ``prefix`` and return them formatted."""
    table = DocumentSequence.__table__
    conn = session.connection()
    updated = conn.execute(sa.update(table).where(table.c.prefix == prefix)
                           .values(next_value=table.c.next_value + count)
                           .returning(table.c.next_value)).scalar()
    if updated is None:
        try:
            with conn.begin_nested():
                conn.execute(sa.insert(table).values(prefix=prefix, next_value=1 + count))
            updated = 1 + count
        except sa.exc.IntegrityError:  # another transaction created the row first
            updated = conn.execute(sa.update(table).where(table.c.prefix == prefix)
                                   .values(next_value=table.c.next_value + count)
                                   .returning(table.c.next_value)).scalar()
    first = updated - count
    return [f"{prefix}-{n:06d}" for n in range(first, first + count)]


def assign_numbers(session: Session, objects) -> None:
    """Give every new document without a number its number (called before each flush)."""
    pending: dict[str, list] = {}
    for obj in objects:
        prefix = PREFIXES.get(type(obj).__name__)
        if prefix and not getattr(obj, "number", None):
            pending.setdefault(prefix, []).append(obj)
    for prefix, docs in pending.items():
        for doc, number in zip(docs, take_numbers(session, prefix, len(docs))):
            doc.number = number
