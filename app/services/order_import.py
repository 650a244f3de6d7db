"""Marketplace orders in: incremental pulls and batches of orders turned into OrderHub orders.

Pulls ask for the orders updated since the last pull, minus an overlap (a marketplace may index an
order a little late), page by page; each page is one transaction. The window's end becomes the
channel's ``last_order_sync_at`` only when every page is in.

A batch is imported with a constant number of queries, whatever its size: one look-up for the
orders we already have, one for the SKUs, one for the listings (a line whose SKU we do not know but
whose marketplace ids are mapped gets the mapped variant), one for the buyers; the new orders and
their lines are written with one statement each (``order_bulk``). If another import got some of
them in first (the unique (channel, external order id) key says so), the batch starts again order
by order, each in its own savepoint, which merges instead of duplicating.

Then every order follows the marketplace's status through the lifecycle services
(``marketplace_status``): a buyer's cancellation cancels the order and releases its stock, an
order the seller packed on the marketplace is reserved and packed here, one the platform's carrier
took is shipped, and so on; with the channel's "reserve stock on arrival" a new order is confirmed
at once, so it holds its stock and the next stock push does not sell it twice. Nothing is ever
dropped: an unknown SKU, an order without lines, a status that needs the seller, or a total that is
not what the buyer pays on the marketplace keeps the order and flags it.

Marketplace prices include VAT and ours do not (``marketplace_money``); the marketplace's own
figures (buyer paid, vouchers, fees) are kept on the order as it sent them.
"""
from __future__ import annotations

import datetime as dt
import functools
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import (Channel, ChannelListing, Customer, Order, OrderLine, OrderStatus, Product,
                        ProductVariant, VatRate)
from app.models.base import utcnow
from app.services.channel_clients import PLATFORM_NAMES
from app.services import addresses, order_bulk
from app.services.errors import N_, ValidationError, fill
from app.services.marketplace_money import amount_differs, price_without_vat
from app.services.marketplace_status import HISTORY_STATES, Follower, flag, record_history
from app.services.order_entry import _payment_method, unknown_sku_message
from app.services.phones import normalize_phone

OVERLAP = dt.timedelta(minutes=10)
FIRST_PULL = dt.timedelta(days=7)
WINDOW = dt.timedelta(days=15)  # Shopee refuses longer windows; the others do not mind slices
CHUNK = 500
NO_LINES = N_("%(platform)s sent this order without lines: add them before confirming.")
AMOUNT_DIFFERS = N_("The buyer pays %(theirs)s on %(platform)s but our total is %(ours)s: "
                    "check prices, vouchers and the shipping fee before shipping.")
NO_ID = N_("the channel's order id is missing")
SUMMARY = N_("%(created)s new orders, %(updated)s already here, %(cancelled)s cancelled by the "
             "marketplace, %(moved)s steps followed, %(flagged)s flagged for attention.")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    moved: int = 0  # lifecycle steps taken to follow the marketplace (confirm, pack, ship…)
    flagged: list[str] = field(default_factory=list)  # external ids newly flagged for attention
    refused: dict[str, str] = field(default_factory=dict)  # external id → why it was not taken

    def add(self, other: "ImportResult") -> None:
        self.created += other.created
        self.updated += other.updated
        self.cancelled += other.cancelled
        self.moved += other.moved
        self.flagged += [e for e in other.flagged if e not in self.flagged]
        self.refused.update(other.refused)

    @property
    def params(self) -> dict:
        return {"created": self.created, "updated": self.updated, "cancelled": self.cancelled,
                "moved": self.moved, "flagged": len(self.flagged)}

    def summary(self) -> str:
        return fill(SUMMARY, self.params)


def _naive_utc(moment):
    if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
        return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _existing(session: Session, channel: Channel, external_ids: list[str]) -> dict[str, Order]:
    found: dict[str, Order] = {}
    for chunk in _chunks(external_ids):
        found.update((o.external_order_id, o) for o in session.scalars(
            sa.select(Order).where(Order.channel_id == channel.id,
                                   Order.external_order_id.in_(chunk))))
    return found


def _variants(session: Session, skus) -> dict[str, tuple[int, VatRate, str]]:
    """{SKU: (variant id, VAT rate, label)} of the SKUs we know: one joined look-up, and only
    what a line needs (loading whole variants and products costs more than the import itself)."""
    found: dict[str, tuple] = {}
    variant, product = ProductVariant.__table__, Product.__table__
    for chunk in _chunks(sorted(set(skus))):
        for row in session.execute(
                sa.select(variant.c.sku, variant.c.id, product.c.vat_rate, variant.c.name,
                          product.c.name.label("product_name"), variant.c.value_1,
                          variant.c.value_2, variant.c.value_3)
                .join(product, product.c.id == variant.c.product_id)
                .where(variant.c.sku.in_(chunk))):
            values = " / ".join(v for v in (row.value_1, row.value_2, row.value_3) if v)
            base = row.name or row.product_name
            found[row.sku] = (row.id, VatRate(row.vat_rate), f"{base} ({values})" if values else base)
    return found


def _map_by_listing(session: Session, channel: Channel, orders: list, known: dict) -> None:
    """Give a line with an unknown SKU the SKU of the variant its marketplace ids are mapped to."""
    strangers = [ln for o in orders for ln in o.lines
                 if ln.sku not in known and getattr(ln, "external_item_id", "")]
    if not strangers:
        return
    mapped = {}
    for chunk in _chunks(sorted({str(ln.external_item_id) for ln in strangers})):
        mapped.update(((item, model), sku) for item, model, sku in session.execute(
            sa.select(ChannelListing.external_item_id, ChannelListing.external_model_id,
                      ProductVariant.sku)
            .join(ProductVariant, ProductVariant.id == ChannelListing.variant_id)
            .where(ChannelListing.channel_id == channel.id,
                   ChannelListing.external_item_id.in_(chunk))))
    for line in strangers:
        sku = mapped.get((str(line.external_item_id), str(line.external_variant_id or "")))
        if sku:
            line.sku = sku
    known.update(_variants(session, [ln.sku for ln in strangers if ln.sku not in known]))


@functools.lru_cache(maxsize=4096)
def _phone(raw: str | None) -> str | None:
    """The buyer's phone, normalized (parsing costs ~0.5 ms: a batch's buyers repeat)."""
    try:
        phone = normalize_phone(raw) if raw else None
    except ValidationError:
        return raw or None  # marketplaces mask phones ("******78"): keep it, link no customer
    return phone


def _buyers(session: Session, orders: list) -> dict[str, Customer]:
    """The customers we already have for the batch's phones (one look-up)."""
    phones = {p for p in (_phone(o.buyer_phone) for o in orders) if p and p.isdigit()}
    found: dict[str, Customer] = {}
    for chunk in _chunks(sorted(phones)):
        for customer in session.scalars(sa.select(Customer).where(Customer.phone.in_(chunk))
                                        .order_by(Customer.id.desc())):
            found[customer.phone] = customer  # the oldest wins, as in find_or_create_customer
    return found


def _new_buyers(session: Session, orders: list, found: dict[str, Customer]) -> dict[str, Customer]:
    """``found`` plus a new customer for each phone we do not know yet."""
    found = dict(found)
    for o in orders:
        phone = _phone(o.buyer_phone)
        if phone and phone.isdigit() and phone not in found:
            ship, _problem = addresses.for_import(o.address, o.ward, o.district, o.province)
            found[phone] = Customer(name=o.buyer_name[:255], phone=phone,
                                    email=getattr(o, "buyer_email", None) or None,
                                    **{k[5:]: v for k, v in ship.items() if v is not None})
            session.add(found[phone])
    return found


def _vnd(amount) -> str:
    """``320.000 ₫``: stored in a note, so written the way the seller reads money."""
    return f"{int(amount):,} ₫".replace(",", ".")


def _amounts(incoming) -> dict:
    return {"buyer_paid": int(incoming.total or 0), "shipping_fee": int(incoming.shipping_fee or 0),
            **{k: int(v) for k, v in (getattr(incoming, "amounts", None) or {}).items()}}


class _Batch:
    """One batch of one channel: the look-ups it shares and what it did."""

    def __init__(self, session: Session, channel: Channel, *, history: bool):
        self.session, self.channel, self.history = session, channel, history
        self.platform = PLATFORM_NAMES.get(getattr(channel.platform, "value", channel.platform),
                                           channel.name)
        self.result = ImportResult()
        self.follower = Follower(session, self.platform, reserve=bool(channel.reserve_on_arrival))
        self.touched: list = []  # let go of these once committed (see import_orders)

    def build(self, incoming, variants: dict, customers: dict) -> Order:
        lines, unknown = [], []
        for ln in incoming.lines:
            variant = variants.get(ln.sku)
            if variant is None:
                unknown.append(ln.sku)
                variant_id, vat_rate, label = None, VatRate.TEN, ln.sku
            else:
                variant_id, vat_rate, label = variant
            line = OrderLine(variant_id=variant_id, sku=ln.sku[:64], name=(ln.name or label)[:255],
                             quantity=int(ln.quantity), vat_rate=vat_rate,
                             unit_price=price_without_vat(ln.unit_price, vat_rate))
            if getattr(ln, "discount", 0):
                line.discount = Decimal(int(ln.discount))
            if getattr(ln, "external_variant_id", ""):
                line.external_line_id = ln.external_variant_id
            lines.append(line)
        phone = _phone(incoming.buyer_phone)
        state = OrderStatus(incoming.status)
        # An address the divisions cannot place is kept as sent and the order flagged.
        ship, problem = addresses.for_import(incoming.address, incoming.ward, incoming.district,
                                             incoming.province)
        values = {  # only what is known: each attribute set costs, and a batch sets thousands
            "channel_id": self.channel.id,
            "external_order_id": str(incoming.external_id).strip()[:64],
            "marketplace_status": (incoming.raw_status or "")[:40] or None,
            "marketplace_amounts": _amounts(incoming),
            "customer": customers.get(phone) if phone else None,
            "buyer_name": incoming.buyer_name[:255], "buyer_phone": (phone or None) and phone[:20],
            "buyer_email": getattr(incoming, "buyer_email", None),
            **ship,
            "area_codes": getattr(incoming, "area_codes", None),
            "warehouse_id": self.channel.order_warehouse_id,
            "payment_method": _payment_method(incoming.payment_method),
            "shipping_fee": Decimal(int(incoming.shipping_fee or 0)), "notes": incoming.note or None,
            "placed_at": incoming.created_at, "status": OrderStatus.NEW,
            "needs_attention": addresses.attention(unknown_sku_message(unknown) if unknown
                                                   else None, problem), "lines": lines}
        order = Order(**{k: v for k, v in values.items() if v is not None})
        if state == OrderStatus.CANCELLED:  # it never held stock here: nothing to release
            order.status, order.cancel_reason = state, (incoming.cancel_reason or None)
            order.cancelled_at = _naive_utc(incoming.updated_at) or utcnow()
        elif self.history and state in HISTORY_STATES:
            record_history(order, state, _naive_utc(incoming.updated_at), self.platform)
        if not lines:
            flag(order, fill(NO_LINES, {"platform": self.platform}))
        self.follower.note_attention(order, incoming)
        self.touched.append(order)
        return order

    def new_orders(self, incoming: list, mode: str) -> list[tuple[Order, object]]:
        """Write the batch's new orders together (``order_bulk``: a few statements, whatever the
        batch's size), their amounts checked against the marketplace's first. ``mode`` "bulk"
        lets a unique-key clash (another import took some first) abort the transaction for the
        caller to start again "one_by_one" (each order in a savepoint, merging); "savepoint"
        writes them together inside a savepoint and falls back to one by one itself."""
        variants = _variants(self.session, [ln.sku for o in incoming for ln in o.lines])
        _map_by_listing(self.session, self.channel, incoming, variants)
        buyers = _buyers(self.session, incoming)
        if mode == "one_by_one":
            return self._one_by_one(incoming, variants, buyers)
        try:
            with self.session.begin_nested() if mode == "savepoint" else nullcontext(), \
                    self.session.no_autoflush:
                made = self._together(incoming, variants, buyers)
        except sa.exc.IntegrityError:
            if mode != "savepoint":
                raise
            return self._one_by_one(incoming, variants, buyers)
        self.result.created += len(made)
        return made

    def _together(self, incoming: list, variants: dict, buyers: dict) -> list:
        customers = _new_buyers(self.session, incoming, buyers)
        self.touched += [c for c in customers.values() if c not in buyers.values()]
        made = [(self.build(o, variants, customers), o) for o in incoming]
        self.session.flush()  # the new buyers: the orders need their ids
        order_bulk.price([order for order, _ in made])
        for order, o in made:
            self.check_amounts(order, o)
        order_bulk.write_new_orders(self.session, [order for order, _ in made])
        return made

    def _one_by_one(self, incoming: list, variants: dict, buyers: dict) -> list:
        """Another import took some of these first: each order in its own savepoint."""
        made, repeats = [], []
        for o in incoming:
            try:
                with self.session.begin_nested(), self.session.no_autoflush:
                    order = self.build(o, variants, _new_buyers(self.session, [o], buyers))
                    self.session.add(order)
                    self.session.flush()
            except sa.exc.IntegrityError:
                repeats.append(o)
                continue
            self.check_amounts(order, o)
            made.append((order, o))
            self.result.created += 1
        found = _existing(self.session, self.channel, [str(o.external_id).strip() for o in repeats])
        self.result.updated += len(repeats)
        for o in repeats:
            self.update(found[str(o.external_id).strip()], o)
        return made

    def update(self, order: Order, incoming) -> None:
        """An order we have: keep its marketplace figures current, follow the status."""
        self.touched.append(order)
        if incoming.raw_status and order.marketplace_status != incoming.raw_status[:40]:
            order.marketplace_status = incoming.raw_status[:40]
        amounts = _amounts(incoming)
        if order.marketplace_amounts != amounts:
            order.marketplace_amounts = amounts
            self.check_amounts(order, incoming)
        self.follower.follow(order, incoming)

    def check_amounts(self, order: Order, incoming) -> None:
        if order.status == OrderStatus.CANCELLED or not incoming.lines or not incoming.total:
            return
        units = sum(int(ln.quantity) for ln in incoming.lines)
        if amount_differs(order.total, incoming.total, units):
            if flag(order, fill(AMOUNT_DIFFERS, {"platform": self.platform, "theirs": _vnd(incoming.total),
                                                 "ours": _vnd(order.total)})):
                self.result.flagged.append(order.external_order_id)

    def finish(self) -> ImportResult:
        self.result.cancelled += self.follower.cancelled
        self.result.moved += self.follower.moved
        self.result.flagged += sorted(self.follower.flagged - set(self.result.flagged))
        return self.result


def _write_first(session: Session, channel: Channel) -> None:
    """SQLite: hold the write lock before reading. A read snapshot cannot be upgraded to a write
    once another connection (the worker pushing stock, a webhook) has committed meanwhile; the
    batch would fail at its first reservation instead of waiting its turn."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.update(Channel).where(Channel.id == channel.id)
                        .values(last_order_sync_at=Channel.last_order_sync_at))


def _import(session: Session, channel: Channel, latest: dict, refused: dict, *, history: bool,
            mode: str) -> _Batch:
    """One batch's work in the open transaction (``mode``: see ``_Batch.new_orders``)."""
    _write_first(session, channel)
    batch = _Batch(session, channel, history=history)
    batch.result.refused.update(refused)
    existing = _existing(session, channel, list(latest))
    made = batch.new_orders([o for ext, o in latest.items() if ext not in existing], mode) \
        if len(existing) < len(latest) else []
    steps = []
    for order, o in made:
        if order.needs_attention and order.external_order_id not in batch.result.flagged:
            batch.result.flagged.append(order.external_order_id)
        if order.status == OrderStatus.NEW and (channel.reserve_on_arrival or o.status != "new"):
            steps.append((order.id, o))  # only when there is a step: a flush each
    if steps:  # bulk-written orders are not session state: follow the stored ones
        stored = {o.id: o for o in session.scalars(
            sa.select(Order).where(Order.id.in_([order_id for order_id, _ in steps])))}
        for order_id, o in steps:
            batch.touched.append(stored[order_id])
            batch.follower.follow(stored[order_id], o)
    batch.result.updated += len(existing)
    for ext, order in existing.items():
        batch.update(order, latest[ext])
    return batch


def _let_go(session: Session, touched: list) -> None:
    """A pull imports page after page in one session: let go of what is committed, or every
    later flush scans it all again."""
    for obj in touched:
        if obj in session:
            for line in (obj.__dict__.get("lines") or []) if isinstance(obj, Order) else []:
                if line in session:
                    session.expunge(line)
            session.expunge(obj)


def import_orders(session: Session, channel: Channel, incoming: list, *, commit: bool = True,
                  history: bool = False) -> ImportResult:
    """Turn a batch of marketplace orders (MarketplaceOrder) into orders; commits (or, with
    ``commit=False``, only flushes into the caller's transaction).

    ``history``: the channel's first pull — orders that already left the warehouse are recorded
    as they are, without moving stock (``marketplace_status.record_history``).
    """
    latest: dict[str, object] = {}
    refused: dict[str, str] = {}
    for order in incoming:
        external_id = str(order.external_id or "").strip()
        if not external_id:
            refused["?"] = fill(NO_ID, {})
            continue
        order.created_at = _naive_utc(getattr(order, "created_at", None))
        latest[external_id] = order  # a repeat inside one batch: the latest wins
    if not commit:  # the caller's transaction: the new orders go in within a savepoint
        with order_bulk.collector_paused():
            batch = _import(session, channel, latest, refused, history=history, mode="savepoint")
            session.flush()
        return batch.finish()
    try:
        with order_bulk.collector_paused():
            try:
                batch = _import(session, channel, latest, refused, history=history, mode="bulk")
            except sa.exc.IntegrityError:  # another import took some first: order by order
                session.rollback()
                batch = _import(session, channel, latest, refused, history=history,
                                mode="one_by_one")
            session.commit()
    except BaseException:
        session.rollback()
        raise
    _let_go(session, batch.touched)
    return batch.finish()


def pull_orders(session: Session, channel: Channel, client, *, now: dt.datetime | None = None,
                progress=None, overlap: dt.timedelta = OVERLAP) -> ImportResult:
    """Import every order updated since the last pull (minus ``overlap``), all pages."""
    now = now or utcnow()
    first = channel.last_order_sync_at is None
    since = (channel.last_order_sync_at or now - FIRST_PULL) - overlap
    session.commit()  # nothing of ours pending while the marketplace is called
    result = ImportResult()
    start, seen = since, 0
    end = now + dt.timedelta(seconds=1)  # providers compare whole seconds; keep this one in
    while start < end:
        stop = min(end, start + WINDOW)
        cursor = None
        while True:
            page = client.list_orders(start, stop, cursor)
            result.add(import_orders(session, channel, page.items, history=first))
            seen += len(page.items)
            if progress is not None:
                progress(seen, max(seen, page.total or 0))
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        start = stop
    channel.last_order_sync_at = now
    session.commit()
    return result


def fetch_orders(session: Session, channel: Channel, client, external_ids: list[str]) -> ImportResult:
    """Import named orders (the follow-up fetch of a push notification)."""
    session.commit()
    orders = client.get_orders([str(i) for i in external_ids])
    return import_orders(session, channel, orders)
