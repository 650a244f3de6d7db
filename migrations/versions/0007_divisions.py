"""GSO codes of the province and ward on orders, customers and their addresses

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 07:00:00

Addresses are chosen from Vietnam's administrative divisions since the 2025 reorganisation
(province → ward); the codes say the address was checked and which units it names.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLES = {'sales_order': ('ship_province_code', 'ship_ward_code'),
          'customer': ('province_code', 'ward_code'),
          'customer_address': ('province_code', 'ward_code')}


def upgrade():
    for table, columns in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))


def downgrade():
    for table, columns in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_column(column)
