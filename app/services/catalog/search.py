"""Search without accents: the folded search column of products, variants and customers, kept in
step on every write, and the condition every search box uses.

A person types "binh giu", "quan jean xanh", "ao thun trang"; the records say "Bình giữ nhiệt
inox 500ml", "Quần jean ống đứng xanh", "Áo thun basic" in colour "Trắng". Both sides go through
``app.services.search_text.fold`` (the assistant's folding too), so they meet:

- ``search_text`` of a product: its SKU, name and aliases; of a variant: its SKU, barcode, name and
  attribute values plus its product's SKU, name and aliases (so one variant row answers "ao thun
  trang"); of a customer: name, phone, e-mail, company and tax code.
- ``refresh(session)`` runs before every flush (``app.services.hooks``), so whatever writes — a
  form, the API, the catalogue import, a marketplace pull — the column follows. A renamed product
  re-folds its variants. ``reindex`` rebuilds every row (after SQL that bypassed the ORM).
- ``matches(column, text)``: every typed word starts a word of the folded text; on PostgreSQL a
  pg_trgm word-similarity test is OR-ed in, so a typo ("bihn giu nhiet") still finds the product.
  Both halves use the column's trigram GIN index.
"""
from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.models import Customer, Product, ProductVariant
from app.services.search_text import fold

_PRODUCT_KEYS = ("sku", "name", "aliases")


def product_text(product: Product) -> str:
    return fold(" ".join(p for p in (product.sku, product.name, product.aliases) if p))


def variant_text(variant: ProductVariant, product: Product | None) -> str:
    parts = [variant.sku, variant.barcode, variant.name, variant.value_1, variant.value_2,
             variant.value_3]
    if product is not None:
        parts += [product.sku, product.name, product.aliases]
    return fold(" ".join(p for p in parts if p))


def customer_text(customer: Customer) -> str:
    return fold(" ".join(p for p in (customer.name, customer.phone, customer.email,
                                     customer.company_name, customer.tax_code) if p))


def _set(obj, text: str) -> None:
    if obj.search_text != text:
        obj.search_text = text


def _product_of(session: Session, variant: ProductVariant) -> Product | None:
    if variant.product is not None:
        return variant.product
    return session.get(Product, variant.product_id) if variant.product_id else None


def _renamed(product: Product) -> bool:
    state = inspect(product)
    return state.persistent and any(state.attrs[k].history.has_changes() for k in _PRODUCT_KEYS)


def refresh(session: Session) -> None:
    """Fold the search text of every product, variant and customer this flush writes."""
    touched = [o for o in list(session.new) + list(session.dirty)
               if isinstance(o, (Product, ProductVariant, Customer)) and o not in session.deleted]
    if not touched:
        return
    with session.no_autoflush:
        variants: dict[int, ProductVariant] = {}
        for obj in touched:
            if isinstance(obj, Customer):
                _set(obj, customer_text(obj))
            elif isinstance(obj, Product):
                _set(obj, product_text(obj))
                if _renamed(obj):
                    variants.update((id(v), v) for v in obj.variants)
            else:
                variants[id(obj)] = obj
        for variant in variants.values():
            _set(variant, variant_text(variant, _product_of(session, variant)))


def reindex(session: Session, batch: int = 1000) -> int:
    """Re-fold every product, variant and customer (no commit); returns how many rows changed."""
    changed = 0
    for model in (Product, ProductVariant, Customer):
        last = 0
        while True:
            rows = session.scalars(sa.select(model).where(model.id > last).order_by(model.id)
                                   .limit(batch)).all()
            if not rows:
                break
            last = rows[-1].id
            for obj in rows:
                if isinstance(obj, Product):
                    text = product_text(obj)
                elif isinstance(obj, ProductVariant):
                    text = variant_text(obj, obj.product)
                else:
                    text = customer_text(obj)
                if obj.search_text != text:
                    obj.search_text = text
                    changed += 1
            session.flush()
    return changed


def word_conditions(column, words: Iterable[str]) -> list:
    """One condition per folded word: it starts a word of ``column``."""
    return [sa.or_(column.like(f"{w}%"), column.like(f"% {w}%")) for w in words]


def _exact(column, folded: str):
    return sa.and_(*word_conditions(column, folded.split(" ")))


def _nowhere(column, folded: str):
    """True when no row of ``column``'s table answers ``folded`` exactly (evaluated once)."""
    column = column.expression  # the table's Column behind an ORM attribute
    other = sa.alias(column.table)
    return ~sa.exists(sa.select(sa.literal(1)).select_from(other)
                      .where(_exact(other.c[column.key], folded)))


def _close(column, folded: str):
    """pg_trgm: the typed words are close to some stretch of the text (threshold 0.6)."""
    return sa.literal(folded, sa.Text).op("<%")(column)


def matches(column, text: str, dialect: str):
    """The condition "``column`` (a folded search column) answers what was typed", or None when
    nothing searchable was typed. Every typed word must start a word of the text; on PostgreSQL,
    when no row at all answers that way, rows close to it do (a typo: "bihn giu nhiet")."""
    folded = fold(text)
    if not folded:
        return None
    exact = _exact(column, folded)
    if dialect != "postgresql" or len(folded) < 3:
        return exact
    return sa.or_(exact, sa.and_(_nowhere(column, folded), _close(column, folded)))


def closeness(column, text: str, dialect: str):
    """An ORDER BY term putting the closest matches first (PostgreSQL), or None."""
    folded = fold(text)
    if dialect != "postgresql" or not folded:
        return None
    return sa.func.word_similarity(sa.literal(folded, sa.Text), column).desc()


def product_matches(text: str, dialect: str):
    """Products whose own text, or one of whose variants' (with colour, size…), answers ``text``;
    on PostgreSQL, when none does, products whose own text is close to it."""
    folded = fold(text)
    if not folded:
        return None
    own = _exact(Product.search_text, folded)
    by_variant = sa.exists().where(ProductVariant.product_id == Product.id,
                                   _exact(ProductVariant.search_text, folded))
    if dialect != "postgresql" or len(folded) < 3:
        return sa.or_(own, by_variant)
    return sa.or_(own, by_variant, sa.and_(_nowhere(Product.search_text, folded),
                                           _nowhere(ProductVariant.search_text, folded),
                                           _close(Product.search_text, folded)))


def variant_matches(text: str, dialect: str):
    return matches(ProductVariant.search_text, text, dialect)


def customer_matches(text: str, dialect: str):
    return matches(Customer.search_text, text, dialect)


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name
