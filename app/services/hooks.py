"""Session-wide rules that hold whatever code path writes: document numbers, computed order totals,
the append-only ledger, immutable issued invoices, and the audit trail."""
from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.models import Invoice, InvoiceLine, ISSUED_STATES, Order, OrderLine, StockMove
from app.services.audit import record_changes
from app.services.errors import ImmutableRecord
from app.services.numbering import assign_numbers
from app.services.pricing import compute_order_totals

# Fields of an issued invoice that may still change: its lifecycle (replaced/adjusted), delivery.
INVOICE_MUTABLE_AFTER_ISSUE = {"status", "emailed_at", "updated_at", "version", "pdf",
                               "error_message"}


def _orders_to_price(session: Session) -> set[Order]:
    orders: set[Order] = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Order) and obj not in session.deleted:
            orders.add(obj)
        elif isinstance(obj, OrderLine):
            order = obj.order
            if order is not None and order not in session.deleted:
                orders.add(order)
    return orders


def _guard_ledger(session: Session) -> None:
    for obj in session.dirty:
        if isinstance(obj, StockMove) and session.is_modified(obj, include_collections=False):
            raise ImmutableRecord("Stock moves are never changed; record a correcting move instead.")
    for obj in session.deleted:
        if isinstance(obj, StockMove):
            raise ImmutableRecord("Stock moves are never deleted; record a correcting move instead.")


def _was_issued(invoice: Invoice) -> bool:
    hist = inspect(invoice).attrs.status.history
    before = hist.deleted[0] if hist.deleted else invoice.status
    return before in ISSUED_STATES


def _guard_invoices(session: Session) -> None:
    for obj in session.dirty:
        if isinstance(obj, Invoice) and inspect(obj).persistent and _was_issued(obj):
            state = inspect(obj)
            changed = {a.key for a in state.mapper.column_attrs
                       if state.attrs[a.key].history.has_changes()}
            if changed - INVOICE_MUTABLE_AFTER_ISSUE:
                raise ImmutableRecord("An issued invoice cannot be changed; issue a replacement "
                                      "or adjustment invoice instead.")
        if isinstance(obj, InvoiceLine) and obj.invoice is not None and \
                session.is_modified(obj, include_collections=False) and \
                obj.invoice.status in ISSUED_STATES:
            raise ImmutableRecord("The lines of an issued invoice cannot be changed.")
    for obj in session.deleted:
        if isinstance(obj, Invoice) and obj.status in ISSUED_STATES:
            raise ImmutableRecord("An issued invoice cannot be deleted.")
        if isinstance(obj, InvoiceLine) and obj.invoice is not None and \
                obj.invoice.status in ISSUED_STATES and obj.invoice not in session.deleted:
            raise ImmutableRecord("The lines of an issued invoice cannot be deleted.")


def before_flush(session: Session, flush_context, instances) -> None:
    _guard_ledger(session)
    _guard_invoices(session)
    for order in _orders_to_price(session):
        compute_order_totals(order)
    assign_numbers(session, list(session.new))


_installed = False


def install() -> None:
    """Register the listeners on every Session (plain SQLAlchemy and Flask-SQLAlchemy alike)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", before_flush)
    event.listen(Session, "after_flush", record_changes)
    _installed = True
