"""marketplace channel settings and the marketplace's own order amounts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:00:00

Channel: reserve stock on arrival, the listing category for pushed products, and why a shop must
be connected again. Order: the amounts the marketplace reports (buyer paid, vouchers, fees).
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('channel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserve_on_arrival', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('listing_category_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('reconnect_reason', sa.String(length=500), nullable=True))
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('marketplace_amounts', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_column('marketplace_amounts')
    with op.batch_alter_table('channel', schema=None) as batch_op:
        batch_op.drop_column('reconnect_reason')
        batch_op.drop_column('listing_category_id')
        batch_op.drop_column('reserve_on_arrival')
