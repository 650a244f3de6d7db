"""Push notifications from the marketplaces: /webhooks/shopee, /webhooks/lazada, /webhooks/tiktok.

Thin: the raw body, the headers and the callback URLs we may be registered under go to
``services.marketplace_notifications.receive``, which checks, records and follows them up; the
answer is its bare status with an empty body, as the marketplaces expect.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from app.extensions import db
from app.services import marketplace_notifications
from app.web.inbound import read_body

bp = Blueprint("webhooks_marketplaces", __name__, url_prefix="/webhooks")


def _receive(platform: str) -> Response:
    from jobs.queue import enqueue_after_commit
    # Shopee signs the callback URL exactly as registered; behind a proxy that is PUBLIC_BASE_URL's.
    public = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + request.path
    reply = marketplace_notifications.receive(
        db.session, platform, read_body(marketplace_notifications.MAX_BODY), dict(request.headers),
        endpoint=request.path, urls=list(dict.fromkeys([request.base_url, public])),
        max_age=int(current_app.config.get("WEBHOOK_MAX_AGE_SECONDS", 600)),
        enqueue=enqueue_after_commit)
    return Response(reply.body, status=reply.status)


@bp.post("/shopee")
def shopee_push():
    return _receive("shopee")


@bp.post("/lazada")
def lazada_push():
    return _receive("lazada")


@bp.post("/tiktok")
def tiktok_push():
    return _receive("tiktok")
