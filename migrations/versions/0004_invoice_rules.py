"""e-invoices: buyer ID number, agreement date, last send time, mixed adjustments, bulk printing;
issued invoices and their lines frozen by the database, used series kept

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 09:00:00

The triggers come from app.db_rules (the one source for the session guard and both databases):
0001 installed a first version that let an issued invoice be reopened, its lines be edited, and
several content columns change; installing them again replaces those.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyer_id_number', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('agreement_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('last_sent_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_decrease', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    # Lines of decrease adjustments issued before lines carried their own direction (no trigger on
    # invoice_line existed yet, so this runs before the rules below are installed).
    op.execute("UPDATE invoice_line SET is_decrease = true WHERE invoice_id IN "
               "(SELECT id FROM invoice WHERE adjustment_direction = 'decrease')")

    op.create_table('invoice_print',
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('invoice_ids', sa.JSON(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_id')
    )
    op.create_table('invoice_print_part',
    sa.Column('print_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('invoice_ids', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'rendering', 'done', name='ck_print_part_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['print_id'], ['invoice_print.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('print_id', 'position', name='uq_invoice_print_part')
    )
    with op.batch_alter_table('invoice_print_part', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_print_part_print_id'), ['print_id'], unique=False)

    from app.db_rules import install_invoice_rules
    install_invoice_rules(op.get_bind())


def downgrade():
    with op.batch_alter_table('invoice_print_part', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_print_part_print_id'))
    op.drop_table('invoice_print_part')
    op.drop_table('invoice_print')
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for stmt in ("DROP TRIGGER IF EXISTS invoice_line_immutable ON invoice_line",
                     "DROP TRIGGER IF EXISTS invoice_series_in_use ON invoice_series"):
            op.execute(stmt)
    else:
        for name in ("invoice_status_forward", "invoice_line_no_insert_issued", "invoice_line_no_change_issued",
                     "invoice_line_no_delete_issued", "invoice_series_no_rename_used",
                     "invoice_series_no_delete_used", "invoice_no_change_issued"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('invoice_line', schema=None) as batch_op:
        batch_op.drop_column('is_decrease')
    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_column('last_sent_at')
        batch_op.drop_column('agreement_date')
        batch_op.drop_column('buyer_id_number')
