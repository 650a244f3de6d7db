"""How long the pages a clerk and a supervisor work in take to answer, on the demo shop.

Run: .venv/bin/python bench/pages.py [--runs 7]

Loads the demo data into a fresh SQLite database (BENCH_DATABASE_URL: a PostgreSQL database the
bench may wipe), signs in as each user and requests every page several times after one warm-up:
the dashboard, every generated list at 25 and 100 rows, every record page of the first row, the
order page of orders in each state, the quick-order form and its searches, and the CSV export of
the order list. Prints the median and the slowest answer of each page, and flags any page whose
median is above the target (300 ms: "no page that takes more than a moment").
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_MS = 300


def build_app():
    from tests.conftest import DEMO_PASSWORD, make_app
    folder = Path(tempfile.mkdtemp(prefix="orderhub-bench-pages-"))
    overrides = {}
    if os.environ.get("BENCH_DATABASE_URL"):
        overrides["SQLALCHEMY_DATABASE_URI"] = os.environ["BENCH_DATABASE_URL"]
    app = make_app(folder, SANDBOX_SIMULATE_SECONDS=0, SANDBOX_CARRIER_STEP_SECONDS=0, **overrides)
    with app.app_context():
        from app.demo import load_demo
        load_demo(app, password=DEMO_PASSWORD)
    return app, DEMO_PASSWORD


def pages(app) -> list[str]:
    from app.extensions import db
    from app.models import Order
    from app.views.base import OrderHubModelView
    urls = ["/", "/quick-order/", "/orderview/export_csv", "/low-stock/"]
    for view in app.appbuilder.baseviews:
        if isinstance(view, OrderHubModelView) and "list" not in (view.exclude_route_methods or ()):
            urls += [f"{view.route_base}/list/", f"{view.route_base}/list/?psize_{type(view).__name__}=100"]
    with app.app_context():
        for status in sorted({o.status for o in db.session.query(Order)}, key=str):
            order = db.session.query(Order).filter_by(status=status).order_by(Order.id).first()
            urls.append(f"/orderview/show/{order.id}")
    return urls


def record_pages(client, list_urls) -> list[str]:
    found = []
    for url in list_urls:
        if "psize" in url or not url.endswith("/list/"):
            continue
        html = client.get(url).get_data(as_text=True)
        match = re.search(r'href="(/[a-z]+/show/\d+)"', html)
        if match and not match.group(1).startswith("/orderview/"):
            found.append(match.group(1))
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from tests.conftest import login
    app, _ = build_app()
    client = app.test_client()
    login(client, "supervisor")
    urls = pages(app)
    urls += record_pages(client, urls)
    urls += ["/quick-order/customers?q=09", "/quick-order/variants?q=AO-KHOAC"]
    rows, slow = [], []
    for url in urls:
        first = client.get(url)
        if first.status_code != 200:
            rows.append((url, None, None, first.status_code))
            continue
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        median = statistics.median(times)
        rows.append((url, median, max(times), 200))
        if median > TARGET_MS:
            slow.append(url)
    width = max(len(r[0]) for r in rows)
    print(f"{'page':<{width}}  median ms  slowest ms")
    for url, median, worst, status in rows:
        if median is None:
            print(f"{url:<{width}}  (answered {status})")
        else:
            print(f"{url:<{width}}  {median:9.1f}  {worst:10.1f}{'  SLOW' if median > TARGET_MS else ''}")
    measured = [r[1] for r in rows if r[1] is not None]
    print(f"\n{len(measured)} pages; median of medians {statistics.median(measured):.1f} ms; "
          f"slowest median {max(measured):.1f} ms; target ≤ {TARGET_MS} ms: "
          f"{'met' if not slow else 'missed by ' + ', '.join(slow)}")


if __name__ == "__main__":
    main()
