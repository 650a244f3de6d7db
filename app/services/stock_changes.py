"""Which variants' available stock (on hand − reserved) the current transaction changed.

The stock services note it themselves, whatever SQL they use — ``ledger.change_level``'s
conditional UPDATE, the two-statement confirmation on PostgreSQL, anything added later — so
whoever must react to it (the marketplace stock push, ``jobs.stock_watch``) reads one set on the
session instead of guessing from statements. A noted variant whose change is rolled back with a
savepoint stays noted: telling a marketplace the same figure again is harmless, missing a change
is not. A full rollback forgets everything.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

_KEY = "orderhub_available_changed"


def note(session: Session, variant_ids: Iterable[int | None]) -> None:
    ids = {int(v) for v in variant_ids if v is not None}
    if ids:
        session.info.setdefault(_KEY, set()).update(ids)


def take(session: Session) -> set[int]:
    """The variants noted since the last take (and forget them)."""
    return session.info.pop(_KEY, None) or set()


def forget(session: Session) -> None:
    session.info.pop(_KEY, None)
