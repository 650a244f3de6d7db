"""Which of a record's buttons its state allows now, so a page offers only what will work.

The services refuse the same cases with a message naming the state; this module answers the
question before the click, from the same rules (the state sets below are the ones the services
check). ``offered(record, action)`` is True for an action it knows nothing about.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import object_session

from app.models import (Channel, CodReconciliation, Conversation, GoodsReceipt, Invoice, Job,
                        PurchaseOrder, ReturnRequest, Shipment, StockCount)
from app.models.base import utcnow
from app.models import (GoodsReceiptStatus as G, InvoiceKind, InvoiceStatus as I, JobStatus,
                        PurchaseOrderStatus as P, RefundStatus, ReconciliationStatus,
                        ReturnStatus as R, ShipmentStatus as S, StockCountStatus as C)
from app.services.channel_clients import MARKETPLACES
from app.services.carrier_clients import carrier_traits

# Purchase orders (services/purchasing.py)
PO_APPROVE_FROM = frozenset({P.DRAFT})
PO_CANCEL_FROM = frozenset({P.DRAFT, P.CONFIRMED})
PO_RECEIVE_IN = frozenset({P.CONFIRMED, P.PARTIALLY_RECEIVED})
# Shipments (services/shipment_cancel.py, tracking.py, shipment_labels.py)
SHIPMENT_CANCELLABLE = frozenset({S.DRAFT, S.CREATED})
SHIPMENT_BOOKED = frozenset(set(S) - {S.DRAFT, S.CANCELLED})
SHIPMENT_COMING_BACK = frozenset({S.RETURNING, S.RETURNED})
SHIPMENT_SETTLED = frozenset({S.DELIVERED, S.RETURNED, S.CANCELLED, S.LOST_OR_DAMAGED})
# Invoices (services/invoice_corrections.py)
INVOICE_CORRECTABLE = frozenset({I.ISSUED, I.ADJUSTED})
INVOICE_SENT = frozenset({I.ISSUED, I.REPLACED, I.ADJUSTED})


def _purchase_order(po: PurchaseOrder) -> dict[str, bool]:
    return {"approve": po.status in PO_APPROVE_FROM, "cancel": po.status in PO_CANCEL_FROM,
            "receive": po.status in PO_RECEIVE_IN,
            "reserve_waiting_orders": po.status in (P.PARTIALLY_RECEIVED, P.RECEIVED)}


def _goods_receipt(receipt: GoodsReceipt) -> dict[str, bool]:
    return {"post_receipt": receipt.status == G.DRAFT,
            "reserve_waiting_orders": receipt.status == G.POSTED}


def _return(ret: ReturnRequest) -> dict[str, bool]:
    has_invoice = ret.status in (R.RECEIVED, R.CLOSED) and _issued_invoice(ret) is not None
    return {"receive_return": ret.status == R.REQUESTED, "cancel": ret.status == R.REQUESTED,
            "refund": ret.status == R.RECEIVED and ret.refund_status == RefundStatus.PENDING,
            "adjust_invoice": has_invoice, "replace_invoice": has_invoice}


def _issued_invoice(ret: ReturnRequest):
    session = object_session(ret)
    return session.scalars(sa.select(Invoice.id).where(
        Invoice.order_id == ret.order_id,
        Invoice.kind.in_((InvoiceKind.ORIGINAL, InvoiceKind.REPLACEMENT)),
        Invoice.status.in_(INVOICE_CORRECTABLE)).limit(1)).first()


def _shipment(shipment: Shipment) -> dict[str, bool]:
    booked = bool(shipment.tracking_number) and shipment.status in SHIPMENT_BOOKED
    return {"cancel": shipment.status in SHIPMENT_CANCELLABLE,
            "redeliver": shipment.status == S.DELIVERY_FAILED,
            "return_to_sender": shipment.status == S.DELIVERY_FAILED,
            "receive_return": shipment.status in SHIPMENT_COMING_BACK,
            # A carrier without a look-up for partners sends its updates by callback only.
            "refresh_tracking": booked and carrier_traits(shipment.carrier).looks_up
            and shipment.status not in SHIPMENT_SETTLED,
            "print_label": booked, "carrier_label": booked and _has_carrier_label(shipment)}


def _has_carrier_label(shipment: Shipment) -> bool:
    session = object_session(shipment)
    return bool(session.scalar(sa.select(Shipment.carrier_label.is_not(None))
                               .where(Shipment.id == shipment.id)))


def _stock_count(count: StockCount) -> dict[str, bool]:
    return {"enter_counts": count.status == C.DRAFT,
            "finish_count": count.status == C.DRAFT
            and all(line.counted_quantity is not None for line in count.lines),
            "post_count": count.status == C.COUNTED,
            "cancel": count.status in (C.DRAFT, C.COUNTED)}


def _reconciliation(rec: CodReconciliation) -> dict[str, bool]:
    return {"confirm_reconciliation": rec.status == ReconciliationStatus.DRAFT
            and bool(rec.lines)}


def _invoice(invoice: Invoice) -> dict[str, bool]:
    correctable = invoice.status in INVOICE_CORRECTABLE and invoice.kind != InvoiceKind.ADJUSTMENT
    return {"replace": correctable and invoice.status == I.ISSUED, "adjust": correctable,
            "resend_email": invoice.status in INVOICE_SENT and bool(invoice.buyer_email)}


def _job(job: Job) -> dict[str, bool]:
    return {"retry": job.status == JobStatus.FAILED}


def _channel(channel: Channel) -> dict[str, bool]:
    # Only a marketplace shop is connected and synced (the website and phone orders come to us).
    marketplace = getattr(channel.platform, "value", channel.platform) in MARKETPLACES
    syncs = marketplace and channel.active and channel.connected
    return {"connect": marketplace, "pull_products": syncs, "push_products": syncs,
            "pull_orders": syncs, "push_stock": syncs, "push_prices": syncs}


def _conversation(conversation: Conversation) -> dict[str, bool]:
    # Staff take a conversation the assistant answers, and give back one they hold (handed over or
    # paused while they answer); replying is always possible.
    paused = conversation.paused_until is not None and conversation.paused_until > utcnow()
    held = bool(conversation.handed_over or paused)
    return {"take_over": not conversation.handed_over, "release": held}


RULES: dict[type, Callable[[object], dict[str, bool]]] = {
    PurchaseOrder: _purchase_order, GoodsReceipt: _goods_receipt, ReturnRequest: _return,
    Shipment: _shipment, StockCount: _stock_count, CodReconciliation: _reconciliation,
    Invoice: _invoice, Job: _job, Channel: _channel, Conversation: _conversation,
}


def offered(record, action: str) -> bool:
    rules = RULES.get(type(record))
    if rules is None:
        return True
    return rules(record).get(action, True)
