"""When the schedule pulls a channel's orders: every ``order_pull_minutes``, never while a pull is
waiting or running, and less and less often while pulls keep failing."""
from __future__ import annotations

import datetime as dt

import pytest

from app.models import Channel, Job, JobStatus, Platform
from app.services.channel_sync import PULL_KIND, order_pull_decision

NOW = dt.datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def channel(session):
    channel = Channel(platform=Platform.LAZADA, name="Lazada shop", shop_id="9",
                      order_pull_minutes=5, last_order_sync_at=NOW - dt.timedelta(minutes=6))
    session.add(channel)
    session.commit()
    return channel


def pull(session, channel, status, minutes_ago):
    at = NOW - dt.timedelta(minutes=minutes_ago)
    job = Job(kind=PULL_KIND, title="Pull orders", status=status, channel_id=channel.id,
              created_at=at, finished_at=at if status == JobStatus.FAILED else None)
    session.add(job)
    session.commit()
    return job


def test_due_every_order_pull_minutes(session, channel):
    assert order_pull_decision(session, channel, NOW).due
    channel.last_order_sync_at = NOW - dt.timedelta(minutes=2)
    assert not order_pull_decision(session, channel, NOW).due


@pytest.mark.parametrize("status", [JobStatus.QUEUED, JobStatus.STARTED])
def test_not_while_a_pull_is_waiting_or_running(session, channel, status):
    job = pull(session, channel, status, minutes_ago=3)
    decision = order_pull_decision(session, channel, NOW)
    assert not decision.due and f"#{job.id}" in decision.text
    # A pull queued an hour ago is lost (its worker is gone), not pending.
    job.created_at = NOW - dt.timedelta(hours=2)
    session.commit()
    assert order_pull_decision(session, channel, NOW).due


def test_backs_off_after_failures_and_tries_again_later(session, channel):
    pull(session, channel, JobStatus.FINISHED, minutes_ago=60)
    pull(session, channel, JobStatus.FAILED, minutes_ago=12)
    pull(session, channel, JobStatus.FAILED, minutes_ago=8)
    waiting = order_pull_decision(session, channel, NOW)  # two failures: wait 5 × 2² = 20 minutes
    assert not waiting.due and "20 minutes" in waiting.text
    later = order_pull_decision(session, channel, NOW + dt.timedelta(minutes=13))
    assert later.due and "2 failed pulls" in later.text


def test_the_back_off_is_capped(session, channel):
    for minutes in range(400, 392, -1):
        pull(session, channel, JobStatus.FAILED, minutes_ago=minutes)
    assert order_pull_decision(session, channel, NOW).due  # 6 h cap, the last failure 393 min ago
