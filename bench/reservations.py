"""How fast can 16 clerks/imports confirm orders on a few hot SKUs, compared with the floor?

Run: DATABASE_URL=postgresql://… .venv/bin/python bench/reservations.py [--threads 16] [--orders 2400]

Both workloads run in the same process, on the same database, with the same concurrency:
  1. confirmations: 16 threads call ``orders.confirm_order`` on pre-created orders whose lines hit
     3 hot SKUs (each confirm: lock the order, one conditional UPDATE per line, order/lines/audit
     rows, commit); one more SKU is scarce, so about a tenth of the orders end short or partly
     reserved, as on a real sale day;
  2. floor: 16 threads run the bare conditional reservation UPDATE on the same hot rows, one per
     transaction, through SQLAlchemy Core on a plain connection (no ORM Session, no unit of work:
     the cheapest way this stack can send that statement).
It prints both rates and their ratio (target ≥ 0.25). Everything lives in a scratch schema
(``bench_reservations``) that is dropped at the end, so the database is left as it was.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from app.security import crypto  # noqa: E402

crypto.set_key(os.environ.get("CREDENTIALS_KEY") or "x2yqv6ZSc0JUBt3ba3AKs3uTQ0OaZVYG0TAvMnXSwm0=")

import app.models  # noqa: E402,F401
from app.services.session_rules import session_factory  # noqa: E402
from app.db_rules import install_database_rules  # noqa: E402
from app.models import Order, OrderLine, Product, ProductVariant, StockLevel, Warehouse  # noqa: E402
from app.models.base import Model  # noqa: E402
from app.services import ledger, orders  # noqa: E402

SCHEMA = "bench_reservations"


def engine_for(url: str, pool: int):
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = sa.create_engine(url, pool_size=pool, max_overflow=4)

    @sa.event.listens_for(engine, "connect")
    def _scratch_schema(dbapi_conn, _):
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET search_path TO {SCHEMA}")
    return engine


def prepare(engine, n_orders: int, hot: int):
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    Model.metadata.create_all(engine)
    install_database_rules(engine)
    factory = session_factory(bind=engine, expire_on_commit=False)
    rng = random.Random(7)
    with factory() as session:
        wh = Warehouse(code="HN", name="Kho Hà Nội")
        variants = [ProductVariant(product=Product(name=f"Hot {i}", sku=f"HOT{i}"),
                                   sku=f"HOT{i}-M") for i in range(hot)]
        scarce = ProductVariant(product=Product(name="Scarce", sku="SCARCE"), sku="SCARCE-M")
        session.add_all([wh, *variants, scarce])
        session.commit()
        for v in variants:
            ledger.record_opening_stock(session, v.id, wh.id, 10 * n_orders)
        # Enough for about half the orders that want it: the rest are confirmed short/partial.
        ledger.record_opening_stock(session, scarce.id, wh.id, n_orders // 10)
        ids = []
        for _ in range(n_orders):
            picked = rng.sample(variants, rng.choice([1, 2]))
            if rng.random() < 0.1:
                picked = picked[:1] + [scarce]
            session.add(Order(buyer_name="Khách", warehouse_id=wh.id, lines=[
                OrderLine(variant_id=v.id, sku=v.sku, name=v.sku, quantity=rng.randint(1, 3),
                          unit_price=100000) for v in picked]))
        session.flush()
        ids = list(session.scalars(sa.select(Order.id).order_by(Order.id)))
        session.commit()
        level_ids = list(session.scalars(sa.select(StockLevel.id)
                                         .where(StockLevel.variant_id != scarce.id)))
    return factory, ids, level_ids


def run_threads(threads: int, work) -> float:
    barrier = threading.Barrier(threads + 1)
    workers = [threading.Thread(target=work, args=(i, barrier)) for i in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    start = time.perf_counter()
    for w in workers:
        w.join()
    return time.perf_counter() - start


def bench_confirmations(factory, ids, threads: int) -> tuple[float, int]:
    queues = [ids[i::threads] for i in range(threads)]
    short = [0] * threads

    def work(i, barrier):
        with factory() as session:
            barrier.wait()
            for order_id in queues[i]:
                results = orders.confirm_order(session, order_id)
                short[i] += any(r.short_by for r in results)

    elapsed = run_threads(threads, work)
    return len(ids) / elapsed, sum(short)


def bench_plain_updates(engine, level_ids, threads: int, per_thread: int) -> float:
    """The floor: one conditional UPDATE and a COMMIT per transaction, on a Core connection."""
    table = StockLevel.__table__
    stmt = (sa.update(table).where(table.c.id == sa.bindparam("lid"),
                                   table.c.on_hand - table.c.reserved >= 1)
            .values(reserved=table.c.reserved + 1))

    def work(i, barrier):
        rng = random.Random(i)
        with engine.connect() as conn:
            barrier.wait()
            for _ in range(per_thread):
                assert conn.execute(stmt, {"lid": rng.choice(level_ids)}).rowcount == 1
                conn.commit()

    elapsed = run_threads(threads, work)
    return threads * per_thread / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--orders", type=int, default=2400)
    parser.add_argument("--hot", type=int, default=3, help="number of hot SKUs")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if "postgres" not in url:
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the bench measures row contention).")
    engine = engine_for(url, args.threads + 2)
    try:
        factory, ids, level_ids = prepare(engine, args.orders, args.hot)
        confirms, short = bench_confirmations(factory, ids, args.threads)
        with factory() as session:
            from app.services.stock_verify import verify_stock
            assert verify_stock(session) == [], "stock drifted during the bench"
        updates = bench_plain_updates(engine, level_ids, args.threads,
                                      max(200, args.orders // args.threads * 2))
        ratio = confirms / updates
        print(f"threads={args.threads} hot SKUs={args.hot} orders={len(ids)} "
              f"(confirmed short or partly reserved: {short})")
        print(f"order confirmations      : {confirms:8.0f} /s")
        print(f"plain conditional UPDATEs: {updates:8.0f} /s")
        print(f"ratio                    : {ratio:8.2f}  (target >= 0.25) "
              f"{'OK' if ratio >= 0.25 else 'BELOW TARGET'}")
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        engine.dispose()


if __name__ == "__main__":
    main()
