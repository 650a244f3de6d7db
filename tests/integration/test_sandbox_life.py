"""The sandbox shops live on their own when asked (the demo asks; tests ask explicitly): new orders,
buyer cancellations and status changes happen over time, each pushed, signed, to our webhook —
and OrderHub follows them without anyone pulling."""
from __future__ import annotations

import time

import httpx
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Job, JobStatus, Order, OrderStatus, WebhookEvent
from tests.support.marketplaces import (SANDBOXES, add_channel, app, connect, live,  # noqa: F401
                                        live_server, wait_for_job)


def _settled(app, timeout=30) -> None:
    """Every follow-up job of the pushes has finished."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with app.app_context():
            db.session.expire_all()
            open_jobs = db.session.scalar(sa.select(sa.func.count(Job.id)).where(
                Job.status.in_([JobStatus.QUEUED, JobStatus.STARTED])))
        if not open_jobs:
            return
        time.sleep(0.2)
    raise AssertionError("follow-up jobs still running")


@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_the_shop_lives_and_every_event_reaches_us(app, live, platform):
    channel_id = add_channel(app, live, platform)
    connect(app, live, channel_id)
    answer = httpx.post(f"{live}/sandbox/{platform}/_control/simulate",
                        json={"steps": 15, "url": f"/webhooks/{platform}"}, timeout=60).json()
    events = answer["events"]
    kinds = {e["event"] for e in events}
    assert {"new", "cancelled", "moved"} <= kinds, events
    assert all(e["push"]["status"] == 200 and e["push"]["body"] == "" for e in events), events
    _settled(app)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(WebhookEvent.id))) == len(events)
        ours = {o.external_order_id: o for o in db.session.scalars(
            sa.select(Order).where(Order.channel_id == channel_id))}
        assert {e["order_id"] for e in events} <= set(ours)
        for event in events:
            if event["event"] == "cancelled":
                assert ours[event["order_id"]].status == OrderStatus.CANCELLED
        failed = db.session.scalars(sa.select(Job).where(Job.status == JobStatus.FAILED)).all()
        assert not failed, [(j.title, j.error) for j in failed]


def test_the_clock_ticks_on_its_own_until_stopped(app, live):
    add_channel(app, live, "tiktok")
    httpx.post(f"{live}/sandbox/tiktok/_control/simulate", json={"every": 0.2, "url": "/webhooks/tiktok"})
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            shown = httpx.get(f"{live}/sandbox/tiktok/_control/simulate").json()
            if len(shown["events"]) >= 3:
                break
            time.sleep(0.2)
        assert len(shown["events"]) >= 3 and shown["every"] == 0.2
    finally:
        assert httpx.post(f"{live}/sandbox/tiktok/_control/simulate", json={"every": 0}).json()["every"] == 0
    _settled(app)
