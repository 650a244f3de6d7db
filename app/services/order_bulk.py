"""Writing a batch of new channel orders in a handful of statements.

A marketplace page brings a hundred orders of three lines at a time; written object by object
through the session's unit of work they cost five times a plain bulk insert. Here the batch's
orders and lines are inserted with one statement each, with what a flush would have done to them
done explicitly by the same rules: totals computed by ``pricing``, numbers taken from
``numbering``, the audit's "create" rows written by ``audit``. The Order and OrderLine objects
stay transient: they are the batch's record of what was written (ids set), not session state, so
what this module fills in is written straight into their state, without the attribute events a
session would need (a batch sets tens of thousands).
"""
from __future__ import annotations

import gc
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.models import Order, OrderLine
from app.models.base import utcnow
from app.services.audit import record_inserted
from app.services.numbering import PREFIXES, take_numbers
from app.services.pricing import compute_order_totals


@contextmanager
def collector_paused():
    """Python's cycle collector off while a batch is built and written (back on after).

    A batch allocates tens of thousands of short-lived objects (orders, lines, audit rows, their
    values); each 700 allocations start a collection that walks every live object, the session's
    and the app's, so a third of a batch went to collections that find nothing to free. The
    batch's own cycles (an order and its lines) are collected once it is done. Reference counting
    still frees everything else as usual, so memory stays bounded by the batch.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if not c.primary_key]


def _row(obj, columns: list[sa.Column], now) -> dict:
    """The object's values, or each column's default where it has none (what an ORM flush sends)."""
    values = inspect(obj).dict
    row = {}
    for column in columns:
        value = values.get(column.key)
        if value is None and column.default is not None:
            default = column.default
            value = now if default.is_callable and column.key in ("created_at", "updated_at") else \
                default.arg(None) if default.is_callable else default.arg
            values[column.key] = value  # as a flush leaves it: the audit row shows it too
        row[column.key] = value
    return row


def price(orders: list[Order]) -> None:
    """Totals as the flush hook computes them, so they can be checked before anything is written."""
    for order in orders:
        compute_order_totals(order)


def write_new_orders(session: Session, orders: list[Order]) -> None:
    """Insert ``orders`` (transient, priced, their customers already flushed, all of one channel)
    and their lines.

    Raises IntegrityError when another import took one of the orders first (the unique
    (channel, external order id)); the caller runs this inside a savepoint.
    """
    if not orders:
        return
    conn, now = session.connection(), utcnow()
    for order, number in zip(orders, take_numbers(session, PREFIXES["Order"], len(orders))):
        state = inspect(order).dict
        state["number"] = number
        state["customer_id"] = state["customer"].id if state.get("customer") is not None else None
    table = Order.__table__
    conn.execute(sa.insert(table), [_row(o, _columns(table), now) for o in orders])
    # The ids by the orders' own unique key (channel, external order id), read back in one
    # statement: cheaper than RETURNING them from a multi-row insert.
    by_key = dict(conn.execute(sa.select(table.c.external_order_id, table.c.id).where(
        table.c.channel_id == orders[0].channel_id,
        table.c.external_order_id.in_([o.external_order_id for o in orders]))).all())
    ids = [by_key[o.external_order_id] for o in orders]
    lines = []
    for order, order_id in zip(orders, ids):
        inspect(order).dict["id"] = order_id
        for line in order.lines:
            inspect(line).dict["order_id"] = order_id
            lines.append(line)
    if lines:
        table = OrderLine.__table__
        conn.execute(sa.insert(table), [_row(ln, _columns(table), now) for ln in lines])
        # Read the ids back rather than RETURNING them (row by row on SQLite, a statement to parse
        # per batch on PostgreSQL): within one order, ids rise in the order the lines went in.
        given: dict[int, list[int]] = {}
        for order_id, line_id in conn.execute(sa.select(table.c.order_id, table.c.id)
                                              .where(table.c.order_id.in_(ids))
                                              .order_by(table.c.order_id, table.c.id)):
            given.setdefault(order_id, []).append(line_id)
        for order in orders:
            for line, line_id in zip(order.lines, given.get(order.id, [])):
                inspect(line).dict["id"] = line_id
    record_inserted(session, [*orders, *lines])
