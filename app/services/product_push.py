"""Putting our products on a marketplace ("go up").

Every marketplace refuses a listing without what it needs, so the product goes up with it: its
photos (ProductMedia images, in order; each marketplace takes its own uploaded copy), the
channel's category (``Channel.listing_category_id``, a leaf of the marketplace's tree), the
parcel's weight and size (the heaviest and largest variant), its variants with their price
(VAT included) and the stock the channel publishes. A product that lacks one of these is refused
here with the reason, before anything is sent.

One product per transaction, and safe to retry: before creating, the marketplace is asked for a
listing holding the product's SKU — a timeout after the marketplace created it must not make a
second listing — and what an earlier attempt made is adopted (and completed where the
marketplace builds a listing in two calls, as Shopee does with its models).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.integrations.base import PermanentError
from app.integrations.marketplaces.common import NewImage, NewProduct, NewVariant
from app.models import Channel, ChannelListing, MediaKind, Product, ProductVariant
from app.models.base import utcnow
from app.services.errors import N_, ValidationError, fill
from app.services.marketplace_money import price_with_vat
from app.services.stock_push import available_by_variant, channel_warehouse_ids

PUSH_SUMMARY = N_("%(channel)s: %(created)s products created on the marketplace, %(adopted)s "
                  "found there already, %(skipped)s already listed, %(failed)s refused.")
NO_CATEGORY = N_("Set the channel's category id for pushed products first: %(platform)s lists a "
                 "product only under a category of its own.")
NO_IMAGE = N_("the product has no image: add one (a URL or a file) before pushing it")
NO_WEIGHT = N_("no variant has a weight: the marketplace needs the parcel's weight")
IMAGE_MISSING = N_("the image file %(file)s cannot be read")


@dataclass
class PushProductsResult:
    created: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)  # found on the marketplace by SKU: listed, not created
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def params(self) -> dict:
        return {"created": len(self.created), "adopted": len(self.adopted),
                "skipped": len(self.skipped), "failed": len(self.failed)}

    def summary(self, channel: str = "") -> str:
        return fill(PUSH_SUMMARY, {"channel": channel, **self.params}).lstrip(": ")


class Refused(Exception):
    """The product lacks something every marketplace requires; ``str()`` says what."""


def products_to_push(session: Session, channel: Channel, product_ids=None) -> list[int]:
    """The products named, or every active product with no variant listed on the channel yet."""
    if product_ids:
        return sorted(int(i) for i in product_ids)
    listed = sa.select(ProductVariant.product_id).join(
        ChannelListing, ChannelListing.variant_id == ProductVariant.id).where(
        ChannelListing.channel_id == channel.id)
    return list(session.scalars(sa.select(Product.id).where(Product.active, Product.id.not_in(listed))
                                .order_by(Product.id)))


def _read_path(file: str) -> bytes:
    return Path(file).read_bytes()


def _images(product: Product, read_file=None) -> list[NewImage]:
    """The product's photos; an uploaded file's bytes come from ``read_file(key)`` (the media
    storage the job hands in), by default from a path on this machine."""
    read_file = read_file or _read_path
    images = []
    for media in product.media:
        if media.kind != MediaKind.IMAGE:
            continue
        if media.url:
            name = os.path.basename(urlsplit(media.url).path) or f"{product.sku}.jpg"
            images.append(NewImage(filename=name, url=media.url))
            continue
        try:
            images.append(NewImage(filename=Path(media.file).name, content=read_file(media.file)))
        except (OSError, PermanentError):
            raise Refused(fill(IMAGE_MISSING, {"file": media.file})) from None
    if not images:
        raise Refused(fill(NO_IMAGE, {}))
    return images[:9]  # no marketplace takes more than 9 main images


def new_product(session: Session, channel: Channel, product: Product,
                variants: list[ProductVariant], read_file=None) -> NewProduct:
    """What the marketplace is sent for ``product``; Refused when something required is missing."""
    weight = max(v.weight_g or 0 for v in variants)
    if weight <= 0:
        raise Refused(fill(NO_WEIGHT, {}))
    stock = available_by_variant(session, [v.id for v in variants], channel_warehouse_ids(channel))
    size = max((v.length_cm or 0, v.width_cm or 0, v.height_cm or 0) for v in variants)
    options = len(variants) > 1
    return NewProduct(
        name=product.name, description=product.description or product.name,
        variation_name=product.attribute_1 or "Phân loại", category_id=channel.listing_category_id,
        weight_grams=weight, images=_images(product, read_file), product_sku=product.sku,
        dimensions_cm=size if all(size) else (0, 0, 0),
        variants=[NewVariant(sku=v.sku, option=(v.value_1 or "") if options or v.value_1 else "",
                             price=price_with_vat(v.price, product.vat_rate), stock=stock.get(v.id, 0))
                  for v in variants])


def push_product(session: Session, channel: Channel, client, product: Product,
                 result: PushProductsResult, read_file=None) -> None:
    """Put one product on the marketplace (or adopt what an earlier attempt put there) and record
    its listings (commits)."""
    variants = [v for v in product.variants if v.active]
    listed = set(session.scalars(sa.select(ChannelListing.variant_id).where(
        ChannelListing.channel_id == channel.id,
        ChannelListing.variant_id.in_([v.id for v in variants]))))
    if not variants or listed:
        result.skipped.append(product.sku)
        return
    try:
        new = new_product(session, channel, product, variants, read_file)
    except Refused as exc:
        result.failed[product.sku] = str(exc)
        return
    session.commit()  # nothing pending while the marketplace is called
    try:
        existing = client.find_product(new)
        listing = client.create_product(new, existing=existing)
    except PermanentError as exc:
        result.failed[product.sku] = exc.message
        return
    now = utcnow()
    by_sku = {v.sku: v for v in new.variants}
    for variant in variants:
        mv = listing.variant_by_sku(variant.sku)
        if mv is None:
            continue
        session.add(ChannelListing(channel_id=channel.id, variant_id=variant.id,
                                   external_item_id=str(listing.external_item_id),
                                   external_model_id=str(mv.external_variant_id or ""),
                                   external_sku=variant.sku, last_pushed_at=now,
                                   last_pushed_quantity=by_sku[variant.sku].stock,
                                   last_pushed_price=by_sku[variant.sku].price))
    session.commit()
    (result.adopted if existing is not None else result.created).append(product.sku)


def push_products(session: Session, channel: Channel, client, product_ids=None,
                  progress=None, platform: str = "", read_file=None) -> PushProductsResult:
    if not channel.listing_category_id:
        raise ValidationError("listing_category_id", NO_CATEGORY, platform=platform or channel.name)
    result = PushProductsResult()
    ids = products_to_push(session, channel, product_ids)
    for done, product_id in enumerate(ids, start=1):
        product = session.get(Product, product_id)
        if product is not None:
            push_product(session, channel, client, product, result, read_file)
        if progress is not None:
            progress(done, len(ids))
    return result
