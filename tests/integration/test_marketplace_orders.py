"""Orders in from the live sandboxes: the overlap window catches an order the marketplace indexed
late, and with "reserve stock on arrival" pulled orders hold their stock so the next stock push
does not sell the same units twice."""
from __future__ import annotations

import datetime as dt

import httpx
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Channel, Order, OrderStatus, ProductVariant, StockLevel
from app.services import order_import, product_sync, stock_push
from tests.support.marketplaces import (SANDBOXES, SKU, add_channel, app, connect, live,  # noqa: F401
                                        live_server, run, sandbox_stock)


def _made(answer: dict) -> str:
    return str((answer.get("order_sn_list") or answer.get("order_ids"))[0])


@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_the_overlap_window_catches_an_order_indexed_late(app, live, platform):
    channel_id = add_channel(app, live, platform)
    connect(app, live, channel_id)
    run(app, channel_id, order_import.pull_orders)
    # Placed (and last updated) four minutes ago, but only visible on the marketplace now.
    late = _made(httpx.post(f"{live}/sandbox/{platform}/_control/orders",
                            json={"count": 1, "age": 240}).json())
    missed = run(app, channel_id, order_import.pull_orders, overlap=dt.timedelta(0))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Order.id)).where(
            Order.external_order_id == late)) == 0, missed.summary()
        channel = db.session.get(Channel, channel_id)
        channel.last_order_sync_at -= dt.timedelta(seconds=5)  # as if the pull had been moments ago
        db.session.commit()
    caught = run(app, channel_id, order_import.pull_orders)  # default overlap: 10 minutes
    assert caught.created == 1, caught.summary()
    with app.app_context():
        assert db.session.scalars(sa.select(Order.status).where(Order.external_order_id == late)).one() \
            == OrderStatus.NEW


@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_reserve_on_arrival_holds_stock_and_the_push_does_not_oversell(app, live, platform):
    channel_id = add_channel(app, live, platform)
    connect(app, live, channel_id)
    run(app, channel_id, product_sync.pull_products, platform=platform)
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        channel.reserve_on_arrival = True
        channel.last_order_sync_at = dt.datetime.utcnow()  # not the first pull: no history
        db.session.commit()
    status = {"shopee": "READY_TO_SHIP", "lazada": "pending", "tiktok": "AWAITING_SHIPMENT"}[platform]
    made = httpx.post(f"{live}/sandbox/{platform}/_control/orders",
                      json={"count": 40, "status": status}).json()
    result = run(app, channel_id, order_import.pull_orders)
    assert result.created >= 40, result.summary()  # and the few of the history the window holds
    with app.app_context():
        ids = made.get("order_sn_list") or made.get("order_ids")
        statuses = db.session.scalars(sa.select(Order.status).where(
            Order.external_order_id.in_([str(i) for i in ids]))).all()
        assert set(statuses) == {OrderStatus.PROCESSING}
        variant_id = db.session.scalars(sa.select(ProductVariant.id).where(ProductVariant.sku == SKU)).one()
        level = db.session.scalars(sa.select(StockLevel).where(StockLevel.variant_id == variant_id)).one()
        on_hand, reserved = level.on_hand, level.reserved
    pushed = run(app, channel_id, stock_push.push_stock)
    assert pushed.pushed >= 1
    assert sandbox_stock(live, platform, SKU) == on_hand - reserved


@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_an_order_the_marketplace_had_delivered_before_the_first_pull_can_be_returned(app, live,
                                                                                      platform):
    """Imported already delivered (no stock moved here), its lines still left the warehouse:
    they show shipped, and the buyer's return of one unit is taken back into stock."""
    from tests.conftest import api_token
    channel_id = add_channel(app, live, platform)
    connect(app, live, channel_id)
    run(app, channel_id, product_sync.pull_products, platform=platform)
    status = {"shopee": "COMPLETED", "lazada": "confirmed", "tiktok": "COMPLETED"}[platform]
    made = httpx.post(f"{live}/sandbox/{platform}/_control/orders",
                      json={"count": 1, "status": status, "age": 600}).json()
    run(app, channel_id, order_import.pull_orders)  # the channel's first pull: its history
    with app.app_context():
        order = db.session.scalars(sa.select(Order).where(Order.external_order_id == _made(made))).one()
        assert order.status == OrderStatus.COMPLETED, order.needs_attention
        assert [(ln.shipped_quantity, ln.reserved_quantity) for ln in order.lines] == \
            [(ln.quantity, 0) for ln in order.lines]
        line = next(ln for ln in order.lines if ln.variant_id is not None)
        order_id, line_id, variant_id = order.id, line.id, line.variant_id
        on_hand = db.session.scalar(sa.select(sa.func.sum(StockLevel.on_hand))
                                    .where(StockLevel.variant_id == variant_id)) or 0
    client = app.test_client()
    clerk = api_token(client, "clerk")
    resp = client.post(f"/api/v1/order/{order_id}/return", headers=clerk,
                       json={"lines": [{"order_line_id": line_id, "quantity": 1,
                                        "condition": "good"}], "reason": "Khách đổi ý"})
    assert resp.status_code == 201, resp.json
    received = client.post(f"/api/v1/return_request/{resp.json['return_id']}/receive",
                           headers=clerk, json={})
    assert received.status_code in (200, 201), received.json
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.sum(StockLevel.on_hand))
                                 .where(StockLevel.variant_id == variant_id)) == on_hand + 1
