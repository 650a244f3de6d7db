"""Marketplace orders in: incremental pulls and batches of orders turned into OrderHub orders.

Pulls ask for the orders updated since the last pull, minus an overlap (a marketplace may index an
order a little late), page by page; each page is one transaction. The window's end becomes the
channel's ``last_order_sync_at`` only when every page is in.

A batch is imported with a constant number of queries, whatever its size: one look-up for the
orders we already have, one for the SKUs, one for the listings (a line whose SKU we do not know but
whose marketplace ids are mapped gets the mapped variant), one for the buyers. New orders are
inserted together inside a savepoint; if another import got some of them in first (the unique
(channel, external order id) key says so), the batch falls back to ``upsert_channel_order`` order by
order, which merges instead of duplicating. Orders we already have go through
``upsert_channel_order`` too, so a buyer's cancellation cancels the order and releases its stock.
An unknown SKU never drops an order: the line is kept and the order flagged.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.models import (Channel, ChannelListing, Customer, Order, OrderLine, OrderStatus,
                        ProductVariant)
from app.models.base import utcnow
from app.services.errors import ValidationError
from app.services.order_entry import _payment_method, unknown_sku_message, upsert_channel_order
from app.services.phones import normalize_phone

OVERLAP = dt.timedelta(minutes=10)
FIRST_PULL = dt.timedelta(days=7)
WINDOW = dt.timedelta(days=15)  # Shopee refuses longer windows; the others do not mind slices
CHUNK = 500


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    flagged: list[str] = field(default_factory=list)    # external ids with an unknown SKU
    refused: dict[str, str] = field(default_factory=dict)  # external id → why it was not taken

    def add(self, other: "ImportResult") -> None:
        self.created += other.created
        self.updated += other.updated
        self.cancelled += other.cancelled
        self.flagged += other.flagged
        self.refused.update(other.refused)

    def summary(self) -> str:
        text = f"{self.created} new orders, {self.updated} already here"
        if self.cancelled:
            text += f", {self.cancelled} cancelled by the buyer"
        if self.flagged:
            text += f"; {len(self.flagged)} with an unknown SKU, flagged: " + ", ".join(self.flagged[:10])
        if self.refused:
            text += "; refused: " + "; ".join(f"{k}: {v}" for k, v in list(self.refused.items())[:10])
        return text + "."


def _naive_utc(moment):
    if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
        return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _existing_ids(session: Session, channel: Channel, external_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(external_ids):
        found.update(session.scalars(sa.select(Order.external_order_id).where(
            Order.channel_id == channel.id, Order.external_order_id.in_(chunk))))
    return found


def _variants(session: Session, skus) -> dict[str, ProductVariant]:
    found: dict[str, ProductVariant] = {}
    for chunk in _chunks(sorted(set(skus))):
        found.update((v.sku, v) for v in session.scalars(
            sa.select(ProductVariant).where(ProductVariant.sku.in_(chunk))
            .options(selectinload(ProductVariant.product))))
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
            found[phone] = Customer(name=o.buyer_name[:255], phone=phone,
                                    email=getattr(o, "buyer_email", None) or None,
                                    street=o.address or None, ward=o.ward or None,
                                    district=o.district or None, province=o.province or None)
            session.add(found[phone])
    return found


def _build(channel: Channel, incoming, variants: dict, customers: dict) -> Order:
    """The same order ``order_entry.upsert_channel_order`` makes, from batch look-ups."""
    lines, unknown = [], []
    for ln in incoming.lines:
        variant = variants.get(ln.sku)
        if variant is None:
            unknown.append(ln.sku)
        lines.append(OrderLine(
            variant_id=variant.id if variant else None, sku=ln.sku[:64],
            name=(ln.name or (variant.label if variant else ln.sku))[:255],
            quantity=int(ln.quantity), unit_price=Decimal(int(ln.unit_price)),
            discount=Decimal(int(getattr(ln, "discount", 0) or 0)),
            vat_rate=variant.product.vat_rate if variant else "10",
            external_line_id=(getattr(ln, "external_variant_id", "") or None)))
    phone = _phone(incoming.buyer_phone)
    cancelled = incoming.status == OrderStatus.CANCELLED.value
    return Order(
        channel_id=channel.id, external_order_id=str(incoming.external_id).strip()[:64],
        marketplace_status=(incoming.raw_status or None),
        customer=customers.get(phone) if phone else None,
        buyer_name=incoming.buyer_name[:255], buyer_phone=(phone or None) and phone[:20],
        buyer_email=getattr(incoming, "buyer_email", None), ship_street=incoming.address or None,
        ship_ward=incoming.ward or None, ship_district=incoming.district or None,
        ship_province=incoming.province or None, area_codes=getattr(incoming, "area_codes", None),
        warehouse_id=channel.order_warehouse_id,
        payment_method=_payment_method(incoming.payment_method),
        shipping_fee=Decimal(int(incoming.shipping_fee or 0)), notes=incoming.note or None,
        placed_at=incoming.created_at,
        status=OrderStatus.CANCELLED if cancelled else OrderStatus.NEW,
        cancel_reason=(incoming.cancel_reason or None) if cancelled else None,
        needs_attention=unknown_sku_message(unknown) if unknown else None, lines=lines)


def _one_by_one(session: Session, channel: Channel, orders: list, result: ImportResult) -> None:
    for incoming in orders:
        entry = upsert_channel_order(session, channel, incoming, commit=False)
        if entry.created:
            result.created += 1
            if entry.order.needs_attention:
                result.flagged.append(str(incoming.external_id))
        else:
            result.updated += 1


def import_orders(session: Session, channel: Channel, incoming: list, *,
                  commit: bool = True) -> ImportResult:
    """Turn a batch of channel orders (MarketplaceOrder or IncomingOrder) into orders."""
    result = ImportResult()
    made: list = []
    batch: dict[str, object] = {}
    for order in incoming:
        external_id = str(order.external_id or "").strip()
        if not external_id:
            result.refused["?"] = "the channel's order id is missing"
        elif not order.lines:
            result.refused[external_id] = "the order has no lines"
        else:
            order.created_at = _naive_utc(getattr(order, "created_at", None))
            batch[external_id] = order  # a repeat inside one batch: the latest wins
    try:
        existing = _existing_ids(session, channel, list(batch))
        repeats = [o for ext, o in batch.items() if ext in existing]
        new = [o for ext, o in batch.items() if ext not in existing]
        if new:
            variants = _variants(session, [ln.sku for o in new for ln in o.lines])
            _map_by_listing(session, channel, new, variants)
            buyers = _buyers(session, new)  # read before the savepoint: SQLite then takes
            try:                             # the write lock first and waits for it if busy
                with session.begin_nested(), session.no_autoflush:
                    customers = _new_buyers(session, new, buyers)
                    orders = [_build(channel, o, variants, customers) for o in new]
                    session.add_all(orders)
                    session.flush()
                result.created += len(orders)
                result.flagged += [o.external_order_id for o in orders if o.needs_attention]
                made = orders + [c for c in customers.values() if c not in buyers.values()]
            except sa.exc.IntegrityError:
                # Another import took some of these first: merge them one by one instead.
                _one_by_one(session, channel, new, result)
        if repeats:
            before = dict(session.execute(sa.select(Order.external_order_id, Order.status).where(
                Order.channel_id == channel.id,
                Order.external_order_id.in_([str(o.external_id).strip() for o in repeats]))).all())
            _one_by_one(session, channel, repeats, result)
            result.cancelled += sum(
                1 for o in repeats if o.status == OrderStatus.CANCELLED.value
                and before.get(str(o.external_id).strip()) not in (None, OrderStatus.CANCELLED))
        if commit:
            session.commit()
            # A pull imports page after page in one session: let go of what is committed, or
            # every later flush scans them all again.
            for obj in made:
                if obj in session:
                    session.expunge(obj)
        else:
            session.flush()
    except BaseException:
        if commit:
            session.rollback()
        raise
    return result


def pull_orders(session: Session, channel: Channel, client, *, now: dt.datetime | None = None,
                progress=None, overlap: dt.timedelta = OVERLAP) -> ImportResult:
    """Import every order updated since the last pull (minus ``overlap``), all pages."""
    now = now or utcnow()
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
            result.add(import_orders(session, channel, page.items))
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
