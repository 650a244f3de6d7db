"""The audit trail: every create, update and delete of the audited records, with old → new values,
written in the same transaction as the change (so a rolled-back change leaves no trail)."""
from __future__ import annotations

import datetime as dt
import decimal
import enum

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.models.audit import AuditLog
from app.models.base import utcnow
from app.services.actor import current_actor

AUDITED = {"sales_order", "order_line", "invoice", "shipment", "channel", "provider_account",
           "ab_user", "ab_role", "product", "product_variant", "customer", "purchase_order",
           "purchase_order_line", "warehouse", "stock_count", "return_request",
           "cod_reconciliation", "supplier", "goods_receipt", "stock_level"}
SKIPPED = {"updated_at", "created_at", "version", "label_pdf", "pdf", "last_login", "login_count",
           "changed_on", "created_on", "fail_login_count", "search_text"}
MASKED = {"credentials", "password"}
# A part's audit rows also name the document it belongs to: table → (parent table, foreign key).
PARENTS = {"order_line": ("sales_order", "order_id"), "shipment": ("sales_order", "order_id"),
           "invoice": ("sales_order", "order_id"), "return_request": ("sales_order", "order_id"),
           "purchase_order_line": ("purchase_order", "purchase_order_id"),
           "stock_level": ("product_variant", "variant_id")}
# Many-to-many collections worth recording, by name (a user's roles, a role's permissions).
COLLECTIONS = {"ab_user": ("roles",), "ab_role": ("permissions",)}


_AS_IS = (str, int, bool, float, type(None))


def _plain(value):
    if type(value) in _AS_IS:  # most values: checked first, the audit runs on every flush
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _label(obj) -> str:
    try:
        return str(obj)[:255]
    except Exception:  # a half-loaded object must not break the flush
        return ""


_COLUMNS: dict[type, tuple[str, ...]] = {}


def _audited_columns(cls) -> tuple[str, ...]:
    """The column attributes of a model worth recording (cached per class)."""
    keys = _COLUMNS.get(cls)
    if keys is None:
        keys = tuple(a.key for a in inspect(cls).column_attrs if a.key not in SKIPPED)
        _COLUMNS[cls] = keys
    return keys


def _masked(key: str, value):
    return ("***" if value else None) if key in MASKED else _plain(value)


def _changes(state, cls, action: str) -> dict:
    """{column: [old, new]} of the record (``state``: its instance state)."""
    values = state.dict  # what is loaded; never triggers a load
    if action != "update":  # every loaded value, on the side the action puts it
        created = action == "create"
        return {key: [None, _masked(key, value)] if created else [_masked(key, value), None]
                for key in _audited_columns(cls) if (value := values.get(key)) is not None}
    out = {}
    attrs = state.attrs
    for key in state.committed_state.keys() & set(_audited_columns(cls)):
        hist = attrs[key].history
        if not hist.has_changes():
            continue
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if _plain(old) != _plain(new):
            out[key] = [_masked(key, old), _masked(key, new)]
    for key in COLLECTIONS.get(getattr(cls, "__tablename__", None), ()):
        hist = attrs[key].history
        if hist.added or hist.deleted:
            before = [str(o) for o in (*hist.unchanged, *hist.deleted)]
            after = [str(o) for o in (*hist.unchanged, *hist.added)]
            out[key] = [", ".join(sorted(before)), ", ".join(sorted(after))]
    return out


def _row(obj, action: str, actor, now=None) -> dict | None:
    table = getattr(obj, "__tablename__", None)
    if table not in AUDITED:
        return None
    state = inspect(obj)
    changes = _changes(state, type(obj), action)
    if action == "update" and not changes:
        return None
    record_id = state.identity[0] if state.identity else state.dict.get("id")
    if record_id is None:
        return None
    parent_table, parent_key = PARENTS.get(table, (None, None))
    now = now or utcnow()
    return {"table_name": table, "record_id": record_id, "record_label": _label(obj),
            "action": action, "changes": changes, "user_id": actor.user_id,
            "username": actor.username, "created_at": now, "updated_at": now,
            "parent_table": parent_table,
            "parent_id": state.dict.get(parent_key) if parent_key else None}


def _write(session: Session, rows: list) -> None:
    rows = [row for row in rows if row is not None]
    if rows:
        session.connection().execute(sa.insert(AuditLog.__table__), rows)


def record_changes(session: Session, flush_context) -> None:
    """after_flush listener: write one AuditLog row per audited record touched by this flush."""
    actor, now = current_actor(), utcnow()
    _write(session, [_row(obj, action, actor, now)
                     for action, objects in (("create", session.new), ("update", session.dirty),
                                             ("delete", session.deleted))
                     for obj in objects])


def record_inserted(session: Session, objects) -> None:
    """The "create" rows of records inserted without a flush (a bulk insert that set their ids)."""
    actor, now = current_actor(), utcnow()
    _write(session, [_row(obj, "create", actor, now) for obj in objects])
