"""One Alembic chain creates the whole schema (FAB's tables included) and matches the models."""
import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.models.base import Model
from tests.conftest import PG_URL, normalize_pg_url

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _upgrade(url, tmp_path):
    from flask_migrate import upgrade

    from app import create_app
    from config import TestConfig
    os.environ["ORDERHUB_INSTANCE"] = str(tmp_path)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, FAB_CREATE_DB=False,
                     FAB_UPDATE_PERMS=False, SANDBOX_ENABLED=False)
    with app.app_context():
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "..", "migrations"))
        from app.extensions import db
        db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def migrated_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    else:
        # A database of this run's own (beside the one DATABASE_URL names), dropped afterwards.
        name = f"{sa.make_url(normalize_pg_url(PG_URL)).database}_migrated_{os.getpid()}"
        admin = sa.create_engine(normalize_pg_url(PG_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        base = normalize_pg_url(PG_URL).rsplit("/", 1)[0]
        url = f"{base}/{name}"
    _upgrade(url, tmp_path)
    yield url
    if request.param != "sqlite":
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrated_schema_matches_the_models(migrated_url):
    engine = sa.create_engine(migrated_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Model.metadata)
        tables = set(sa.inspect(conn).get_table_names())
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"
    assert {"ab_user", "ab_role", "ab_permission_view", "sales_order", "stock_move"} <= tables


def test_migrated_database_refuses_ledger_edits(migrated_url):
    engine = sa.create_engine(migrated_url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO warehouse (code, name, kind, active, version, created_at,"
                             " updated_at) VALUES ('W', 'W', 'main', true, 1, CURRENT_TIMESTAMP,"
                             " CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO product (name, sku, vat_rate, cost_price, selling_price,"
                             " active, version, created_at, updated_at) VALUES ('P', 'P', '10', 0,"
                             " 0, true, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO product_variant (product_id, sku, weight_g, length_cm,"
                             " width_cm, height_cm, reorder_point, active, version, created_at,"
                             " updated_at) VALUES (1, 'P-1', 0, 0, 0, 0, 0, true, 1,"
                             " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO stock_move (created_at, updated_at, variant_id,"
                             " warehouse_id, quantity, kind, balance_after) VALUES"
                             " (CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, 1, 3, 'opening', 3)"))
    with pytest.raises(sa.exc.DatabaseError):
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE stock_move SET quantity = 4"))
    with pytest.raises(sa.exc.DatabaseError):
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM stock_move"))
    engine.dispose()
