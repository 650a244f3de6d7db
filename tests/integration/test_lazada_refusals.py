"""Lazada refuses stock figures SKU by SKU (LazOP's ``detail``: ``{field, seller_sku, message}``),
whether some go through (``code`` "0") or none does (an error code). A push counts as pushed only
what Lazada took, and names each refused SKU with Lazada's reason — against the sandbox, whose
campaigns hold stock as Lazada's do."""
from __future__ import annotations

import httpx
import sqlalchemy as sa

from app.extensions import db
from app.models import ChannelListing, Job, JobStatus, ProductVariant
from app.services import product_sync
from app.services.channel_sync import start_sync
from tests.support.marketplaces import (SKU, add_channel, app, connect, live, live_server,  # noqa: F401
                                        run, sandbox_stock, wait_for_job)


def _lock(base, locked: int, skus=None) -> None:
    body = {"locked": locked, **({"skus": skus} if skus else {})}
    httpx.post(f"{base}/sandbox/lazada/_control/campaign", json=body).raise_for_status()


def _push(app, channel_id) -> Job:
    from jobs.queue import enqueue_after_commit
    with app.app_context():
        from app.models import Channel
        job = start_sync(db.session, db.session.get(Channel, channel_id), "stock",
                         enqueue=enqueue_after_commit)
        db.session.commit()
        job_id = job.id
    return wait_for_job(app, job_id)


def _shop(app, live):
    channel_id = add_channel(app, live, "lazada")
    connect(app, live, channel_id)
    run(app, channel_id, product_sync.pull_products, platform="lazada")
    with app.app_context():
        listed = db.session.scalar(sa.select(sa.func.count(ChannelListing.id)))
    assert listed > 50
    return channel_id, listed


def test_every_sku_refused_is_counted_refused_not_pushed(app, live):
    channel_id, listed = _shop(app, live)
    _lock(live, 100_000)  # a campaign holds more than we have of anything
    job = _push(app, channel_id)
    assert job.status == JobStatus.FINISHED, job.error
    assert job.result["pushed"] == 0 and job.result["refused"] == listed
    [message] = [m["text"] for m in job.messages if "stock figures pushed" in m["text"]]
    assert f"0 stock figures pushed, {listed} refused" in message
    assert "locked by campaigns" in message and SKU in message
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(ChannelListing.id)).where(
            ChannelListing.last_pushed_quantity.is_not(None))) == 0


def test_one_refused_sku_among_many_is_named_and_the_rest_pushed(app, live):
    channel_id, listed = _shop(app, live)
    before = sandbox_stock(live, "lazada", SKU)
    _lock(live, 50, skus=[SKU])
    job = _push(app, channel_id)
    assert job.status == JobStatus.FINISHED, job.error
    assert (job.result["pushed"], job.result["refused"]) == (listed - 1, 1)
    [message] = [m for m in job.messages if "stock figures pushed" in m["text"]]
    assert message["level"] == "warning"
    assert f"{listed - 1} stock figures pushed, 1 refused ({SKU}: Quantity: The quantity must be " \
           f"at least the 50 locked" in message["text"]
    assert sandbox_stock(live, "lazada", SKU) == before  # Lazada kept its figure
    with app.app_context():
        ours = db.session.scalar(sa.select(ChannelListing).join(ProductVariant).where(
            ProductVariant.sku == SKU))
        assert ours.last_pushed_quantity is None
        assert db.session.scalar(sa.select(sa.func.count(ChannelListing.id)).where(
            ChannelListing.last_pushed_quantity.is_not(None))) == listed - 1
    _lock(live, 0)  # the campaign ends: the next push sets it
    assert _push(app, channel_id).result["refused"] == 0
    assert sandbox_stock(live, "lazada", SKU) == 7
