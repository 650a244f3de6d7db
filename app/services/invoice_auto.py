"""Which orders get an invoice without anyone pressing the button.

An order is due when it is completed, or paid and on its way or delivered, and either the customer asked
for an invoice (on the order, or always — ``Customer.wants_invoice``) or its total reaches
``INVOICE_AUTO_THRESHOLD``. Orders that already have an original invoice in any state (even a failed one,
which needs a person) are left alone, so running the rule again never makes a second invoice; orders older
than ``LOOKBACK_DAYS`` are not picked up retroactively.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Customer, Invoice, InvoiceKind, Order, OrderStatus, PaymentStatus
from app.models.base import utcnow

LOOKBACK_DAYS = 30
PAID_STATES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


def orders_due_for_invoice(session: Session, threshold: int, *, limit: int = 200,
                           now: dt.datetime | None = None) -> list[int]:
    since = (now or utcnow()) - dt.timedelta(days=LOOKBACK_DAYS)
    has_invoice = sa.exists().where(Invoice.order_id == Order.id, Invoice.kind == InvoiceKind.ORIGINAL)
    wanted = sa.or_(Order.invoice_requested.is_(True), Customer.wants_invoice.is_(True),
                    Order.total >= threshold)
    done = sa.or_(Order.status == OrderStatus.COMPLETED,
                  sa.and_(Order.payment_status == PaymentStatus.PAID, Order.status.in_(PAID_STATES)))
    stmt = (sa.select(Order.id).outerjoin(Customer, Customer.id == Order.customer_id)
            .where(done, wanted, ~has_invoice, Order.updated_at >= since)
            .order_by(Order.id).limit(limit))
    return list(session.scalars(stmt))
