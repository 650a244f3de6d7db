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
           "changed_on", "created_on", "fail_login_count"}
MASKED = {"credentials", "password"}


def _plain(value):
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


def _changes(obj, action: str) -> dict:
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SKIPPED:
            continue
        hist = state.attrs[key].history
        if action == "update":
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if _plain(old) == _plain(new):
                continue
        elif action == "create":
            old, new = None, getattr(obj, key, None)
            if new is None:
                continue
        else:
            old, new = getattr(obj, key, None), None
        if key in MASKED:
            old, new = ("***" if old else None), ("***" if new else None)
        out[key] = [_plain(old), _plain(new)]
    return out


def record_changes(session: Session, flush_context) -> None:
    """after_flush listener: write one AuditLog row per audited record touched by this flush."""
    actor = current_actor()
    rows = []
    for action, objects in (("create", session.new), ("update", session.dirty),
                            ("delete", session.deleted)):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table not in AUDITED:
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            record_id = inspect(obj).identity[0] if inspect(obj).identity else getattr(obj, "id", None)
            if record_id is None:
                continue
            now = utcnow()
            rows.append({"table_name": table, "record_id": record_id, "record_label": _label(obj),
                         "action": action, "changes": changes, "user_id": actor.user_id,
                         "username": actor.username, "created_at": now, "updated_at": now})
    if rows:
        session.connection().execute(sa.insert(AuditLog.__table__), rows)
