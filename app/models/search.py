"""The folded search column products, variants and customers carry, and its trigram index.

``search_text`` holds ``app.services.search_text.fold`` of what a person types to find the record
(names, SKUs, aliases, attribute values, phone…), led by a space; ``app.services.catalog.search`` keeps it in step
on every ORM write and builds the matching conditions. On PostgreSQL a pg_trgm GIN index makes
``LIKE '%word%'`` and the typo-tolerant similarity operators fast; the extension is created with
the first table that needs it (and by the migration).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import mapped_column


def search_column():
    return mapped_column(sa.Text, nullable=False, default="", server_default="")


def trigram_index(table: str) -> sa.Index:
    """A pg_trgm GIN index on ``search_text`` on PostgreSQL (elsewhere a plain index: SQLite's
    LIKE '%…%' cannot use one, but one schema for both keeps the migrations comparable)."""
    return sa.Index(f"ix_{table}_search_trgm", "search_text", postgresql_using="gin",
                    postgresql_ops={"search_text": "gin_trgm_ops"})


def _create_extension(target, connection, **kw) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def needs_trigrams(table: sa.Table) -> None:
    """Create pg_trgm before ``table`` when the schema is built from the models (tests, benches)."""
    sa.event.listen(table, "before_create", _create_extension)
