"""Products between OrderHub and a marketplace: pull the shop's listings in, push ours up.

Pull: every page of the shop's listings; each marketplace variant is matched to our variant by SKU
(the join key with every channel); a SKU we do not have becomes a new variant (of the product its
siblings belong to, or of the product whose code the SKUs share, or of a new product); the mapping
variant ↔ marketplace ids is kept in ChannelListing. A listing without a seller SKU cannot be
matched and is reported, never guessed.

Pushing ours up ("go up") is ``product_push``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.integrations.marketplaces.common import MarketplaceProduct
from app.models import Channel, ChannelListing, Product, ProductVariant, VatRate
from app.models.base import utcnow
from app.services.errors import N_, fill
from app.services.marketplace_money import price_without_vat

CHUNK = 500
PULL_SUMMARY = N_("%(channel)s: %(listings)s marketplace variants: %(matched)s matched by SKU, "
                  "%(created_variants)s new variants (%(created_products)s new products), "
                  "%(no_sku)s without a seller SKU skipped.")
NO_SKU = N_("%(channel)s: listings without a seller SKU, not matched: %(listings)s")


@dataclass
class PullResult:
    listings: int = 0
    matched: int = 0
    created_products: int = 0
    created_variants: int = 0
    no_sku: list[str] = field(default_factory=list)

    @property
    def params(self) -> dict:
        return {"listings": self.listings, "matched": self.matched,
                "created_variants": self.created_variants,
                "created_products": self.created_products, "no_sku": len(self.no_sku)}

    def summary(self, channel: str = "") -> str:
        return fill(PULL_SUMMARY, {"channel": channel, **self.params}).lstrip(": ")


def fetch_products(client, progress=None) -> list[MarketplaceProduct]:
    """Every listing of the shop, page by page (``progress(fetched, total)`` after each page)."""
    products, cursor = [], None
    while True:
        page = client.products_page(cursor)
        products += page.items
        if progress is not None:
            progress(len(products), max(page.total or 0, len(products)))
        if page.next_cursor is None:
            return products
        cursor = page.next_cursor


def _by_sku(session: Session, skus) -> dict[str, ProductVariant]:
    skus, found = sorted(set(skus)), {}
    for start in range(0, len(skus), CHUNK):
        rows = session.scalars(sa.select(ProductVariant).where(
            ProductVariant.sku.in_(skus[start:start + CHUNK])).options(
            selectinload(ProductVariant.product)))
        found.update({v.sku: v for v in rows})
    return found


def _product_code(product: MarketplaceProduct, platform: str) -> str:
    """The code the item's SKUs share (``AO-THUN-TRANG`` for ``AO-THUN-TRANG-S/M/L``)."""
    skus = [v.sku for v in product.variants if v.sku]
    code = os.path.commonprefix(skus).rstrip("-_ /") if len(skus) > 1 else (skus[0] if skus else "")
    return code if len(code) >= 3 else f"{platform.upper()}-{product.external_item_id}"[:64]


def _axis(product: MarketplaceProduct) -> str:
    """The variation's name when the provider says it (TikTok's sales attribute, Lazada's key)."""
    for sku in (product.raw or {}).get("skus") or []:
        for attribute in sku.get("sales_attributes") or []:
            if attribute.get("name"):
                return str(attribute["name"])[:40]
        if isinstance(sku, dict) and sku.get("size"):
            return "Size"
        if isinstance(sku, dict) and sku.get("color_family"):
            return "Màu"
    return "Phân loại"


def _home_product(session: Session, product: MarketplaceProduct, known: dict, platform: str,
                  result: PullResult) -> Product:
    for mv in product.variants:
        if mv.sku in known:
            return known[mv.sku].product
    code = _product_code(product, platform)
    home = session.scalars(sa.select(Product).where(Product.sku == code)).first()
    if home is None:
        prices = [v.price for v in product.variants if v.price] or [0]
        home = Product(name=(product.name or code)[:255], sku=code,
                       selling_price=price_without_vat(min(prices), VatRate.TEN),
                       vat_rate=VatRate.TEN, description=product.description or None,
                       attribute_1=_axis(product))
        session.add(home)
        result.created_products += 1
    return home


def record_products(session: Session, channel: Channel, products: list[MarketplaceProduct],
                    *, platform: str) -> PullResult:
    """Match, create and map; one transaction (the caller commits)."""
    result = PullResult()
    known = _by_sku(session, [v.sku for p in products for v in p.variants if v.sku])
    ours = set(known)
    # Pass 1: the variants we do not have yet.
    for product in products:
        missing = [mv for mv in product.variants if mv.sku and mv.sku not in known]
        if not missing:
            continue
        home = _home_product(session, product, known, platform, result)
        for mv in missing:
            price = price_without_vat(mv.price, home.vat_rate or VatRate.TEN)
            variant = ProductVariant(product=home, sku=mv.sku[:64], value_1=(mv.name or None) and mv.name[:60],
                                     selling_price=price if price != Decimal(home.selling_price or 0)
                                     else None)
            session.add(variant)
            known[mv.sku] = variant
            result.created_variants += 1
    session.flush()
    # Pass 2: the listings (unique per channel on the variant and on the marketplace ids).
    listings = session.scalars(sa.select(ChannelListing).where(ChannelListing.channel_id == channel.id)).all()
    by_variant = {ln.variant_id: ln for ln in listings}
    by_external = {(ln.external_item_id, ln.external_model_id): ln for ln in listings}
    for product in products:
        for mv in product.variants:
            result.listings += 1
            if not mv.sku:
                result.no_sku.append(f"{product.external_item_id}/{mv.external_variant_id}")
                continue
            variant = known[mv.sku]
            key = (str(product.external_item_id), str(mv.external_variant_id or ""))
            mine, theirs = by_variant.get(variant.id), by_external.get(key)
            if theirs is not None and theirs is not mine:
                if mine is None:  # the marketplace listing now sells another of our SKUs
                    by_variant.pop(theirs.variant_id, None)
                    theirs.variant_id, mine = variant.id, theirs
                else:
                    session.delete(theirs)
                    session.flush()
            if mine is None:
                mine = ChannelListing(channel_id=channel.id, variant_id=variant.id)
                session.add(mine)
            result.matched += mv.sku in ours
            mine.external_item_id, mine.external_model_id = key
            mine.external_sku, mine.active = mv.sku[:64], True
            by_variant[variant.id], by_external[key] = mine, mine
    channel.last_product_sync_at = utcnow()
    return result


def pull_products(session: Session, channel: Channel, client, *, platform: str,
                  progress=None) -> PullResult:
    """Fetch every listing (no write pending meanwhile), then record them in one commit."""
    session.commit()
    products = fetch_products(client, progress)
    result = record_products(session, channel, products, platform=platform)
    session.commit()
    return result
