"""catalogue import, media files and search without accents

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 09:00:00

Product: aliases (other names shoppers use). Product, variant, customer: ``search_text``, the
folded form a search box compares with (filled here for existing rows), with a pg_trgm GIN index on
PostgreSQL. Product media: the uploaded file's type, size, original name and thumbnail.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

SEARCHED = ('product', 'product_variant', 'customer')


def upgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.Text(), nullable=True))
    for table in SEARCHED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False,
                                          server_default=''))
    with op.batch_alter_table('product_media', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_type', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('byte_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('original_name', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('thumbnail', sa.String(length=255), nullable=True))
        batch_op.create_check_constraint('ck_media_size_nonneg',
                                         'byte_size IS NULL OR byte_size >= 0')
    _fill_search_text()
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for table in SEARCHED:  # a trigram GIN index on PostgreSQL, a plain one elsewhere
        op.create_index(f'ix_{table}_search_trgm', table, ['search_text'],
                        postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})


def _fill_search_text():
    """The folded text of the rows already there (new writes keep it in step themselves)."""
    from app.services.search_text import fold
    bind = op.get_bind()
    meta = sa.MetaData()
    product = sa.Table('product', meta, autoload_with=bind)
    variant = sa.Table('product_variant', meta, autoload_with=bind)
    customer = sa.Table('customer', meta, autoload_with=bind)

    def text(*parts):  # as app.services.catalog.search.stored writes it
        return ' ' + fold(' '.join(p for p in parts if p))

    products = {r.id: r for r in bind.execute(sa.select(product.c.id, product.c.sku,
                                                        product.c.name, product.c.aliases))}
    values: dict[int, list] = {}
    for r in bind.execute(sa.select(variant)).all():
        p = products.get(r.product_id)
        bind.execute(variant.update().where(variant.c.id == r.id).values(search_text=text(
            r.sku, r.barcode, r.name, r.value_1, r.value_2, r.value_3,
            *((p.sku, p.name, p.aliases) if p else ()))))
        seen = values.setdefault(r.product_id, [])
        seen += [v for v in (r.value_1, r.value_2, r.value_3) if v and v not in seen]
    for r in products.values():
        bind.execute(product.update().where(product.c.id == r.id)
                     .values(search_text=text(r.sku, r.name, r.aliases, *values.get(r.id, []))))
    for r in bind.execute(sa.select(customer)).all():
        bind.execute(customer.update().where(customer.c.id == r.id).values(search_text=text(
            r.name, r.phone, r.email, r.company_name, r.tax_code)))


def downgrade():
    for table in SEARCHED:
        op.drop_index(f'ix_{table}_search_trgm', table_name=table)
    with op.batch_alter_table('product_media', schema=None) as batch_op:
        batch_op.drop_constraint('ck_media_size_nonneg', type_='check')
        batch_op.drop_column('thumbnail')
        batch_op.drop_column('original_name')
        batch_op.drop_column('byte_size')
        batch_op.drop_column('content_type')
    for table in SEARCHED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('search_text')
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('aliases')
