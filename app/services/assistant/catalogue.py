"""A read-only snapshot of the catalogue, indexed for the assistant.

The assistant never reads the database itself: the caller hands it ``Catalogue(products)`` built
from live rows (the web layer from the models; the bench and tests from a SPEC §12 CSV through
``from_rows``). Building the index costs a few milliseconds per thousand variants; understanding a
message against it then costs well under a millisecond per candidate product.

What is indexed:
- every folded word of product names and aliases (postings to products, and an IDF weight: a word
  few products carry — "sora", "giữ nhiệt" — says more than "áo");
- the same words glued in pairs ("sơ mi" → "somi", "500 ml" → "500ml"), as shoppers glue them;
- category words (a shopper may name only the category: "có áo khoác không");
- attribute values per product, and the colour values of the whole catalogue (attributes named
  Màu / Màu sắc / Color / Colour), as phrases (see ``phrases``);
- numeric sizes the catalogue sells (jeans 28–34, shoes 35–44), so "giày 40" reads as a size.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz, process

from app.services.assistant.lexicon import LEXICON
from app.services.assistant.phrases import PhraseIndex
from app.services.assistant.text import marks_of
from app.services.search_text import fold, fold_token

COLOUR_ATTRIBUTES = {fold(a) for a in LEXICON["colour_attributes"]}
SIZE_ATTRIBUTES = {fold(a) for a in LEXICON["size_attributes"]}
FUZZY_CUTOFF = 80
_EN_COLOURS: dict[str, list[str]] = {}
for _en, _vi in LEXICON.get("colour_words_en", {}).items():
    _EN_COLOURS.setdefault(fold(_vi), []).append(_en)


def value_phrases(value: str) -> list[str]:
    """How shoppers may name an attribute value: as written, and in English for a colour."""
    return [value] + _EN_COLOURS.get(fold(value), [])


@dataclass(frozen=True)
class Variant:
    sku: str
    values: dict  # attribute name → value, as written in the catalogue
    price: int  # before VAT, as the catalogue and the order lines keep it
    available: int = 0
    vat_rate: str = "0"  # the product's VAT rate, which the order adds to the goods


@dataclass
class Product:
    sku: str
    name: str
    variants: list[Variant]
    category: str = ""
    brand: str = ""
    aliases: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()

    def colour_attribute(self) -> str | None:
        return next((a for a in self.attributes if fold(a) in COLOUR_ATTRIBUTES), None)

    def size_attribute(self) -> str | None:
        return next((a for a in self.attributes if fold(a) in SIZE_ATTRIBUTES), None)


@dataclass
class ProductIndex:
    """What products.py needs about one product, precomputed."""
    forms: list[tuple[str, ...]]          # folded words of the name and of each alias
    words: frozenset                      # every word of the forms
    context: frozenset                    # category and brand words, attribute value words
    values: PhraseIndex                   # attribute values → (attribute, value)
    marks: dict = field(default_factory=dict)  # folded word → marks it is written with


def _words(text: str) -> tuple[str, ...]:
    return tuple(fold(text).split())


class Catalogue:
    def __init__(self, products: Iterable[Product]):
        self.products: list[Product] = list(products)
        self.by_sku = {p.sku: p for p in self.products}
        self.variant_by_sku = {v.sku: (p, v) for p in self.products for v in p.variants}
        self.index: list[ProductIndex] = []
        self.postings: dict[str, set[int]] = defaultdict(set)
        self.glued: dict[str, tuple[str, str]] = {}
        self.word_marks: dict[str, set[str]] = defaultdict(set)
        self.category_words: dict[str, set[int]] = defaultdict(set)
        self.colours = ColourIndex()
        self.numeric_sizes: set[str] = set()
        for number, product in enumerate(self.products):
            self.index.append(self._index_product(number, product))
        total = max(len(self.products), 1)
        self.idf = {w: math.log(1 + total / len(ps)) for w, ps in self.postings.items()}
        self.max_idf = math.log(1 + total)
        self.vocabulary = sorted(self.postings)
        self.position = {p.sku: n for n, p in enumerate(self.products)}
        self.category_forms = {p.category: frozenset(_words(p.category)) for p in self.products if p.category}
        self._corrections: dict[str, str | None] = {}

    def correct(self, word: str) -> str | None:
        """The catalogue word a misspelt ``word`` stands for ("basik" → "basic"), if one is at
        least ``FUZZY_CUTOFF`` similar; words under four letters and numbers are never corrected."""
        if word in self._corrections:
            return self._corrections[word]
        best = None
        if len(word) >= 4 and not word.isdigit():
            found = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            best = found[0] if found else None
            if best and len(word) < 5 and (best[0] != word[0] or len(best) != len(word)):
                best = None  # four letters leave no room: "đồng" is not "ống"
        if len(self._corrections) < 100_000:
            self._corrections[word] = best
        return best

    def _index_product(self, number: int, product: Product) -> ProductIndex:
        forms = [_words(product.name)] + [_words(a) for a in product.aliases if a.strip()]
        forms = [f for f in forms if f]
        for text in [product.name, *product.aliases]:
            for raw in text.lower().split():
                self.word_marks[fold_token(raw)].add(marks_of(raw))
        words = frozenset(w for f in forms for w in f)
        for w in words:
            self.postings[w].add(number)
        for form in forms:
            for a, b in zip(form, form[1:]):
                self.glued.setdefault(a + b, (a, b))
        values = PhraseIndex()
        context = set(_words(product.category)) | set(_words(product.brand))
        colour_attr, size_attr = product.colour_attribute(), product.size_attribute()
        for variant in product.variants:
            for attribute, value in variant.values.items():
                if not value:
                    continue
                for phrase in value_phrases(value):
                    values.add(phrase, (attribute, value))
                context |= set(_words(value))
                if attribute == colour_attr:
                    self.colours.add(value)
                if attribute == size_attr and str(value).strip().isdigit():
                    self.numeric_sizes.add(str(value).strip())
        for w in _words(product.category):
            self.category_words[w].add(number)
        return ProductIndex(forms=forms, words=words, context=frozenset(context), values=values)

    @classmethod
    def from_rows(cls, rows: Iterable[dict]) -> "Catalogue":
        """Build from SPEC §12 import rows (one per variant); ``opening_stock`` is the stock."""
        grouped: dict[str, dict] = {}
        for row in rows:
            product = grouped.setdefault(row["product_sku"], {
                "sku": row["product_sku"], "name": row["product_name"], "category": row.get("category", ""),
                "brand": row.get("brand", ""), "variants": [], "attributes": [],
                "aliases": tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())})
            values = {}
            for n in (1, 2, 3):
                name, value = row.get(f"attribute{n}_name") or "", row.get(f"attribute{n}_value") or ""
                if name:
                    values[name] = value
                    if name not in product["attributes"]:
                        product["attributes"].append(name)
            product["variants"].append(Variant(
                sku=row["variant_sku"], values=values, price=int(float(row.get("selling_price") or 0)),
                available=int(float(row.get("opening_stock") or 0))))
        return cls(Product(sku=p["sku"], name=p["name"], variants=p["variants"], category=p["category"],
                           brand=p["brand"], aliases=p["aliases"], attributes=tuple(p["attributes"]))
                   for p in grouped.values())


def _fits_language(message, match) -> bool:
    """In an English message, an unaccented "do" or "den" is English, not "đỏ" or "đen"."""
    if message.language != "en" or any(message.words[i].marks for i in match.words):
        return True
    said = " ".join(message.words[i].folded for i in sorted(match.words))
    return said != fold(match.payload) or not marks_of(match.payload.lower())


class ColourIndex:
    """The catalogue's colour values, found in a message as whole phrases, longest first."""

    def __init__(self):
        self._phrases = PhraseIndex()
        self._seen: set[str] = set()

    def add(self, value: str) -> None:
        key = fold(value)
        if key and key not in self._seen:
            self._seen.add(key)
            for phrase in value_phrases(value):
                self._phrases.add(phrase, value)

    def find(self, message, taken) -> tuple[str, tuple[int, int]] | None:
        words = message.words
        skip = {i for i, w in enumerate(words) if any(w.start < e and s < w.end for s, e in taken)}
        matches = [m for m in self._phrases.longest(words, skip) if _fits_language(message, m)]
        if not matches:
            return None
        m = matches[0]
        return m.payload, (words[m.start].start, words[m.end - 1].end)
