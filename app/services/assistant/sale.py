"""What a conversation has collected towards an order: the deterministic core of closing a sale.

``Sale`` holds the lines (variant SKU and quantity), the buyer's name, phone and address, and a
state: ``collecting`` → ``awaiting_confirmation`` (everything is there: the summary is shown) →
``confirmed`` only on the shopper's explicit yes (the ``confirm`` intent, which itself only fires
while a summary awaits it); or ``abandoned`` on cancel. ``advance(sale, understanding)`` applies one
understood message and returns what changed; ``context()`` is what ``understand`` needs to read the
next message (is a summary waiting? which product are we talking about?).

Changes of mind are applied to the line being discussed: another size or colour re-chooses the
variant among the same product's variants, another quantity replaces the quantity ("thôi lấy 3
đôi"), another product starts a new line. Nothing here reads prices or stock: the dialogue layer
adds live prices and refuses what is not available.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.services.assistant.catalogue import Catalogue
from app.services.assistant.intents import Context
from app.services.assistant.understanding import Understanding

COLLECTING, AWAITING, CONFIRMED, ABANDONED = "collecting", "awaiting_confirmation", "confirmed", "abandoned"
SALE_INTENTS = {"place_order", "availability", "price", "size_advice", "confirm"}


@dataclass
class Line:
    product: str                       # product SKU
    values: dict = field(default_factory=dict)  # attribute → value the shopper chose
    quantity: int | None = None
    sku: str | None = None             # the variant, once the values pick exactly one

    def as_dict(self) -> dict:
        return {"sku": self.sku, "quantity": self.quantity or 1}


@dataclass
class Sale:
    lines: list[Line] = field(default_factory=list)
    name: str | None = None
    phone: str | None = None
    address: str | None = None
    state: str = COLLECTING
    started: bool = False  # the shopper showed an intent to buy (or named a product to buy)

    @property
    def current(self) -> Line | None:
        return self.lines[-1] if self.lines else None

    def missing(self) -> list[str]:
        """What is still needed before the summary, in the order the assistant asks for it."""
        out = []
        if not self.lines:
            out.append("product")
        elif any(line.sku is None for line in self.lines):
            out.append("variant")
        for name in ("name", "phone", "address"):
            if not getattr(self, name):
                out.append(name)
        return out

    def context(self) -> Context:
        line = self.current
        return Context(awaiting_confirmation=self.state == AWAITING,
                       collecting=self.state == COLLECTING and self.started,
                       focus_product=line.product if line else None)

    def order(self) -> dict:
        return {"lines": [line.as_dict() for line in self.lines], "name": self.name, "phone": self.phone,
                "address": self.address, "state": self.state}


def advance(sale: Sale, understood: Understanding, catalogue: Catalogue) -> Sale:
    """Apply one understood message to the sale (in place) and return it."""
    if sale.state in (CONFIRMED, ABANDONED):
        return sale
    intent = understood.intent
    if intent == "cancel" and (sale.started or sale.lines):
        sale.state = ABANDONED
        return sale
    if intent == "confirm" and sale.state == AWAITING:
        sale.state = CONFIRMED
        return sale
    if intent in ("place_order", "confirm"):
        sale.started = True
    _apply_product(sale, understood, catalogue)
    entities = understood.entities
    if entities.quantity and sale.current is not None:
        sale.current.quantity = entities.quantity
    for name in ("name", "phone", "address"):
        value = getattr(entities, name)
        if value:
            setattr(sale, name, value)
            sale.started = True
    if sale.lines and not sale.missing() and sale.started:
        sale.state = AWAITING
    elif sale.state == AWAITING:
        sale.state = COLLECTING
    return sale


def _apply_product(sale: Sale, understood: Understanding, catalogue: Catalogue) -> None:
    product = understood.product
    if product is None:
        return
    line = sale.current
    if line is None or line.product != product.sku:
        if line is not None and line.sku is None:
            sale.lines.pop()  # the shopper moved on from a product they never settled
        line = Line(product.sku)
        sale.lines.append(line)
    line.values.update(understood.resolution.values)
    line.sku = _variant(catalogue, product.sku, line.values)
    if understood.intent in SALE_INTENTS and understood.intent != "size_advice":
        sale.started = sale.started or understood.intent == "place_order"


def _variant(catalogue: Catalogue, product_sku: str, values: dict) -> str | None:
    product = catalogue.by_sku[product_sku]
    if len(product.variants) == 1:
        return product.variants[0].sku
    matching = [v for v in product.variants if all(v.values.get(a) == x for a, x in values.items())]
    return matching[0].sku if len(matching) == 1 else None
