"""Marketplace channel jobs (Shopee, Lazada, TikTok Shop): thin wrappers over the channel services.

Each job works on the channel in ``job.channel_id`` (or its target), refreshes the shop's token
first when it is about to expire, logs every call to the IntegrationLog under its job and
channel, and writes what it did to its messages — together, the channel's sync log. Every job is
safe to run twice: imports are idempotent on (channel, external order id), stock and price pushes
set figures, products already listed are skipped.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

import jobs.stock_watch as stock_watch
from app.integrations.base import IntegrationError, RetryableError
from app.models import Channel, Platform, WebhookEvent, WebhookStatus
from app.models.base import utcnow
from app.services import channel_clients, order_import, product_sync, stock_push
from app.services.channel_sync import start_channel_job
from app.services.errors import DomainError, NotFound
from app.services.integration_log import recorder
from jobs.schedule import PeriodicTask

MARKETPLACES = (Platform.SHOPEE, Platform.LAZADA, Platform.TIKTOK)

PERIODIC_TASKS = [
    PeriodicTask("channels_pull_orders", 60, "channels.pull_due_orders",
                 "Pull new marketplace orders (channels due)", queue="integrations"),
    PeriodicTask("channels_refresh_tokens", 15 * 60, "channels.refresh_tokens",
                 "Refresh marketplace tokens before they expire", queue="integrations"),
    PeriodicTask("channels_push_stock", 30 * 60, "channels.push_stock",
                 "Push all stock to marketplaces", queue="integrations"),
]


def _enqueue(session, job, queue):
    from jobs.queue import enqueue_after_commit
    enqueue_after_commit(session, job, queue, app=current_app._get_current_object())


def _channel(ctx) -> Channel:
    channel_id = ctx.job.channel_id or (ctx.target_ids[0] if ctx.target_ids else None)
    channel = ctx.session.get(Channel, channel_id) if channel_id else None
    if channel is None:
        raise NotFound(f"Channel #{channel_id} no longer exists.")
    return channel


def _client(ctx, channel: Channel):
    """A logged client for ``channel``, its token refreshed first if it is about to expire."""
    log = recorder(ctx.session, job_id=ctx.job.id, channel_id=channel.id)
    if channel_clients.token_due(channel):
        channel_clients.refresh_tokens(ctx.session, channel, on_exchange=log)
        ctx.message(f"{channel.name}: access token refreshed.")
    return channel_clients.client_for(channel, on_exchange=log)


def _platform(channel: Channel) -> str:
    return channel_clients.platform_of(channel)


def _marketplace_channels(session, ids=None, **flags) -> list[Channel]:
    stmt = sa.select(Channel).where(Channel.platform.in_(MARKETPLACES), Channel.active)
    if ids:
        stmt = stmt.where(Channel.id.in_(ids))
    for name, value in flags.items():
        stmt = stmt.where(getattr(Channel, name).is_(value))
    return [c for c in session.scalars(stmt.order_by(Channel.id)) if c.connected]


# --- products ------------------------------------------------------------------------------------

def pull_products(ctx) -> dict:
    channel = _channel(ctx)
    with _client(ctx, channel) as client:
        result = product_sync.pull_products(ctx.session, channel, client, platform=_platform(channel),
                                            progress=ctx.progress)
    ctx.message(f"{channel.name}: {result.summary()}")
    ctx.session.commit()
    return {"listings": result.listings, "matched": result.matched,
            "created_variants": result.created_variants, "created_products": result.created_products,
            "no_sku": len(result.no_sku)}


def push_products(ctx) -> dict:
    channel = _channel(ctx)
    with _client(ctx, channel) as client:
        result = product_sync.push_products(ctx.session, channel, client,
                                            product_ids=ctx.params.get("product_ids"),
                                            progress=ctx.progress)
    for sku, why in result.failed.items():
        ctx.message(f"{channel.name}: {sku} refused: {why}", level="warning")
    ctx.message(f"{channel.name}: {result.summary()}")
    ctx.session.commit()
    return {"created": len(result.created), "skipped": len(result.skipped), "failed": len(result.failed)}


# --- orders --------------------------------------------------------------------------------------

def pull_orders(ctx) -> dict:
    channel = _channel(ctx)
    with _client(ctx, channel) as client:
        result = order_import.pull_orders(ctx.session, channel, client, progress=ctx.progress)
    ctx.message(f"{channel.name}: {result.summary()}",
                level="warning" if result.flagged or result.refused else "info")
    ctx.session.commit()
    return {"created": result.created, "updated": result.updated, "cancelled": result.cancelled,
            "flagged": len(result.flagged)}


def pull_due_orders(ctx) -> dict:
    """Start a pull for each active channel whose ``order_pull_minutes`` have passed."""
    now = utcnow()
    started = []
    for channel in _marketplace_channels(ctx.session, sync_orders=True):
        due = channel.last_order_sync_at is None or \
            channel.last_order_sync_at + dt.timedelta(minutes=channel.order_pull_minutes) <= now
        if due:
            start_channel_job(ctx.session, channel, "channels.pull_orders",
                              f"Pull orders from {channel.name}", enqueue=_enqueue)
            started.append(channel.name)
    ctx.message(f"Order pulls started: {', '.join(started)}." if started else "No channel is due.")
    ctx.session.commit()
    return {"started": len(started)}


# --- stock ---------------------------------------------------------------------------------------

def _push_to(ctx, channels, variant_ids=None) -> dict:
    pushed, failed = 0, 0
    ctx.progress(0, len(channels))
    for done, channel in enumerate(channels, start=1):
        try:
            with _client(ctx, channel) as client:
                result = stock_push.push_stock(ctx.session, channel, client, variant_ids=variant_ids)
        except RetryableError:
            raise
        except (IntegrationError, DomainError) as exc:  # one shop refusing must not stop the others
            ctx.session.rollback()
            failed += 1
            ctx.message(f"{channel.name}: stock push failed: {getattr(exc, 'message', exc)}", "error")
            ctx.progress(done)
            continue
        pushed += result.pushed
        ctx.message(f"{channel.name}: {result.summary()}", "warning" if result.failed else "info")
        ctx.progress(done)
    if failed and failed == len(channels):
        raise DomainError(f"Stock push failed on every channel ({failed}); see the messages.")
    return {"pushed": pushed, "channels": len(channels), "failed_channels": failed}


def push_stock(ctx) -> dict:
    """Push every listing's available stock: one channel (the button), or all (the schedule)."""
    ids = [ctx.job.channel_id] if ctx.job.channel_id else ctx.target_ids
    if ids:
        channels = _marketplace_channels(ctx.session, ids=ids)
        if not channels:
            raise DomainError("This channel is not an active, connected marketplace channel.")
    else:
        channels = _marketplace_channels(ctx.session, sync_stock=True)
    return _push_to(ctx, channels)


def push_stock_changes(ctx) -> dict:
    """The debounced push: the variants whose stock changed since the last one, to every channel
    listing them. The variants are kept on the job before pushing, so a retry pushes them again."""
    taken = stock_watch.take_pending(current_app._get_current_object())
    variant_ids = sorted(set(ctx.params.get("variant_ids") or []) | taken)
    ctx.job.params = {**ctx.params, "variant_ids": variant_ids}
    ctx.session.commit()
    if not variant_ids:
        ctx.message("Nothing changed since the last push.")
        return {"pushed": 0, "channels": 0, "failed_channels": 0}
    channel_ids = stock_push.channels_listing(ctx.session, variant_ids)
    channels = _marketplace_channels(ctx.session, ids=channel_ids, sync_stock=True) if channel_ids else []
    ctx.message(f"{len(variant_ids)} changed variants, {len(channels)} channels to tell.")
    return _push_to(ctx, channels, variant_ids=variant_ids)


# --- tokens --------------------------------------------------------------------------------------

def refresh_tokens(ctx) -> dict:
    """Refresh the tokens that expire soon (or, with params force=true, now) of one or all channels."""
    ids = [ctx.job.channel_id] if ctx.job.channel_id else ctx.target_ids
    force = bool(ctx.params.get("force"))
    refreshed = 0
    for channel in _marketplace_channels(ctx.session, ids=ids or None):
        log = recorder(ctx.session, job_id=ctx.job.id, channel_id=channel.id)
        if channel_clients.refresh_tokens(ctx.session, channel, force=force, on_exchange=log):
            refreshed += 1
            ctx.message(f"{channel.name}: token refreshed, valid until {channel.token_expires_at:%Y-%m-%d %H:%M} UTC.")
    ctx.session.commit()
    return {"refreshed": refreshed}


# --- notifications -------------------------------------------------------------------------------

def process_notification(ctx) -> dict:
    """The follow-up of an accepted push notification: fetch the order it names and import it."""
    event = ctx.session.get(WebhookEvent, int(ctx.params.get("webhook_event_id") or 0))
    if event is None:
        raise NotFound("The notification this job was for no longer exists.")
    if event.status == WebhookStatus.PROCESSED:
        return {"already": True}
    channel = _channel(ctx)
    order_id = (ctx.params.get("order_id") or "").strip()
    result = None
    if order_id:
        with _client(ctx, channel) as client:
            result = order_import.fetch_orders(ctx.session, channel, client, [order_id])
        ctx.message(f"{channel.name}: order {order_id}: {result.summary()}")
    elif event.kind == "deauthorized":
        ctx.message(f"{channel.name}: the seller withdrew the authorization; connect the shop again.",
                    "warning")
    else:
        ctx.message(f"{channel.name}: {event.kind} notification noted, nothing to fetch.")
    event = ctx.session.get(WebhookEvent, event.id)
    event.status = WebhookStatus.PROCESSED
    ctx.session.commit()
    return {"order_id": order_id or None, "created": result.created if result else 0,
            "cancelled": result.cancelled if result else 0}
