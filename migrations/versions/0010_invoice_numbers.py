"""invoice numbers unique per seller tax code, template and series; a clash kept and flagged

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:00:00

An invoice records the seller tax code it was issued for. (seller tax code, template, series,
number) is unique among invoices that do not clash; an invoice a provider issued under a number
already held (another account of the seller, a provider re-pointed or reset) is kept with
``number_clash_of_id`` naming the invoice holding it, for a person to check (``clash_checked_at``).
Existing invoices get their account's seller tax code; any that already share a number are flagged.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    from app.db_rules import drop_invoice_rules, install_invoice_rules
    drop_invoice_rules(op.get_bind())
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seller_tax_code', sa.String(length=14), nullable=True))
        batch_op.add_column(sa.Column('number_clash_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('clash_checked_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key('fk_invoice_number_clash_of_id_invoice', 'invoice',
                                    ['number_clash_of_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_constraint('uq_invoice_number_per_series', type_='unique')
    bind = op.get_bind()
    _backfill(bind)  # new columns only: the guard installed by 0004 does not freeze them yet
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.create_index('uq_invoice_seller_number', ['seller_tax_code', 'template', 'series', 'number'],
                              unique=True, sqlite_where=sa.text('number_clash_of_id IS NULL'),
                              postgresql_where=sa.text('number_clash_of_id IS NULL'))
    # Back on SQLite, and on both the guard now freezes the new columns.
    install_invoice_rules(bind)


def _backfill(bind) -> None:
    accounts = sa.table('provider_account', sa.column('id', sa.Integer), sa.column('settings', sa.JSON))
    invoice = sa.table('invoice', sa.column('id', sa.Integer), sa.column('provider_account_id', sa.Integer),
                       sa.column('template', sa.String), sa.column('series', sa.String),
                       sa.column('number', sa.Integer), sa.column('seller_tax_code', sa.String),
                       sa.column('number_clash_of_id', sa.Integer))
    tax_codes = {}
    for account_id, settings in bind.execute(sa.select(accounts.c.id, accounts.c.settings)):
        code = str(((settings or {}).get('seller') or {}).get('tax_code') or '').strip()
        tax_codes[account_id] = code[:14] or None
    holders: dict[tuple, int] = {}
    rows = bind.execute(sa.select(invoice.c.id, invoice.c.provider_account_id, invoice.c.template,
                                  invoice.c.series, invoice.c.number)
                        .where(invoice.c.number.is_not(None)).order_by(invoice.c.id)).all()
    for invoice_id, account_id, template, series, number in rows:
        code = tax_codes.get(account_id)
        key = (code, template, series, number)
        clash = holders.get(key) if code else None
        if code and clash is None:
            holders[key] = invoice_id
        bind.execute(sa.update(invoice).where(invoice.c.id == invoice_id)
                     .values(seller_tax_code=code, number_clash_of_id=clash))


def downgrade():
    from app.db_rules import drop_invoice_rules, install_invoice_rules
    drop_invoice_rules(op.get_bind())
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_index('uq_invoice_seller_number')
        batch_op.drop_constraint('fk_invoice_number_clash_of_id_invoice', type_='foreignkey')
        batch_op.drop_column('clash_checked_at')
        batch_op.drop_column('number_clash_of_id')
        batch_op.drop_column('seller_tax_code')
        batch_op.create_unique_constraint('uq_invoice_number_per_series',
                                          ['provider_account_id', 'template', 'series', 'number'])
    install_invoice_rules(op.get_bind())
