"""Push prices (SPEC §5.1 "Push stock and prices"): each listed variant's price, VAT included, set
on the marketplace — from the API (scope "prices") and from the channel page's button."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ChannelListing, Job, ProductVariant
from app.services import product_sync
from tests.conftest import api_token, login
from tests.support.marketplaces import (SANDBOXES, SKU, add_channel, app, connect, count,  # noqa: F401
                                        live, live_server, run, wait_for_job)


def _marketplace_price(app, channel_id, sku) -> int:
    with app.app_context():
        item_id = db.session.scalars(sa.select(ChannelListing.external_item_id).where(
            ChannelListing.channel_id == channel_id, ChannelListing.external_sku == sku)).one()
    return run(app, channel_id, lambda s, c, client: client.get_product(item_id)).variant_by_sku(sku).price


@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_push_prices_sets_our_price_with_vat_on_the_marketplace(app, live, platform):
    channel_id = add_channel(app, live, platform)
    connect(app, live, channel_id)
    run(app, channel_id, product_sync.pull_products, platform=platform)
    with app.app_context():
        variant = db.session.scalars(sa.select(ProductVariant).where(ProductVariant.sku == SKU)).one()
        variant.selling_price = 200000  # VAT-exclusive; the product's rate is 10 %
        db.session.commit()
    assert _marketplace_price(app, channel_id, SKU) != 220000
    client = app.test_client()
    answer = client.post(f"/api/v1/channel/{channel_id}/sync", json={"scope": "prices"},
                         headers=api_token(client, "supervisor"))
    assert answer.status_code == 202, answer.json
    job = wait_for_job(app, answer.json["job_id"], timeout=60)
    assert job.status.value == "finished", job.error
    assert job.result["pushed"] >= 100 and job.result["failed_channels"] == 0
    assert _marketplace_price(app, channel_id, SKU) == 220000
    with app.app_context():
        listing = db.session.scalars(sa.select(ChannelListing).where(
            ChannelListing.channel_id == channel_id, ChannelListing.external_sku == SKU)).one()
        assert listing.last_pushed_price == 220000


def test_push_prices_button_is_a_supervisors(app, live):
    channel_id = add_channel(app, live, "lazada")
    connect(app, live, channel_id)
    clerk = app.test_client()
    login(clerk, "clerk")
    with app.app_context():
        before = count(Job)
    clerk.post(f"/channelview/action/push_prices/{channel_id}")
    with app.app_context():
        assert count(Job) == before
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    assert supervisor.post(f"/channelview/action/push_prices/{channel_id}").status_code == 302
    with app.app_context():
        job = db.session.scalars(sa.select(Job).order_by(Job.id.desc())).first()
        assert job.kind == "channels.push_prices" and job.channel_id == channel_id
    assert wait_for_job(app, job.id).status.value == "finished"
    shown = supervisor.get(f"/channelview/show/{channel_id}")
    assert "Push prices to lazada shop" in shown.text and "prices pushed" in shown.text
