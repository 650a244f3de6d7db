"""Rules the database itself enforces beyond constraints: the stock ledger is append-only; an issued
invoice's content and lines never change and it is never deleted, its status only moves forward
(issued → replaced / adjusted); a series that has invoices keeps its text — even for SQL that
bypasses the application.

On PostgreSQL a TRUNCATE skips row triggers, so these tables also carry a statement-level TRUNCATE
guard: emptying one is refused unless the transaction has said so on purpose with
``SET LOCAL orderhub.allow_truncate = 'on'`` (an operator archiving, the test harness; README,
"Archiving on purpose"). SQLite has no TRUNCATE: its ``DELETE FROM`` meets the row triggers.

Installed by the migration on PostgreSQL and SQLite, and by the test fixtures that build the schema
from the models.
"""
from __future__ import annotations

import sqlalchemy as sa

# ------------------------------------------------------------------------------ issued invoices
# The one list of what an issued invoice may still change (the session guard in
# app.services.hooks reads it too): its lifecycle status, moving forward only; the provider's PDF,
# stored once; delivery and bookkeeping fields. Every other column is its legal content, frozen.
ISSUED = ("issued", "replaced", "adjusted")
# status before → statuses allowed after: an issued invoice is replaced or adjusted, never reopened.
INVOICE_STATUS_FORWARD = {"issued": ISSUED, "replaced": ("replaced",), "adjusted": ("adjusted",)}
INVOICE_MUTABLE_AFTER_ISSUE = ("status", "pdf", "emailed_at", "error_message", "updated_at", "version",
                               "clash_checked_at")
INVOICE_CONTENT_COLUMNS = (
    "id", "created_at", "order_id", "provider", "provider_account_id", "kind", "template", "series",
    "number", "transaction_key", "buyer_name", "buyer_company", "buyer_tax_code", "buyer_address",
    "buyer_email", "buyer_phone", "buyer_id_number", "payment_method", "currency", "vat_breakdown",
    "subtotal", "vat_total", "total", "amount_in_words", "tax_authority_code", "lookup_code",
    "issued_at", "original_invoice_id", "adjustment_direction", "reason", "agreement_reference",
    "agreement_date", "last_sent_at", "seller_tax_code", "number_clash_of_id")
# A series whose invoices exist (or may exist at the provider) keeps its template and text.
SERIES_KEY_COLUMNS = ("provider_account_id", "template", "series")


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _forward_sql() -> str:
    """SQL true when OLD.status → NEW.status is allowed for an issued invoice."""
    return " OR ".join(f"(OLD.status = '{before}' AND NEW.status IN ({_sql_list(after)}))"
                       for before, after in INVOICE_STATUS_FORWARD.items())


def _changed_sql(columns, distinct: str) -> str:
    # JSON has no equality operator in PostgreSQL: compare its text.
    def col(side, name):
        return f"{side}.{name}::text" if distinct == "IS DISTINCT FROM" and name == "vat_breakdown" \
            else f"{side}.{name}"
    return " OR ".join(f"{col('NEW', c)} {distinct} {col('OLD', c)}" for c in columns)


_ISSUED_SQL = _sql_list(ISSUED)
_SERIES_IN_USE = (f"EXISTS (SELECT 1 FROM invoice i WHERE i.provider_account_id = OLD.provider_account_id "
                  f"AND i.template = OLD.template AND i.series = OLD.series "
                  f"AND (i.number IS NOT NULL OR i.status IN ('pending', {_ISSUED_SQL}))) "
                  f"OR OLD.last_number > 0")

def _pg_issued_invoice_guard(content=INVOICE_CONTENT_COLUMNS) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION orderhub_guard_issued_invoice() RETURNS trigger AS $$
    BEGIN
      IF OLD.status NOT IN ({_ISSUED_SQL}) THEN
        RETURN COALESCE(NEW, OLD);
      END IF;
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an issued invoice cannot be deleted' USING ERRCODE = 'restrict_violation';
      END IF;
      IF NOT ({_forward_sql()}) THEN
        RAISE EXCEPTION 'an issued invoice is only ever replaced or adjusted, never reopened'
          USING ERRCODE = 'restrict_violation';
      END IF;
      IF {_changed_sql(content, "IS DISTINCT FROM")} OR
         (OLD.pdf IS NOT NULL AND NEW.pdf IS DISTINCT FROM OLD.pdf) THEN
        RAISE EXCEPTION 'an issued invoice cannot be changed' USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """


INVOICE_PG_STATEMENTS = [
    _pg_issued_invoice_guard(),
    "DROP TRIGGER IF EXISTS invoice_immutable ON invoice",
    """
    CREATE TRIGGER invoice_immutable BEFORE UPDATE OR DELETE ON invoice
    FOR EACH ROW EXECUTE FUNCTION orderhub_guard_issued_invoice()
    """,
    f"""
    CREATE OR REPLACE FUNCTION orderhub_guard_issued_invoice_line() RETURNS trigger AS $$
    BEGIN
      IF (TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM invoice WHERE id = OLD.invoice_id
                                        AND status IN ({_ISSUED_SQL}))) OR
         (TG_OP <> 'DELETE' AND EXISTS (SELECT 1 FROM invoice WHERE id = NEW.invoice_id
                                        AND status IN ({_ISSUED_SQL}))) THEN
        RAISE EXCEPTION 'the lines of an issued invoice cannot be changed'
          USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN COALESCE(NEW, OLD);
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS invoice_line_immutable ON invoice_line",
    """
    CREATE TRIGGER invoice_line_immutable BEFORE INSERT OR UPDATE OR DELETE ON invoice_line
    FOR EACH ROW EXECUTE FUNCTION orderhub_guard_issued_invoice_line()
    """,
    f"""
    CREATE OR REPLACE FUNCTION orderhub_guard_used_series() RETURNS trigger AS $$
    BEGIN
      IF (TG_OP = 'DELETE' OR {_changed_sql(SERIES_KEY_COLUMNS, "IS DISTINCT FROM")}) AND ({_SERIES_IN_USE}) THEN
        RAISE EXCEPTION 'a series with invoices keeps its template and series'
          USING ERRCODE = 'restrict_violation';
      END IF;
      RETURN COALESCE(NEW, OLD);
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS invoice_series_in_use ON invoice_series",
    """
    CREATE TRIGGER invoice_series_in_use BEFORE UPDATE OR DELETE ON invoice_series
    FOR EACH ROW EXECUTE FUNCTION orderhub_guard_used_series()
    """,
]

_LINE_OF_ISSUED = "(SELECT status FROM invoice WHERE id = {side}.invoice_id) IN (" + _ISSUED_SQL + ")"


def _sqlite_issued_invoice_guard(content=INVOICE_CONTENT_COLUMNS) -> str:
    return f"""CREATE TRIGGER invoice_no_change_issued BEFORE UPDATE ON invoice
       WHEN OLD.status IN ({_ISSUED_SQL}) AND ({_changed_sql(content, "IS NOT")}
            OR (OLD.pdf IS NOT NULL AND NEW.pdf IS NOT OLD.pdf))
       BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be changed'); END"""


INVOICE_SQLITE_STATEMENTS = [
    "DROP TRIGGER IF EXISTS invoice_no_delete_issued",
    f"""CREATE TRIGGER invoice_no_delete_issued BEFORE DELETE ON invoice
       WHEN OLD.status IN ({_ISSUED_SQL})
       BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be deleted'); END""",
    "DROP TRIGGER IF EXISTS invoice_status_forward",
    f"""CREATE TRIGGER invoice_status_forward BEFORE UPDATE OF status ON invoice
       WHEN OLD.status IN ({_ISSUED_SQL}) AND NOT ({_forward_sql()})
       BEGIN SELECT RAISE(ABORT, 'an issued invoice is only ever replaced or adjusted, never reopened'); END""",
    "DROP TRIGGER IF EXISTS invoice_no_change_issued",
    _sqlite_issued_invoice_guard(),
    "DROP TRIGGER IF EXISTS invoice_line_no_insert_issued",
    f"""CREATE TRIGGER invoice_line_no_insert_issued BEFORE INSERT ON invoice_line
       WHEN {_LINE_OF_ISSUED.format(side="NEW")}
       BEGIN SELECT RAISE(ABORT, 'the lines of an issued invoice cannot be changed'); END""",
    "DROP TRIGGER IF EXISTS invoice_line_no_change_issued",
    f"""CREATE TRIGGER invoice_line_no_change_issued BEFORE UPDATE ON invoice_line
       WHEN {_LINE_OF_ISSUED.format(side="OLD")} OR {_LINE_OF_ISSUED.format(side="NEW")}
       BEGIN SELECT RAISE(ABORT, 'the lines of an issued invoice cannot be changed'); END""",
    "DROP TRIGGER IF EXISTS invoice_line_no_delete_issued",
    f"""CREATE TRIGGER invoice_line_no_delete_issued BEFORE DELETE ON invoice_line
       WHEN {_LINE_OF_ISSUED.format(side="OLD")}
       BEGIN SELECT RAISE(ABORT, 'the lines of an issued invoice cannot be changed'); END""",
    "DROP TRIGGER IF EXISTS invoice_series_no_rename_used",
    f"""CREATE TRIGGER invoice_series_no_rename_used BEFORE UPDATE ON invoice_series
       WHEN ({_changed_sql(SERIES_KEY_COLUMNS, "IS NOT")}) AND ({_SERIES_IN_USE})
       BEGIN SELECT RAISE(ABORT, 'a series with invoices keeps its template and series'); END""",
    "DROP TRIGGER IF EXISTS invoice_series_no_delete_used",
    f"""CREATE TRIGGER invoice_series_no_delete_used BEFORE DELETE ON invoice_series
       WHEN {_SERIES_IN_USE}
       BEGIN SELECT RAISE(ABORT, 'a series with invoices keeps its template and series'); END""",
]


# ------------------------------------------------------------------------------ TRUNCATE
# Tables whose rows never go away one by one (row triggers above) must not go away all at once.
TRUNCATE_GUARDED = ("stock_move", "invoice", "invoice_line", "invoice_series")
# The setting a transaction turns on to empty them on purpose: SET LOCAL orderhub.allow_truncate = 'on'
ALLOW_TRUNCATE = "orderhub.allow_truncate"

TRUNCATE_PG_STATEMENTS = [
    f"""
    CREATE OR REPLACE FUNCTION orderhub_guard_truncate() RETURNS trigger AS $$
    BEGIN
      IF COALESCE(current_setting('{ALLOW_TRUNCATE}', true), '') = 'on' THEN
        RETURN NULL;
      END IF;
      RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' cannot be emptied: its rows are a permanent record',
        ERRCODE = 'restrict_violation',
              HINT = 'To archive on purpose: SET LOCAL {ALLOW_TRUNCATE} = ''on'' first.';
    END;
    $$ LANGUAGE plpgsql
    """,
    *(stmt for table in TRUNCATE_GUARDED for stmt in (
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION orderhub_guard_truncate()""")),
]


def allow_truncate_sql(dialect_name: str) -> str | None:
    """The statement a transaction runs before emptying guarded tables on purpose (None where
    there is nothing to say: SQLite has no TRUNCATE)."""
    return f"SET LOCAL {ALLOW_TRUNCATE} = 'on'" if dialect_name == "postgresql" else None


# ------------------------------------------------------------------------------ running counts
# Orders by channel, warehouse and state, parcels by state (app/models/tallies.py): each change
# adds a +1/-1 row in the same transaction, whoever writes — the ORM, raw SQL, a bulk update.
TALLY_PG_STATEMENTS = [
    """
    CREATE OR REPLACE FUNCTION orderhub_tally_order() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status
         AND NEW.channel_id IS NOT DISTINCT FROM OLD.channel_id
         AND NEW.warehouse_id IS NOT DISTINCT FROM OLD.warehouse_id THEN
        RETURN NULL;
      END IF;
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO order_tally (channel_id, warehouse_id, status, orders)
        VALUES (OLD.channel_id, OLD.warehouse_id, OLD.status, -1);
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO order_tally (channel_id, warehouse_id, status, orders)
        VALUES (NEW.channel_id, NEW.warehouse_id, NEW.status, 1);
      END IF;
      RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS sales_order_tally ON sales_order",
    """CREATE TRIGGER sales_order_tally AFTER INSERT OR UPDATE OR DELETE ON sales_order
       FOR EACH ROW EXECUTE FUNCTION orderhub_tally_order()""",
    """
    CREATE OR REPLACE FUNCTION orderhub_tally_shipment() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NULL;
      END IF;
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO shipment_tally (status, shipments) VALUES (OLD.status, -1);
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO shipment_tally (status, shipments) VALUES (NEW.status, 1);
      END IF;
      RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS shipment_tally ON shipment",
    """CREATE TRIGGER shipment_tally AFTER INSERT OR UPDATE OR DELETE ON shipment
       FOR EACH ROW EXECUTE FUNCTION orderhub_tally_shipment()""",
    """
    CREATE OR REPLACE FUNCTION orderhub_tally_sales() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.total IS NOT DISTINCT FROM OLD.total
         AND NEW.warehouse_id IS NOT DISTINCT FROM OLD.warehouse_id
         AND (NEW.status = 'cancelled') = (OLD.status = 'cancelled')
         AND COALESCE(NEW.placed_at, NEW.created_at)
             IS NOT DISTINCT FROM COALESCE(OLD.placed_at, OLD.created_at) THEN
        RETURN NULL;
      END IF;
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO sales_tally (hour, warehouse_id, cancelled, orders, sales)
        VALUES (date_trunc('hour', COALESCE(OLD.placed_at, OLD.created_at)), OLD.warehouse_id,
                OLD.status = 'cancelled', -1, -OLD.total);
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO sales_tally (hour, warehouse_id, cancelled, orders, sales)
        VALUES (date_trunc('hour', COALESCE(NEW.placed_at, NEW.created_at)), NEW.warehouse_id,
                NEW.status = 'cancelled', 1, NEW.total);
      END IF;
      RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS sales_order_sales_tally ON sales_order",
    """CREATE TRIGGER sales_order_sales_tally AFTER INSERT OR UPDATE OR DELETE ON sales_order
       FOR EACH ROW EXECUTE FUNCTION orderhub_tally_sales()""",
]

# The hour an order was placed in, as SQLAlchemy stores a DateTime on SQLite.
_SQLITE_HOUR = "strftime('%Y-%m-%d %H:00:00.000000', COALESCE({row}.placed_at, {row}.created_at))"
_ORDER_KEY_CHANGED = ("OLD.status IS NOT NEW.status OR OLD.channel_id IS NOT NEW.channel_id "
                      "OR OLD.warehouse_id IS NOT NEW.warehouse_id")
TALLY_SQLITE_STATEMENTS = [
    "DROP TRIGGER IF EXISTS sales_order_tally_insert",
    """CREATE TRIGGER sales_order_tally_insert AFTER INSERT ON sales_order BEGIN
       INSERT INTO order_tally (channel_id, warehouse_id, status, orders)
       VALUES (NEW.channel_id, NEW.warehouse_id, NEW.status, 1); END""",
    "DROP TRIGGER IF EXISTS sales_order_tally_update",
    f"""CREATE TRIGGER sales_order_tally_update AFTER UPDATE ON sales_order
       WHEN {_ORDER_KEY_CHANGED} BEGIN
       INSERT INTO order_tally (channel_id, warehouse_id, status, orders)
       VALUES (OLD.channel_id, OLD.warehouse_id, OLD.status, -1);
       INSERT INTO order_tally (channel_id, warehouse_id, status, orders)
       VALUES (NEW.channel_id, NEW.warehouse_id, NEW.status, 1); END""",
    "DROP TRIGGER IF EXISTS sales_order_tally_delete",
    """CREATE TRIGGER sales_order_tally_delete AFTER DELETE ON sales_order BEGIN
       INSERT INTO order_tally (channel_id, warehouse_id, status, orders)
       VALUES (OLD.channel_id, OLD.warehouse_id, OLD.status, -1); END""",
    "DROP TRIGGER IF EXISTS shipment_tally_insert",
    """CREATE TRIGGER shipment_tally_insert AFTER INSERT ON shipment BEGIN
       INSERT INTO shipment_tally (status, shipments) VALUES (NEW.status, 1); END""",
    "DROP TRIGGER IF EXISTS shipment_tally_update",
    """CREATE TRIGGER shipment_tally_update AFTER UPDATE ON shipment
       WHEN OLD.status IS NOT NEW.status BEGIN
       INSERT INTO shipment_tally (status, shipments) VALUES (OLD.status, -1);
       INSERT INTO shipment_tally (status, shipments) VALUES (NEW.status, 1); END""",
    "DROP TRIGGER IF EXISTS shipment_tally_delete",
    """CREATE TRIGGER shipment_tally_delete AFTER DELETE ON shipment BEGIN
       INSERT INTO shipment_tally (status, shipments) VALUES (OLD.status, -1); END""",
    "DROP TRIGGER IF EXISTS sales_order_sales_tally_insert",
    f"""CREATE TRIGGER sales_order_sales_tally_insert AFTER INSERT ON sales_order BEGIN
       INSERT INTO sales_tally (hour, warehouse_id, cancelled, orders, sales)
       VALUES ({_SQLITE_HOUR.format(row="NEW")}, NEW.warehouse_id, NEW.status = 'cancelled', 1,
               NEW.total); END""",
    "DROP TRIGGER IF EXISTS sales_order_sales_tally_update",
    f"""CREATE TRIGGER sales_order_sales_tally_update AFTER UPDATE ON sales_order
       WHEN OLD.total IS NOT NEW.total OR OLD.warehouse_id IS NOT NEW.warehouse_id
         OR (OLD.status = 'cancelled') IS NOT (NEW.status = 'cancelled')
         OR COALESCE(OLD.placed_at, OLD.created_at) IS NOT COALESCE(NEW.placed_at, NEW.created_at)
       BEGIN
       INSERT INTO sales_tally (hour, warehouse_id, cancelled, orders, sales)
       VALUES ({_SQLITE_HOUR.format(row="OLD")}, OLD.warehouse_id, OLD.status = 'cancelled', -1,
               -OLD.total);
       INSERT INTO sales_tally (hour, warehouse_id, cancelled, orders, sales)
       VALUES ({_SQLITE_HOUR.format(row="NEW")}, NEW.warehouse_id, NEW.status = 'cancelled', 1,
               NEW.total); END""",
    "DROP TRIGGER IF EXISTS sales_order_sales_tally_delete",
    f"""CREATE TRIGGER sales_order_sales_tally_delete AFTER DELETE ON sales_order BEGIN
       INSERT INTO sales_tally (hour, warehouse_id, cancelled, orders, sales)
       VALUES ({_SQLITE_HOUR.format(row="OLD")}, OLD.warehouse_id, OLD.status = 'cancelled', -1,
               -OLD.total); END""",
]


def install_tally_rules(bind) -> None:
    """The tally triggers alone (what migration 0013 installs)."""
    for stmt in TALLY_PG_STATEMENTS if bind.dialect.name == "postgresql" else TALLY_SQLITE_STATEMENTS:
        bind.exec_driver_sql(stmt)


def recount_tallies(bind) -> None:
    """Replace the tallies by a count of the rows there are now (once, when they are created, or
    after the rows were loaded with the triggers off)."""
    hour = ("date_trunc('hour', COALESCE(placed_at, created_at))"
            if bind.dialect.name == "postgresql" else _SQLITE_HOUR.format(row="sales_order"))
    for table in ("order_tally", "shipment_tally", "sales_tally"):
        bind.exec_driver_sql(f"DELETE FROM {table}")
    bind.exec_driver_sql("INSERT INTO order_tally (channel_id, warehouse_id, status, orders, folded) "
                         "SELECT channel_id, warehouse_id, status, count(*), true FROM sales_order "
                         "GROUP BY channel_id, warehouse_id, status")
    bind.exec_driver_sql("INSERT INTO shipment_tally (status, shipments, folded) "
                         "SELECT status, count(*), true FROM shipment GROUP BY status")
    bind.exec_driver_sql(
        "INSERT INTO sales_tally (hour, warehouse_id, cancelled, orders, sales, folded) "
        f"SELECT {hour}, warehouse_id, status = 'cancelled', count(*), sum(total), true "
        f"FROM sales_order GROUP BY {hour}, warehouse_id, status = 'cancelled'")


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
    *INVOICE_PG_STATEMENTS,
    *TRUNCATE_PG_STATEMENTS,
]

SQLITE_STATEMENTS = [
    "DROP TRIGGER IF EXISTS stock_move_no_update",
    """CREATE TRIGGER stock_move_no_update BEFORE UPDATE ON stock_move
       BEGIN SELECT RAISE(ABORT, 'stock moves are append-only'); END""",
    "DROP TRIGGER IF EXISTS stock_move_no_delete",
    """CREATE TRIGGER stock_move_no_delete BEFORE DELETE ON stock_move
       BEGIN SELECT RAISE(ABORT, 'stock moves are append-only'); END""",
    *INVOICE_SQLITE_STATEMENTS,
]


def statements_for(dialect_name: str) -> list[str]:
    return PG_STATEMENTS if dialect_name == "postgresql" else SQLITE_STATEMENTS


def install_database_rules(bind) -> None:
    """Create the triggers on an engine or connection (idempotent)."""
    if isinstance(bind, sa.engine.Engine):
        with bind.begin() as conn:
            install_database_rules(conn)
        return
    invoice_rules = INVOICE_PG_STATEMENTS if bind.dialect.name == "postgresql" else INVOICE_SQLITE_STATEMENTS
    for stmt in statements_for(bind.dialect.name):
        if stmt not in invoice_rules:
            bind.exec_driver_sql(stmt)
    install_invoice_rules(bind)
    if sa.inspect(bind).has_table("order_tally"):  # from migration 0013 on
        install_tally_rules(bind)


def install_invoice_rules(bind) -> None:
    """Only the invoice triggers (what a migration installs again after changing the invoice table).
    The content they freeze is the content columns the table has at that step of the chain."""
    present = {c["name"] for c in sa.inspect(bind).get_columns("invoice")}
    content = tuple(c for c in INVOICE_CONTENT_COLUMNS if c in present)
    if bind.dialect.name == "postgresql":
        statements = [_pg_issued_invoice_guard(content), *INVOICE_PG_STATEMENTS[1:]]
    else:
        statements = [_sqlite_issued_invoice_guard(content) if s == _sqlite_issued_invoice_guard() else s
                      for s in INVOICE_SQLITE_STATEMENTS]
    for stmt in statements:
        bind.exec_driver_sql(stmt)


def install_truncate_rules(bind) -> None:
    """Only the TRUNCATE guards (what migration 0006 adds to an existing PostgreSQL database)."""
    if bind.dialect.name == "postgresql":
        for stmt in TRUNCATE_PG_STATEMENTS:
            bind.exec_driver_sql(stmt)


def drop_invoice_rules(bind) -> None:
    """Take the invoice triggers off SQLite while a migration rebuilds the invoice table (SQLite
    re-reads every trigger naming a table it renames); ``install_invoice_rules`` puts them back."""
    if bind.dialect.name != "postgresql":
        for stmt in INVOICE_SQLITE_STATEMENTS:
            if stmt.startswith("DROP TRIGGER"):
                bind.exec_driver_sql(stmt)
