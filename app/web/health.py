"""GET /health: is the database reachable, is the queue reachable, and which ones they are."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    body = {"status": "ok"}
    try:
        db.session.execute(sa.text("SELECT 1"))
        body["database"] = {"ok": True, "backend": db.engine.dialect.name}
    except Exception as exc:  # report, never raise: this is what monitoring reads
        db.session.rollback()
        body["database"] = {"ok": False, "error": str(exc).splitlines()[0]}
        body["status"] = "degraded"
    from jobs.queue import queue_health
    body["queue"] = queue_health(current_app)
    if not body["queue"].get("ok"):
        body["status"] = "degraded"
    return jsonify(body), 200 if body["status"] == "ok" else 503
