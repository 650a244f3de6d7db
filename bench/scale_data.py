"""Load a big shop into a PostgreSQL database for bench/scale.py: N orders of 3 lines, N/10
customers, a parcel for every order that left the warehouse — in minutes, with set-based SQL.

Run: BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/orderhub_scale_bench \
     .venv/bin/python bench/scale_data.py --orders 1000000

The database is emptied first (its schema is dropped and built again from the models, with the
demo shop's users, channels, warehouses and catalogue on top), so the bench refuses a database
whose name does not contain "bench" or "scale". Orders are spread over the last 365 days, most of
them completed long ago, a few hundred each day still new, processing or packed — as a shop that
has been selling for a year looks.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Names and streets the generated buyers get (folded search and trigram search need real words).
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hữu", "Quốc", "Thu", "Gia", "Bảo"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Khánh", "Lan",
         "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
         "Tuấn", "Vy", "Yến"]


def bench_url() -> str:
    from tests.conftest import normalize_pg_url
    url = os.environ.get("BENCH_DATABASE_URL") or ""
    if not url.startswith(("postgres://", "postgresql")):
        sys.exit("BENCH_DATABASE_URL must name a PostgreSQL database (its name containing "
                 "'bench' or 'scale'): this bench measures PostgreSQL.")
    url = normalize_pg_url(url)
    name = sa.engine.make_url(url).database or ""
    if "bench" not in name and "scale" not in name:
        sys.exit(f"Refusing to empty {name!r}: the bench only loads a database whose name contains "
                 "'bench' or 'scale'.")
    return url


def _array(words: list[str]) -> str:
    return "ARRAY[" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def build_shop(url: str) -> None:
    """Empty the database, build the schema and load the demo shop (users, channels, catalogue)."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    from tests.conftest import DEMO_PASSWORD, make_app
    folder = Path(tempfile.mkdtemp(prefix="orderhub-scale-data-"))
    app = make_app(folder, SQLALCHEMY_DATABASE_URI=url, SANDBOX_SIMULATE_SECONDS=0,
                   SANDBOX_CARRIER_STEP_SECONDS=0)
    with app.app_context():
        from app.demo import load_demo
        from app.extensions import db
        load_demo(app, password=DEMO_PASSWORD)
        db.session.remove()
        db.engine.dispose()


def load_orders(url: str, orders: int, lines_per_order: int = 3) -> dict:
    """Add ``orders`` orders (ids after the demo's), their lines, customers and parcels."""
    customers = max(orders // 10, 10)
    engine = sa.create_engine(url)
    names = f"{_array(FAMILY)}, {_array(MIDDLE)}, {_array(GIVEN)}"
    steps = []
    with engine.begin() as conn:
        first_customer = conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM customer")) + 1
        first_order = conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM sales_order")) + 1
        channels = [r[0] for r in conn.execute(sa.text("SELECT id FROM channel ORDER BY id"))]
        warehouses = [r[0] for r in conn.execute(sa.text("SELECT id FROM warehouse ORDER BY id"))]
        variants = conn.execute(sa.text(
            "SELECT v.id, v.sku, p.name, v.selling_price FROM product_variant v "
            "JOIN product p ON p.id = v.product_id ORDER BY v.id")).all()
        if not (channels and warehouses and variants):
            sys.exit("The demo shop has no channel, warehouse or variant to hang orders on.")
        conn.execute(sa.text("CREATE TEMP TABLE bench_variant (n int, id int, sku text, name text, "
                             "price numeric) ON COMMIT DROP"))
        conn.execute(sa.text("INSERT INTO bench_variant VALUES (:n, :id, :sku, :name, :price)"),
                     [{"n": i, "id": v[0], "sku": v[1], "name": v[2], "price": v[3] or 100000}
                      for i, v in enumerate(variants)])

        # Loaded as a replica would apply them: no foreign-key checks nor triggers row by row
        # (the rows reference what was just loaded); the tallies are counted at the end.
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))

        def step(label, sql, **params):
            start = time.perf_counter()
            conn.execute(sa.text(sql), params)
            steps.append((label, time.perf_counter() - start))
            print(f"  {label}: {steps[-1][1]:.1f} s", flush=True)

        step("customers", f"""
            INSERT INTO customer (id, name, phone, email, street, ward, province, wants_invoice,
                                  search_text, created_at, updated_at, version)
            SELECT :c0 + g,
                   n.fa[1 + g % 16] || ' ' || n.mi[1 + (g / 16) % 10] || ' ' || n.gi[1 + (g / 160) % 25],
                   '09' || lpad(((g * 7919) % 100000000)::text, 8, '0'),
                   'khach' || g || '@example.vn', (g % 300 + 1) || ' Lê Lợi', 'Phường Bến Nghé',
                   'Thành phố Hồ Chí Minh', false, '', now(), now(), 1
            FROM generate_series(0, :n - 1) g, (SELECT {names}) AS n(fa, mi, gi)""",
             c0=first_customer, n=customers)
        # Folded search text as the app writes it (app.services.search_text.fold): a leading space,
        # lower case, accents and đ dropped, the name then the phone.
        step("customer search text", """
            UPDATE customer SET search_text = ' ' || translate(lower(name || ' ' || phone),
                'àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ',
                'aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd')
            WHERE id >= :c0""", c0=first_customer)
        # Ages: order g was placed (n - g) * 365 days / n ago, so the newest are today's.
        step("orders", """
            INSERT INTO sales_order (id, number, channel_id, external_order_id, customer_id,
                buyer_name, buyer_phone, buyer_email, ship_street, ship_ward, ship_province,
                warehouse_id, status, payment_method, payment_status, invoice_requested,
                subtotal, discount_total, shipping_fee, vat_total, total, paid_amount,
                refunded_amount, placed_at, created_at, updated_at, version)
            SELECT :o0 + g, 'SO' || lpad((:o0 + g)::text, 9, '0'),
                   (:channels)[1 + g % cardinality(:channels)], 'X' || (:o0 + g),
                   c.id, c.name, c.phone, c.email, c.street, c.ward, c.province,
                   (:warehouses)[1 + g % cardinality(:warehouses)],
                   CASE WHEN age < interval '1 day' THEN
                            (ARRAY['new','processing','packed','shipped'])[1 + g % 4]
                        WHEN age < interval '4 days' THEN
                            (ARRAY['shipped','delivered','packed','delivery_failed'])[1 + g % 4]
                        WHEN g % 50 = 0 THEN 'cancelled' WHEN g % 97 = 0 THEN 'returned'
                        ELSE 'completed' END,
                   CASE WHEN g % 3 = 0 THEN 'prepaid' ELSE 'cod' END,
                   CASE WHEN g % 3 = 0 OR age >= interval '4 days' THEN 'paid' ELSE 'unpaid' END,
                   g % 20 = 0, t.s, 0, 30000, round(t.s / 11), t.s + 30000,
                   CASE WHEN g % 3 = 0 OR age >= interval '4 days' THEN t.s + 30000 ELSE 0 END,
                   0, placed, placed, placed, 1
            FROM generate_series(0, :n - 1) g
            CROSS JOIN LATERAL (SELECT (:n - 1 - g) * (interval '365 days' / :n) AS age) a
            CROSS JOIN LATERAL (  -- the lines' total, as the lines below are made
                SELECT sum(v.price * (1 + (:o0 + g + k) % 3)) AS s
                FROM generate_series(0, :lines - 1) k
                JOIN bench_variant v ON v.n = ((:o0 + g) * 3 + k * 11) % :variants) t
            CROSS JOIN LATERAL (SELECT (now() AT TIME ZONE 'UTC') - a.age AS placed) p
            JOIN customer c ON c.id = :c0 + (g * 7) % :customers""",
             o0=first_order, n=orders, c0=first_customer, customers=customers,
             channels=channels, warehouses=warehouses, lines=lines_per_order,
             variants=len(variants))
        step("order lines", """
            INSERT INTO order_line (order_id, variant_id, sku, name, quantity, unit_price, discount,
                vat_rate, line_total, reserved_quantity, shipped_quantity, returned_quantity,
                created_at, updated_at)
            SELECT o.id, v.id, v.sku, v.name, 1 + (o.id + k) % 3, v.price, 0, '10', v.price * (1 + (o.id + k) % 3),
                   CASE WHEN o.status = 'processing' AND k = 0 THEN 0
                        WHEN o.status IN ('new', 'processing', 'packed') THEN 1 + (o.id + k) % 3
                        ELSE 0 END,
                   CASE WHEN o.status IN ('new', 'processing', 'packed', 'cancelled') THEN 0
                        ELSE 1 + (o.id + k) % 3 END, 0, o.created_at, o.created_at
            FROM sales_order o CROSS JOIN generate_series(0, :lines - 1) k
            JOIN bench_variant v ON v.n = (o.id * 3 + k * 11) % :variants
            WHERE o.id >= :o0""", o0=first_order, lines=lines_per_order, variants=len(variants))
        step("parcels", """
            INSERT INTO shipment (order_id, carrier, service, client_reference, tracking_number,
                status, status_at, cod_amount, fee_payer, weight_g, length_cm, width_cm, height_cm,
                cod_collected, cod_reconciled, created_at, updated_at, version)
            SELECT o.id, CASE WHEN o.id % 2 = 0 THEN 'ghn' ELSE 'viettelpost' END, 'fast',
                   'B' || o.id, 'T' || o.id,
                   CASE o.status WHEN 'shipped' THEN 'in_transit' WHEN 'delivered' THEN 'delivered'
                        WHEN 'completed' THEN 'delivered' WHEN 'returned' THEN 'returned'
                        ELSE 'delivery_failed' END,
                   o.created_at, CASE WHEN o.payment_method = 'cod' THEN o.total ELSE 0 END,
                   'seller', 500, 20, 15, 10, o.status IN ('delivered', 'completed'),
                   o.status = 'completed', o.created_at, o.created_at, 1
            FROM sales_order o
            WHERE o.id >= :o0 AND o.status IN ('shipped', 'delivered', 'completed', 'returned',
                                               'delivery_failed')""", o0=first_order)
        from app.db_rules import recount_tallies
        start = time.perf_counter()
        recount_tallies(conn)
        steps.append(("tallies", time.perf_counter() - start))
        for table in ("customer", "sales_order", "order_line", "shipment"):
            conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"(SELECT max(id) FROM {table}))"))
    start = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    steps.append(("vacuum analyze", time.perf_counter() - start))
    print(f"  vacuum analyze: {steps[-1][1]:.1f} s", flush=True)
    engine.dispose()
    return {"orders": orders, "customers": customers, "lines": orders * lines_per_order,
            "seconds": round(sum(s for _, s in steps), 1)}


def bring_up_to_date(url: str) -> None:
    """Add to a database loaded by an earlier version what the models have since gained (tables,
    indexes, rules) and count the tallies — so a big load survives a change of schema."""
    import app.models  # noqa: F401  (registers every table)
    from app.db_rules import install_database_rules, recount_tallies
    from app.models.base import Model
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        Model.metadata.create_all(conn)
        for table in Model.metadata.sorted_tables:
            for index in table.indexes:
                index.create(conn, checkfirst=True)
        install_database_rules(conn)
        recount_tallies(conn)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--bring-up-to-date", action="store_true",
                        help="only add the tables and indexes the models gained since the load")
    args = parser.parse_args()
    if args.bring_up_to_date:
        start = time.perf_counter()
        bring_up_to_date(bench_url())
        print(f"Brought up to date in {time.perf_counter() - start:.0f} s.")
        return
    if args.orders < 1:
        sys.exit("--orders must be a positive number of orders.")
    url = bench_url()
    start = time.perf_counter()
    print("Building the schema and the demo shop …", flush=True)
    build_shop(url)
    print(f"Loading {args.orders:,} orders …", flush=True)
    result = load_orders(url, args.orders)
    print(f"Loaded {result['orders']:,} orders, {result['lines']:,} lines, "
          f"{result['customers']:,} customers in {time.perf_counter() - start:.0f} s.")


if __name__ == "__main__":
    main()
