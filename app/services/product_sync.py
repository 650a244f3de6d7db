"""Products between OrderHub and a marketplace: pull the shop's listings in, push ours up.

Pull: every page of the shop's listings; each marketplace variant is matched to our variant by SKU
(the join key with every channel); a SKU we do not have becomes a new variant (of the product its
siblings belong to, or of the product whose code the SKUs share, or of a new product); the mapping
variant ↔ marketplace ids is kept in ChannelListing. A listing without a seller SKU cannot be
matched and is reported, never guessed.

Push ("go up"): our products not yet on the channel are created there with their variants, price
and available stock, and their listings recorded — one product per transaction, so a re-run skips
what is already up.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from app.integrations.base import PermanentError
from app.integrations.marketplaces.common import MarketplaceProduct, NewProduct, NewVariant
from app.models import Channel, ChannelListing, Product, ProductVariant
from app.models.base import utcnow
from app.services.stock_push import available_by_variant, channel_warehouse_ids

CHUNK = 500


@dataclass
class PullResult:
    listings: int = 0
    matched: int = 0
    created_products: int = 0
    created_variants: int = 0
    no_sku: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"{self.listings} marketplace variants: {self.matched} matched by SKU, "
                f"{self.created_variants} new variants ({self.created_products} new products).")
        if self.no_sku:
            text += f" {len(self.no_sku)} without a seller SKU were skipped: " + \
                ", ".join(self.no_sku[:10])
        return text


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
        home = Product(name=(product.name or code)[:255], sku=code, selling_price=min(prices),
                       description=product.description or None, attribute_1=_axis(product))
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
            variant = ProductVariant(product=home, sku=mv.sku[:64], value_1=(mv.name or None) and mv.name[:60],
                                     selling_price=mv.price if Decimal(mv.price) != Decimal(home.selling_price or 0)
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


# --- "go up" ------------------------------------------------------------------------------------

@dataclass
class PushProductsResult:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        text = f"{len(self.created)} products created on the marketplace, {len(self.skipped)} already there"
        if self.failed:
            text += f", {len(self.failed)} refused: " + "; ".join(
                f"{sku}: {why}" for sku, why in list(self.failed.items())[:10])
        return text + "."


def products_to_push(session: Session, channel: Channel, product_ids=None) -> list[int]:
    """The products named, or every active product with no variant listed on the channel yet."""
    if product_ids:
        return sorted(int(i) for i in product_ids)
    listed = sa.select(ProductVariant.product_id).join(
        ChannelListing, ChannelListing.variant_id == ProductVariant.id).where(
        ChannelListing.channel_id == channel.id)
    return list(session.scalars(sa.select(Product.id).where(Product.active, Product.id.not_in(listed))
                                .order_by(Product.id)))


def push_product(session: Session, channel: Channel, client, product: Product,
                 result: PushProductsResult) -> None:
    """Create one product on the marketplace and record its listings (commits)."""
    variants = [v for v in product.variants if v.active]
    listed = set(session.scalars(sa.select(ChannelListing.variant_id).where(
        ChannelListing.channel_id == channel.id,
        ChannelListing.variant_id.in_([v.id for v in variants]))))
    if not variants or listed:
        result.skipped.append(product.sku)
        return
    stock = available_by_variant(session, [v.id for v in variants], channel_warehouse_ids(channel))
    new = NewProduct(name=product.name, description=product.description or product.name,
                     variation_name=product.attribute_1 or "Phân loại",
                     variants=[NewVariant(sku=v.sku, option=(v.value_1 or "") if len(variants) > 1 or v.value_1 else "",
                                          price=int(v.price), stock=stock.get(v.id, 0)) for v in variants])
    session.commit()  # nothing pending while the marketplace is called
    try:
        created = client.create_product(new)
    except PermanentError as exc:
        result.failed[product.sku] = exc.message
        return
    now = utcnow()
    for v in variants:
        mv = created.variant_by_sku(v.sku)
        if mv is None:
            continue
        session.add(ChannelListing(channel_id=channel.id, variant_id=v.id,
                                   external_item_id=str(created.external_item_id),
                                   external_model_id=str(mv.external_variant_id or ""),
                                   external_sku=v.sku, last_pushed_quantity=stock.get(v.id, 0),
                                   last_pushed_price=int(v.price), last_pushed_at=now))
    session.commit()
    result.created.append(product.sku)


def push_products(session: Session, channel: Channel, client, product_ids=None,
                  progress=None) -> PushProductsResult:
    result = PushProductsResult()
    ids = products_to_push(session, channel, product_ids)
    for done, product_id in enumerate(ids, start=1):
        product = session.get(Product, product_id)
        if product is not None:
            push_product(session, channel, client, product, result)
        if progress is not None:
            progress(done, len(ids))
    return result
