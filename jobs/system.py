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
