"""Search without accents: the folded search column of products, variants and customers, kept in
step on every write, and the condition every search box uses.

A person types "binh giu", "quan jean xanh", "ao thun trang"; the records say "Bình giữ nhiệt
inox 500ml", "Quần jean ống đứng xanh", "Áo thun basic" in colour "Trắng". Both sides go through
``app.services.search_text.fold`` (the assistant's folding too), so they meet:

- ``search_text`` of a product: its SKU, name, aliases and the attribute values of its variants;
  of a variant: its SKU, barcode, name and attribute values plus its product's SKU, name and
  aliases (so one variant row answers "ao thun trang"); of a customer: name, phone, e-mail,
  company and tax code.
- ``refresh(session)`` runs before every flush (``app.services.hooks``), so whatever writes — a
  form, the API, the catalogue import, a marketplace pull — the column follows. A renamed product
  re-folds its variants, a variant's new colour its product. ``reindex`` rebuilds every row
  (after SQL that bypassed the ORM).
- ``find(session, column, text)`` (and ``find_products``, ``find_variants``, ``find_customers``):
  every typed word starts a word of the folded text; on PostgreSQL, when no row answers that way,
  the rows whose text is close to what was typed (pg_trgm word similarity), closest first, so a
  typo ("bihn giu nhiet") still finds the product. Both kinds of query use the trigram GIN index.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.models import Customer, Product, ProductVariant
from app.services.search_text import fold

_PRODUCT_KEYS = ("sku", "name", "aliases")


def stored(*parts) -> str:
    """The folded text as the column keeps it: led by a space, so that "a typed word starts a
    word of the text" is one ``LIKE '% word%'``, first word included."""
    return " " + fold(" ".join(p for p in parts if p))
_VARIANT_KEYS = ("value_1", "value_2", "value_3", "product_id", "active")


def product_text(product: Product, variants=None) -> str:
    """A product's SKU, name and aliases, and the attribute values its variants come in (so a
    product list finds "ao thun trang" for a T-shirt sold in white)."""
    values = []
    for variant in product.variants if variants is None else variants:
        values += [v for v in (variant.value_1, variant.value_2, variant.value_3)
                   if v and v not in values]
    return stored(product.sku, product.name, product.aliases, *values)


def variant_text(variant: ProductVariant, product: Product | None) -> str:
    parts = [variant.sku, variant.barcode, variant.name, variant.value_1, variant.value_2,
             variant.value_3]
    if product is not None:
        parts += [product.sku, product.name, product.aliases]
    return stored(*parts)


def customer_text(customer: Customer) -> str:
    return stored(customer.name, customer.phone, customer.email, customer.company_name,
                  customer.tax_code)


def _set(obj, text: str) -> None:
    if obj.search_text != text:
        obj.search_text = text


def _product_of(session: Session, variant: ProductVariant) -> Product | None:
    if variant.product is not None:
        return variant.product
    return session.get(Product, variant.product_id) if variant.product_id else None


def _changed(obj, keys) -> bool:
    state = inspect(obj)
    return state.pending or any(state.attrs[k].history.has_changes() for k in keys)


def refresh(session: Session) -> None:
    """Fold the search text of every product, variant and customer this flush writes (a
    product's variants follow its name; a product follows its variants' values)."""
    touched = [o for o in list(session.new) + list(session.dirty)
               if isinstance(o, (Product, ProductVariant, Customer)) and o not in session.deleted]
    gone = [o for o in session.deleted if isinstance(o, ProductVariant)]
    if not touched and not gone:
        return
    with session.no_autoflush:
        variants: dict[int, ProductVariant] = {}
        products: dict[int, Product] = {}
        for obj in touched:
            if isinstance(obj, Customer):
                _set(obj, customer_text(obj))
            elif isinstance(obj, Product):
                products[id(obj)] = obj
                if inspect(obj).persistent and _changed(obj, _PRODUCT_KEYS):
                    variants.update((id(v), v) for v in obj.variants)
            else:
                variants[id(obj)] = obj
        for variant in variants.values():
            product = _product_of(session, variant)
            _set(variant, variant_text(variant, product))
            if product is not None and _changed(variant, _VARIANT_KEYS):
                products[id(product)] = product
        for variant in gone:
            product = _product_of(session, variant)
            if product is not None:
                products[id(product)] = product
        for product in products.values():
            _set(product, product_text(product, [v for v in product.variants
                                                 if v not in session.deleted]))


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


@dataclass(frozen=True)
class Match:
    """How to find what was typed: a WHERE condition, and the ORDER BY terms that put the closest
    rows first (empty for exact matches: every row answers all the words)."""

    condition: object
    order: tuple = ()
    fuzzy: bool = False


def word_conditions(column, words: Iterable[str]) -> list:
    """One condition per folded word: it starts a word of ``column`` (see ``stored``)."""
    return [column.like(f"% {w}%") for w in words]


def _exact(column, folded: str):
    return sa.and_(*word_conditions(column, folded.split(" ")))


def _close(column, folded: str):
    """pg_trgm: the typed words are close to some stretch of the text (threshold 0.6)."""
    return sa.literal(folded, sa.Text).op("<%")(column)


def _closest_first(column, folded: str) -> tuple:
    return (sa.func.word_similarity(sa.literal(folded, sa.Text), column).desc(),)


def _any(session: Session, condition, key: tuple) -> bool:
    """Whether any row answers ``condition``, asked once per transaction for the same search
    (a list page applies its filter to its count and to its rows)."""
    real = session if isinstance(session, Session) else session()  # a scoped session's own
    cache = real.info.get("orderhub_search_any")
    transaction = id(real.get_transaction())
    if cache is None or cache[0] != transaction:
        cache = real.info["orderhub_search_any"] = (transaction, {})
    if key not in cache[1]:
        cache[1][key] = session.scalar(sa.select(sa.literal(1)).where(condition).limit(1)) \
            is not None
    return cache[1][key]


def _forgiving(session: Session, folded: str) -> bool:
    """Whether a search may fall back on close matches: PostgreSQL's pg_trgm, and enough typed."""
    return len(folded) >= 3 and dialect_of(session) == "postgresql"


CLOSEST = 200  # rows a forgiving search keeps, closest first


def _closest(session: Session, column, folded: str, limit: int = CLOSEST) -> list[int]:
    """Ids of the rows of ``column``'s table closest to ``folded``, closest first: the trigram
    index finds the candidates and only they are scored."""
    key = list(column.expression.table.primary_key.columns)[0]
    query = (sa.select(key).where(_close(column, folded))
             .order_by(*_closest_first(column, folded)).limit(limit))
    # PostgreSQL prices pg_trgm's similarity test like a plain comparison and would rather score
    # every row of the table (measured: 290 ms against 4 ms over 10,000 products); for this one
    # query, it is told to take the index.
    session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    try:
        return list(session.scalars(query))
    finally:
        session.execute(sa.text("SET LOCAL enable_seqscan TO DEFAULT"))


def _forgive(session: Session, column, exact, folded: str, forgive: bool | None) -> bool:
    if forgive is not None:
        return forgive and _forgiving(session, folded)
    return _forgiving(session, folded) and \
        not _any(session, exact, (column.expression.table.name, folded))


def find(session: Session, column, text: str, forgive: bool | None = None) -> Match | None:
    """Rows whose folded ``column`` answers what was typed, or None when nothing searchable was
    typed. Every typed word must start a word of the text; on PostgreSQL, when no row answers
    that way, the rows closest to it, closest first (a typo: "bihn giu nhiet"). Deciding first
    keeps each query a plain one the trigram index serves. ``forgive`` False asks for exact
    matches only, True for the closest rows (a caller that already found no exact match)."""
    folded = fold(text)
    if not folded:
        return None
    exact = _exact(column, folded)
    if not _forgive(session, column, exact, folded, forgive):
        return Match(exact)
    key = list(column.expression.table.primary_key.columns)[0]
    return Match(key.in_(_closest(session, column, folded)), _closest_first(column, folded),
                 fuzzy=True)


def find_products(session: Session, text: str, forgive: bool | None = None) -> Match | None:
    """Products whose text (SKU, name, aliases, their variants' colours and sizes) answers what
    was typed; on PostgreSQL, when none does, the closest ones."""
    return find(session, Product.search_text, text, forgive)


def find_variants(session: Session, text: str, forgive: bool | None = None) -> Match | None:
    """Variants whose text answers what was typed; on PostgreSQL, when none does, the variants
    of the products closest to it (a typo is judged on the products' shorter texts: cheaper,
    and what was mistyped is mostly a product's name), closest first."""
    folded = fold(text)
    if not folded:
        return None
    exact = _exact(ProductVariant.search_text, folded)
    if not _forgive(session, ProductVariant.search_text, exact, folded, forgive):
        return Match(exact)
    return Match(ProductVariant.product_id.in_(_closest(session, Product.search_text, folded, 50)),
                 _closest_first(ProductVariant.search_text, folded), fuzzy=True)


def find_customers(session: Session, text: str) -> Match | None:
    return find(session, Customer.search_text, text)


def code_first(sku, typed: str, barcode=None):
    """An ORDER BY term: the row whose SKU (or barcode) is what was typed first, then SKUs that
    start with it — a clerk who types a whole SKU means that one, not its siblings the folded
    words also find ("...-XAM-S" folds to words that "...-XAM-L" has too)."""
    typed = (typed or "").strip()
    exact = sa.func.upper(sku) == typed.upper()
    if barcode is not None:
        exact = sa.or_(exact, barcode == typed)
    return sa.case((exact, 0), (sku.istartswith(typed, autoescape=True), 1), else_=2)


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name
