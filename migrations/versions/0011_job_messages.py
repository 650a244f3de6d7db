"""jobs keep the templates of their title and error, to be shown in the reader's language

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00

Job: the N_ template and values of its title and of its error message, beside the English text
(rows written before keep their text and are shown as written).
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_template', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('title_params', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('error_template', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('error_params', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('error_params')
        batch_op.drop_column('error_template')
        batch_op.drop_column('title_params')
        batch_op.drop_column('title_template')
