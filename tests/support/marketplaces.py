"""Shared by the marketplace tests: an app per backend serving its own Shopee, Lazada and TikTok
Shop sandboxes on loopback, channels on them, the seller's consent over real HTTP, and small
look-ups (a job's end, a sandbox's stock). A test module imports the fixtures it uses."""
from __future__ import annotations

import time

import httpx
import pytest
import sqlalchemy as sa

from app.demo_channels import _authorize
from app.extensions import db
from app.models import Channel, Job, JobStatus, Platform, Product, ProductVariant, Warehouse
from app.sandbox import lazada as lazada_sandbox
from app.sandbox import shopee as shopee_sandbox
from app.sandbox import tiktok as tiktok_sandbox
from app.sandbox.catalogue import CATALOGUE
from app.services import channel_clients, ledger
from app.services.channel_connect import authorization_link, complete_connection, new_state
from app.services.integration_log import recorder
from tests.conftest import BACKENDS, PG_URL, make_app, normalize_pg_url, truncate_all
from tests.support.live_server import serve

SANDBOXES = {"shopee": (shopee_sandbox.DEMO_CREDENTIALS, ("partner_id", "partner_key")),
             "lazada": (lazada_sandbox.DEMO_CREDENTIALS, ("app_key", "app_secret")),
             "tiktok": (tiktok_sandbox.DEMO_CREDENTIALS, ("app_key", "app_secret"))}
CATEGORY = {"shopee": "100017", "lazada": "10000", "tiktok": "600001"}  # a leaf on each sandbox
SKU = CATALOGUE[0][0]  # AO-THUN-TRANG-S: on every sandbox whatever the seed


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, tmp_path_factory):
    """One app per backend for the module (building one takes seconds); every test starts from
    empty tables (users and roles kept), reset sandboxes and an empty queue."""
    overrides = {"STOCK_PUSH_DEBOUNCE_SECONDS": 1}
    if request.param == "postgresql":
        truncate_all(request.getfixturevalue("pg_engine"))
        overrides["SQLALCHEMY_DATABASE_URI"] = normalize_pg_url(PG_URL)
    application = make_app(tmp_path_factory.mktemp("channels"), **overrides)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(app):
    with serve(app) as base:
        yield base


@pytest.fixture
def live(app, live_server):
    from app.models.base import Model
    from jobs.queue import runtime
    runtime(app).connection.flushall()
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(Model.metadata.sorted_tables) if not t.name.startswith("ab_")]
        if db.engine.dialect.name == "postgresql":  # TRUNCATE passes the append-only triggers
            truncate_all(db.engine, tables)
        else:
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP TRIGGER IF EXISTS stock_move_no_delete"))
                for table in tables:
                    conn.execute(table.delete())
        from app.db_rules import install_database_rules
        install_database_rules(db.engine)
    for platform in SANDBOXES:
        httpx.post(f"{live_server}/sandbox/{platform}/_control/reset", json={"state": True})
    yield live_server


def add_channel(app, base, platform, stock: dict[str, int] | None = None) -> int:
    """A channel on the live sandbox, a warehouse, and our variant ``SKU`` with opening stock."""
    creds, keys = SANDBOXES[platform]
    with app.app_context():
        s = db.session
        warehouse = s.scalars(sa.select(Warehouse)).first()
        if warehouse is None:
            warehouse = Warehouse(code="HCM", name="Kho HCM")
            product = Product(name="Áo thun cotton trắng", sku="AO-THUN-TRANG", selling_price=149000)
            s.add_all([warehouse, product])
            for sku in (stock or {SKU: 7}):
                s.add(ProductVariant(product=product, sku=sku, value_1=sku.rsplit("-", 1)[-1]))
            s.commit()
            for sku, qty in (stock or {SKU: 7}).items():
                variant = s.scalars(sa.select(ProductVariant).where(ProductVariant.sku == sku)).one()
                ledger.record_opening_stock(s, variant.id, warehouse.id, qty)
        channel = Channel(platform=Platform(platform), name=f"{platform} shop",
                          base_url=f"{base}/sandbox/{platform}", order_warehouse=warehouse,
                          credentials={k: creds[k] for k in keys})
        channel.fulfilling_warehouses = [warehouse]
        s.add(channel)
        s.commit()
        return channel.id


def connect(app, base, channel_id) -> dict:
    """The seller's consent over real HTTP, then the code → token exchange; returns what the
    marketplace sent back to the callback (its single-use code among it)."""
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        link = authorization_link(channel, f"{base}/channels/callback", new_state(channel))
        with httpx.Client(timeout=10) as browser:
            answer = _authorize(browser, link)
        complete_connection(db.session, channel, answer["code"], shop_id=answer.get("shop_id"),
                            on_exchange=recorder(db.session, channel_id=channel.id))
        return answer


def run(app, channel_id, fn, **kwargs):
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        log = recorder(db.session, channel_id=channel_id)
        with channel_clients.client_for(channel, on_exchange=log) as client:
            return fn(db.session, channel, client, **kwargs)


def wait_for_job(app, job_id, timeout=30) -> Job:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with app.app_context():
            db.session.expire_all()
            job = db.session.get(Job, job_id)
            if job.status in (JobStatus.FINISHED, JobStatus.FAILED):
                return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


def sandbox_stock(base, platform, sku) -> int:
    answer = httpx.get(f"{base}/sandbox/{platform}/_control/stock", params={"sku": sku})
    return answer.json()["stock"][sku]


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))




def photo(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real 2×2 PNG, as a product photo the marketplaces accept."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(colour) * 2
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * 2)) + chunk(b"IEND", b""))


def expire_access_and_sync(app, base, channel_id, platform, scope="orders") -> Job:
    """The marketplace lets the access token lapse and our record says it is about to: the next
    sync (a job, as a button starts it) must refresh it first. Returns the finished job."""
    from app.services.channel_sync import start_sync
    from jobs.queue import enqueue_after_commit
    with app.app_context():
        channel = db.session.get(Channel, channel_id)
        httpx.post(f"{base}/sandbox/{platform}/_control/tokens", json={"expire": "access"})
        channel.token_expires_at = channel.token_expires_at.replace(year=2000)
        db.session.commit()
        job = start_sync(db.session, channel, scope, enqueue=enqueue_after_commit)
        db.session.commit()
        job_id = job.id
    return wait_for_job(app, job_id)


def shopee_push(base, body: dict, key=None) -> httpx.Response:
    """A push to our Shopee webhook, signed as Shopee signs it (the sandbox's key unless given)."""
    import hashlib
    import hmac
    import json
    raw = json.dumps(body, separators=(",", ":")).encode()
    url = f"{base}/webhooks/shopee"
    key = key or shopee_sandbox.DEMO_CREDENTIALS["partner_key"]
    sign = hmac.new(key.encode(), url.encode() + b"|" + raw, hashlib.sha256).hexdigest()
    return httpx.post(url, content=raw, headers={"Authorization": sign,
                                                 "Content-Type": "application/json"})
