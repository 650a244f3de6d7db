"""Marketplace two-way sync, end to end over real HTTP: the app is served on loopback and its
channels talk to its own mounted Shopee, Lazada and TikTok Shop sandboxes; the sandboxes' signed
pushes reach its webhooks. Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""
from __future__ import annotations

import json
import time

import httpx
import pytest
import sqlalchemy as sa

from app.demo_channels import _authorize
from app.extensions import db
from app.models import (Channel, ChannelListing, IntegrationLog, Job, JobStatus, Order, OrderStatus,
                        Platform, Product, ProductVariant, StockLevel, Warehouse, WebhookEvent,
                        WebhookStatus)
from app.sandbox import shopee as shopee_sandbox
from app.services import channel_clients, ledger, order_import, orders, product_sync, stock_push
from tests.conftest import DEMO_PASSWORD, api_token, login, make_app
from tests.support.live_server import serve
from tests.support.marketplaces import (SANDBOXES, SKU, add_channel, app, connect, count,  # noqa: F401
                                        expire_access_and_sync, live, live_server, run,
                                        sandbox_stock, shopee_push, wait_for_job)

# --- connect ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_connect_through_the_browser_flow(app, live, platform):
    channel_id = add_channel(app, live, platform)
    with httpx.Client(base_url=live, timeout=10) as browser:
        assert browser.post("/login/", data={"username": "supervisor",
                                             "password": DEMO_PASSWORD}).status_code == 302
        to_marketplace = browser.get(f"/channels/{channel_id}/connect")
        assert to_marketplace.status_code == 302
        link = to_marketplace.headers["location"]
        assert link.startswith(f"{live}/sandbox/{platform}/")
        back = _authorize(browser, link)
        assert back["state"].startswith(f"{channel_id}.") and back["code"]
        forged = browser.get("/channels/callback", params={**back, "state": f"{channel_id}.forged"})
        assert forged.status_code == 302
        with app.app_context():
            assert not db.session.get(Channel, channel_id).connected  # a state we never gave
        # A fresh Connect, answered with its own state, connects.
        link = browser.get(f"/channels/{channel_id}/connect").headers["location"]
        back = _authorize(browser, link)
        done = browser.get("/channels/callback", params=back)
        assert done.status_code == 302 and f"/channelview/show/{channel_id}" in done.headers["location"]
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        assert channel.connected and channel.token_expires_at and channel.shop_id
        assert channel.credentials["refresh_token"]
        stored = db.session.execute(sa.text("SELECT credentials FROM channel WHERE id = :i"),
                                    {"i": channel_id}).scalar()
        assert channel.credentials["access_token"] not in stored  # encrypted at rest


def test_clerk_may_not_connect(app, live):
    channel_id = add_channel(app, live, "shopee")
    with httpx.Client(base_url=live, timeout=10) as browser:
        browser.post("/login/", data={"username": "clerk", "password": DEMO_PASSWORD})
        assert browser.get(f"/channels/{channel_id}/connect").status_code == 403


# --- products --------------------------------------------------------------------------------------

@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_pull_products_matches_by_sku_creates_the_rest_and_lists_them(app, live, platform):
    channel_id = add_channel(app, live, platform)
    connect(app, live, channel_id)
    first = run(app, channel_id, product_sync.pull_products, platform=platform)
    with app.app_context():
        ours = db.session.scalars(sa.select(ProductVariant).where(ProductVariant.sku == SKU)).one()
        listing = db.session.scalars(sa.select(ChannelListing).where(
            ChannelListing.channel_id == channel_id, ChannelListing.variant_id == ours.id)).one()
        assert listing.external_item_id and listing.external_sku == SKU
        assert count(ProductVariant, ProductVariant.sku == SKU) == 1
        listings = count(ChannelListing, ChannelListing.channel_id == channel_id)
        variants, products = count(ProductVariant), count(Product)
    assert first.matched == 1 and first.created_variants == first.listings - 1 >= 100
    assert listings == first.listings and products >= 50
    again = run(app, channel_id, product_sync.pull_products, platform=platform)
    assert again.created_variants == 0 and again.matched == again.listings
    with app.app_context():
        assert (count(ChannelListing, ChannelListing.channel_id == channel_id), count(ProductVariant),
                count(Product)) == (listings, variants, products)
        assert db.session.get(Channel, channel_id).last_product_sync_at is not None


# --- orders ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_pull_orders_is_idempotent_and_flags_unknown_skus(app, live, platform):
    channel_id = add_channel(app, live, platform)
    connect(app, live, channel_id)
    first = run(app, channel_id, order_import.pull_orders)
    assert first.created >= 20
    with app.app_context():
        made = count(Order, Order.channel_id == channel_id)
        flagged = db.session.scalars(sa.select(Order).where(Order.channel_id == channel_id,
                                                            Order.needs_attention.isnot(None))).all()
        assert made == first.created and len(flagged) == len(first.flagged) > 0
        assert all(o.needs_attention.startswith("Unknown SKU") and o.lines for o in flagged)
        assert any(ln.variant_id is None for o in flagged for ln in o.lines)
        channel = db.session.get(Channel, channel_id)
        channel.last_order_sync_at = None  # pull the whole window again
        db.session.commit()
    again = run(app, channel_id, order_import.pull_orders)
    assert again.created == 0 and again.updated == made
    with app.app_context():
        assert count(Order, Order.channel_id == channel_id) == made


@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_buyer_cancellation_cancels_and_releases_stock(app, live, platform):
    channel_id = add_channel(app, live, platform)
    connect(app, live, channel_id)
    run(app, channel_id, product_sync.pull_products, platform=platform)
    with app.app_context():
        warehouse = db.session.scalars(sa.select(Warehouse)).one()
        for variant_id in db.session.scalars(sa.select(ProductVariant.id)):
            ledger.record_opening_stock(db.session, variant_id, warehouse.id, 500)
    run(app, channel_id, order_import.pull_orders)
    made = httpx.post(f"{live}/sandbox/{platform}/_control/orders", json={"count": 1}).json()
    external_id = str((made.get("order_sn_list") or made.get("order_ids"))[0])
    run(app, channel_id, order_import.pull_orders)
    with app.app_context():
        order_id = db.session.scalars(sa.select(Order.id).where(Order.external_order_id == external_id)).one()
        orders.confirm_order(db.session, order_id)
        reserved = db.session.scalar(sa.select(sa.func.sum(StockLevel.reserved)))
        held = sum(ln.reserved_quantity for ln in db.session.get(Order, order_id).lines)
        assert held > 0
    key = "order_sn" if platform == "shopee" else "order_id"
    httpx.post(f"{live}/sandbox/{platform}/_control/cancel",
               json={key: external_id, "reason": "Đổi ý", "push": False})
    time.sleep(1.2)  # a sandbox stamps a change in the order's creation second one second later
    result = run(app, channel_id, order_import.pull_orders)
    assert result.cancelled == 1
    with app.app_context():
        db.session.expire_all()
        order = db.session.get(Order, order_id)
        assert order.status == OrderStatus.CANCELLED and order.cancel_reason
        assert all(ln.reserved_quantity == 0 for ln in order.lines)
        # Only its stock came free: orders packed on the marketplace still hold theirs.
        assert db.session.scalar(sa.select(sa.func.sum(StockLevel.reserved))) == reserved - held


def _parsed_orders() -> list:
    """20 parsed marketplace orders, each with a known and an unknown SKU, for the race."""
    from datetime import datetime, timezone
    from app.integrations.marketplaces.common import MarketplaceOrder, MarketplaceOrderLine
    now = datetime.now(timezone.utc)
    return [MarketplaceOrder(
        external_id=f"RACE{n:03d}", raw_status="READY_TO_SHIP", status="new", buyer_name="Lê Thị Mai",
        buyer_phone="0912345678", address="1 Lê Lợi", ward="P. Bến Nghé", district="Quận 1",
        province="TP. Hồ Chí Minh", lines=[MarketplaceOrderLine(sku=SKU, quantity=1, unit_price=149000),
                                          MarketplaceOrderLine(sku="NOPE", quantity=2, unit_price=5000)],
        total=159000, payment_method="cod", created_at=now, updated_at=now) for n in range(20)]


@pytest.mark.postgres
def test_two_concurrent_imports_of_the_same_orders_give_one_order_each(pg_session_factory):
    import threading
    with pg_session_factory() as s:
        warehouse = Warehouse(code="HCM", name="Kho")
        product = Product(name="Áo", sku="AO")
        s.add_all([warehouse, product, ProductVariant(product=product, sku=SKU)])
        channel = Channel(platform=Platform.SHOPEE, name="race shop", shop_id="1", order_warehouse=warehouse)
        s.add(channel)
        s.commit()
        channel_id = channel.id
    results, errors, barrier = [], [], threading.Barrier(4)

    def importer():
        try:
            with pg_session_factory() as s:
                batch = _parsed_orders()
                barrier.wait()
                results.append(order_import.import_orders(s, s.get(Channel, channel_id), batch))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=importer) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors, errors
    assert sum(r.created for r in results) == 20
    assert sum(r.created + r.updated for r in results) == 80
    with pg_session_factory() as s:
        assert s.scalar(sa.select(sa.func.count(Order.id))) == 20
        assert s.scalar(sa.select(sa.func.count(Order.id)).where(Order.needs_attention.isnot(None))) == 20


# --- tokens ----------------------------------------------------------------------------------------

def test_shopee_refresh_rotates_and_persists_both_tokens(app, live):
    channel_id = add_channel(app, live, "shopee")
    connect(app, live, channel_id)
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        old = dict(channel.credentials)
        assert channel_clients.refresh_tokens(db.session, channel, force=True)
        db.session.expire_all()
        channel = db.session.get(Channel, channel_id)
        new = channel.credentials
        assert new["access_token"] != old["access_token"] and new["refresh_token"] != old["refresh_token"]
        # The spent refresh token is refused by Shopee: only the stored pair works from now on.
        from app.integrations.base import AuthError
        with channel_clients.client_for(channel) as client, pytest.raises(AuthError):
            client.refresh_token(old["refresh_token"], shop_id=channel.shop_id)
    # An access token about to expire is refreshed by the job before it works.
    job = expire_access_and_sync(app, live, channel_id, "shopee")
    assert job.status == JobStatus.FINISHED, job.error
    assert any("token refreshed" in m["text"] for m in job.messages)
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        assert channel.credentials["refresh_token"] != new["refresh_token"]
        assert channel.token_expires_at.year > 2000


@pytest.mark.parametrize("platform", ["lazada", "tiktok"])
def test_an_expiring_token_is_refreshed_through_the_channel_before_a_sync(app, live, platform):
    channel_id = add_channel(app, live, platform)
    connect(app, live, channel_id)
    with app.app_context():
        old = dict(db.session.get(Channel, channel_id).credentials)
    job = expire_access_and_sync(app, live, channel_id, platform)
    assert job.status == JobStatus.FINISHED, job.error
    assert any("access token refreshed" in m["text"] for m in job.messages)
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        assert channel.credentials["access_token"] != old["access_token"]
        # Neither rotates its refresh token (Lazada keeps its expiry, TikTok's is the authorization's).
        assert channel.credentials["refresh_token"] == old["refresh_token"]
        assert channel.token_expires_at.year > 2000 and channel.last_order_sync_at is not None


# --- stock out -------------------------------------------------------------------------------------

@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_a_stock_change_reaches_the_marketplace_without_a_click(app, live, platform):
    channel_id = add_channel(app, live, platform)
    connect(app, live, channel_id)
    run(app, channel_id, product_sync.pull_products, platform=platform)
    run(app, channel_id, stock_push.push_stock)
    assert sandbox_stock(live, platform, SKU) == 7
    with app.app_context():
        variant_id = db.session.scalars(sa.select(ProductVariant.id).where(ProductVariant.sku == SKU)).one()
        warehouse_id = db.session.scalars(sa.select(Warehouse.id)).one()
        ledger.record_receipt(db.session, variant_id, warehouse_id, 5)
        ledger.record_receipt(db.session, variant_id, warehouse_id, 3)  # same window: one job
    deadline = time.time() + 20
    while time.time() < deadline and sandbox_stock(live, platform, SKU) != 15:
        time.sleep(0.3)
    assert sandbox_stock(live, platform, SKU) == 15
    with app.app_context():
        jobs = db.session.scalars(sa.select(Job).where(Job.kind == "channels.push_stock_changes")).all()
        assert len(jobs) == 1
        listing = db.session.scalars(sa.select(ChannelListing).where(
            ChannelListing.variant_id == variant_id)).one()
        assert listing.last_pushed_quantity == 15
        # A stock change of a variant no channel lists schedules nothing.
        other = ProductVariant(product=db.session.get(ProductVariant, variant_id).product, sku="NOT-LISTED")
        db.session.add(other)
        db.session.commit()
        ledger.record_receipt(db.session, other.id, warehouse_id, 2)
        assert db.session.scalar(sa.select(sa.func.count(Job.id)).where(
            Job.kind == "channels.push_stock_changes")) == 1


@pytest.mark.redis
def test_stock_out_on_redis_with_a_separate_worker(tmp_path):
    import os
    import subprocess
    import sys
    from tests.conftest import REDIS_URL
    if not REDIS_URL:
        pytest.skip("REDIS_URL is not set (.ci/run sets it)")
    prefix = f"orderhub-test-stock-{os.getpid()}"
    app = make_app(tmp_path, REDIS_URL=REDIS_URL, RQ_QUEUE_PREFIX=prefix, STOCK_PUSH_DEBOUNCE_SECONDS=1)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with serve(app) as base:
        httpx.post(f"{base}/sandbox/lazada/_control/reset", json={"state": True})
        channel_id = add_channel(app, base, "lazada")
        connect(app, base, channel_id)
        run(app, channel_id, product_sync.pull_products, platform="lazada")
        env = dict(os.environ, REDIS_URL=REDIS_URL, RQ_QUEUE_PREFIX=prefix,
                   DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], ORDERHUB_INSTANCE=str(tmp_path),
                   SANDBOX_ENABLED="false", FAB_UPDATE_PERMS="false", DEMO_PASSWORD=DEMO_PASSWORD,
                   CREDENTIALS_KEY=app.config["CREDENTIALS_KEY"])
        worker = subprocess.Popen([sys.executable, "run.py", "worker"], cwd=root, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            with app.app_context():
                variant = db.session.scalars(sa.select(ProductVariant).where(ProductVariant.sku == SKU)).one()
                warehouse = db.session.scalars(sa.select(Warehouse)).one()
                ledger.record_receipt(db.session, variant.id, warehouse.id, 4)
            deadline = time.time() + 60
            while time.time() < deadline and sandbox_stock(base, "lazada", SKU) != 11:
                time.sleep(0.5)
            with app.app_context():
                jobs = [(j.kind, j.status.value, j.error) for j in db.session.scalars(sa.select(Job))]
            assert sandbox_stock(base, "lazada", SKU) == 11, jobs
        finally:
            worker.terminate()
            out, _ = worker.communicate(timeout=20)
            from jobs.queue import runtime
            conn = runtime(app).connection
            for key in conn.scan_iter(f"{prefix}*"):
                conn.delete(key)
            print(out.decode(errors="replace")[-2000:])


# --- webhooks --------------------------------------------------------------------------------------

def test_webhooks_reject_forged_stale_replayed_and_unknown_shops(app, live):
    channel_id = add_channel(app, live, "shopee")
    connect(app, live, channel_id)
    shop_id = shopee_sandbox.DEMO_CREDENTIALS["shop_id"]
    body = {"data": {"ordersn": "X1", "status": "READY_TO_SHIP"}, "shop_id": shop_id, "code": 3,
            "timestamp": int(time.time())}
    assert shopee_push(live, body, key="not-the-partner-key").status_code == 401       # forged
    assert shopee_push(live, {**body, "timestamp": int(time.time()) - 3600}).status_code == 401  # stale
    assert shopee_push(live, {**body, "shop_id": 999}).status_code == 404               # unknown shop
    tampered = httpx.post(f"{live}/webhooks/shopee", content=b'{"shop_id":%d,"code":3}' % shop_id,
                          headers={"Authorization": "0" * 64})
    assert tampered.status_code == 401
    for platform in ("lazada", "tiktok"):
        forged = httpx.post(f"{live}/webhooks/{platform}", content=b'{"shop_id":"1","seller_id":"1"}',
                            headers={"Authorization": "deadbeef"})
        assert forged.status_code == 404  # no such shop of ours
    accepted = shopee_push(live, {**body, "code": 5, "data": {}})  # "Shopee updates": nothing to fetch
    assert accepted.status_code == 200
    replayed = httpx.post(f"{live}/webhooks/shopee", content=accepted.request.content,
                          headers=dict(accepted.request.headers))
    assert replayed.status_code == 401
    with app.app_context():
        events = db.session.scalars(sa.select(WebhookEvent).order_by(WebhookEvent.id)).all()
        assert [e.status for e in events].count(WebhookStatus.REJECTED) == 7
        reasons = " ".join(e.reason or "" for e in events)
        assert "does not match" in reasons and "too old" in reasons and "Replayed" in reasons
        assert "Unknown shop" in reasons
        assert all((e.headers or {}).get("Authorization") in (None, "***") for e in events)
        assert count(IntegrationLog, IntegrationLog.direction == "in") == 8


@pytest.mark.parametrize("platform", list(SANDBOXES))
def test_signed_push_fetches_the_order_and_a_cancellation_releases_stock(app, live, platform):
    channel_id = add_channel(app, live, platform)
    connect(app, live, channel_id)
    made = httpx.post(f"{live}/sandbox/{platform}/_control/orders", json={"count": 1}).json()
    external_id = str((made.get("order_sn_list") or made.get("order_ids"))[0])
    key = "order_sn" if platform == "shopee" else "order_id"
    pushed = httpx.post(f"{live}/sandbox/{platform}/_control/push",
                        json={key: external_id, "url": f"{live}/webhooks/{platform}"}).json()
    assert pushed["status"] == 200 and pushed["body"] == "", pushed  # as the marketplace expects
    with app.app_context():
        event = db.session.scalars(sa.select(WebhookEvent)).one()
        assert event.status == WebhookStatus.ACCEPTED and event.job_id
        job_id = event.job_id
    assert wait_for_job(app, job_id).status == JobStatus.FINISHED
    with app.app_context():
        order = db.session.scalars(sa.select(Order).where(Order.external_order_id == external_id)).one()
        assert db.session.get(WebhookEvent, event.id).status == WebhookStatus.PROCESSED
    cancelled = httpx.post(f"{live}/sandbox/{platform}/_control/cancel",
                           json={key: external_id, "url": f"{live}/webhooks/{platform}"}).json()
    assert cancelled["push"]["status"] == 200, cancelled
    with app.app_context():
        job_id = db.session.scalars(sa.select(WebhookEvent.job_id).order_by(WebhookEvent.id.desc())).first()
    assert wait_for_job(app, job_id).status == JobStatus.FINISHED
    with app.app_context():
        assert db.session.get(Order, order.id).status == OrderStatus.CANCELLED


# --- API, buttons, secrets -------------------------------------------------------------------------

def test_sync_api_buttons_and_no_secret_anywhere(app, live):
    channel_id = add_channel(app, live, "tiktok")
    client = app.test_client()
    headers = api_token(client, "supervisor")
    refused = client.post(f"/api/v1/channel/{channel_id}/sync", json={"scope": "orders"}, headers=headers)
    assert refused.status_code == 409 and "Connect" in refused.json["message"]
    connect(app, live, channel_id)
    bad = client.post(f"/api/v1/channel/{channel_id}/sync", json={"scope": "everything"}, headers=headers)
    assert bad.status_code == 422 and "scope" in bad.json["message"]
    clerk = api_token(client, "clerk")
    assert client.post(f"/api/v1/channel/{channel_id}/sync", json={"scope": "orders"},
                       headers=clerk).status_code == 403
    for scope in ("products", "orders", "stock"):
        answer = client.post(f"/api/v1/channel/{channel_id}/sync", json={"scope": scope}, headers=headers)
        assert answer.status_code == 202, answer.json
        job = wait_for_job(app, answer.json["job_id"], timeout=60)
        assert job.status == JobStatus.FINISHED, job.error
        assert job.channel_id == channel_id and job.messages
    page = app.test_client()
    login(page, "supervisor")
    clicked = page.post(f"/channelview/action/pull_orders/{channel_id}")
    assert clicked.status_code == 302
    with app.app_context():
        wait_for_job(app, db.session.scalar(sa.select(sa.func.max(Job.id))))
    shown = page.get(f"/channelview/show/{channel_id}")
    assert shown.status_code == 200 and "Pull orders from tiktok shop" in shown.text
    clerk_page = app.test_client()
    login(clerk_page, "clerk")
    with app.app_context():
        before = count(Job)
    clerk_page.post(f"/channelview/action/push_stock/{channel_id}")
    with app.app_context():
        assert count(Job) == before
    shown = client.get(f"/api/v1/channel/{channel_id}", headers=headers)
    assert shown.status_code == 200 and "credentials" not in shown.json["result"]
    with app.app_context():
        creds = db.session.get(Channel, channel_id).credentials
        secrets = [creds["app_secret"], creds["access_token"], creds["refresh_token"]]
        logged = db.session.execute(sa.select(IntegrationLog.endpoint, IntegrationLog.request_body,
                                              IntegrationLog.response_body)).all()
        assert len(logged) > 10
        text = json.dumps([list(row) for row in logged], ensure_ascii=False)
        for secret in secrets:
            assert secret not in text
        assert f"\"{creds['app_secret']}\"" not in shown.text


def test_demo_channels_connect_sync_and_a_second_run_changes_nothing(app, live):
    from app.demo import load_demo
    with app.app_context():
        loaded = load_demo(app, password=DEMO_PASSWORD)
        shops = loaded["channels"]
        assert all(shops[p]["connected"] and shops[p]["orders"] for p in SANDBOXES), shops
        assert shops["seconds"] < 20
        counts = (count(Order), count(ChannelListing), count(ProductVariant), count(IntegrationLog))
        from app import demo_channels
        again = demo_channels.load(app)
        assert all(again[p] == "already connected and synced" for p in SANDBOXES)
        assert (count(Order), count(ChannelListing), count(ProductVariant), count(IntegrationLog)) == counts
        marketplace = db.session.scalars(sa.select(Channel).where(
            Channel.platform.in_([Platform.SHOPEE, Platform.LAZADA, Platform.TIKTOK]))).all()
        assert len(marketplace) == 3 and all(c.connected and c.last_stock_push_at for c in marketplace)
