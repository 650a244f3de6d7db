"""The schedule's marketplace work, on live sandboxes: one shop whose authorization was withdrawn
does not keep the others from refreshing their tokens; it is flagged "reconnect needed" and the
order pulls leave it alone until it is connected again."""
from __future__ import annotations

import httpx
import sqlalchemy as sa

from app.extensions import db
from app.models import Channel, Job, JobStatus
from app.services.jobs import start_job
from tests.support.marketplaces import (SANDBOXES, add_channel, app, connect, live,  # noqa: F401
                                        live_server, wait_for_job)


def scheduled(app, kind, params=None) -> Job:
    from jobs.queue import enqueue_after_commit
    with app.app_context():
        job = start_job(db.session, kind, kind, queue="integrations", params=params,
                        enqueue=enqueue_after_commit)
        db.session.commit()
        job_id = job.id
    return wait_for_job(app, job_id)


def test_a_withdrawn_shop_is_flagged_and_the_others_carry_on(app, live):
    ids = {platform: add_channel(app, live, platform) for platform in SANDBOXES}
    for channel_id in ids.values():
        connect(app, live, channel_id)
    with app.app_context():
        before = {p: db.session.get(Channel, i).credentials["access_token"] for p, i in ids.items()}
    httpx.post(f"{live}/sandbox/shopee/_control/tokens", json={"expire": "refresh"})  # seller withdrew

    job = scheduled(app, "channels.refresh_tokens", {"force": True})
    assert job.status == JobStatus.FINISHED, job.error
    assert job.result == {"refreshed": 2, "failed": 1}
    with app.app_context():
        channels = {p: db.session.get(Channel, i) for p, i in ids.items()}
        assert "Connect the shop again" in channels["shopee"].reconnect_reason
        for platform in ("lazada", "tiktok"):
            assert channels[platform].credentials["access_token"] != before[platform]
            assert channels[platform].reconnect_reason is None

    pulls = scheduled(app, "channels.pull_due_orders")
    assert pulls.result == {"started": 2}
    with app.app_context():
        pulled = db.session.scalars(sa.select(Job).where(Job.kind == "channels.pull_orders")).all()
        assert sorted(j.channel_id for j in pulled) == sorted([ids["lazada"], ids["tiktok"]])
        started = [j.id for j in pulled]
    assert all(wait_for_job(app, job_id).status == JobStatus.FINISHED for job_id in started)


def test_the_channel_page_shows_its_sync_log_and_failed_calls(app, live):
    from app.integrations.base import RetryableError
    from tests.conftest import login
    from tests.support.marketplaces import run
    channel_id = add_channel(app, live, "tiktok")
    connect(app, live, channel_id)
    httpx.post(f"{live}/sandbox/tiktok/_control/faults", json={"mode": "5xx", "path": "products/search"})
    try:
        run(app, channel_id, lambda session, channel, client: client.products_page())
    except RetryableError:
        pass
    else:  # pragma: no cover - the fault was armed
        raise AssertionError("the sandbox did not fail")
    from jobs.queue import enqueue_after_commit
    from app.services.channel_sync import start_channel_job
    with app.app_context():
        job = start_channel_job(db.session, db.session.get(Channel, channel_id), "channels.refresh_tokens",
                                "Refresh tokens", enqueue=enqueue_after_commit, params={"force": True})
        db.session.commit()
        job_id = job.id
    assert wait_for_job(app, job_id).status == JobStatus.FINISHED
    page = app.test_client()
    login(page, "supervisor")
    shown = page.get(f"/channelview/show/{channel_id}").text
    assert "Sync log" in shown and "token refreshed, valid until" in shown
    assert "Failed calls" in shown and "/product/202309/products/search" in shown and "503" in shown
