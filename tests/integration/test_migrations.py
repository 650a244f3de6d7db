"""One Alembic chain creates the whole schema (FAB's tables included) and matches the models."""
import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.models.base import Model
from tests.conftest import PG_URL, normalize_pg_url

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _upgrade(url, tmp_path, revision="head"):
    from flask_migrate import upgrade

    from app import create_app
    from config import TestConfig
    os.environ["ORDERHUB_INSTANCE"] = str(tmp_path)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, FAB_CREATE_DB=False,
                     FAB_UPDATE_PERMS=False, SANDBOX_ENABLED=False)
    with app.app_context():
        upgrade(directory=os.path.join(os.path.dirname(__file__), "..", "..", "migrations"),
                revision=revision)
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


def _insert(conn, table: str, **values) -> int:
    """A row with ``values`` and a plain value in every other required column; returns its id."""
    meta = sa.MetaData()
    t = sa.Table(table, meta, autoload_with=conn)
    for col in t.columns:
        if col.name in values or col.nullable or col.primary_key or col.server_default is not None:
            continue
        text = str(col.type).lower()
        values[col.name] = sa.func.current_timestamp() if "time" in text or "date" in text else \
            {bool: False, str: "x"}.get(col.type.python_type, 1)
    return conn.execute(t.insert().values(**values).returning(t.c.id)).scalar_one()


@pytest.fixture
def url_at_0005(tmp_path):
    """The data step is plain SQL, the same on both backends: SQLite keeps this quick."""
    url = f"sqlite:///{tmp_path / 'at0005.db'}"
    _upgrade(url, tmp_path, revision="0005")
    return url


def test_marketplace_orders_imported_already_shipped_get_their_lines_shipped(url_at_0005, tmp_path):
    engine = sa.create_engine(url_at_0005)
    with engine.begin() as conn:
        shop = _insert(conn, "channel", name="Shopee", platform="shopee")
        site = _insert(conn, "channel", name="Web", platform="website")
        paid = {"payment_method": "cod", "payment_status": "paid"}
        history = _insert(conn, "sales_order", number="SO-1", channel_id=shop, status="completed",
                          **paid)
        ours = _insert(conn, "sales_order", number="SO-2", channel_id=site, status="delivered",
                       **paid)
        open_ = _insert(conn, "sales_order", number="SO-3", channel_id=shop, status="processing",
                        **paid)
        for order in (history, ours, open_):
            _insert(conn, "order_line", order_id=order, sku="A", name="A", quantity=3,
                    unit_price=0, discount=0, vat_rate="10", line_total=0, reserved_quantity=0,
                    shipped_quantity=0, returned_quantity=0)
    engine.dispose()
    _upgrade(url_at_0005, tmp_path)
    engine = sa.create_engine(url_at_0005)
    with engine.connect() as conn:
        shipped = dict(conn.execute(sa.text("SELECT order_id, shipped_quantity FROM order_line")).all())
    engine.dispose()
    assert shipped == {history: 3, ours: 0, open_: 0}
