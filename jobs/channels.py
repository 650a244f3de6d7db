"""Marketplace channel jobs (Shopee, Lazada, TikTok Shop): thin wrappers over the channel services.

Each job works on the channel in ``job.channel_id`` (or its target), refreshes the shop's token
first when it is about to expire, logs every call to the IntegrationLog under its job and
channel, and writes what it did to its messages — together, the channel's sync log. A refused
authorization flags the shop "reconnect needed"; the schedule then leaves it alone. Every job is
safe to run twice: imports are idempotent on (channel, external order id), stock and price pushes
set figures, products already listed are skipped (and looked up by SKU before one is created).
"""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app

import jobs.stock_watch as stock_watch
from app.integrations.base import AuthError, IntegrationError, RetryableError
from app.models import Channel, Platform, WebhookEvent, WebhookStatus
from app.models.base import utcnow
from app.services import (channel_clients, channel_sync, order_import, price_push, product_push,
                          product_sync, stock_push)
from app.services.errors import N_, DomainError, NotFound
from app.services.integration_log import recorder
from jobs.schedule import PeriodicTask

MARKETPLACES = (Platform.SHOPEE, Platform.LAZADA, Platform.TIKTOK)

PERIODIC_TASKS = [
    PeriodicTask("channels_pull_orders", 60, "channels.pull_due_orders",
                 N_("Pull new marketplace orders (channels due)"), queue="integrations"),
    PeriodicTask("channels_refresh_tokens", 15 * 60, "channels.refresh_tokens",
                 N_("Refresh marketplace tokens before they expire"), queue="integrations"),
    PeriodicTask("channels_push_stock", 30 * 60, "channels.push_stock",
                 N_("Push all stock to marketplaces"), queue="integrations"),
]


def _say(ctx, template: str, level: str = "info", **params) -> None:
    """A job message from an N_ template (kept with its values: the channel's sync log shows it
    in the reader's language)."""
    ctx.message(template, level, **params)


def _enqueue(session, job, queue):
    from jobs.queue import enqueue_after_commit
    enqueue_after_commit(session, job, queue, app=current_app._get_current_object())


def _channel(ctx) -> Channel:
    channel_id = ctx.job.channel_id or (ctx.target_ids[0] if ctx.target_ids else None)
    channel = ctx.session.get(Channel, channel_id) if channel_id else None
    if channel is None:
        raise NotFound(N_("Channel #%(id)s no longer exists."), id=channel_id)
    return channel


@contextmanager
def _shop(ctx, channel: Channel):
    """A logged client for ``channel``, its token refreshed first if it is about to expire.

    The marketplace refusing the shop's authorization flags it "reconnect needed"; a run that
    works clears the flag (the seller connected it again, or the refusal was passing).
    """
    log = recorder(ctx.session, job_id=ctx.job.id, channel_id=channel.id)
    try:
        if channel_clients.token_due(channel):
            channel_clients.refresh_tokens(ctx.session, channel, on_exchange=log)
            _say(ctx, N_("%(channel)s: access token refreshed."), channel=channel.name)
        with channel_clients.client_for(channel, on_exchange=log) as client:
            yield client
    except AuthError as exc:
        ctx.session.rollback()
        channel = ctx.session.get(Channel, channel.id)
        if not channel.reconnect_reason:
            channel_clients.mark_reconnect_needed(ctx.session, channel, exc.message)
        raise
    if channel.reconnect_reason:
        channel.reconnect_reason = None
        ctx.session.commit()


def _marketplace_channels(session, ids=None, scheduled: bool = False, **flags) -> list[Channel]:
    """Active, connected marketplace channels; the schedule skips those that need reconnecting."""
    stmt = sa.select(Channel).where(Channel.platform.in_(MARKETPLACES), Channel.active)
    if ids:
        stmt = stmt.where(Channel.id.in_(ids))
    if scheduled:
        stmt = stmt.where(Channel.reconnect_reason.is_(None))
    for name, value in flags.items():
        stmt = stmt.where(getattr(Channel, name).is_(value))
    return [c for c in session.scalars(stmt.order_by(Channel.id)) if c.connected]


# --- products ------------------------------------------------------------------------------------

def pull_products(ctx) -> dict:
    channel = _channel(ctx)
    with _shop(ctx, channel) as client:
        result = product_sync.pull_products(ctx.session, channel, client,
                                            platform=channel_clients.platform_of(channel),
                                            progress=ctx.progress)
    _say(ctx, product_sync.PULL_SUMMARY, channel=channel.name, **result.params)
    if result.no_sku:
        _say(ctx, product_sync.NO_SKU, "warning", channel=channel.name,
             listings=", ".join(result.no_sku[:20]))
    ctx.session.commit()
    return result.params


def push_products(ctx) -> dict:
    channel = _channel(ctx)
    with _shop(ctx, channel) as client:
        from app.web.media import storage
        result = product_push.push_products(
            ctx.session, channel, client, product_ids=ctx.params.get("product_ids"),
            progress=ctx.progress,
            platform=channel_clients.PLATFORM_NAMES[channel_clients.platform_of(channel)],
            read_file=storage().load)
    for sku, why in result.failed.items():
        _say(ctx, N_("%(channel)s: %(sku)s refused: %(why)s"), "warning", channel=channel.name,
             sku=sku, why=why)
    _say(ctx, product_push.PUSH_SUMMARY, channel=channel.name, **result.params)
    ctx.session.commit()
    return result.params


# --- orders --------------------------------------------------------------------------------------

def pull_orders(ctx) -> dict:
    channel = _channel(ctx)
    with _shop(ctx, channel) as client:
        result = order_import.pull_orders(ctx.session, channel, client, progress=ctx.progress)
    _say(ctx, order_import.SUMMARY, "warning" if result.flagged or result.refused else "info",
         **result.params)
    if result.flagged:
        _say(ctx, N_("%(channel)s: orders flagged for attention: %(orders)s"), "warning",
             channel=channel.name, orders=", ".join(result.flagged[:20]))
    for external_id, why in list(result.refused.items())[:20]:
        _say(ctx, N_("%(channel)s: order %(order)s refused: %(why)s"), "warning",
             channel=channel.name, order=external_id, why=why)
    ctx.session.commit()
    return result.params


def pull_due_orders(ctx) -> dict:
    """Start a pull for each channel that is due — not while one is pending, and backing off
    after failures (``channel_sync.order_pull_decision``)."""
    now, started = utcnow(), 0
    for channel in _marketplace_channels(ctx.session, scheduled=True, sync_orders=True):
        decision = channel_sync.order_pull_decision(ctx.session, channel, now)
        if decision.due:
            kind, title = channel_sync.SCOPES["orders"]
            channel_sync.start_channel_job(ctx.session, channel, kind, title, enqueue=_enqueue)
            started += 1
        if decision.why:
            _say(ctx, decision.why, **decision.params)
    ctx.session.commit()
    return {"started": started}


# --- stock and prices ----------------------------------------------------------------------------

def _push_to(ctx, channels, push, variant_ids=None) -> dict:
    """Push to each channel; one shop refusing (or unreachable) must not stop the others."""
    pushed, refused, failed, retry = 0, 0, 0, None
    ctx.progress(0, len(channels))
    for done, channel in enumerate(channels, start=1):
        try:
            with _shop(ctx, channel) as client:
                result = push(ctx.session, channel, client, variant_ids=variant_ids)
        except (IntegrationError, DomainError) as exc:
            ctx.session.rollback()
            failed += 1
            retry = retry or (exc if isinstance(exc, RetryableError) else None)
            _say(ctx, N_("%(channel)s: push failed: %(why)s"), "error", channel=channel.name,
                 why=getattr(exc, "message", exc))
            ctx.progress(done)
            continue
        pushed += result.pushed
        refused += len(result.failed)
        _say(ctx, result.TEMPLATE, "warning" if result.failed else "info", channel=channel.name,
             **result.params)
        ctx.progress(done)
    if retry is not None:
        raise retry  # worth another go later; the channels that worked are set again harmlessly
    if failed and failed == len(channels):
        raise DomainError(N_("The push failed on every channel (%(failed)s); see the messages."),
                          failed=failed)
    return {"pushed": pushed, "refused": refused, "channels": len(channels), "failed_channels": failed}


def _chosen_or_scheduled(ctx, **flags) -> list[Channel]:
    ids = [ctx.job.channel_id] if ctx.job.channel_id else ctx.target_ids
    if ids:
        channels = _marketplace_channels(ctx.session, ids=ids)
        if not channels:
            raise DomainError(N_("This channel is not an active, connected marketplace channel."))
        return channels
    return _marketplace_channels(ctx.session, scheduled=True, **flags)


def push_stock(ctx) -> dict:
    """Push every listing's available stock: one channel (the button), or all (the schedule)."""
    return _push_to(ctx, _chosen_or_scheduled(ctx, sync_stock=True), stock_push.push_stock)


def push_prices(ctx) -> dict:
    """Push every listing's price (ours plus VAT) to the channel."""
    return _push_to(ctx, _chosen_or_scheduled(ctx), price_push.push_prices)


def push_stock_changes(ctx) -> dict:
    """The debounced push: the variants whose stock changed since the last one, to every channel
    listing them. The variants are kept on the job before pushing, so a retry pushes them again."""
    taken = stock_watch.take_pending(current_app._get_current_object())
    variant_ids = sorted(set(ctx.params.get("variant_ids") or []) | taken)
    ctx.job.params = {**ctx.params, "variant_ids": variant_ids}
    ctx.session.commit()
    if not variant_ids:
        _say(ctx, N_("Nothing changed since the last push."))
        return {"pushed": 0, "channels": 0, "failed_channels": 0}
    channel_ids = stock_push.channels_listing(ctx.session, variant_ids)
    channels = _marketplace_channels(ctx.session, ids=channel_ids, scheduled=True,
                                     sync_stock=True) if channel_ids else []
    _say(ctx, N_("%(variants)s changed variants, %(channels)s channels to tell."),
         variants=len(variant_ids), channels=len(channels))
    return _push_to(ctx, channels, stock_push.push_stock, variant_ids=variant_ids)


# --- tokens --------------------------------------------------------------------------------------

def refresh_tokens(ctx) -> dict:
    """Refresh the tokens that expire soon (or, with params force=true, now) of one or all
    channels. Each channel on its own: one withdrawn shop does not keep the others from theirs."""
    ids = [ctx.job.channel_id] if ctx.job.channel_id else ctx.target_ids
    force = bool(ctx.params.get("force"))
    refreshed, failed = 0, 0
    for channel in _marketplace_channels(ctx.session, ids=ids or None, scheduled=not ids):
        log = recorder(ctx.session, job_id=ctx.job.id, channel_id=channel.id)
        try:
            if channel_clients.refresh_tokens(ctx.session, channel, force=force, on_exchange=log):
                refreshed += 1
                _say(ctx, N_("%(channel)s: token refreshed, valid until %(until)s UTC."),
                     channel=channel.name, until=f"{channel.token_expires_at:%Y-%m-%d %H:%M}")
        except AuthError as exc:  # refresh_tokens flagged the shop "reconnect needed"
            failed += 1
            _say(ctx, N_("%(channel)s: the token could not be refreshed (%(why)s); connect the "
                         "shop again."), "error", channel=channel.name, why=exc.message)
        except (IntegrationError, DomainError) as exc:
            ctx.session.rollback()
            failed += 1
            _say(ctx, N_("%(channel)s: the token could not be refreshed (%(why)s); the next run "
                         "tries again."), "warning", channel=channel.name,
                 why=getattr(exc, "message", exc))
    ctx.session.commit()
    if ids and failed:
        raise DomainError(N_("The token of this channel could not be refreshed; see the messages."))
    return {"refreshed": refreshed, "failed": failed}


# --- notifications -------------------------------------------------------------------------------

def process_notification(ctx) -> dict:
    """The follow-up of an accepted push notification: fetch the order it names and import it."""
    event = ctx.session.get(WebhookEvent, int(ctx.params.get("webhook_event_id") or 0))
    if event is None:
        raise NotFound(N_("The notification this job was for no longer exists."))
    if event.status == WebhookStatus.PROCESSED:
        return {"already": True}
    channel = _channel(ctx)
    order_id = (ctx.params.get("order_id") or "").strip()
    result = None
    if order_id:
        with _shop(ctx, channel) as client:
            result = order_import.fetch_orders(ctx.session, channel, client, [order_id])
        _say(ctx, N_("%(channel)s: order %(order)s fetched."), channel=channel.name, order=order_id)
        _say(ctx, order_import.SUMMARY, "warning" if result.flagged else "info", **result.params)
    event = ctx.session.get(WebhookEvent, event.id)
    event.status = WebhookStatus.PROCESSED
    ctx.session.commit()
    return {"order_id": order_id or None, "created": result.created if result else 0,
            "cancelled": result.cancelled if result else 0}
