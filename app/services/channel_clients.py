"""The marketplace client for a Channel (Shopee, Lazada, TikTok Shop), and keeping its tokens fresh.

A marketplace Channel holds ``platform``, ``base_url`` (the provider's API host, or
``…/sandbox/<platform>``), ``shop_id`` and ``credentials`` (encrypted by the model)::

    Shopee   {"partner_id", "partner_key", "access_token", "refresh_token"}
    Lazada   {"app_key", "app_secret", "access_token", "refresh_token", "auth_base_url"?}
    TikTok   {"app_key", "app_secret", "access_token", "refresh_token", "shop_cipher",
              "auth_base_url"?}

Switching a channel to the real marketplace is a change of base URL and credentials only.

Tokens: ``save_tokens`` writes the access and refresh token in one UPDATE of the one encrypted
column, committed at once — Shopee's refresh is single-use and rotates the refresh token, so the
pair must never be half-saved. ``refresh_if_due`` locks the channel row first (PostgreSQL) and
re-reads it, so two jobs refreshing at once do not both spend the same refresh token.
"""
from __future__ import annotations

import contextvars
import datetime as dt
from contextlib import contextmanager

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.integrations.base import AuthError, TokenSet
from app.integrations.marketplaces.lazada import LazadaClient
from app.integrations.marketplaces.shopee import ShopeeClient
from app.integrations.marketplaces.tiktok import TikTokShopClient
from app.models import Channel
from app.models.base import utcnow
from app.services.errors import N_, ValidationError, fill
from app.services.integration_log import recorder

MARKETPLACES = ("shopee", "lazada", "tiktok")
PLATFORM_NAMES = {"shopee": "Shopee", "lazada": "Lazada", "tiktok": "TikTok Shop"}
TIMEOUT = httpx.Timeout(20.0, connect=5.0)
REFRESH_MARGIN = dt.timedelta(minutes=30)

# The demo loader runs before the web server listens: it talks to the sandboxes in-process.
_transport: contextvars.ContextVar[httpx.BaseTransport | None] = contextvars.ContextVar(
    "marketplace_transport", default=None)


@contextmanager
def using_transport(transport: httpx.BaseTransport):
    """Make every marketplace client built inside this block talk through ``transport``."""
    token = _transport.set(transport)
    try:
        yield
    finally:
        _transport.reset(token)


def platform_of(channel: Channel) -> str:
    platform = getattr(channel.platform, "value", channel.platform)
    if platform not in MARKETPLACES:
        raise ValidationError("platform", N_("Channel %(name)s is a %(platform)s channel, not a "
                                             "marketplace (Shopee, Lazada or TikTok Shop)."),
                              name=channel.name, platform=platform)
    return platform


def _need(channel: Channel, creds: dict, *names: str) -> None:
    missing = [n for n in names if not creds.get(n)]
    if missing:
        raise ValidationError("credentials", N_("Channel %(name)s has no %(missing)s: an admin "
                                                "sets the app credentials first."),
                              name=channel.name, missing=", ".join(missing))
    if not channel.base_url:
        raise ValidationError("base_url", N_("Channel %(name)s has no base URL."),
                              name=channel.name)


def client_for(channel: Channel, *, on_exchange=None, transport: httpx.BaseTransport | None = None,
               timeout=None):
    """A ShopeeClient, LazadaClient or TikTokShopClient for ``channel`` (tokens as stored)."""
    platform = platform_of(channel)
    creds = dict(channel.credentials or {})
    http = {"transport": transport or _transport.get(), "timeout": timeout or TIMEOUT,
            "on_exchange": on_exchange}
    if platform == "shopee":
        _need(channel, creds, "partner_id", "partner_key")
        return ShopeeClient(channel.base_url, partner_id=creds["partner_id"],
                            partner_key=creds["partner_key"], shop_id=channel.shop_id or None,
                            access_token=creds.get("access_token"), **http)
    _need(channel, creds, "app_key", "app_secret")
    if platform == "lazada":
        return LazadaClient(channel.base_url, app_key=creds["app_key"], app_secret=creds["app_secret"],
                            access_token=creds.get("access_token"),
                            auth_base_url=creds.get("auth_base_url"), **http)
    return TikTokShopClient(channel.base_url, app_key=creds["app_key"], app_secret=creds["app_secret"],
                            access_token=creds.get("access_token"),
                            shop_cipher=creds.get("shop_cipher"),
                            auth_base_url=creds.get("auth_base_url"),
                            warehouse_id=creds.get("warehouse_id"), **http)


def logged_client(session: Session, channel: Channel, *, job_id: int | None = None,
                  transport: httpx.BaseTransport | None = None):
    """``client_for`` with every exchange written to the IntegrationLog (secrets redacted),
    tagged with the channel and job so the channel's sync log shows it."""
    return client_for(channel, on_exchange=recorder(session, job_id=job_id, channel_id=channel.id),
                      transport=transport)


def _moment(unix: int | None) -> dt.datetime | None:
    if not unix:
        return None
    return dt.datetime.fromtimestamp(int(unix), dt.timezone.utc).replace(tzinfo=None)


def save_tokens(session: Session, channel: Channel, tokens: TokenSet) -> Channel:
    """Store a token pair (and the shop it names) and commit at once: both tokens or neither.
    A shop that had to be connected again is fine from now on."""
    creds = dict(channel.credentials or {})
    creds["access_token"] = tokens.access_token
    creds["refresh_token"] = tokens.refresh_token
    cipher = (tokens.extra or {}).get("shop_cipher")
    if cipher:
        creds["shop_cipher"] = cipher
    channel.credentials = creds
    channel.token_expires_at = _moment(tokens.access_expires_at)
    channel.refresh_expires_at = _moment(tokens.refresh_expires_at) or channel.refresh_expires_at
    if tokens.shop_id:
        channel.shop_id = str(tokens.shop_id)
    channel.reconnect_reason = None
    session.commit()
    return channel


RECONNECT = N_("Connect the shop again: %(platform)s no longer accepts its authorization "
               "(%(reason)s).")


def mark_reconnect_needed(session: Session, channel: Channel, reason: str, *,
                          commit: bool = True) -> None:
    """Flag the channel (its page and list show it; scheduled work skips it)."""
    channel.reconnect_reason = fill(RECONNECT, {
        "platform": PLATFORM_NAMES.get(platform_of(channel), channel.name),
        "reason": (reason or "").strip()[:300]})[:500]
    if commit:
        session.commit()


def token_due(channel: Channel, margin: dt.timedelta = REFRESH_MARGIN, now=None) -> bool:
    creds = channel.credentials or {}
    if not creds.get("refresh_token"):
        return False
    expires = channel.token_expires_at
    return expires is None or expires - (now or utcnow()) <= margin


def refresh_tokens(session: Session, channel: Channel, *, margin: dt.timedelta = REFRESH_MARGIN,
                   force: bool = False, on_exchange=None) -> bool:
    """Refresh the channel's access token when it expires within ``margin`` (or ``force``).

    Returns True when new tokens were saved. Commit your own work before calling: this commits.
    """
    session.commit()
    locked = session.scalars(sa.select(Channel).where(Channel.id == channel.id)
                             .with_for_update().execution_options(populate_existing=True)).one()
    if not (force and (locked.credentials or {}).get("refresh_token")) and not token_due(locked, margin):
        session.commit()  # someone else refreshed meanwhile (or nothing to do): release the lock
        return False
    client = client_for(locked, on_exchange=on_exchange)
    try:
        creds = locked.credentials or {}
        tokens = client.refresh_token(creds["refresh_token"], shop_id=locked.shop_id)
    except AuthError as exc:  # the refresh token is spent, expired or withdrawn: only a reconnect helps
        session.rollback()
        mark_reconnect_needed(session, session.get(Channel, channel.id), exc.message)
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        client.close()
    save_tokens(session, locked, tokens)
    return True
