"""TRUNCATE guards on the permanent records (stock ledger, invoices, their lines, used series)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:00:00

Row triggers already refuse UPDATE and DELETE of these rows, but a TRUNCATE does not fire row
triggers on PostgreSQL. A statement-level trigger now refuses it unless the transaction ran
``SET LOCAL orderhub.allow_truncate = 'on'`` (README, "Archiving on purpose"). SQLite has no
TRUNCATE: nothing to do there.
"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    from app.db_rules import install_truncate_rules
    install_truncate_rules(op.get_bind())


def downgrade():
    from app.db_rules import TRUNCATE_GUARDED
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TRUNCATE_GUARDED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.execute("DROP FUNCTION IF EXISTS orderhub_guard_truncate()")
