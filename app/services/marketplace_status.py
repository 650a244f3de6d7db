"""Following a marketplace order's status through OrderHub's lifecycle (SPEC §3).

Where the marketplace's side did the work, the order goes the same way through the lifecycle
services, never by setting its state: a seller who arranged shipment on Shopee has packed the
order (confirm → pack: its stock is reserved), a parcel the platform's carrier took is shipped
(the shipment moves take it out of stock), delivered, completed (paid through the platform).
Each step runs in a savepoint: when one is refused (stock short, a SKU we do not know) the order
stays where it got to and is flagged with the reason — never half-moved, never dropped.

Where the seller's own step is needed — a buyer asking to cancel or to return, a parcel coming
back or lost, a cancellation that arrives after we shipped — nothing moves and the order is
flagged. A marketplace behind us (Shopee still READY_TO_SHIP while we packed) moves nothing: our
own processing runs ahead of theirs.

One exception, ``record_history``: on a channel's first pull, an order that already left the
warehouse before OrderHub knew the shop is recorded in its state without moving stock again.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.models import Order, OrderStatus, PaymentStatus
from app.services.errors import N_, DomainError, fill
from app.services.orders import (OPEN_STATES, cancel_order, complete_order, confirm_order,
                                 mark_delivered, mark_delivery_failed, mark_paid, pack_order,
                                 record_shipment_moves)

S = OrderStatus
PATH = [S.NEW, S.PROCESSING, S.PACKED, S.SHIPPED, S.DELIVERED, S.COMPLETED]
HISTORY_STATES = {S.SHIPPED, S.DELIVERED, S.COMPLETED, S.DELIVERY_FAILED}
SEPARATOR = " | "

ATTENTION = {
    "cancel_requested": N_("The buyer asked %(platform)s to cancel (%(raw)s): accept or refuse "
                           "it there."),
    "return_requested": N_("The buyer asked %(platform)s for a return (%(raw)s): create the "
                           "return here when the parcel is back."),
    "returned": N_("%(platform)s says the parcel is coming back (%(raw)s): receive it when it "
                   "arrives."),
    "lost": N_("%(platform)s reports the parcel lost (%(raw)s): claim it with %(platform)s."),
    "partially_shipped": N_("%(platform)s shipped only part of the order (%(raw)s): check which "
                            "lines left."),
}
CANCELLED_LATE = N_("%(platform)s says the order was cancelled (%(reason)s), but here it is "
                    "already %(state)s: stop the parcel or take the goods back.")
CANCELLED_HERE = N_("Cancelled here, but %(platform)s still says %(raw)s: cancel it on "
                    "%(platform)s too.")
CANNOT_FOLLOW = N_("%(platform)s says %(raw)s, but the order could not be moved to %(state)s "
                   "here: %(reason)s")
BUYER_CANCELLED = N_("Cancelled by the buyer on %(platform)s")
HISTORY_NOTE = N_("Imported from %(platform)s as %(state)s: it left the warehouse before "
                  "OrderHub knew the shop, so no stock was moved for it.")


def flag(order: Order, message: str) -> bool:
    """Add ``message`` to the order's attention note (once); True when it is new."""
    current = [part for part in (order.needs_attention or "").split(SEPARATOR) if part]
    if message in current:
        return False
    order.needs_attention = SEPARATOR.join(current + [message])[:500]
    return True


def record_history(order: Order, state: S, at: dt.datetime | None, platform: str) -> None:
    """A new order object, first seen already past the warehouse: its state and times as is.

    Its goods did leave: every line is recorded shipped in full (with no stock move, as the stock
    OrderHub knows never held them), so a return of them can be taken back like any other."""
    order.status = state
    for line in order.lines:
        line.shipped_quantity, line.reserved_quantity = line.quantity, 0
    at = at or order.placed_at
    order.shipped_at = at
    if state in (S.DELIVERED, S.COMPLETED):
        order.delivered_at = at
    if state == S.COMPLETED:
        order.completed_at = at
        order.payment_status = PaymentStatus.PAID
    note = fill(HISTORY_NOTE, {"platform": platform, "state": state.value.replace("_", " ")})
    order.notes = f"{order.notes}\n{note}" if order.notes else note


def _complete(session: Session, order_id: int) -> None:
    """Completed on the marketplace: it settled the payment, so the order is paid and done."""
    if session.get(Order, order_id).payment_status == PaymentStatus.UNPAID:
        mark_paid(session, order_id, commit=False)  # a delivered order completes with its payment
    else:
        complete_order(session, order_id, commit=False)


# Following the marketplace: it ships with its own logistics and holds the buyer's address, so an
# address we cannot place does not stop the stock from following (the order stays flagged).
STEPS = {
    S.PROCESSING: lambda session, order_id: confirm_order(session, order_id, commit=False,
                                                          check_address=False),
    S.PACKED: lambda session, order_id: pack_order(session, order_id, commit=False,
                                                   check_address=False),
    S.SHIPPED: lambda session, order_id: record_shipment_moves(session, order_id, commit=False),
    S.DELIVERED: lambda session, order_id: mark_delivered(session, order_id, commit=False),
    S.COMPLETED: _complete,
}


class Follower:
    """Follows one channel's orders; counts what it did for the import's summary."""

    def __init__(self, session: Session, platform: str, *, reserve: bool):
        self.session, self.platform, self.reserve = session, platform, reserve
        self.cancelled = self.moved = 0
        self.flagged: set[str] = set()

    def _flag(self, order: Order, template: str, **params) -> None:
        if flag(order, fill(template, {"platform": self.platform, **params})):
            self.flagged.add(order.external_order_id)

    def _step(self, order: Order, state: S, raw: str) -> bool:
        try:
            with self.session.begin_nested():
                STEPS[state](self.session, order.id)
        except DomainError as exc:
            self._flag(order, CANNOT_FOLLOW, raw=raw, state=state.value.replace("_", " "),
                       reason=exc.message)
            return False
        return True

    def _advance(self, order: Order, want: S, raw: str) -> None:
        while order.status in PATH and PATH.index(order.status) < PATH.index(want):
            if not self._step(order, PATH[PATH.index(order.status) + 1], raw):
                return
            self.moved += 1

    def note_attention(self, order: Order, incoming) -> None:
        """A status that asks for the seller's own step (a cancel or return request…)."""
        if getattr(incoming, "attention", "") in ATTENTION:
            self._flag(order, ATTENTION[incoming.attention],
                       raw=incoming.raw_status or incoming.status)

    def follow(self, order: Order, incoming) -> None:
        """Bring ``order`` to where ``incoming`` (a MarketplaceOrder) says the marketplace is."""
        self.note_attention(order, incoming)
        self.session.flush()  # the steps may run raw SQL that expires the order: nothing pending
        raw = incoming.raw_status or incoming.status
        target = S(incoming.status)
        if target == S.CANCELLED:
            self._cancel(order, incoming, raw)
        elif order.status == S.CANCELLED:
            self._flag(order, CANCELLED_HERE, raw=raw)
        elif order.status in (S.DELIVERY_FAILED, S.RETURNED):
            return  # the parcel is on its way back or here: our own steps from now on
        elif target == S.DELIVERY_FAILED:
            self._advance(order, S.SHIPPED, raw)
            if order.status == S.SHIPPED:
                try:
                    with self.session.begin_nested():
                        mark_delivery_failed(self.session, order.id, commit=False, reason=raw)
                    self.moved += 1
                except DomainError as exc:
                    self._flag(order, CANNOT_FOLLOW, raw=raw, state="delivery failed",
                               reason=exc.message)
        elif target in PATH:
            want = S.PROCESSING if target == S.NEW and self.reserve else target
            self._advance(order, want, raw)

    def _cancel(self, order: Order, incoming, raw: str) -> None:
        if order.status == S.CANCELLED:
            return
        reason = (incoming.cancel_reason or "").strip() or fill(BUYER_CANCELLED,
                                                                {"platform": self.platform})
        if order.status not in OPEN_STATES:
            self._flag(order, CANCELLED_LATE, reason=reason,
                       state=order.status.value.replace("_", " "))
            return
        try:
            with self.session.begin_nested():
                cancel_order(self.session, order.id, commit=False, reason=reason)
        except DomainError as exc:
            self._flag(order, CANNOT_FOLLOW, raw=raw, state="cancelled", reason=exc.message)
            return
        self.cancelled += 1
