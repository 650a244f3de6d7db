"""No secret leaves the building: connecting a shop (code → tokens) and refreshing its tokens, on
each marketplace, must leave no app secret, authorization code or token in the integration log,
the notifications or anything the REST API answers — whatever shape the provider's request has
(Shopee's JSON body, Lazada's form-encoded body, TikTok's query string)."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Channel, IntegrationLog, Job, JobStatus
from app.services.channel_sync import start_channel_job
from tests.conftest import api_token
from tests.support.marketplaces import (SANDBOXES, add_channel, app, connect, live,  # noqa: F401
                                        live_server, wait_for_job)


def _refresh_through_the_schedule(app, channel_id) -> Job:
    """The token-refresh job, forced, for this channel: what the schedule runs before expiry."""
    from jobs.queue import enqueue_after_commit
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        job = start_channel_job(db.session, channel, "channels.refresh_tokens", "Refresh tokens",
                                enqueue=enqueue_after_commit, params={"force": True})
        db.session.commit()
        job_id = job.id
    return wait_for_job(app, job_id)


def _everything_logged(app) -> str:
    with app.app_context():
        rows = db.session.execute(sa.select(
            IntegrationLog.endpoint, IntegrationLog.request_body, IntegrationLog.response_body,
            IntegrationLog.error)).all()
        jobs = db.session.execute(sa.select(Job.messages, Job.error, Job.result, Job.params)).all()
    return json.dumps([list(r) for r in rows] + [list(j) for j in jobs], ensure_ascii=False,
                      default=str)


def _everything_the_api_shows(app, channel_id) -> str:
    client = app.test_client()
    headers = api_token(client, "admin")
    shown = [client.get(f"/api/v1/channel/{channel_id}", headers=headers)]
    for resource in ("integration_log", "job", "channel"):
        shown.append(client.get(f"/api/v1/{resource}/", query_string={"q": json.dumps(
            {"page_size": 500})}, headers=headers))
    assert all(answer.status_code == 200 for answer in shown), [a.status_code for a in shown]
    return "\n".join(answer.get_data(as_text=True) for answer in shown)


@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_token_exchange_and_refresh_leave_no_secret_in_logs_or_api(app, live, platform):
    channel_id = add_channel(app, live, platform)
    answer = connect(app, live, channel_id)
    with app.app_context():
        first = dict(db.session.get(Channel, channel_id).credentials)
    job = _refresh_through_the_schedule(app, channel_id)
    assert job.status == JobStatus.FINISHED and job.result["refreshed"] == 1, job.error
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        second = dict(channel.credentials)
        assert second["access_token"] != first["access_token"]  # the refresh really happened
        assert not channel.reconnect_reason

    secret_name = "partner_key" if platform == "shopee" else "app_secret"
    secrets = {"authorization code": answer["code"], "app secret": first[secret_name],
               "first access token": first["access_token"], "first refresh token": first["refresh_token"],
               "new access token": second["access_token"], "new refresh token": second["refresh_token"]}
    logged, shown = _everything_logged(app), _everything_the_api_shows(app, channel_id)
    with app.app_context():
        endpoints = db.session.scalars(sa.select(IntegrationLog.endpoint)).all()
    assert sum("token" in e for e in endpoints) >= 2, endpoints  # the exchange and the refresh
    assert "***" in logged
    for what, value in secrets.items():
        assert value not in logged, f"{what} is in the integration log or a job"
        assert value not in shown, f"{what} is in an API answer"
