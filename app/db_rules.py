"""Rules the database itself enforces beyond constraints: the stock ledger is append-only and issued
invoices cannot be deleted, even by SQL that bypasses the application.

Installed by the migration on PostgreSQL and SQLite, and by the test fixtures that build the schema
from the models.
"""
from __future__ import annotations

import sqlalchemy as sa

PG_STATEMENTS = [
    """
    CREATE OR REPLACE FUNCTION orderhub_refuse_change() RETURNS trigger AS $$
    BEGIN
      RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS stock_move_append_only ON stock_move",
    """
    CREATE TRIGGER stock_move_append_only BEFORE UPDATE OR DELETE ON stock_move
    FOR EACH ROW EXECUTE FUNCTION orderhub_refuse_change('stock moves are append-only')
    """,
    """
    CREATE OR REPLACE FUNCTION orderhub_guard_issued_invoice() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND OLD.status IN ('issued', 'replaced', 'adjusted') THEN
        RAISE EXCEPTION 'an issued invoice cannot be deleted' USING ERRCODE = 'restrict_violation';
      END IF;
      IF TG_OP = 'UPDATE' AND OLD.status IN ('issued', 'replaced', 'adjusted') AND (
           NEW.number IS DISTINCT FROM OLD.number OR NEW.series IS DISTINCT FROM OLD.series OR
           NEW.template IS DISTINCT FROM OLD.template OR NEW.total IS DISTINCT FROM OLD.total OR
           NEW.subtotal IS DISTINCT FROM OLD.subtotal OR NEW.vat_total IS DISTINCT FROM OLD.vat_total OR
           NEW.buyer_name IS DISTINCT FROM OLD.buyer_name OR
           NEW.buyer_tax_code IS DISTINCT FROM OLD.buyer_tax_code OR
           NEW.buyer_address IS DISTINCT FROM OLD.buyer_address OR
           NEW.issued_at IS DISTINCT FROM OLD.issued_at OR
           NEW.transaction_key IS DISTINCT FROM OLD.transaction_key OR
           NEW.status NOT IN ('issued', 'replaced', 'adjusted')) THEN
        RAISE EXCEPTION 'an issued invoice cannot be changed' USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN COALESCE(NEW, OLD);
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS invoice_immutable ON invoice",
    """
    CREATE TRIGGER invoice_immutable BEFORE UPDATE OR DELETE ON invoice
    FOR EACH ROW EXECUTE FUNCTION orderhub_guard_issued_invoice()
    """,
]

SQLITE_STATEMENTS = [
    "DROP TRIGGER IF EXISTS stock_move_no_update",
    """CREATE TRIGGER stock_move_no_update BEFORE UPDATE ON stock_move
       BEGIN SELECT RAISE(ABORT, 'stock moves are append-only'); END""",
    "DROP TRIGGER IF EXISTS stock_move_no_delete",
    """CREATE TRIGGER stock_move_no_delete BEFORE DELETE ON stock_move
       BEGIN SELECT RAISE(ABORT, 'stock moves are append-only'); END""",
    "DROP TRIGGER IF EXISTS invoice_no_delete_issued",
    """CREATE TRIGGER invoice_no_delete_issued BEFORE DELETE ON invoice
       WHEN OLD.status IN ('issued', 'replaced', 'adjusted')
       BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be deleted'); END""",
    "DROP TRIGGER IF EXISTS invoice_no_change_issued",
    """CREATE TRIGGER invoice_no_change_issued BEFORE UPDATE OF number, series, template, total,
       subtotal, vat_total, buyer_name, buyer_tax_code, buyer_address, issued_at, transaction_key
       ON invoice WHEN OLD.status IN ('issued', 'replaced', 'adjusted')
       BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be changed'); END""",
]


def statements_for(dialect_name: str) -> list[str]:
    return PG_STATEMENTS if dialect_name == "postgresql" else SQLITE_STATEMENTS


def install_database_rules(bind) -> None:
    """Create the triggers on an engine or connection (idempotent)."""
    if isinstance(bind, sa.engine.Engine):
        with bind.begin() as conn:
            install_database_rules(conn)
        return
    for stmt in statements_for(bind.dialect.name):
        bind.exec_driver_sql(stmt)
