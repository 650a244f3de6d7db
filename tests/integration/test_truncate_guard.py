"""The permanent records (stock ledger, invoices and their lines, used series) cannot be emptied
with TRUNCATE on PostgreSQL, which skips the row triggers guarding them, unless the transaction
says it means it (the operator's archiving path in README, and the test harness's)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.db_rules import TRUNCATE_GUARDED, allow_truncate_sql
from tests.conftest import PG_URL, normalize_pg_url

pytestmark = pytest.mark.skipif(not PG_URL, reason="TRUNCATE exists on PostgreSQL only")


def _ledger_row(conn) -> None:
    conn.execute(sa.text("INSERT INTO warehouse (code, name, kind, active, version, created_at,"
                         " updated_at) VALUES ('W', 'W', 'main', true, 1, now(), now())"))
    conn.execute(sa.text("INSERT INTO product (name, sku, vat_rate, cost_price, selling_price,"
                         " active, version, created_at, updated_at) VALUES ('P', 'P', '10', 0,"
                         " 0, true, 1, now(), now())"))
    conn.execute(sa.text("INSERT INTO product_variant (product_id, sku, weight_g, length_cm,"
                         " width_cm, height_cm, reorder_point, active, version, created_at,"
                         " updated_at) SELECT id, 'P-1', 0, 0, 0, 0, 0, true, 1, now(), now()"
                         " FROM product"))
    conn.execute(sa.text("INSERT INTO stock_move (created_at, updated_at, variant_id,"
                         " warehouse_id, quantity, kind, balance_after) SELECT now(), now(),"
                         " v.id, w.id, 3, 'opening', 3 FROM product_variant v, warehouse w"))


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


@pytest.mark.parametrize("statement", ["TRUNCATE stock_move", "TRUNCATE stock_move CASCADE",
                                       "TRUNCATE invoice CASCADE", "TRUNCATE invoice_line",
                                       "TRUNCATE product_variant CASCADE",
                                       "TRUNCATE warehouse, stock_level CASCADE"])
def test_truncate_of_a_permanent_record_is_refused(pg_engine, statement):
    from tests.conftest import truncate_all
    truncate_all(pg_engine)
    with pg_engine.begin() as conn:
        _ledger_row(conn)
    with pytest.raises(sa.exc.DatabaseError, match="cannot be emptied"):
        with pg_engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert _count(pg_engine, "stock_move") == 1


def test_an_operator_archives_on_purpose_in_one_transaction(pg_engine):
    from tests.conftest import truncate_all
    truncate_all(pg_engine)
    with pg_engine.begin() as conn:
        _ledger_row(conn)
    with pg_engine.begin() as conn:
        conn.execute(sa.text(allow_truncate_sql("postgresql")))
        conn.execute(sa.text("TRUNCATE stock_move, invoice CASCADE"))
    assert _count(pg_engine, "stock_move") == 0
    # SET LOCAL ends with its transaction: the next TRUNCATE is refused again.
    with pytest.raises(sa.exc.DatabaseError, match="cannot be emptied"):
        with pg_engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE stock_move"))


def test_the_migration_installs_the_guards(tmp_path):
    """A database built by the migrations (as in production) has a guard on every table."""
    import os
    from tests.integration.test_migrations import _upgrade
    name = f"{sa.make_url(normalize_pg_url(PG_URL)).database}_truncate_{os.getpid()}"
    admin = sa.create_engine(normalize_pg_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = f"{normalize_pg_url(PG_URL).rsplit('/', 1)[0]}/{name}"
    try:
        _upgrade(url, tmp_path)
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            _ledger_row(conn)
        for table in TRUNCATE_GUARDED:
            with pytest.raises(sa.exc.DatabaseError, match="cannot be emptied"):
                with engine.begin() as conn:
                    conn.execute(sa.text(f"TRUNCATE {table} CASCADE"))
        assert _count(engine, "stock_move") == 1
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
