"""Upgrading a database that already holds invoices: each gets its account's seller tax code, and
two that already share a seller's number are both kept, the later one flagged — the new unique
index is then created without losing either. On SQLite and PostgreSQL."""
from __future__ import annotations

import json
import os

import pytest
import sqlalchemy as sa

from tests.integration.test_migrations import migrated_url  # noqa: F401  (the fixture's databases)

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")


def _app(url, tmp_path):
    from app import create_app
    from config import TestConfig
    os.environ["ORDERHUB_INSTANCE"] = str(tmp_path)
    return create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, FAB_CREATE_DB=False, FAB_UPDATE_PERMS=False,
                      SANDBOX_ENABLED=False)


def _invoice(conn, account_id: int, number: int, key: str, **more) -> None:
    columns = "".join(f", {k}" for k in more)
    values = "".join(f", :{k}" for k in more)
    conn.execute(sa.text(
        "INSERT INTO invoice (provider, provider_account_id, kind, template, series, number, transaction_key,"
        f" status, payment_method, currency, subtotal, vat_total, total, version, created_at, updated_at{columns})"
        " VALUES ('sinvoice', :account, 'original', '1', 'C26TAA', :number, :key, 'issued', 'TM', 'VND',"
        f" 0, 0, 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP{values})"),
        {"account": account_id, "number": number, "key": key, **more})


def test_existing_clashes_are_kept_and_flagged(migrated_url, tmp_path):  # noqa: F811
    from flask_migrate import downgrade, upgrade
    app = _app(migrated_url, tmp_path)
    with app.app_context():
        downgrade(directory=MIGRATIONS, revision="0009")
        from app.extensions import db
        db.engine.dispose()
    engine = sa.create_engine(migrated_url)
    with engine.begin() as conn:
        seller = json.dumps({"seller": {"tax_code": "0318123451"}})
        for name in ("S-Invoice", "S-Invoice again"):
            conn.execute(sa.text("INSERT INTO provider_account (kind, provider, name, base_url, settings, active,"
                                 " version, created_at, updated_at) VALUES ('einvoice', 'sinvoice', :name,"
                                 " 'https://api-vinvoice.viettel.vn', :settings, true, 1, CURRENT_TIMESTAMP,"
                                 " CURRENT_TIMESTAMP)"), {"name": name, "settings": seller})
        ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM provider_account ORDER BY id"))]
        _invoice(conn, ids[0], 1, "key-a1")
        _invoice(conn, ids[0], 2, "key-a2")
        _invoice(conn, ids[1], 1, "key-b1")  # the second account numbered from 1 again
    engine.dispose()
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        from app.extensions import db
        db.engine.dispose()
    engine = sa.create_engine(migrated_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT transaction_key, seller_tax_code, number_clash_of_id, id FROM invoice"
                                    " ORDER BY id")).all()
    engine.dispose()
    by_key = {r[0]: r for r in rows}
    assert {r[1] for r in rows} == {"0318123451"}
    assert by_key["key-a1"][2] is None and by_key["key-a2"][2] is None
    assert by_key["key-b1"][2] == by_key["key-a1"][3]
    engine = sa.create_engine(migrated_url)
    with pytest.raises(sa.exc.IntegrityError) as refused:  # from now on the database refuses another, unflagged
        with engine.begin() as conn:
            _invoice(conn, ids[1], 2, "key-b2", seller_tax_code="0318123451")
    assert "uq_invoice_seller_number" in str(refused.value) or "UNIQUE" in str(refused.value)
    with engine.begin() as conn:  # flagged, it is kept
        _invoice(conn, ids[1], 2, "key-b2", seller_tax_code="0318123451", number_clash_of_id=by_key["key-a2"][3])
    engine.dispose()
