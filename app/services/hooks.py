"""The flush rules that hold whatever code path writes: document numbers, computed order totals,
the append-only ledger and immutable issued invoices (installed with the others by
``app.services.session_rules``)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.db_rules import INVOICE_MUTABLE_AFTER_ISSUE, INVOICE_STATUS_FORWARD
from app.models import Invoice, InvoiceLine, ISSUED_STATES, InvoiceSeries, Order, OrderLine, StockMove
from app.services.catalog import search as catalog_search
from app.services.errors import N_, ImmutableRecord
from app.services.numbering import assign_numbers
from app.services.pricing import compute_order_totals

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


def _status_before(invoice: Invoice):
    """The invoice's status as the database holds it (before this flush's change, if any)."""
    from app.services.invoicing import committed_value
    return committed_value(invoice, "status")


def _was_issued(invoice: Invoice | None) -> bool:
    return invoice is not None and inspect(invoice).persistent and _status_before(invoice) in ISSUED_STATES


def _guard_issued_invoice(invoice: Invoice) -> None:
    state = inspect(invoice)
    before = _status_before(invoice)
    changed = {a.key for a in state.mapper.column_attrs if state.attrs[a.key].history.has_changes()}
    if str(getattr(invoice.status, "value", invoice.status)) not in \
            INVOICE_STATUS_FORWARD[str(getattr(before, "value", before))]:
        raise ImmutableRecord(N_("Invoice %(number)s is %(state)s: an issued invoice is only ever "
                                 "replaced or adjusted, never reopened."),
                              number=invoice.display_number, state=str(getattr(before, "value", before)))
    if "pdf" in changed and session_has_pdf(invoice):
        changed.add("pdf (stored once)")
    if changed - set(INVOICE_MUTABLE_AFTER_ISSUE):
        raise ImmutableRecord(N_("Invoice %(number)s is issued and cannot be changed; issue a replacement "
                                 "or adjustment invoice instead."), number=invoice.display_number)


def session_has_pdf(invoice: Invoice) -> bool:
    """Whether the database already holds the invoice's PDF (stored once, never replaced)."""
    session = inspect(invoice).session
    with session.no_autoflush:
        return bool(session.scalar(sa.select(Invoice.pdf.is_not(None)).where(Invoice.id == invoice.id)))


def _guard_invoices(session: Session) -> None:
    for obj in session.dirty:
        if isinstance(obj, Invoice) and _was_issued(obj):
            _guard_issued_invoice(obj)
        elif isinstance(obj, InvoiceLine) and session.is_modified(obj, include_collections=False):
            previous = inspect(obj).attrs.invoice_id.history.deleted
            parents = [obj.invoice] + [session.get(Invoice, i) for i in previous if i]
            if any(_was_issued(p) for p in parents):
                raise ImmutableRecord(N_("The lines of an issued invoice cannot be changed."))
        elif isinstance(obj, InvoiceSeries):
            _guard_series(session, obj)
    for obj in session.new:
        if isinstance(obj, InvoiceLine) and _was_issued(obj.invoice or (
                session.get(Invoice, obj.invoice_id) if obj.invoice_id else None)):
            raise ImmutableRecord(N_("Invoice %(number)s is issued: no line can be added to it."),
                                  number=obj.invoice.display_number if obj.invoice else obj.invoice_id)
    for obj in session.deleted:
        if isinstance(obj, Invoice) and _was_issued(obj):
            raise ImmutableRecord(N_("An issued invoice cannot be deleted."))
        if isinstance(obj, InvoiceLine) and _was_issued(obj.invoice) and obj.invoice not in session.deleted:
            raise ImmutableRecord(N_("The lines of an issued invoice cannot be deleted."))
        if isinstance(obj, InvoiceSeries):
            _guard_series(session, obj, deleting=True)


def _guard_series(session: Session, series: InvoiceSeries, deleting: bool = False) -> None:
    from app.services.invoicing import check_series_change
    state = inspect(series)
    if deleting or any(state.attrs[k].history.has_changes()
                       for k in ("provider_account_id", "template", "series")):
        check_series_change(session, series, deleting=deleting)


def before_flush(session: Session, flush_context, instances) -> None:
    _guard_ledger(session)
    _guard_invoices(session)
    for order in _orders_to_price(session):
        compute_order_totals(order)
    catalog_search.refresh(session)
    assign_numbers(session, list(session.new))
