"""shipment: the carrier's label and sort code

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("shipment") as batch:
        batch.add_column(sa.Column("carrier_label", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("carrier_label_type", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("sort_code", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("shipment") as batch:
        batch.drop_column("sort_code")
        batch.drop_column("carrier_label_type")
        batch.drop_column("carrier_label")
