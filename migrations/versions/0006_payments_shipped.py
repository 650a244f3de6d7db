"""an order's payment reference, a COD statement's import report; marketplace orders imported
already shipped have their lines shipped

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 07:00:00

Order.payment_reference: what a payment was recorded against (a COD statement, a bank transfer).
CodReconciliation.import_report: what the carrier's statement file said, row by row.

Data: an order a marketplace had already shipped when OrderHub first pulled it was recorded in its
state with no stock moved, but its lines kept "shipped 0", so it could never be returned. Those
lines (orders of a marketplace channel, past the warehouse, with no shipment move of ours) are
now shipped in full, as the import records them from now on.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

HISTORY_LINES = """
UPDATE order_line SET shipped_quantity = quantity, reserved_quantity = 0
WHERE shipped_quantity = 0 AND returned_quantity = 0 AND order_id IN (
    SELECT o.id FROM sales_order o JOIN channel c ON c.id = o.channel_id
    WHERE c.platform IN ('shopee', 'lazada', 'tiktok')
      AND o.status IN ('shipped', 'delivered', 'completed', 'delivery_failed')
      AND NOT EXISTS (SELECT 1 FROM stock_move m
                      WHERE m.reference_type = 'order' AND m.reference_id = o.id
                        AND m.kind = 'shipment'))
"""


def upgrade():
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payment_reference', sa.String(length=100), nullable=True))
    with op.batch_alter_table('cod_reconciliation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_report', sa.JSON(), nullable=True))
    op.execute(HISTORY_LINES)


def downgrade():
    # The shipped quantities stay: they are what happened.
    with op.batch_alter_table('cod_reconciliation', schema=None) as batch_op:
        batch_op.drop_column('import_report')
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_column('payment_reference')
