"""Stock out without a click: any change to a listed variant's available stock — a confirmation
(on PostgreSQL the two-statement reservation), a goods receipt, a cancellation — reaches every
marketplace that lists it, through the debounced push job."""
from __future__ import annotations

import time

import sqlalchemy as sa

from app.extensions import db
from app.models import Job, ProductVariant, Warehouse
from app.services import ledger, orders, product_sync, stock_push
from app.services.order_entry import create_manual_order
from tests.support.marketplaces import (SANDBOXES, SKU, add_channel, app, connect, live,  # noqa: F401
                                        live_server, run, sandbox_stock)

ADDRESS = {"street": "12 Lê Lợi", "ward": "Phường Bến Nghé", "district": "Quận 1",
           "province": "TP. Hồ Chí Minh"}


def _every_sandbox_shows(base, quantity, timeout=20) -> dict:
    deadline = time.time() + timeout
    while True:
        shown = {p: sandbox_stock(base, p, SKU) for p in SANDBOXES}
        if all(q == quantity for q in shown.values()) or time.time() > deadline:
            return shown
        time.sleep(0.3)


def test_confirm_receive_and_cancel_reach_every_marketplace_without_a_click(app, live):
    channels = [add_channel(app, live, platform) for platform in SANDBOXES]
    for channel_id, platform in zip(channels, SANDBOXES):
        connect(app, live, channel_id)
        run(app, channel_id, product_sync.pull_products, platform=platform)
        run(app, channel_id, stock_push.push_stock)
    assert _every_sandbox_shows(live, 7, timeout=1) == dict.fromkeys(SANDBOXES, 7)

    with app.app_context():
        variant_id = db.session.scalars(sa.select(ProductVariant.id).where(ProductVariant.sku == SKU)).one()
        warehouse_id = db.session.scalars(sa.select(Warehouse.id)).one()
        order = create_manual_order(db.session, lines=[(variant_id, 2)],
                                    customer={"name": "Trần Thị Lan", "phone": "0912345678"},
                                    shipping_address=ADDRESS, warehouse_id=warehouse_id)
        order_id = order.id
        confirmed = orders.confirm_order(db.session, order_id)
        assert [r.reserved for r in confirmed] == [2]
    assert _every_sandbox_shows(live, 5) == dict.fromkeys(SANDBOXES, 5)

    with app.app_context():
        ledger.record_receipt(db.session, variant_id, warehouse_id, 4)
    assert _every_sandbox_shows(live, 9) == dict.fromkeys(SANDBOXES, 9)

    with app.app_context():
        orders.cancel_order(db.session, order_id, reason="Khách đổi ý")
    assert _every_sandbox_shows(live, 11) == dict.fromkeys(SANDBOXES, 11)
    with app.app_context():
        pushes = db.session.scalars(sa.select(Job).where(Job.kind == "channels.push_stock_changes")).all()
        assert len(pushes) == 3 and all(j.status.value == "finished" for j in pushes), \
            [(j.status, j.error) for j in pushes]
