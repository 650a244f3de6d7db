"""How fast do parsed marketplace orders become OrderHub orders, compared with the floor?

Run: [DATABASE_URL=postgresql://…] .venv/bin/python bench/import_orders.py [--orders 10000] [--batch 100]

Both workloads run in the same process, on the same database, on the same rows:
  1. import: ``order_import.import_orders`` — the service the pull jobs and webhooks use — on
     batches of parsed orders (3 lines each, as a marketplace page hands them over): existing-order,
     SKU and buyer look-ups, customers, numbers, totals, the audit trail, one commit per batch;
  2. floor: a raw SQLAlchemy Core bulk insert of the same order and line rows (totals precomputed),
     one transaction per batch.
It prints rows (orders + lines) per second for both and their ratio against the target (≥ 0.3).
On PostgreSQL everything lives in a scratch schema of its own (``bench_import_orders_<pid>_<time>``,
so two runs on one database never meet) dropped at the end; without DATABASE_URL it runs on a
temporary SQLite file.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from app.security import crypto  # noqa: E402

crypto.set_key(os.environ.get("CREDENTIALS_KEY") or "x2yqv6ZSc0JUBt3ba3AKs3uTQ0OaZVYG0TAvMnXSwm0=")

import app.models  # noqa: E402,F401
from app.services.session_rules import session_factory  # noqa: E402
from app.db_rules import install_database_rules  # noqa: E402
from app.integrations.marketplaces.common import MarketplaceOrder, MarketplaceOrderLine  # noqa: E402
from app.models import Channel, Order, OrderLine, Platform, Product, ProductVariant, Warehouse  # noqa: E402
from app.models.base import Model, utcnow  # noqa: E402
from app.services.order_import import import_orders  # noqa: E402

SCHEMA = f"bench_import_orders_{os.getpid()}_{int(time.time())}"
TARGET = 0.3


def engine_for(url: str | None):
    if not url:
        path = Path(tempfile.mkdtemp()) / "bench.db"
        engine = sa.create_engine(f"sqlite:///{path}")

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _):
            dbapi_conn.execute("PRAGMA foreign_keys=ON")
            dbapi_conn.execute("PRAGMA journal_mode=WAL")
        return engine
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = sa.create_engine(url)

    @sa.event.listens_for(engine, "connect")
    def _scratch_schema(dbapi_conn, _):
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET search_path TO {SCHEMA}")
    return engine


def prepare(engine, skus: int = 300):
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    Model.metadata.create_all(engine)
    install_database_rules(engine)
    factory = session_factory(bind=engine, expire_on_commit=False)
    with factory() as session:
        wh = Warehouse(code="HCM", name="Kho HCM")
        variants = [ProductVariant(product=Product(name=f"Sản phẩm {i}", sku=f"SP{i:04d}",
                                                   selling_price=99000), sku=f"SP{i:04d}-M")
                    for i in range(skus)]
        channels = [Channel(platform=Platform.SHOPEE, name=name, shop_id=name, order_warehouse=wh)
                    for name in ("import", "floor")]
        session.add_all([wh, *variants, *channels])
        session.commit()
        return factory, channels[0].id, channels[1].id, wh.id, {v.sku: v for v in variants}


def parsed_orders(n: int, skus: list[str]) -> list[MarketplaceOrder]:
    rng = random.Random(11)
    now = dt.datetime.now(dt.timezone.utc)
    phones = [f"09{rng.randint(10_000_000, 99_999_999)}" for _ in range(max(n // 5, 1))]
    out = []
    for i in range(n):
        lines = [MarketplaceOrderLine(sku=sku, quantity=rng.randint(1, 3), unit_price=99000,
                                      name=f"Sản phẩm {sku}") for sku in rng.sample(skus, 3)]
        out.append(MarketplaceOrder(
            external_id=f"2611{i:08d}", raw_status="READY_TO_SHIP", status="new",
            buyer_name="Nguyễn Văn An", buyer_phone=rng.choice(phones), address="12 Lê Lợi",
            ward="Phường Bến Nghé", district="Quận 1", province="TP. Hồ Chí Minh", lines=lines,
            total=sum(ln.unit_price * ln.quantity for ln in lines) + 22000, payment_method="cod",
            created_at=now, updated_at=now, shipping_fee=22000))
    return out


def run_import(factory, channel_id, orders, batch):
    started = time.perf_counter()
    with factory() as session:
        channel = session.get(Channel, channel_id)
        for start in range(0, len(orders), batch):
            import_orders(session, channel, orders[start:start + batch])
    return time.perf_counter() - started


def run_floor(engine, channel_id, warehouse_id, variants, orders, batch):
    order_t, line_t = Order.__table__, OrderLine.__table__
    started = time.perf_counter()
    number = 0
    for start in range(0, len(orders), batch):
        chunk = orders[start:start + batch]
        now = utcnow()
        rows = []
        for o in chunk:
            number += 1
            subtotal = sum(ln.unit_price * ln.quantity for ln in o.lines)
            rows.append({"number": f"FL-{number:06d}", "channel_id": channel_id,
                         "external_order_id": o.external_id, "marketplace_status": o.raw_status,
                         "buyer_name": o.buyer_name, "buyer_phone": o.buyer_phone,
                         "ship_street": o.address, "ship_ward": o.ward, "ship_district": o.district,
                         "ship_province": o.province, "warehouse_id": warehouse_id, "status": "new",
                         "payment_method": "cod", "payment_status": "unpaid",
                         "invoice_requested": False, "subtotal": subtotal, "discount_total": 0,
                         "shipping_fee": o.shipping_fee, "vat_total": subtotal // 10,
                         "total": subtotal + subtotal // 10 + o.shipping_fee, "paid_amount": 0,
                         "refunded_amount": 0, "placed_at": now, "created_at": now,
                         "updated_at": now, "version": 1})
        with engine.begin() as conn:
            ids = conn.execute(order_t.insert().returning(order_t.c.id, sort_by_parameter_order=True),
                               rows).scalars().all()
            conn.execute(line_t.insert(), [
                {"order_id": oid, "variant_id": variants[ln.sku].id, "sku": ln.sku, "name": ln.name,
                 "quantity": ln.quantity, "unit_price": Decimal(ln.unit_price), "discount": 0,
                 "vat_rate": "10", "line_total": Decimal(ln.unit_price * ln.quantity),
                 "reserved_quantity": 0, "shipped_quantity": 0, "returned_quantity": 0,
                 "created_at": now, "updated_at": now}
                for oid, o in zip(ids, chunk) for ln in o.lines])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    engine = engine_for(os.environ.get("DATABASE_URL"))
    try:
        factory, import_channel, floor_channel, warehouse_id, variants = prepare(engine)
        orders = parsed_orders(args.orders, sorted(variants))
        floor_orders = parsed_orders(args.orders, sorted(variants))
        rows = args.orders * 4  # an order and its 3 lines
        imported = run_import(factory, import_channel, orders, args.batch)
        floor = run_floor(engine, floor_channel, warehouse_id, variants, floor_orders, args.batch)
        with factory() as session:
            made = session.scalar(sa.select(sa.func.count(Order.id)).where(Order.channel_id == import_channel))
            assert made == args.orders, made
            again = import_orders(session, session.get(Channel, import_channel), orders[:args.batch])
            assert again.created == 0 and again.updated == args.batch  # idempotent
        ratio = floor / imported  # (import rows/s) / (floor rows/s)
        print(f"backend            {engine.dialect.name} (schema {SCHEMA})" if engine.dialect.name
              == "postgresql" else f"backend            {engine.dialect.name}")
        print(f"workload           {args.orders} parsed marketplace orders × 3 lines = {rows} rows, "
              f"batches of {args.batch}")
        print(f"import             {rows / imported:10.0f} rows/s  ({imported:6.2f} s)  "
              "order_import.import_orders")
        print(f"floor              {rows / floor:10.0f} rows/s  ({floor:6.2f} s)  Core bulk insert")
        print(f"ratio import/floor {ratio:10.3f}        target ≥ {TARGET}: "
              f"{'met' if ratio >= TARGET else 'NOT met'}")
    finally:
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        engine.dispose()


if __name__ == "__main__":
    main()
