"""One message, understood: ``understand(text, catalogue, context)``.

The steps, each in its own module: read the text (NFC, folding, teencode, language), find the
entities, find the product and variants, then the intent(s) from the keyword rules, which see the
entities and whether a product was named. The result carries everything the dialogue layer and the
staff's "why" page need: intent, secondary intents, the keywords that fired, entities, matched
variants (SKUs, best first), whether the shopper named something the catalogue does not have, and
how long it took.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.services.assistant.catalogue import Catalogue
from app.services.assistant.entities import Entities, extract
from app.services.assistant.intents import Classification, Context, RuleSet, default_rules
from app.services.assistant.products import Resolution, resolve
from app.services.assistant.text import Message, read


@dataclass
class Understanding:
    message: Message
    intent: str
    secondary: list[str]
    entities: Entities
    resolution: Resolution
    classification: Classification
    elapsed_ms: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def language(self) -> str:
        return self.message.language

    @property
    def variants(self) -> list[str]:
        return self.resolution.variants

    @property
    def product(self):
        return self.resolution.product

    @property
    def not_found(self) -> bool:
        return self.resolution.not_found

    def as_dict(self) -> dict:
        """The shape of the test console's ``intent``/``entities``/``variants`` (SPEC §11), plus
        what explains them."""
        return {"intent": self.intent, "secondary": self.secondary, "language": self.language,
                "entities": self.entities.public(), "variants": list(self.variants),
                "product": self.product.sku if self.product else None,
                "candidates": [c.product.sku for c in self.resolution.candidates],
                "not_found": self.not_found, "keywords": self.classification.matched,
                "name": self.entities.name, "address": self.entities.address,
                "elapsed_ms": round(self.elapsed_ms, 2)}


def understand(text: str, catalogue: Catalogue, context: Context | None = None,
               rules: RuleSet | None = None) -> Understanding:
    started = time.perf_counter()
    context = context or Context()
    rules = rules or default_rules()
    message = read(text)
    entities = extract(message, catalogue.colours, catalogue.numeric_sizes)
    resolution = resolve(message, catalogue, entities.foreign, entities.size, focus=context.focus_product,
                         described=entities.described)
    _adopt_catalogue_values(entities, resolution)
    for name, inside in (("height_cm", resolution.value_spans), ("weight_kg", resolution.value_spans),
                         ("quantity", resolution.name_spans)):
        # "1m6" in "ga 1m6 x 2m" is the product's size; "3 món" in "Bộ nồi inox 3 món" its name
        span = entities.spans.get(name)
        if span and any(span[0] < e and s < span[1] for s, e in inside):
            setattr(entities, name, None)
    named = resolution.product is not None and resolution.product.sku != context.focus_product or \
        resolution.ambiguous or resolution.category is not None
    classification = rules.classify(message, entities, context, product_named=named)
    return Understanding(message=message, intent=classification.intent, secondary=classification.secondary,
                         entities=entities, resolution=resolution, classification=classification,
                         elapsed_ms=(time.perf_counter() - started) * 1000)


def _adopt_catalogue_values(entities: Entities, resolution: Resolution) -> None:
    """Colour and size as the matched product writes them ("Xanh navy", "2XL")."""
    product = resolution.product
    if product is None:
        return
    colour_attr, size_attr = product.colour_attribute(), product.size_attribute()
    if colour_attr and colour_attr in resolution.values:
        entities.color = resolution.values[colour_attr]
    if size_attr and size_attr in resolution.values:
        value = str(resolution.values[size_attr])
        entities.size = value.upper() if len(value) <= 4 else value
