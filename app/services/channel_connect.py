"""Connecting a marketplace shop: the authorization link, then the callback's code → tokens.

The seller opens the marketplace's authorization page (``authorization_link``), approves, and the
marketplace sends the browser back to our callback with a single-use ``code`` (Shopee adds the
``shop_id``). ``complete_connection`` trades the code for the shop's tokens and stores them
encrypted on the Channel with their expiry, in one commit. The ``state`` proves the callback
answers a link we made for this channel (the web layer keeps it in the user's session).
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.integrations.base import IntegrationError
from app.models import Channel
from app.services.channel_clients import PLATFORM_NAMES, client_for, platform_of, save_tokens
from app.services.errors import N_, DomainError, NotFound, ValidationError


class ShopAlreadyConnected(DomainError):
    """The shop the seller authorized is another channel's: one shop, one channel."""

    def __init__(self, channel: Channel, holder: Channel, shop_id: str):
        super().__init__(N_("Shop %(shop)s on %(platform)s is already connected as channel "
                            "%(holder)s; %(channel)s was not changed. Use %(holder)s for this shop, "
                            "or authorize another shop for %(channel)s."),
                         shop=shop_id, platform=PLATFORM_NAMES[platform_of(channel)],
                         holder=holder.name, channel=channel.name)
        self.holder_id = holder.id


def holder_of(session: Session, channel: Channel, shop_id) -> Channel | None:
    """The other channel of the same marketplace already connected to shop ``shop_id``, if any."""
    if not shop_id:
        return None
    return session.scalars(sa.select(Channel).where(
        Channel.platform == channel.platform, Channel.shop_id == str(shop_id),
        Channel.id != channel.id)).first()


def _refuse_if_held(session: Session, channel: Channel, shop_id) -> None:
    holder = holder_of(session, channel, shop_id)
    if holder is not None:
        raise ShopAlreadyConnected(channel, holder, str(shop_id))


def new_state(channel: Channel) -> str:
    """An unguessable state naming the channel: ``<channel id>.<random>``."""
    return f"{channel.id}.{secrets.token_urlsafe(16)}"


def channel_of_state(session: Session, state: str | None) -> Channel:
    head = (state or "").split(".", 1)[0]
    channel = session.get(Channel, int(head)) if head.isdigit() else None
    if channel is None:
        raise NotFound(N_("The authorization answer names no channel of ours; start Connect again."))
    return channel


def authorization_link(channel: Channel, redirect_url: str, state: str, *, on_exchange=None) -> str:
    """Where to send the seller's browser to authorize ``channel``."""
    platform_of(channel)
    client = client_for(channel, on_exchange=on_exchange)
    try:
        return client.authorization_url(redirect_url, state=state)
    finally:
        client.close()


def complete_connection(session: Session, channel: Channel, code: str | None, *,
                        shop_id: str | None = None, on_exchange=None) -> Channel:
    """Exchange the callback's ``code`` for tokens and store them (commits once).

    A shop that another channel of the marketplace already holds is refused with
    ``ShopAlreadyConnected`` naming that channel: before the exchange when the callback names the
    shop (Shopee), after it otherwise (Lazada and TikTok Shop say which shop only then)."""
    code = (code or "").strip()
    if not code or code == "null":
        raise ValidationError("code", N_("%(platform)s sent no authorization code: the seller did "
                                         "not approve."), platform=PLATFORM_NAMES[platform_of(channel)])
    _refuse_if_held(session, channel, shop_id)
    session.commit()  # nothing of ours pending while the provider is called
    client = client_for(channel, on_exchange=on_exchange)
    try:
        tokens = client.exchange_code(code, shop_id=shop_id or channel.shop_id)
    except IntegrationError as exc:
        session.rollback()
        raise DomainError(N_("Connecting %(channel)s failed: %(why)s"), channel=channel.name,
                          why=exc.message) from exc
    finally:
        client.close()
    if shop_id and not tokens.shop_id:
        tokens.shop_id = str(shop_id)
    _refuse_if_held(session, channel, tokens.shop_id)
    try:
        return save_tokens(session, channel, tokens)
    except sa.exc.IntegrityError:  # connected elsewhere at this very moment
        session.rollback()
        _refuse_if_held(session, channel, tokens.shop_id)
        raise
