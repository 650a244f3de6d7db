"""How the pages a clerk opens all day answer on a big shop: the landing page, the order list
(first page, page 200, filtered), the order searches by phone and by name, and the order page.

Run (after loading the data with bench/scale_data.py):
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/orderhub_scale_bench \
        .venv/bin/python bench/scale.py [--runs 20] [--json scale.json]

Each page is requested through the real application (Flask's test client, signed in as the
supervisor, who sees every warehouse) once to warm up, then ``--runs`` times. Prints per page the
median and 95th-percentile time, the median time spent in SQL (the rest is Python: rendering,
permissions), the SQL statements the request issued and the size of the HTML,
and whether the page meets the issue's target at this size.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scale_data import bench_url  # noqa: E402

# (page, target median ms, target statements) — issue #19 at 1M orders on PostgreSQL.
TARGETS = {"dashboard": (100, None), "order list page 1": (None, 5),
           "order list page 200": (None, 5), "order list filtered": (None, 5),
           "search by phone": (50, 5), "search by phone (ending)": (50, 5),
           "search by name": (50, 5), "order page": (None, 8)}


def build_app(url: str):
    from tests.conftest import make_app
    folder = Path(tempfile.mkdtemp(prefix="orderhub-scale-"))
    return make_app(folder, SQLALCHEMY_DATABASE_URI=url, SANDBOX_SIMULATE_SECONDS=0,
                    SANDBOX_CARRIER_STEP_SECONDS=0, FAB_UPDATE_PERMS=False)


def pages(app) -> dict[str, str]:
    """The addresses to measure, with a phone and a name of a real recent buyer."""
    from app.extensions import db
    with app.app_context():
        row = db.session.execute(sa.text(
            "SELECT id, buyer_phone, buyer_name FROM sales_order WHERE buyer_phone IS NOT NULL "
            "ORDER BY id DESC LIMIT 1 OFFSET 1000")).one()
        orders = db.session.scalar(sa.text("SELECT count(*) FROM sales_order"))
    order_id, phone, name = row
    return {"orders": orders, "pages": {
        "dashboard": "/",
        "order list page 1": "/orderview/list/",
        "order list page 200": "/orderview/list/?page_OrderView=199",
        "order list filtered": "/orderview/list/?_flt_0_status=packed",
        "search by phone": f"/orderview/list/?_flt_0_buyer_phone={phone[:7]}",
        "search by phone (ending)": f"/orderview/list/?_flt_1_buyer_phone={phone[-6:]}",
        "search by name": f"/orderview/list/?_flt_2_buyer_name={name}",
        "order page": f"/orderview/show/{order_id}",
    }}


def measure(app, client, url: str, runs: int) -> dict:
    from app.extensions import db
    with app.app_context():
        engine = db.engine
    me = threading.get_ident()
    statements: list[str] = []
    sql_ms: list[float] = []
    started: list[float] = []

    def count(conn, cursor, statement, *args):
        if threading.get_ident() == me:  # not the demo's background workers
            statements.append(statement)
            started.append(time.perf_counter())

    def done(conn, cursor, statement, *args):
        if threading.get_ident() == me and started:
            sql_ms[-1] += (time.perf_counter() - started.pop()) * 1000

    first = client.get(url)
    if first.status_code != 200:
        return {"url": url, "status": first.status_code}
    times = []
    for _ in range(runs):
        statements.clear()
        sql_ms.append(0.0)
        sa.event.listen(engine, "before_cursor_execute", count)
        sa.event.listen(engine, "after_cursor_execute", done)
        start = time.perf_counter()
        resp = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        sa.event.remove(engine, "before_cursor_execute", count)
        sa.event.remove(engine, "after_cursor_execute", done)
    times.sort()
    return {"url": url, "status": resp.status_code, "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
            "sql_ms": round(statistics.median(sql_ms), 1),
            "statements": len(statements), "html_kb": round(len(resp.data) / 1024, 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--only", help="measure only the pages whose name contains this")
    args = parser.parse_args()
    url = bench_url()
    from tests.conftest import login
    app = build_app(url)
    found = pages(app)
    client = app.test_client()
    login(client, "supervisor")
    results = {}
    print(f"{found['orders']:,} orders, {args.runs} runs a page, PostgreSQL\n")
    print(f"{'page':<26} {'median ms':>9} {'p95 ms':>8} {'SQL ms':>7} {'statements':>10} "
          f"{'HTML KB':>8}  target")
    for name, page in found["pages"].items():
        if args.only and args.only not in name:
            continue
        r = measure(app, client, page, args.runs)
        results[name] = r
        if "median_ms" not in r:
            print(f"{name:<26} answered {r['status']}")
            continue
        ms, most = TARGETS.get(name, (None, None))
        missed = [f"> {ms} ms" for _ in [0] if ms and r["median_ms"] > ms] + \
                 [f"> {most} statements" for _ in [0] if most and r["statements"] > most]
        target = ", ".join(filter(None, [f"≤ {ms} ms" if ms else "",
                                         f"≤ {most} statements" if most else ""]))
        verdict = ("missed: " + ", ".join(missed)) if missed else ("met" if target else "")
        print(f"{name:<26} {r['median_ms']:9.1f} {r['p95_ms']:8.1f} {r['sql_ms']:7.1f} "
              f"{r['statements']:10d} "
              f"{r['html_kb']:8.1f}  {target} {verdict}".rstrip(), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"orders": found["orders"], "runs": args.runs,
                                               "pages": results}, indent=2))


if __name__ == "__main__":
    main()
