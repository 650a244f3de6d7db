"""Which product, and which variant, a message is about — or none.

Every product is scored against the message by two questions:

- **recall**: how much of the product's own name (or of one alias) did the shopper say? Words are
  weighted by how rare they are in the catalogue (IDF), so "áo thun basic" covers little of "Áo thun
  basic Sora" when ten "Áo thun basic …" exist, and "bình giữ nhiệt" covers most of "Bình giữ nhiệt
  Lock 500ml" when it is the only flask;
- **precision**: how much of what the shopper said (less stop words and entities) does the product
  explain (its names, category, brand, attribute values)? A word the catalogue never uses weighs
  less than one it does: "nồi cơm điện" is not "Nồi chiên không dầu", but "đẹp quá" is chit-chat.

A product is the answer only when its score passes ``ACCEPT`` and no other product comes within
``TIE``: a near miss is never presented as the asked one; several close products are returned as
candidates (``ambiguous``) for the conversation to ask which one. Misspelt words are corrected
against the catalogue's vocabulary (``Catalogue.correct``, with ``rapidfuzz``).

The variant is then chosen among the product's variants by the attribute values the message names
(colour, size, capacity …), in-stock variants first.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from app.services.assistant.catalogue import Catalogue, Product
from app.services.assistant.lexicon import LEXICON
from app.services.assistant.phrases import PhraseIndex
from app.services.assistant.text import Message, marks_of
from app.services.search_text import fold

ACCEPT = 0.58       # score a product needs to be the answer
MIN_RECALL = 0.5    # and at least this much of its name said …
RARE_RECALL = 0.34  # … or this much, when a word only it (or few) has was said
RARE = 0.7          # a word is rare when its IDF is at least this share of the highest
MIN_PRECISION = 0.75
TIE = 0.04          # another product this close makes the answer ambiguous
UNKNOWN_WEIGHT = 0.2  # weight (× max IDF) of a word the catalogue never uses
SIZE_EQUIV = {"XXL": "2XL", "2XL": "XXL", "XXXL": "3XL", "3XL": "XXXL"}
_STOP = frozenset(fold(w) for w in LEXICON["stopwords"])
_STOP_WRITTEN = frozenset((fold(w), marks_of(w)) for w in LEXICON["stopwords"])
_HEADS = PhraseIndex((w, w) for w in LEXICON["product_heads"])
_DESCRIPTORS = frozenset(fold(w) for w in LEXICON["descriptors"])  # say who it is for, not what it is
_LETTER_SIZES = frozenset(fold(w).replace(" ", "") for w in LEXICON["letter_sizes"])


@dataclass
class Candidate:
    product: Product
    score: float
    recall: float
    precision: float
    matched: frozenset = frozenset()  # the message's words found in the product's names
    rare: bool = False                # one of them is rare in the catalogue
    own: frozenset = frozenset()      # matched words that can only be about goods (not "mua", "chào")

    @property
    def acceptable(self) -> bool:
        if not self.own - _DESCRIPTORS:
            return False  # "mua 4 cái" is not "Áo mưa", "nam" alone is no product: it needs its own words
        if self.precision < MIN_PRECISION and self.score < ACCEPT:
            return False
        return (self.score >= ACCEPT and self.recall >= MIN_RECALL) or \
            (self.rare and self.recall >= RARE_RECALL and self.precision >= MIN_PRECISION)


@dataclass
class Resolution:
    product: Product | None = None          # the product the message is about, when clear
    candidates: list[Candidate] = field(default_factory=list)  # best first (close ones when ambiguous)
    ambiguous: bool = False
    variants: list[str] = field(default_factory=list)  # SKUs, best first
    values: dict = field(default_factory=dict)          # attribute → value named in the message
    query: list[str] = field(default_factory=list)      # the content words read as a product query
    category: str | None = None                         # a category named on its own
    value_spans: list = field(default_factory=list)     # where the message names those values
    name_spans: list = field(default_factory=list)      # where it names the product ("bộ nồi 3 món")

    heads: bool = False  # the message names a kind of goods ("nồi", "áo", "shoes")

    @property
    def not_found(self) -> bool:
        """The shopper asked for a kind of goods ("nồi cơm điện") the catalogue does not have."""
        return self.product is None and not self.ambiguous and self.category is None and self.heads


def _message_words(message: Message, catalogue: Catalogue, taken, described=()) -> tuple[set[str], list[str], set[str]]:
    """(every catalogue word the message contains, its content words, the words among the first
    that can only be about goods: not stop words, unless written with the catalogue's accents,
    like "chảo" but not "chào"; and not the colour or size said, "xanh đậm" is no "Đầm")."""
    present: set[str] = set()
    own: set[str] = set()
    content: list[str] = []
    words = message.words
    for i, w in enumerate(words):
        if any(w.start < e and s < w.end for s, e in taken):
            continue
        folded = w.folded
        if i + 1 < len(words) and folded + words[i + 1].folded in catalogue.postings:
            present.add(folded + words[i + 1].folded)
            own.add(folded + words[i + 1].folded)
        if any(w.start < e and s < w.end for s, e in described):
            if folded in catalogue.postings:
                present.add(folded)  # "giày sneaker trắng": the colour may be part of the name
            continue
        if folded in catalogue.postings:
            if w.marks and catalogue.word_marks.get(folded) and w.marks not in catalogue.word_marks[folded]:
                if folded not in _STOP:
                    content.append(folded)  # written with other accents: another word
                continue
            present.add(folded)
            if folded not in _STOP or (w.marks and (folded, w.marks) not in _STOP_WRITTEN):
                own.add(folded)
        elif folded in catalogue.glued:
            present.update(catalogue.glued[folded])
            own.update(catalogue.glued[folded])
        elif folded not in _STOP and folded not in catalogue.category_words:
            fixed = catalogue.correct(folded)
            if fixed:
                present.add(fixed)
                own.add(fixed)
                folded = fixed
        else:
            present.add(folded)
        if folded not in _STOP and not folded.isdigit():  # "1 cái", "thứ 2": numbers are not names
            content.append(folded)
    return present, content, own


def _score(catalogue: Catalogue, number: int, present: set[str], content: list[str], own: set[str]) -> Candidate:
    idf, index = catalogue.idf, catalogue.index[number]
    recall = 0.0
    matched = frozenset(w for w in present if w in index.words)
    mine = matched & own
    rare = any(idf.get(w, 0) >= RARE * catalogue.max_idf for w in mine - _DESCRIPTORS)
    for form in index.forms:
        total = sum(idf.get(w, 0) for w in form) or 1.0
        recall = max(recall, sum(idf.get(w, 0) for w in form if w in present) / total)
    unknown = UNKNOWN_WEIGHT * catalogue.max_idf
    said = explained = 0.0
    for w in content:
        weight = idf.get(w, unknown if w not in catalogue.category_words else 0.5)
        said += weight
        if w in index.words or w in index.context:
            explained += weight
    precision = explained / said if said else 1.0
    score = recall * (0.45 + 0.55 * precision)
    return Candidate(catalogue.products[number], score, recall, precision, matched, rare, mine)


def resolve(message: Message, catalogue: Catalogue, taken=(), size: str | None = None,
            focus: str | None = None, described=()) -> Resolution:
    """The product and variants ``message`` is about. ``taken``: spans that are not about goods
    (phone, name …); ``described``: spans of the colour and size said. ``focus`` (a product SKU) is
    the product the conversation is about already: used when the message names no product."""
    present, content, own = _message_words(message, catalogue, taken, described)
    result = Resolution(query=content)
    skip = {i for i, w in enumerate(message.words) if any(w.start < e and s < w.end for s, e in taken)}
    result.heads = any(True for _ in _HEADS.find(message.words, skip))
    numbers = set().union(*(catalogue.postings.get(w, set()) for w in own)) if own else set()
    scored = sorted((_score(catalogue, n, present, content, own) for n in numbers),
                    key=lambda c: (-c.score, -c.recall))
    accepted = [c for c in scored if c.acceptable]
    if not accepted and scored and _dominates(scored):
        accepted = [scored[0]]
    category = _category(catalogue, present, content)
    if category and accepted and accepted[0].matched <= set(fold(category).split()) and \
            sum(1 for p in catalogue.products if p.category == category) > 1:
        accepted = []  # "có áo khoác không": the shopper named a category, not one of its products
    if accepted:
        top = accepted[0]
        # a product the shopper's words cannot tell from the best one is as likely to be meant
        close = [c for c in accepted if c.score >= top.score - TIE or c.matched == top.matched]
        result.candidates = close
        result.ambiguous = len(close) > 1
        result.product = None if result.ambiguous else close[0].product
    elif scored:
        result.candidates = scored[:3]
    result.category = category if not accepted else None
    if result.product is None and not result.ambiguous and focus in catalogue.by_sku and not _names_other(result):
        result.product = catalogue.by_sku[focus]
    products = [result.product] if result.product else [c.product for c in result.candidates] if result.ambiguous else []
    if result.product is not None:
        names = catalogue.index[catalogue.position[result.product.sku]].words
        result.name_spans = [(w.start, w.end) for i, w in enumerate(message.words)
                             if i not in skip and w.folded in names]
    for product in products:
        values, skus, spans = choose_variants(message, catalogue, product, size, skip)
        if product is products[0]:
            result.values, result.value_spans = values, spans
        result.variants.extend(skus)
    return result


def _dominates(scored: list[Candidate]) -> bool:
    """The best candidate explains everything said and strictly more of it than any other does:
    "áo khoác jean" among a hundred "Áo khoác …" is the one with "jean"."""
    top = scored[0]
    return (top.precision >= MIN_PRECISION and top.recall >= RARE_RECALL and bool(top.own - _DESCRIPTORS)
            and all(c.own < top.own for c in scored[1:] if c.own))


def _names_other(result: Resolution) -> bool:
    """Did the message name some other product (even one we do not have)?"""
    return bool(result.candidates and result.candidates[0].recall >= MIN_RECALL)


def _category(catalogue: Catalogue, present: set[str], content: list[str]) -> str | None:
    """The category the shopper named, when that is all they named ("có áo khoác không",
    "giày"; not "quần jean rách gối", which asks for something more precise)."""
    said = set(content) | present
    matching = [c for c, words in catalogue.category_forms.items() if words and words <= said]
    if not matching:
        return None
    best = max(matching, key=len)
    return best if set(content) <= catalogue.category_forms[best] else None


def choose_variants(message: Message, catalogue: Catalogue, product: Product,
                    size: str | None = None, skip: set[int] | None = None) -> tuple[dict, list[str], list]:
    """(attribute values the message names for ``product``, its matching variant SKUs best first,
    the character spans of those values)."""
    number = catalogue.position[product.sku]
    wanted: dict[str, set[str]] = {}
    spans = []
    size_attr = product.size_attribute()
    for m in catalogue.index[number].values.longest(message.words, skip):
        attribute, value = m.payload
        if attribute != size_attr or not _short_size(value):  # "M" alone may be "mình": the size reader decides
            wanted.setdefault(attribute, set()).add(value)
            spans.append((message.words[m.start].start, message.words[m.end - 1].end))
    if size and size_attr:
        sizes = {v.values.get(size_attr) for v in product.variants}
        for candidate in (size, SIZE_EQUIV.get(size)):
            match = next((s for s in sizes if s and str(s).upper() == candidate), None)
            if match:
                wanted[size_attr] = {match}
                break
    variants = [v for v in product.variants
                if all(v.values.get(a) in values for a, values in wanted.items())]
    variants.sort(key=lambda v: v.available <= 0)
    chosen = {a: sorted(vs)[0] for a, vs in wanted.items() if len(vs) == 1}
    return chosen, [v.sku for v in variants], spans


def _short_size(value: str) -> bool:
    """A size value the size reader handles (letters, numbers): matching it as a phrase would read
    "M" in "m lấy 2 cái" or "40" in "40 ngày"."""
    folded = fold(value).replace(" ", "")
    return folded.isdigit() or folded in _LETTER_SIZES
