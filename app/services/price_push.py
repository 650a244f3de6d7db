"""Publishing prices to a marketplace: each listed variant's selling price, VAT included.

Our prices are VAT-exclusive and the marketplace shows what the buyer pays, so the figure sent is
``price_with_vat`` (``marketplace_money``). Each listing remembers the price last pushed. Safe to
repeat: it sets a price, it does not change one by an amount.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.integrations.marketplaces.common import PriceUpdate
from app.models import ChannelListing, Channel, ProductVariant
from app.services.errors import N_
from app.services.marketplace_money import price_with_vat
from app.services.stock_push import PushResult, push_in_batches


@dataclass
class PricePushResult(PushResult):
    TEMPLATE = N_("%(channel)s: %(pushed)s prices pushed, %(refused)s refused%(details)s.")


def push_prices(session: Session, channel: Channel, client, variant_ids=None,
                progress=None) -> PricePushResult:
    """Push the price of the channel's listings (all, or those of ``variant_ids``); commits."""
    stmt = (sa.select(ChannelListing, ProductVariant)
            .join(ProductVariant, ProductVariant.id == ChannelListing.variant_id)
            .where(ChannelListing.channel_id == channel.id, ChannelListing.active)
            .options(selectinload(ProductVariant.product)).order_by(ChannelListing.id))
    if variant_ids is not None:
        stmt = stmt.where(ChannelListing.variant_id.in_(list(variant_ids)))
    rows = [(listing, PriceUpdate(item_id=listing.external_item_id,
                                  variant_id=listing.external_model_id or "0",
                                  price=price_with_vat(variant.price, variant.product.vat_rate),
                                  sku=listing.external_sku or variant.sku))
            for listing, variant in session.execute(stmt).all()]
    session.commit()  # the marketplace is called with nothing of ours pending

    def remember(listing, update, now):
        listing.last_pushed_price, listing.last_pushed_at = update.price, now

    return push_in_batches(session, rows, client.update_price, remember, PricePushResult(),
                           progress)
