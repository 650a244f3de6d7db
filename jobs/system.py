"""Housekeeping jobs."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from app.models import IntegrationLog
from app.models.base import utcnow


def prune_integration_log(ctx) -> dict:
    """Delete successful integration log entries older than INTEGRATION_LOG_KEEP_DAYS."""
    days = int(current_app.config.get("INTEGRATION_LOG_KEEP_DAYS", 30))
    cutoff = utcnow() - dt.timedelta(days=days)
    result = ctx.session.execute(sa.delete(IntegrationLog).where(IntegrationLog.ok.is_(True),
                                                                IntegrationLog.created_at < cutoff))
    ctx.session.commit()
    return {"deleted": result.rowcount, "older_than_days": days}


def expire_assistant_drafts(ctx) -> dict:
    """Abandon the assistant's sales left unfinished for ASSISTANT_DRAFT_HOURS."""
    from app.services.assistant.conversations import expire_drafts
    hours = int(current_app.config.get("ASSISTANT_DRAFT_HOURS", 24))
    count = expire_drafts(ctx.session, older_than=dt.timedelta(hours=hours))
    ctx.session.commit()
    return {"abandoned": count, "older_than_hours": hours}


# A queued or started Job row this old whose run the queue has lost is recovered by the sweep.
ABANDONED_AFTER_SECONDS = 120


def recover_lost_jobs(app, older_than_seconds: int = ABANDONED_AFTER_SECONDS) -> dict:
    """Reconcile Job rows with what RQ holds: runs lost to a killed worker or a restart are queued
    again (while attempts remain) or failed with a message, so nothing stays "started" for ever."""
    from app.extensions import db
    from app.models import Job, JobStatus
    from app.services.jobs import recover_abandoned
    from jobs.queue import enqueue_after_commit, runtime
    rt = runtime(app)
    rt.clean_registries()
    cutoff = utcnow() - dt.timedelta(seconds=older_than_seconds)
    outcome = {"requeued": 0, "failed": 0}
    with app.app_context():
        session = db.session
        rows = session.scalars(sa.select(Job).where(Job.status.in_([JobStatus.QUEUED,
                                                                   JobStatus.STARTED]),
                                                    Job.updated_at <= cutoff)).all()
        for job in rows:
            state = rt.rq_status(job.id)
            if state in ("queued", "started", "scheduled", "deferred"):
                continue  # RQ still has it: a long job, or a retry waiting for its delay
            result = recover_abandoned(session, job, enqueue=lambda s, j, q: enqueue_after_commit(
                s, j, q, app=app))
            outcome[result] = outcome.get(result, 0) + 1
            session.commit()
    return outcome


def sweep_lost_jobs(ctx) -> dict:
    """Periodic: recover_lost_jobs (the sweep itself is a job, so it shows in the Jobs list)."""
    return recover_lost_jobs(current_app._get_current_object())
