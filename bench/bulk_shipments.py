"""Bulk "create shipment" over 1,000 packed orders with 2 workers, against the GHN sandbox; and 500
labels rendered into one PDF.

Run: [DATABASE_URL=postgresql://…] [REDIS_URL=redis://…/N] .venv/bin/python bench/bulk_shipments.py
     [--orders 1000] [--workers 2] [--labels 500]

1. The GHN sandbox is served on a loopback port from this process (no callbacks).
2. Direct: the same N create calls made with one GHNClient, one after the other → T_direct; then
   the same calls shared among W forked client processes calling at once, with no OrderHub work
   at all: how close to T_direct ÷ W this machine and the sandbox can come (printed as a ratio).
3. Bulk: the sandbox is emptied, the bulk action starts its jobs (100 orders each) and W workers run
   them — real ``rq`` worker processes (``python run.py worker``) when REDIS_URL is set, else W
   embedded in-process workers on FakeRedis — until every order is shipped → T_bulk.
   Printed: T_bulk ÷ (T_direct ÷ W)   (target ≤ 1.5), and how busy the machine's CPUs were
   meanwhile, with the share of this process (the sandbox serving the carrier calls).
4. Labels: the first 500 booked shipments rendered into one PDF with the pick list (target ≤ 30 s).

Scratch data: with DATABASE_URL, a database ``<name>_bench_ship`` on the same server, dropped at the
end; else a SQLite file in a temporary folder. Nothing else is touched.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402


def scratch_database() -> tuple[str, callable]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        folder = tempfile.mkdtemp(prefix="bench-ship-")
        return f"sqlite:///{folder}/bench.db", lambda: None
    base, _, name = url.rpartition("/")
    scratch = f"{name or 'postgres'}_bench_ship"
    admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{scratch}"')

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.dispose()
    return f"{base}/{scratch}", drop


def seed(app, n: int, sandbox: str) -> list[int]:
    from app.extensions import db
    from app.models import (Customer, Order, OrderLine, Product, ProductVariant, Warehouse)
    from app.services import ledger, orders
    from app.demo_shipping import _sender
    from app.models import ProviderAccount, ProviderKind
    from app.sandbox import ghn as ghn_sandbox
    s = db.session
    wh = Warehouse(code="HCM", name="Kho Hồ Chí Minh")
    product = Product(name="Áo thun cotton", sku="AO", selling_price=150000)
    variants = [ProductVariant(product=product, sku=f"AO-{c}", value_1=c, weight_g=250,
                               length_cm=30, width_cm=20, height_cm=3) for c in ("M", "L", "XL")]
    s.add_all([wh, product, *variants])
    s.add(ProviderAccount(kind=ProviderKind.CARRIER, provider="ghn", name="GHN bench",
                          base_url=f"{sandbox}/sandbox/ghn",
                          credentials=dict(ghn_sandbox.DEMO_CREDENTIALS),
                          settings={"sender": _sender("ghn")}))
    s.commit()
    for v in variants:
        ledger.record_opening_stock(s, v.id, wh.id, 3 * n)
    customer = Customer(name="Nguyễn Thị Hoa", phone="0912345678")
    ward = ghn_sandbox.areas.ward_by_gso(26740)  # Phường Sài Gòn, Hồ Chí Minh
    codes = {"ghn": {"province_id": ward["province_id"], "district_id": ward["district_id"],
                     "ward_code": ward["id"]}}
    ids = []
    for i in range(n):
        o = Order(buyer_name="Nguyễn Thị Hoa", buyer_phone="0912345678", customer=customer,
                  warehouse=wh, ship_street=f"{i + 1} Lý Tự Trọng", ship_ward="Phường Sài Gòn",
                  ship_province="Thành phố Hồ Chí Minh", ship_province_code=79,
                  ship_ward_code=26740, area_codes=codes, shipping_fee=20000)
        for v in variants[: 1 + i % 3]:
            o.lines.append(OrderLine(variant=v, sku=v.sku, name="Áo thun cotton", quantity=1 + i % 2,
                                     unit_price=150000, vat_rate="10"))
        s.add(o)
        s.flush()
        ids.append(o.id)
        if i % 100 == 99:
            s.commit()
    s.commit()
    for oid in ids:
        orders.confirm_order(s, oid)
        orders.pack_order(s, oid)
    return ids


def direct_calls(app, ids: list[int], with_label: bool = True, processes: int = 1) -> float:
    """The same carrier calls the job makes (create, then the label: print token and page),
    straight from one client, one after the other: the floor. With ``processes`` > 1 the calls
    are shared among that many forked client processes calling at once (what the carrier side
    of this machine can serve in parallel, with no OrderHub work at all)."""
    from app.extensions import db
    from app.models import Order, Shipment, ShipmentStatus
    from app.services import shipments
    from app.services.carrier_clients import account_for, client_for
    from sqlalchemy.orm import selectinload
    s = db.session
    account = account_for(s, "ghn")
    form = None
    requests = []
    for order in s.scalars(sa.select(Order).where(Order.id.in_(ids))
                           .options(selectinload(Order.lines))):
        form = form or shipments.default_form(s, order, "ghn")
        fake = Shipment(carrier="ghn", service="economy", client_reference=f"D-{uuid.uuid4().hex[:12]}",
                        cod_amount=shipments.cod_for(order, "seller"), fee_payer="seller",
                        required_note="allow_view", status=ShipmentStatus.DRAFT,
                        **shipments.parcel_of(order))
        from app.models import Carrier, FeePayer, ShippingService
        fake.carrier, fake.service, fake.fee_payer = Carrier.GHN, ShippingService.ECONOMY, FeePayer.SELLER
        requests.append(shipments.build_request(fake, order, account))
        s.expunge(fake) if fake in s else None
    clients = [client_for(account) for _ in range(processes)]  # no connection opened yet
    s.rollback()

    def call(client, part) -> None:
        with client:
            for request in part:
                created = client.create_shipment(request)
                if with_label:
                    client.label([created.tracking_number])

    if processes == 1:
        started = time.perf_counter()
        call(clients[0], requests)
        return time.perf_counter() - started
    started = time.perf_counter()
    children = []
    for n in range(processes):
        pid = os.fork()
        if pid == 0:  # the child only calls the sandbox (served by the parent) and leaves
            code = 0
            try:
                call(clients[n], requests[n::processes])
            except BaseException as exc:
                print(f"client process {n}: {exc!r}", file=sys.stderr)
                code = 1
            os._exit(code)
        children.append(pid)
    for pid in children:
        if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) != 0:
            raise SystemExit("a client process failed: the parallel floor is not measured")
    return time.perf_counter() - started


def cpu_busy() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine so far (Linux /proc/stat), else None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    hz = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields) - idle) / hz, sum(fields) / hz


def own_workers(rt) -> list:
    """The workers listening on this run's queues (its own prefix), not others on the same Redis."""
    from rq import Worker
    ours = set(rt.queue_names.values())
    return [w for w in Worker.all(connection=rt.connection) if ours & set(w.queue_names())]


def run_bulk(app, ids: list[int], workers: int, env: dict) -> tuple[float, str]:
    from app.extensions import db
    from app.models import Job, JobStatus
    from jobs.queue import enqueue_after_commit, runtime
    from jobs.shipping import start_shipment_jobs
    rt = runtime(app)
    procs = []
    if rt.embedded:
        from jobs.worker import EmbeddedWorker
        for _ in range(workers):
            w = EmbeddedWorker(list(rt.queues.values()), connection=rt.connection)
            threading.Thread(target=w.work_forever, daemon=True).start()
        mode = f"{workers} embedded in-process workers (no REDIS_URL: FakeRedis, one process)"
    else:
        log = open(Path(tempfile.gettempdir()) / "bench-ship-workers.log", "w")
        for _ in range(workers):
            procs.append(subprocess.Popen([sys.executable, "run.py", "worker"], cwd=ROOT, env=env,
                                          stdout=log, stderr=log))
        deadline = time.time() + 60
        while len(own_workers(rt)) < workers and time.time() < deadline:
            time.sleep(0.2)
        if len(own_workers(rt)) < workers:
            raise SystemExit(f"only {len(own_workers(rt))} of {workers} workers started")
        time.sleep(1.0)
        mode = f"{workers} real `rq` worker processes on REDIS_URL (python run.py worker)"
    try:
        with app.app_context():
            started, machine, own = time.perf_counter(), cpu_busy(), time.process_time()
            jobs = start_shipment_jobs(db.session, ids, enqueue=enqueue_after_commit)
            db.session.commit()
            job_ids = [j.id for j in jobs]
            while True:
                db.session.expire_all()
                states = db.session.scalars(sa.select(Job.status).where(Job.id.in_(job_ids))).all()
                if all(st in (JobStatus.FINISHED, JobStatus.FAILED) for st in states):
                    break
                time.sleep(0.05)
            wall = time.perf_counter() - started
            own = time.process_time() - own
            if machine is not None:
                after = cpu_busy()
                busy, total = after[0] - machine[0], after[1] - machine[1]
                mode += (f"; the machine's {os.cpu_count()} CPUs {100 * busy / total:.0f}% busy "
                         f"({busy:.1f} CPU-s), of which this process (the carrier sandbox) "
                         f"{own:.1f} CPU-s")
            failed = db.session.scalars(sa.select(Job.error).where(
                Job.id.in_(job_ids), Job.status == JobStatus.FAILED)).all()
            if failed:
                print("failed jobs:", failed[:3], "(worker log:",
                      Path(tempfile.gettempdir()) / "bench-ship-workers.log", ")")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=10)
    return wall, mode


def main() -> None:
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--labels", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="profile one job in-process")
    args = parser.parse_args()

    db_url, drop = scratch_database()
    prefix = f"bench-ship-{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "DATABASE_URL": db_url, "RQ_QUEUE_PREFIX": prefix,
           "SCHEDULER_ENABLED": "0", "SANDBOX_ENABLED": "0", "FAB_UPDATE_PERMS": "0"}
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "RQ_QUEUE_PREFIX", "FAB_UPDATE_PERMS")})
    from flask import Flask
    from app import create_app
    from app.sandbox import ghn as ghn_sandbox
    from tests.support.live_server import serve

    sandbox_app = Flask("ghn-sandbox")
    sandbox_app.register_blueprint(ghn_sandbox.create_blueprint())
    app = create_app(SCHEDULER_ENABLED=False, SANDBOX_ENABLED=False, EMBEDDED_WORKER=False,
                     SQLALCHEMY_DATABASE_URI=create_url(db_url), RQ_QUEUE_PREFIX=prefix)
    try:
        with serve(sandbox_app) as sandbox, app.app_context():
            from app.db_rules import install_database_rules
            from app.extensions import db
            db.create_all()
            install_database_rules(db.engine)
            t = time.perf_counter()
            ids = seed(app, args.orders, sandbox)
            print(f"seeded {len(ids)} packed orders in {time.perf_counter() - t:.1f} s "
                  f"({'PostgreSQL' if db_url.startswith('postgres') else 'SQLite'})")
            direct_create = direct_calls(app, ids, with_label=False)
            httpx.post(f"{sandbox}/sandbox/ghn/_control/reset", json={"state": True})
            direct = direct_calls(app, ids)
            httpx.post(f"{sandbox}/sandbox/ghn/_control/reset", json={"state": True})
            print(f"direct: {len(ids)} GHN creates, one client: {direct_create:.2f} s; "
                  f"creates + labels (what the job calls): {direct:.2f} s "
                  f"({1000 * direct / len(ids):.1f} ms per order)")
            if hasattr(os, "fork") and args.workers > 1:
                parallel = direct_calls(app, ids, processes=args.workers)
                httpx.post(f"{sandbox}/sandbox/ghn/_control/reset", json={"state": True})
                print(f"direct from {args.workers} client processes at once: {parallel:.2f} s, "
                      f"i.e. {parallel / (direct / args.workers):.2f} × (direct ÷ {args.workers}) "
                      "with no OrderHub work: the best this machine and sandbox allow")
            if args.profile:
                profile_one(app, ids)
                return
            wall, mode = run_bulk(app, ids, args.workers, env)
            from app.extensions import db
            from app.models import Order, OrderStatus, Shipment
            from app.cli_stock import verify_stock
            db.session.expire_all()
            shipped = db.session.scalar(sa.select(sa.func.count(Order.id))
                                        .where(Order.status == OrderStatus.SHIPPED))
            carrier_orders = len(httpx.get(f"{sandbox}/sandbox/ghn/_control/shipments").json())
            print(f"bulk: {mode}: {wall:.2f} s; {shipped} orders shipped, {carrier_orders} carrier "
                  f"orders; stock verify: {'clean' if not verify_stock(db.session) else 'DIFFERENT'}")
            ratio = wall / (direct / args.workers)
            print(f"ratio bulk ÷ (direct ÷ {args.workers}) = {ratio:.2f}  (target ≤ 1.5)")
            from app.services.shipment_labels import labels_pdf
            label_ids = db.session.scalars(sa.select(Shipment.id).order_by(Shipment.id)
                                           .limit(args.labels)).all()
            t = time.perf_counter()
            pdf = labels_pdf(db.session, label_ids)
            took = time.perf_counter() - t
            print(f"labels: {len(label_ids)} labels + pick list in one PDF ({len(pdf) // 1024} KB): "
                  f"{took:.1f} s  (target ≤ 30 s)")
    finally:
        from app.extensions import db
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop()


def profile_one(app, ids):
    import cProfile
    import pstats
    from app.extensions import db
    from app.services.jobs import start_job
    from jobs.runner import _execute
    job = start_job(db.session, "shipping.create_shipments", "profile", target_type="order",
                    target_ids=ids[:100])
    db.session.commit()
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.runcall(_execute, db.session, job)
    print(f"one job of 100 orders in-process: {time.perf_counter() - t:.2f} s")
    pstats.Stats(prof).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(
        *([os.environ["PROFILE_MATCH"]] if os.environ.get("PROFILE_MATCH") else []), 35)


def create_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


if __name__ == "__main__":
    main()
