"""Push notifications from the marketplaces: checked, recorded, followed up, answered as each
marketplace expects.

A notification is trusted only once its signature over the raw body matches one of our channels'
secrets, checked before anything reads the body (401 otherwise; Shopee signs the callback URL
exactly as registered, so each URL we may be known under is tried). Then the body must be the JSON
object the marketplace documents (400), the shop it names one of the channels whose secret signed
it (404), the timestamp recent and its event key (TikTok's notification id, else a hash of the
body) new — a stale or replayed one gets 401. Shopee sends some pushes without a shop id (the
URL-verification push, code 0, and authorization pushes): those go to the channel that signed them.
Bodies over 256 KB get 413 unread.

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
from app.integrations.marketplaces.common import MalformedPush
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
NO_CHANNEL = N_("No %(platform)s channel is connected here.")
NOT_SIGNED = N_("The signature does not match any %(platform)s channel's secret.")
UNKNOWN_SHOP = N_("Unknown shop %(shop)s: no %(platform)s channel has this shop id.")
REPLAYED = N_("Replayed notification: same event key as #%(event)s.")


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""  # every marketplace wants an empty body
    event_id: int | None = None


def _signed_by(platform: str, raw: bytes, authorization: str | None, channel: Channel,
               urls) -> bool:
    """Whether ``channel``'s secret signs these bytes (Shopee signs the callback URL too, so each
    URL we may be known under is tried). A channel without a secret signs nothing: an empty key
    is one anybody can sign with."""
    return MODULES[platform].signed_by_channel(raw, authorization, channel.credentials or {}, urls)


def _shop_channel(platform: str, signers: list[Channel], note) -> Channel | None:
    """The channel a signed push is about: the one with the shop id it names. Shopee sends some
    pushes without one (URL verification, authorization news): those go to the first signer."""
    if note.shop_id:
        return next((c for c in signers if c.shop_id == note.shop_id), None)
    return signers[0] if MODULES[platform].PUSH_WITHOUT_SHOP_GOES_TO_FIRST_SIGNER else None


def _event_key(note, raw: bytes) -> str:
    if note.notification_id and MODULES[str(note.platform)].PUSH_IDS_ARE_UNIQUE:
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
                             body=self.raw.decode("utf-8", "replace")[:20000].replace("\x00", ""))
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


def receive(session: Session, platform: str, raw: bytes | None, headers: dict, *, endpoint: str,
            urls: list[str], max_age: int, enqueue) -> Reply:
    """Check, record and follow up one notification; commits. ``raw`` is None when the body was
    longer than MAX_BODY (and not read). ``urls``: the callback URLs we may be registered under
    (Shopee signs the one it calls).

    The signature is checked on the bytes as received before anything reads them: a stranger's
    body is never parsed. Whatever the body or the headers, the answer is a status and a
    WebhookEvent saying why, never an error page.
    """
    inbox = _Inbox(session, platform, raw or b"", dict(headers), endpoint)
    if raw is None or len(raw) > MAX_BODY:
        inbox.raw = b""
        return inbox.reject(413, fill(TOO_BIG, {}))
    channels = list(session.scalars(sa.select(Channel).where(Channel.platform == Platform(platform))
                                    .order_by(Channel.id)))
    if not channels:
        return inbox.reject(404, fill(NO_CHANNEL, {"platform": platform}))
    authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
    signers = [c for c in channels if _signed_by(platform, raw, authorization, c, urls)]
    if not signers:
        return inbox.reject(401, fill(NOT_SIGNED, {"platform": platform}))
    try:
        note = MODULES[platform].parse_push(raw)
    except MalformedPush as exc:
        return inbox.reject(400, exc.message, channel=signers[0])
    channel = _shop_channel(platform, signers, note)
    if channel is None:
        return inbox.reject(404, fill(UNKNOWN_SHOP, {"shop": note.shop_id or "(none)",
                                                     "platform": platform}), kind=note.kind)
    try:
        MODULES[platform].check_push_age(note, max_age)
    except AuthError as exc:
        return inbox.reject(401, exc.message, channel=channel, kind=note.kind)
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
