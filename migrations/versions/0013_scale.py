"""a million orders: running counts for the landing page, indexes for its figures and searches

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 11:00:00

order_tally / shipment_tally / sales_tally (orders and sales per hour placed): +1/-1 rows added by triggers on every change of an order's state,
channel or warehouse and of a parcel's state (app/models/tallies.py), counted once here from the
rows already there. Orders: an index on when they were placed (coalesce(placed_at, created_at)),
a partial one on those that need attention, and trigram indexes (pg_trgm on PostgreSQL, a plain
index elsewhere) on the buyer's name and phone, and b-tree ones on the phone's beginning and
(PostgreSQL) its end.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _id():
    return sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), primary_key=True)


def _folded():
    return sa.Column('folded', sa.Boolean(), nullable=False, server_default=sa.false())


def upgrade():
    from app.db_rules import install_tally_rules, recount_tallies
    op.create_table('order_tally', _id(),
                    sa.Column('channel_id', sa.Integer(), nullable=True),
                    sa.Column('warehouse_id', sa.Integer(), nullable=True),
                    sa.Column('status', sa.String(length=32), nullable=False),
                    sa.Column('orders', sa.Integer(), nullable=False), _folded())
    op.create_table('shipment_tally', _id(),
                    sa.Column('status', sa.String(length=32), nullable=False),
                    sa.Column('shipments', sa.Integer(), nullable=False), _folded())
    op.create_table('sales_tally', _id(),
                    sa.Column('hour', sa.DateTime(), nullable=False),
                    sa.Column('warehouse_id', sa.Integer(), nullable=True),
                    sa.Column('cancelled', sa.Boolean(), nullable=False),
                    sa.Column('orders', sa.Integer(), nullable=False),
                    sa.Column('sales', sa.Numeric(18, 0), nullable=False), _folded())
    op.create_index('ix_sales_tally_hour', 'sales_tally', ['hour'])
    for table in ('order_tally', 'shipment_tally', 'sales_tally'):
        op.create_index(f'ix_{table}_unfolded', table, ['id'],
                        postgresql_where=sa.text('NOT folded'), sqlite_where=sa.text('NOT folded'))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index('ix_sales_order_placed_or_created', 'sales_order',
                    [sa.text('coalesce(placed_at, created_at)')],
                    postgresql_include=['placed_at', 'created_at', 'status', 'total', 'warehouse_id'])
    op.create_index('ix_sales_order_attention', 'sales_order', ['status'],
                    postgresql_where=sa.text('needs_attention IS NOT NULL'),
                    sqlite_where=sa.text('needs_attention IS NOT NULL'))
    for column in ('buyer_name', 'buyer_phone'):
        op.create_index(f'ix_sales_order_{column}_trgm', 'sales_order', [column],
                        postgresql_using='gin', postgresql_ops={column: 'gin_trgm_ops'})
    op.create_index('ix_sales_order_buyer_phone_prefix', 'sales_order', ['buyer_phone'],
                    postgresql_ops={'buyer_phone': 'varchar_pattern_ops'})
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE INDEX ix_sales_order_buyer_phone_reversed ON sales_order '
                   '(reverse(buyer_phone) text_pattern_ops)')
    bind = op.get_bind()
    install_tally_rules(bind)
    recount_tallies(bind)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS sales_order_tally ON sales_order')
        op.execute('DROP TRIGGER IF EXISTS shipment_tally ON shipment')
        op.execute('DROP FUNCTION IF EXISTS orderhub_tally_order()')
        op.execute('DROP FUNCTION IF EXISTS orderhub_tally_shipment()')
        op.execute('DROP TRIGGER IF EXISTS sales_order_sales_tally ON sales_order')
        op.execute('DROP FUNCTION IF EXISTS orderhub_tally_sales()')
    else:
        for name in ('sales_order_tally_insert', 'sales_order_tally_update',
                     'sales_order_tally_delete', 'shipment_tally_insert', 'shipment_tally_update',
                     'shipment_tally_delete', 'sales_order_sales_tally_insert',
                     'sales_order_sales_tally_update', 'sales_order_sales_tally_delete'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    if bind.dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_sales_order_buyer_phone_reversed')
    for name in ('ix_sales_order_buyer_phone_prefix', 'ix_sales_order_buyer_phone_trgm', 'ix_sales_order_buyer_name_trgm',
                 'ix_sales_order_attention', 'ix_sales_order_placed_or_created'):
        op.drop_index(name, table_name='sales_order')
    op.drop_table('sales_tally')
    op.drop_table('shipment_tally')
    op.drop_table('order_tally')
