"""Publishing stock to a marketplace: what each listed variant has free to sell.

The figure a channel shows is the variant's available stock (on hand − reserved) summed over the
channel's fulfilling warehouses (its order warehouse when none is set). Each listing remembers the
quantity last pushed and when, so the seller can see what the marketplace was told.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.integrations.marketplaces.common import StockUpdate
from app.models import Channel, ChannelListing, ProductVariant, StockLevel
from app.models.base import utcnow
from app.services.errors import N_, fill

BATCH = 50


def channel_warehouse_ids(channel: Channel) -> list[int]:
    ids = [w.id for w in channel.fulfilling_warehouses]
    if not ids and channel.order_warehouse_id:
        ids = [channel.order_warehouse_id]
    return ids


def available_by_variant(session: Session, variant_ids, warehouse_ids) -> dict[int, int]:
    """{variant id: on hand − reserved summed over the warehouses} (0 when nothing is there)."""
    variant_ids, warehouse_ids = list(variant_ids), list(warehouse_ids)
    if not variant_ids or not warehouse_ids:
        return {}
    level = StockLevel.__table__
    rows = session.execute(
        sa.select(level.c.variant_id, sa.func.sum(level.c.on_hand - level.c.reserved))
        .where(level.c.variant_id.in_(variant_ids), level.c.warehouse_id.in_(warehouse_ids))
        .group_by(level.c.variant_id))
    return {vid: max(int(qty or 0), 0) for vid, qty in rows}


def channels_listing(session: Session, variant_ids) -> list[int]:
    """Active channels that publish stock and list any of ``variant_ids``."""
    variant_ids = list(variant_ids)
    if not variant_ids:
        return []
    return list(session.scalars(
        sa.select(ChannelListing.channel_id).join(Channel, Channel.id == ChannelListing.channel_id)
        .where(ChannelListing.variant_id.in_(variant_ids), ChannelListing.active,
               Channel.active, Channel.sync_stock).distinct().order_by(ChannelListing.channel_id)))


@dataclass
class PushResult:
    """What a stock or price push did: figures set, and the ones the marketplace refused."""

    TEMPLATE = N_("%(channel)s: %(pushed)s stock figures pushed, %(refused)s refused%(details)s.")
    pushed: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # SKU → the marketplace's reason

    @property
    def params(self) -> dict:
        details = "; ".join(f"{sku}: {why}" for sku, why in list(self.failed.items())[:10])
        return {"pushed": self.pushed, "refused": len(self.failed),
                "details": f" ({details})" if details else ""}

    def summary(self, channel: str = "") -> str:
        return fill(self.TEMPLATE, {"channel": channel, **self.params}).lstrip(": ")


def batches_by_variant(rows: list) -> list[list]:
    """Batches of at most BATCH rows whose marketplace variant ids are distinct, so each outcome
    the provider reports by variant id names exactly one listing (Shopee's no-model items are all 0)."""
    batches, current, seen = [], [], set()
    for row in rows:
        if len(current) >= BATCH or row[1].variant_id in seen:
            batches.append(current)
            current, seen = [], set()
        current.append(row)
        seen.add(row[1].variant_id)
    if current:
        batches.append(current)
    return batches


def push_stock(session: Session, channel: Channel, client, variant_ids=None,
               progress=None) -> PushResult:
    """Push the available quantity of the channel's listings (all, or those of ``variant_ids``).

    Commits; the marketplace is called with nothing of ours pending. Safe to repeat: it sets a
    quantity, it does not add one.
    """
    stmt = (sa.select(ChannelListing, ProductVariant.sku)
            .join(ProductVariant, ProductVariant.id == ChannelListing.variant_id)
            .where(ChannelListing.channel_id == channel.id, ChannelListing.active)
            .order_by(ChannelListing.id))
    if variant_ids is not None:
        stmt = stmt.where(ChannelListing.variant_id.in_(list(variant_ids)))
    listings = session.execute(stmt).all()
    free = available_by_variant(session, {ln.variant_id for ln, _ in listings},
                                channel_warehouse_ids(channel))
    rows = [(ln, StockUpdate(item_id=ln.external_item_id, variant_id=ln.external_model_id or "0",
                             quantity=free.get(ln.variant_id, 0), sku=ln.external_sku or sku))
            for ln, sku in listings]
    session.commit()

    def remember(listing, update, now):
        listing.last_pushed_quantity, listing.last_pushed_at = update.quantity, now
        if variant_ids is None:
            channel.last_stock_push_at = now

    result = push_in_batches(session, rows, client.update_stock, remember, PushResult(), progress)
    if variant_ids is None:
        channel.last_stock_push_at = utcnow()
        session.commit()
    return result


def push_in_batches(session: Session, rows: list, send, remember, result: PushResult,
                    progress=None) -> PushResult:
    """Send ``(listing, update)`` rows in batches (``send`` is the client's update_stock or
    update_price); ``remember(listing, update, now)`` what each accepted one was told. One commit
    per batch, so a failure later keeps what the marketplace already took."""
    done = 0
    for batch in batches_by_variant(rows):
        answer = send([update for _, update in batch])
        now, succeeded = utcnow(), set(answer.succeeded)
        for listing, update in batch:
            if update.variant_id in answer.failed:
                result.failed[update.sku] = answer.failed[update.variant_id]
            elif update.variant_id in succeeded:
                remember(listing, update, now)
                result.pushed += 1
        session.commit()
        done += len(batch)
        if progress is not None:
            progress(done, len(rows))
    return result
