"""Push notifications from the marketplaces: /webhooks/shopee, /webhooks/lazada, /webhooks/tiktok.

Each notification is checked before anything trusts it: the shop it names must be one of our
channels (404 otherwise), the signature over the raw body must match that channel's app secret,
the timestamp must be recent, and its event key (TikTok's notification id, else a hash of the body)
must be new — a forged, stale or replayed notification gets 401. Every notification is stored as a
WebhookEvent, accepted or rejected with the reason, and logged as an inbound IntegrationLog entry.
An accepted one starts the follow-up fetch as a job and the answer goes back at once.
"""
from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request

import jobs.stock_watch  # noqa: F401  (installs the stock-out listener in every app process)
from app.extensions import db
from app.integrations.base import AuthError
from app.integrations.marketplaces import lazada, shopee, tiktok
from app.integrations.redact import redact
from app.models import Channel, Platform, WebhookEvent, WebhookStatus
from app.services.channel_sync import start_channel_job
from app.services.integration_log import record_inbound

bp = Blueprint("webhooks_marketplaces", __name__, url_prefix="/webhooks")
MAX_BODY = 256 * 1024
MODULES = {"shopee": shopee, "lazada": lazada, "tiktok": tiktok}


def _verify(platform: str, raw: bytes, channel: Channel, max_age: int):
    creds = channel.credentials or {}
    auth = request.headers.get("Authorization")
    if platform == "shopee":
        # Shopee signs the callback URL as registered; behind a proxy that is PUBLIC_BASE_URL's.
        urls = dict.fromkeys([request.base_url, current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
                              + request.path])
        error = None
        for url in urls:
            try:
                return shopee.verify_push(raw, auth, url=url, partner_key=str(creds.get("partner_key") or ""),
                                          max_age_seconds=max_age)
            except AuthError as exc:
                error = exc
                if exc.code == "stale_push":
                    raise
        raise error
    return MODULES[platform].verify_push(raw, auth, app_key=str(creds.get("app_key") or ""),
                                         app_secret=str(creds.get("app_secret") or ""),
                                         max_age_seconds=max_age)


def _event_key(note, raw: bytes) -> str:
    if note.notification_id and note.platform == "tiktok":
        return f"id:{note.notification_id}"[:128]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _record(platform: str, raw: bytes, status: int, *, channel: Channel | None, reason: str | None,
            kind: str | None = None, event_status=WebhookStatus.REJECTED, event_key=None):
    event = WebhookEvent(platform=platform, channel_id=channel.id if channel else None,
                         event_key=event_key, kind=kind, status=event_status,
                         reason=(reason or None) and reason[:500],
                         headers=redact(dict(request.headers)),
                         body=raw.decode("utf-8", "replace")[:20000])
    db.session.add(event)
    return event


def _answer(platform: str, raw: bytes, status: int, message: str, channel: Channel | None):
    db.session.commit()
    record_inbound(db.session, system=platform, endpoint=request.path, status=status,
                   body=raw.decode("utf-8", "replace")[:20000],
                   error=message if status >= 400 else None, channel_id=channel.id if channel else None)
    return jsonify({"code": 0 if status < 400 else status, "message": message}), status


def _reject(platform, raw, status, reason, channel=None, kind=None):
    db.session.rollback()
    _record(platform, raw, status, channel=channel, reason=reason, kind=kind)
    return _answer(platform, raw, status, reason, channel)


def _receive(platform: str):
    raw = request.get_data(cache=True)
    if len(raw) > MAX_BODY:
        return _reject(platform, b"", 413, "The body is larger than 256 KB.")
    module = MODULES[platform]
    try:
        claimed = module.parse_push(raw)  # not trusted yet: only to find whose secret signs it
    except AuthError as exc:
        return _reject(platform, raw, 401, exc.message)
    channel = db.session.scalars(sa.select(Channel).where(
        Channel.platform == Platform(platform), Channel.shop_id == claimed.shop_id)).first() \
        if claimed.shop_id else None
    if channel is None:
        return _reject(platform, raw, 404, f"Unknown shop {claimed.shop_id or '(none)'}: no "
                                           f"{platform} channel has this shop id.", kind=claimed.kind)
    max_age = int(current_app.config.get("WEBHOOK_MAX_AGE_SECONDS", 600))
    try:
        note = _verify(platform, raw, channel, max_age)
    except AuthError as exc:
        return _reject(platform, raw, 401, exc.message, channel, claimed.kind)
    key = _event_key(note, raw)
    seen = db.session.scalar(sa.select(WebhookEvent.id).where(WebhookEvent.platform == platform,
                                                              WebhookEvent.event_key == key))
    if seen is not None:
        return _reject(platform, raw, 401, f"Replayed notification: same event key as #{seen}.",
                       channel, note.kind)
    try:
        with db.session.begin_nested():
            event = _record(platform, raw, 200, channel=channel, reason=None, kind=note.kind,
                            event_status=WebhookStatus.ACCEPTED, event_key=key)
            db.session.flush()
    except sa.exc.IntegrityError:  # the same notification arrived twice at once
        return _reject(platform, raw, 401, "Replayed notification: same event key.", channel, note.kind)
    if note.order_id or note.kind == "deauthorized":
        from jobs.queue import enqueue_after_commit
        job = start_channel_job(db.session, channel, "channels.process_notification",
                                f"{channel.name}: {note.kind} {note.order_id or ''}".strip(),
                                enqueue=enqueue_after_commit,
                                params={"webhook_event_id": event.id, "order_id": note.order_id or ""})
        event.job_id = job.id
    else:
        event.status = WebhookStatus.PROCESSED
    return _answer(platform, raw, 200, "success", channel)


@bp.post("/shopee")
def shopee_push():
    return _receive("shopee")


@bp.post("/lazada")
def lazada_push():
    return _receive("lazada")


@bp.post("/tiktok")
def tiktok_push():
    return _receive("tiktok")
