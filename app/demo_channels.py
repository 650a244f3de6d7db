"""The demo's marketplace shops: one Shopee, one Lazada and one TikTok Shop channel, each pointing
at the app's own sandbox, connected, with products and orders pulled and stock pushed.

Connecting walks the sandbox's real authorization flow over HTTP — open the authorization link,
submit its consent form, read the code from the redirect — then exchanges the code server-side.
The loader runs before the web server listens, so every call goes through an in-process
``httpx.WSGITransport`` to the same app. A second run finds the shops connected and synced and
changes nothing.
"""
from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import sqlalchemy as sa

from app.models import Channel, Platform, Warehouse
from app.sandbox import lazada as lazada_sandbox
from app.sandbox import shopee as shopee_sandbox
from app.sandbox import tiktok as tiktok_sandbox
from app.services import channel_clients, order_import, product_sync, stock_push
from app.services.channel_connect import authorization_link, complete_connection, new_state
from app.services.integration_log import recorder

SHOPS = [
    (Platform.SHOPEE, "Shopee demo shop", shopee_sandbox.DEMO_CREDENTIALS,
     ("partner_id", "partner_key"), "shop_id"),
    (Platform.LAZADA, "Lazada demo shop", lazada_sandbox.DEMO_CREDENTIALS,
     ("app_key", "app_secret"), "seller_id"),
    (Platform.TIKTOK, "Tiktok demo shop", tiktok_sandbox.DEMO_CREDENTIALS,
     ("app_key", "app_secret"), "shop_id"),
]
# A leaf of each sandbox's category tree ("Áo thun"), for Push products.
LISTING_CATEGORY = {Platform.SHOPEE: "100017", Platform.LAZADA: "10000", Platform.TIKTOK: "600001"}
_INPUT = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', re.I)


def _authorize(http: httpx.Client, link: str) -> dict:
    """What a seller's browser does: open the consent page, press Authorize, follow nowhere —
    the redirect's query (code, shop_id, state) is what our callback would receive."""
    page = http.get(link)
    page.raise_for_status()
    form = {name: unescape(value) for name, value in _INPUT.findall(page.text)}
    answer = http.post(link, data={**form, "decision": "authorize"})
    if answer.status_code not in (301, 302, 303):
        raise RuntimeError(f"the sandbox's authorization page answered {answer.status_code}")
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def _channel(session, platform, name, creds, keys, shop_key, base, warehouse) -> Channel:
    channel = session.scalars(sa.select(Channel).where(Channel.platform == platform,
                                                       Channel.name == name)).first()
    if channel is None:
        # The demo's shops hold stock for their orders as they arrive, so pushes never oversell.
        channel = Channel(platform=platform, name=name, order_warehouse=warehouse,
                          base_url=f"{base}/sandbox/{platform.value}",
                          credentials={k: creds[k] for k in keys}, order_pull_minutes=5,
                          reserve_on_arrival=True, listing_category_id=LISTING_CATEGORY[platform])
        channel.fulfilling_warehouses = [warehouse] if warehouse else []
        session.add(channel)
        session.commit()
    return channel


def _sync(session, app, channel: Channel, http: httpx.Client, base: str) -> dict:
    done: dict = {}
    log = recorder(session, channel_id=channel.id)
    if not channel.connected:
        state = new_state(channel)
        link = authorization_link(channel, f"{base}/channels/callback", state)
        answer = _authorize(http, link)
        complete_connection(session, channel, answer.get("code"), shop_id=answer.get("shop_id"),
                            on_exchange=log)
        done["connected"] = True
    platform = channel_clients.platform_of(channel)
    with channel_clients.client_for(channel, on_exchange=log) as client:
        if channel.last_product_sync_at is None:
            done["products"] = product_sync.pull_products(session, channel, client,
                                                          platform=platform).summary(channel.name)
        if channel.last_order_sync_at is None:
            done["orders"] = order_import.pull_orders(session, channel, client).summary()
        if channel.last_stock_push_at is None:
            done["stock"] = stock_push.push_stock(session, channel, client).summary(channel.name)
    return done


def load(app) -> dict:
    from app.extensions import db
    session = db.session
    base = app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    if not app.config.get("SANDBOX_ENABLED"):
        return {"skipped": "the sandboxes are not mounted (SANDBOX_ENABLED is off)"}
    warehouse = session.scalars(sa.select(Warehouse).order_by(Warehouse.id)).first()
    started = time.monotonic()
    result = {}
    transport = httpx.WSGITransport(app=app)
    with channel_clients.using_transport(transport), \
            httpx.Client(transport=transport, base_url=base, timeout=30) as http:
        for platform, name, creds, keys, shop_key in SHOPS:
            channel = _channel(session, platform, name, creds, keys, shop_key, base, warehouse)
            done = _sync(session, app, channel, http, base)
            result[platform.value] = done or "already connected and synced"
    result["seconds"] = round(time.monotonic() - started, 1)
    return result
