"""the sales assistant: conversations, messages, sale drafts, size charts and shop policies

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 10:45:44

A conversation (public id "c-<hex>", channel, the shopper's identity on it, the customer it is
linked to, paused while staff answer), its messages (with intent, entities, variants, latency), the
sale it collects (a draft that becomes an order only once confirmed), and the set-up records the
assistant quotes: size chart rows (a category's or a product's) and the shop's policies.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('shop_policy',
    sa.Column('topic', sa.Enum('payment', 'returns', 'shipping', 'warranty', 'hours', name='ck_shop_policy_topic', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('language', sa.Enum('vi', 'en', name='ck_shop_policy_language', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(trim(text)) > 0', name='ck_shop_policy_text'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('topic', 'language', name='uq_shop_policy_topic_language')
    )
    op.create_table('size_chart',
    sa.Column('category', sa.String(length=120), nullable=True),
    sa.Column('product_sku', sa.String(length=64), nullable=True),
    sa.Column('size', sa.String(length=20), nullable=False),
    sa.Column('height_min_cm', sa.Integer(), nullable=False),
    sa.Column('height_max_cm', sa.Integer(), nullable=False),
    sa.Column('weight_min_kg', sa.Integer(), nullable=False),
    sa.Column('weight_max_kg', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(category IS NULL) <> (product_sku IS NULL)', name='ck_size_chart_category_or_product'),
    sa.CheckConstraint('height_min_cm > 0 AND height_min_cm <= height_max_cm', name='ck_size_chart_height_range'),
    sa.CheckConstraint('weight_min_kg > 0 AND weight_min_kg <= weight_max_kg', name='ck_size_chart_weight_range'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('category', 'product_sku', 'size', name='uq_size_chart_size')
    )
    with op.batch_alter_table('size_chart', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_size_chart_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_size_chart_product_sku'), ['product_sku'], unique=False)

    op.create_table('conversation',
    sa.Column('public_id', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.Enum('web', 'messenger', 'zalo', name='ck_conversation_channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('external_id', sa.String(length=120), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('paused_until', sa.DateTime(), nullable=True),
    sa.Column('handed_over', sa.Boolean(), nullable=False),
    sa.Column('failed_clarifications', sa.Integer(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=True),
    sa.Column('last_message_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('failed_clarifications >= 0', name='ck_conversation_failures_nonneg'),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'external_id', name='uq_conversation_channel_external'),
    sa.UniqueConstraint('public_id')
    )
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_customer_id'), ['customer_id'], unique=False)

    op.create_table('chat_message',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.Enum('in', 'out', 'staff', name='ck_chat_message_direction', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('intent', sa.String(length=32), nullable=True),
    sa.Column('entities', sa.JSON(), nullable=True),
    sa.Column('variants', sa.JSON(), nullable=True),
    sa.Column('latency_ms', sa.Integer(), nullable=True),
    sa.Column('external_message_id', sa.String(length=120), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('latency_ms IS NULL OR latency_ms >= 0', name='ck_chat_message_latency'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'external_message_id', name='uq_chat_message_external')
    )
    with op.batch_alter_table('chat_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_message_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('sale_draft',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('shipping_fee', sa.Numeric(precision=18, scale=0), nullable=True),
    sa.Column('total', sa.Numeric(precision=18, scale=0), nullable=True),
    sa.Column('state', sa.Enum('collecting', 'awaiting_confirmation', 'confirmed', 'abandoned', name='ck_sale_draft_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("state <> 'confirmed' OR order_id IS NOT NULL", name='ck_sale_draft_confirmed_has_order'),
    sa.CheckConstraint('shipping_fee IS NULL OR shipping_fee >= 0', name='ck_sale_draft_fee'),
    sa.CheckConstraint('total IS NULL OR total >= 0', name='ck_sale_draft_total'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['sales_order.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_id')
    )
    with op.batch_alter_table('sale_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sale_draft_conversation_id'), ['conversation_id'], unique=False)



def downgrade():
    with op.batch_alter_table('sale_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sale_draft_conversation_id'))

    op.drop_table('sale_draft')
    with op.batch_alter_table('chat_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_message_conversation_id'))

    op.drop_table('chat_message')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_customer_id'))

    op.drop_table('conversation')
    with op.batch_alter_table('size_chart', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_size_chart_product_sku'))
        batch_op.drop_index(batch_op.f('ix_size_chart_category'))

    op.drop_table('size_chart')
    op.drop_table('shop_policy')
