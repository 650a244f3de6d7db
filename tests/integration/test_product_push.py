"""Push products ("go up") sends what each marketplace requires — the product's photos, the
channel's category, the parcel's weight and size — refuses a product that lacks them with the
reason, and never lists a product twice, even when the marketplace created it but its answer
was lost."""
from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.integrations.base import RetryableError
from app.models import Channel, ChannelListing, Product, ProductMedia
from app.services import channel_clients, product_push
from app.services.errors import ValidationError
from app.services.integration_log import recorder
from tests.support.marketplaces import (CATEGORY, SANDBOXES, add_channel, app, connect,  # noqa: F401
                                        live, live_server, run, sandbox_stock)

PHOTO_PATH = "/static/appbuilder/img/fab.png"  # a real PNG the app serves


def ready_to_push(app, base, platform, *, photo=True, category=True) -> int:
    channel_id = add_channel(app, base, platform, stock={"BINH-TEST-DO": 4, "BINH-TEST-XANH": 9})
    connect(app, base, channel_id)
    with app.app_context():
        product = db.session.scalars(sa.select(Product)).one()
        product.attribute_1 = "Màu"
        for variant in product.variants:
            variant.weight_g, variant.length_cm, variant.width_cm, variant.height_cm = 350, 20, 10, 10
        if photo:
            db.session.add(ProductMedia(product=product, url=base + PHOTO_PATH))
        if category:
            db.session.get(Channel, channel_id).listing_category_id = CATEGORY[platform]
        db.session.commit()
    return channel_id


@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_push_products_goes_up_with_photos_category_and_weight(app, live, platform):
    channel_id = ready_to_push(app, live, platform)
    result = run(app, channel_id, product_push.push_products)
    assert result.created == ["AO-THUN-TRANG"], result.failed
    with app.app_context():
        listings = db.session.scalars(sa.select(ChannelListing).where(
            ChannelListing.channel_id == channel_id)).all()
        assert sorted((ln.external_sku, ln.last_pushed_quantity, ln.last_pushed_price) for ln in listings) \
            == [("BINH-TEST-DO", 4, 163900), ("BINH-TEST-XANH", 9, 163900)]  # 149 000 + 10 % VAT
    assert sandbox_stock(live, platform, "BINH-TEST-XANH") == 9
    with app.app_context():
        product_id = db.session.scalars(sa.select(Product.id)).one()
    again = run(app, channel_id, product_push.push_products, product_ids=[product_id])
    assert again.created == [] and again.skipped == ["AO-THUN-TRANG"]
    assert run(app, channel_id, product_push.push_products).created == []


@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_what_is_missing_is_refused_before_anything_is_sent(app, live, platform):
    channel_id = ready_to_push(app, live, platform, photo=False, category=False)
    with pytest.raises(ValidationError) as no_category:
        run(app, channel_id, product_push.push_products)
    assert no_category.value.field == "listing_category_id"
    with app.app_context():
        db.session.get(Channel, channel_id).listing_category_id = CATEGORY[platform]
        db.session.commit()
    result = run(app, channel_id, product_push.push_products)
    assert result.created == [] and "has no image" in result.failed["AO-THUN-TRANG"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ChannelListing.id))) == 0


@pytest.mark.parametrize("platform,create_path", [("shopee", "add_item"), ("lazada", "/product/create")])
def test_a_lost_answer_after_the_marketplace_created_it_does_not_list_it_twice(app, live, platform,
                                                                                 create_path):
    channel_id = ready_to_push(app, live, platform)
    httpx.post(f"{live}/sandbox/{platform}/_control/faults",
               json={"mode": "timeout", "path": create_path, "delay": 2.5, "after": True})
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        log = recorder(db.session, channel_id=channel_id)
        with channel_clients.client_for(channel, on_exchange=log, timeout=1.0) as impatient, \
                pytest.raises(RetryableError):
            product_push.push_products(db.session, channel, impatient)
    retried = run(app, channel_id, product_push.push_products)  # what the job's retry does
    assert retried.created == [] and retried.adopted == ["AO-THUN-TRANG"], retried.failed
    found = run(app, channel_id, lambda s, c, client: client.find_product(
        product_push.new_product(s, c, s.scalars(sa.select(Product)).one(),
                                 s.scalars(sa.select(Product)).one().variants)))
    with app.app_context():
        listed = {ln.external_item_id for ln in db.session.scalars(sa.select(ChannelListing))}
    assert listed == {found.external_item_id}
    assert {v.sku for v in found.variants} == {"BINH-TEST-DO", "BINH-TEST-XANH"}
