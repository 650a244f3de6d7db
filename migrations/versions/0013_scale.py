"""a million orders: running counts for the landing page, indexes for its figures and searches

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 11:00:00

order_tally / shipment_tally: +1/-1 rows added by triggers on every change of an order's state,
channel or warehouse and of a parcel's state (app/models/tallies.py), counted once here from the
rows already there. Orders: an index on when they were placed (coalesce(placed_at, created_at)),
a partial one on those that need attention, and trigram indexes (pg_trgm on PostgreSQL, a plain
index elsewhere) on the buyer's name and phone.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _id():
    return sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), primary_key=True)


def upgrade():
    from app.db_rules import install_tally_rules, recount_tallies
    op.create_table('order_tally', _id(),
                    sa.Column('channel_id', sa.Integer(), nullable=True),
                    sa.Column('warehouse_id', sa.Integer(), nullable=True),
                    sa.Column('status', sa.String(length=32), nullable=False),
                    sa.Column('orders', sa.Integer(), nullable=False))
    op.create_table('shipment_tally', _id(),
                    sa.Column('status', sa.String(length=32), nullable=False),
                    sa.Column('shipments', sa.Integer(), nullable=False))
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
    else:
        for name in ('sales_order_tally_insert', 'sales_order_tally_update',
                     'sales_order_tally_delete', 'shipment_tally_insert', 'shipment_tally_update',
                     'shipment_tally_delete'):
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
    for name in ('ix_sales_order_buyer_phone_trgm', 'ix_sales_order_buyer_name_trgm',
                 'ix_sales_order_attention', 'ix_sales_order_placed_or_created'):
        op.drop_index(name, table_name='sales_order')
    op.drop_table('shipment_tally')
    op.drop_table('order_tally')
