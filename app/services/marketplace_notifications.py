"""Push notifications from the marketplaces: checked, recorded, followed up, answered as each
marketplace expects.

A notification is trusted only once its signature over the raw body matches one of our channels'
secrets: the shop it names must be one of our channels (404 otherwise), the signature must match
(Shopee signs the callback URL exactly as registered, so each URL we may be known under is tried),
the timestamp must be recent and its event key (TikTok's notification id, else a hash of the body)
new — a forged, stale or replayed one gets 401. Shopee sends some pushes without a shop id: the
URL-verification push (code 0) when the callback is registered, and authorization pushes; those
are checked against every Shopee channel's partner key instead.

Every notification is stored as a WebhookEvent, accepted or rejected with the reason, and logged
as an inbound IntegrationLog entry. An order notification starts the follow-up fetch as a job; a
withdrawn or expiring authorization flags the shop "reconnect needed" at once. The answer is a
bare status with an empty body: Shopee and TikTok require it (Shopee counts anything else as a
failed delivery and disables pushes below a 30 % success rate), Lazada only reads the status.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.integrations.base import AuthError
from app.integrations.marketplaces import lazada, shopee, tiktok
from app.integrations.redact import redact_headers
from app.models import Channel, Platform, WebhookEvent, WebhookStatus
from app.services.channel_clients import mark_reconnect_needed
from app.services.channel_sync import start_channel_job
from app.services.errors import N_, fill
from app.services.integration_log import record_inbound

MAX_BODY = 256 * 1024
MODULES = {"shopee": shopee, "lazada": lazada, "tiktok": tiktok}
AUTHORIZATION_ENDS = {"deauthorized": N_("the seller withdrew the authorization"),
                      "authorization_expiry": N_("the authorization is about to expire")}
FOLLOW_UP = N_("%(channel)s: %(kind)s %(order)s")
TOO_BIG = N_("The body is larger than 256 KB.")
UNKNOWN_SHOP = N_("Unknown shop %(shop)s: no %(platform)s channel has this shop id.")
REPLAYED = N_("Replayed notification: same event key as #%(event)s.")


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""  # every marketplace wants an empty body
    event_id: int | None = None


def _candidates(session: Session, platform: str, claimed) -> list[Channel]:
    shop_id = claimed.shop_id
    stmt = sa.select(Channel).where(Channel.platform == Platform(platform)).order_by(Channel.id)
    if shop_id:
        return list(session.scalars(stmt.where(Channel.shop_id == shop_id)))
    if platform == "shopee":  # verification and authorization pushes name no shop
        return list(session.scalars(stmt))
    return []


def _verify(platform: str, raw: bytes, authorization: str | None, channel: Channel, urls,
            max_age: int):
    creds = channel.credentials or {}
    if platform == "shopee":
        error = None
        for url in urls:
            try:
                return shopee.verify_push(raw, authorization, url=url,
                                          partner_key=str(creds.get("partner_key") or ""),
                                          max_age_seconds=max_age)
            except AuthError as exc:
                if exc.code == "stale_push":
                    raise
                error = exc
        raise error or AuthError("Shopee push signature does not match", provider="shopee",
                                 code="bad_push_signature")
    return MODULES[platform].verify_push(raw, authorization, app_key=str(creds.get("app_key") or ""),
                                         app_secret=str(creds.get("app_secret") or ""),
                                         max_age_seconds=max_age)


def _event_key(note, raw: bytes) -> str:
    if note.notification_id and note.platform == "tiktok":
        return f"id:{note.notification_id}"[:128]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


class _Inbox:
    """One notification being received: what it said and how it is recorded."""

    def __init__(self, session: Session, platform: str, raw: bytes, headers: dict, endpoint: str):
        self.session, self.platform, self.raw = session, platform, raw
        self.headers, self.endpoint = headers, endpoint

    def record(self, status: WebhookStatus, *, channel=None, reason=None, kind=None, key=None):
        event = WebhookEvent(platform=self.platform, channel_id=channel.id if channel else None,
                             event_key=key, kind=kind, status=status,
                             reason=(reason or None) and reason[:500],
                             headers=redact_headers(self.headers),
                             body=self.raw.decode("utf-8", "replace")[:20000])
        self.session.add(event)
        return event

    def answer(self, status: int, *, channel=None, error=None, event=None) -> Reply:
        self.session.commit()
        record_inbound(self.session, system=self.platform, endpoint=self.endpoint, status=status,
                       body=self.raw.decode("utf-8", "replace")[:20000], error=error,
                       channel_id=channel.id if channel else None)
        return Reply(status, event_id=event.id if event is not None else None)

    def reject(self, status: int, reason: str, *, channel=None, kind=None) -> Reply:
        self.session.rollback()
        event = self.record(WebhookStatus.REJECTED, channel=channel, reason=reason, kind=kind)
        return self.answer(status, channel=channel, error=reason, event=event)


def receive(session: Session, platform: str, raw: bytes, headers: dict, *, endpoint: str,
            urls: list[str], max_age: int, enqueue) -> Reply:
    """Check, record and follow up one notification; commits. ``urls``: the callback URLs we may
    be registered under (Shopee signs the one it calls)."""
    inbox = _Inbox(session, platform, raw, dict(headers), endpoint)
    if len(raw) > MAX_BODY:
        inbox.raw = b""
        return inbox.reject(413, fill(TOO_BIG, {}))
    try:
        claimed = MODULES[platform].parse_push(raw)  # not trusted yet: only to find whose secret signs it
    except AuthError as exc:
        return inbox.reject(401, exc.message)
    channels = _candidates(session, platform, claimed)
    if not channels:
        return inbox.reject(404, fill(UNKNOWN_SHOP, {"shop": claimed.shop_id or "(none)",
                                                     "platform": platform}), kind=claimed.kind)
    authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    note, error = None, None
    for channel in channels:
        try:
            note = _verify(platform, raw, authorization, channel, urls, max_age)
            break
        except AuthError as exc:
            error = exc
            if exc.code == "stale_push":
                break
    if note is None:
        return inbox.reject(401, error.message, channel=channels[0], kind=claimed.kind)
    key = _event_key(note, raw)
    seen = session.scalar(sa.select(WebhookEvent.id).where(WebhookEvent.platform == platform,
                                                           WebhookEvent.event_key == key))
    if note.kind == "verify":
        key = seen = None  # Shopee sends the same verification each time the URL is checked
    if seen is not None:
        return inbox.reject(401, fill(REPLAYED, {"event": seen}), channel=channel, kind=note.kind)
    try:
        with session.begin_nested():
            event = inbox.record(WebhookStatus.ACCEPTED, channel=channel, kind=note.kind, key=key)
            session.flush()
    except sa.exc.IntegrityError:  # the same notification arrived twice at once
        return inbox.reject(401, fill(REPLAYED, {"event": "?"}), channel=channel, kind=note.kind)
    _follow_up(session, channel, note, event, enqueue)
    return inbox.answer(200, channel=channel, event=event)


def _follow_up(session: Session, channel: Channel, note, event: WebhookEvent, enqueue) -> None:
    if note.kind in AUTHORIZATION_ENDS:
        mark_reconnect_needed(session, channel, AUTHORIZATION_ENDS[note.kind], commit=False)
        event.status = WebhookStatus.PROCESSED
    elif note.order_id:
        job = start_channel_job(session, channel, "channels.process_notification", FOLLOW_UP,
                                title_params={"channel": channel.name, "kind": note.kind,
                                              "order": note.order_id,
                                              "_translate": ["kind"]},
                                enqueue=enqueue,
                                params={"webhook_event_id": event.id, "order_id": note.order_id})
        event.job_id = job.id
    else:  # verification, shop authorized, product news: recorded, nothing to fetch
        event.status = WebhookStatus.PROCESSED
