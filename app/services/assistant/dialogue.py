"""One turn of a conversation with a shopper: from what was said and what the conversation
remembers, to the replies, and what they rest on (SPEC §11). No Flask, no database: the live data
comes through a ``ShopData`` (``shopdata.DatabaseShop`` reads it with a session).

Every number a reply states comes from that data and is put in ``facts`` (prices, what can be sold,
the size chart row, the policy text, the shipping fee, the totals, the order's state). "Not found"
is an answer: a product the shop does not sell, a variant sold out, an order that does not exist.

The sale: ``sale.advance`` collects variant, quantity, name, phone and address; here a line that
cannot be sold now (sold out, fewer left than asked) is refused and the shopper asked again; once
everything is there the summary (live unit prices, line totals, shipping fee, total) is shown and
the conversation waits for an explicit yes ("đồng ý", "chốt", "ok", "yes"); only then
``Turn.place_order`` is set for the caller to create the order.

Handover: on request or a complaint (the ``handover`` intent), and after two failed clarifications
in a row (messages the assistant could not place). Order status follows the privacy rule: details
only to the order's customer (a linked identity) or to whoever gives the order's number and its
phone; otherwise the state alone.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from app.services.assistant.catalogue import Catalogue, Product
from app.services.assistant.intents import Context, default_rules
from app.services.assistant.sale import ABANDONED, AWAITING, COLLECTING, CONFIRMED, Line, Sale, advance
from app.services.assistant.understanding import Understanding, understand
from app.services.pricing import line_amount, line_vat

SALE_TURNS = {"availability", "price", "size_advice", "place_order", "confirm", "cancel"}
FAILED_BEFORE_HANDOVER = 2
ORDER_STATES_VI = {"new": "mới tiếp nhận", "processing": "đang xử lý", "packed": "đã đóng gói",
                   "shipped": "đang giao", "delivered": "đã giao", "completed": "đã hoàn tất",
                   "cancelled": "đã hủy", "delivery_failed": "giao không thành công",
                   "returned": "đã hoàn về"}
ORDER_STATES_EN = {"new": "received", "processing": "being processed", "packed": "packed",
                   "shipped": "on its way", "delivered": "delivered", "completed": "completed",
                   "cancelled": "cancelled", "delivery_failed": "not delivered",
                   "returned": "returned"}


@dataclass
class OrderFacts:
    number: str
    state: str
    phone: str | None
    customer_id: int | None
    items: list[tuple[str, int]]  # (name, quantity)
    buyer_name: str | None = None
    address: str | None = None


class ShopData(Protocol):
    catalogue: Catalogue

    def size_chart(self, product: Product) -> list: ...
    def category_size_chart(self, category: str) -> list: ...
    def policy(self, topic: str, language: str) -> str | None: ...
    def order(self, number: str) -> OrderFacts | None: ...
    def shipping_fee(self, lines: list[dict], address: str | None) -> int | None: ...


def money(value: int, language: str = "vi") -> str:
    text = f"{int(value):,}"
    return text.replace(",", ".") + "đ" if language == "vi" else text + " VND"


@dataclass
class Turn:
    replies: list[str]
    intent: str
    entities: dict
    variants: list[str]
    handover: bool = False
    draft: dict | None = None
    order_number: str | None = None
    facts: dict = field(default_factory=lambda: {"prices": {}, "available": {}, "shipping_fee": None,
                                                 "total": None, "order_state": None})
    place_order: bool = False  # the caller creates the order from ``draft`` and sets order_number
    understanding: Understanding | None = None

    def as_dict(self) -> dict:
        return {"replies": self.replies, "intent": self.intent, "entities": self.entities,
                "variants": self.variants, "handover": self.handover, "draft": self.draft,
                "order_number": self.order_number, "facts": self.facts}


# --- the conversation's memory (stored as JSON on the conversation) -------------------------------
def sale_from(state: dict) -> Sale:
    data = state.get("sale") or {}
    lines = [Line(product=ln["product"], values=dict(ln.get("values") or {}), quantity=ln.get("quantity"),
                  sku=ln.get("sku")) for ln in data.get("lines") or []]
    return Sale(lines=lines, name=data.get("name"), phone=data.get("phone"), address=data.get("address"),
                state=data.get("state") or COLLECTING, started=bool(data.get("started")))


def sale_to(sale: Sale) -> dict:
    return {"lines": [{"product": ln.product, "values": ln.values, "quantity": ln.quantity, "sku": ln.sku}
                      for ln in sale.lines],
            "name": sale.name, "phone": sale.phone, "address": sale.address, "state": sale.state,
            "started": sale.started}


class Dialogue:
    def __init__(self, shop: ShopData, state: dict | None = None, *, customer_id: int | None = None):
        self.shop = shop
        self.state = dict(state or {})
        self.customer_id = customer_id

    # --- the turn ---------------------------------------------------------------------------------
    def reply(self, text: str) -> Turn:
        cat = self.shop.catalogue
        sale = sale_from(self.state)
        if sale.state in (CONFIRMED, ABANDONED):
            sale = Sale()  # a new sale after one was ordered or given up
        context = sale.context()
        if context.focus_product is None and self.state.get("focus") in cat.by_sku:
            context = Context(awaiting_confirmation=context.awaiting_confirmation,
                              collecting=context.collecting, focus_product=self.state["focus"])
        context.last_intent = self.state.get("last_intent")
        got = understand(text, cat, context)
        if got.intent == "out_of_scope" and not got.classification.injection and \
                not context.awaiting_confirmation:
            # "ok", "đồng ý" with no summary waiting: a confirmation of nothing (it orders nothing)
            waiting = Context(awaiting_confirmation=True, focus_product=context.focus_product)
            if default_rules().classify(got.message, got.entities, waiting).intent == "confirm":
                got.intent = "confirm"
                self.state["lone_confirm"] = True
        lang = got.language
        turn = Turn(replies=[], intent=got.intent, entities=got.entities.public(),
                    variants=list(got.variants), understanding=got)
        if got.entities.phone:
            phones = set(self.state.get("phones") or []) | {got.entities.phone}
            self.state["phones"] = sorted(phones)
        self.state["focus_before"] = self.state.get("focus")
        if got.product is not None:
            self.state["focus"] = got.product.sku
        handler = getattr(self, f"_on_{got.intent}", self._on_out_of_scope)
        if got.intent in SALE_TURNS:
            self._sale_turn(turn, got, sale, lang)
        else:
            handler(turn, got, sale, lang)
        self._count_failures(turn, got, lang)
        self.state["sale"] = sale_to(sale)
        self.state["last_intent"] = got.intent
        self._ground(turn, sale)
        if sale.started or sale.state != COLLECTING:
            turn.draft = self._draft(sale, turn)
            if got.intent in ("place_order", "confirm") and turn.draft["lines"] and \
                    (got.product is None or got.product.sku == self.state.get("focus_before")) and \
                    not got.resolution.values:
                turn.variants = [ln["sku"] for ln in turn.draft["lines"]]
        return turn

    def _ground(self, turn: Turn, sale: Sale) -> None:
        """The catalogue's words for every product and variant the replies may name (names and
        attribute values carry numbers too: "500ml", size 39), with the facts they rest on."""
        cat = self.shop.catalogue
        skus = set(turn.facts["prices"]) | set(turn.facts["available"]) | set(turn.variants) | \
            {ln.sku for ln in sale.lines if ln.sku}
        labels, names = {}, dict(turn.facts.get("products") or {})
        for sku in skus:
            if sku in cat.variant_by_sku:
                product, v = cat.variant_by_sku[sku]
                labels[sku] = _label(product, v)
                names[product.sku] = product.name
        for product_sku in [ln.product for ln in sale.lines] + [self.state.get("focus")]:
            if product_sku in cat.by_sku:
                names[product_sku] = cat.by_sku[product_sku].name
        if labels:
            turn.facts["labels"] = labels
        if names:
            turn.facts["products"] = names

    def _count_failures(self, turn: Turn, got: Understanding, lang: str) -> None:
        unclear = turn.intent == "out_of_scope" and not got.classification.injection
        failures = int(self.state.get("failures") or 0) + 1 if unclear else 0
        self.state["failures"] = failures
        if failures >= FAILED_BEFORE_HANDOVER and not turn.handover:
            turn.handover = True
            self.state["handover"] = True
            turn.replies.append(_t("handover_unclear", lang))

    # --- what the shopper asked -------------------------------------------------------------------
    def _on_greeting(self, turn, got, sale, lang):
        turn.replies.append(_t("greeting", lang))

    def _on_handover(self, turn, got, sale, lang):
        turn.handover = True
        self.state["handover"] = True
        turn.replies.append(_t("handover", lang))

    def _on_out_of_scope(self, turn, got, sale, lang):
        turn.replies.append(_t("out_of_scope", lang))

    def _on_payment_info(self, turn, got, sale, lang):
        words = got.message.plain
        topic = "hours" if any(w in words for w in ("gio mo cua", "may gio", "open", "hours",
                                                    "gio lam viec", "dia chi shop", "lien he")) \
            else "payment"
        self._quote(turn, topic, lang)

    def _on_return_policy(self, turn, got, sale, lang):
        topic = "warranty" if any(w in got.message.plain for w in ("bao hanh", "warranty", "guarantee")) \
            else "returns"
        self._quote(turn, topic, lang)

    def _on_shipping(self, turn, got, sale, lang):
        self._quote(turn, "shipping", lang)
        lines = [ln for ln in self.priced(sale)] or [{"sku": v, "quantity": 1} for v in turn.variants[:1]]
        fee = self.shop.shipping_fee(lines, sale.address or got.entities.address)
        if fee is not None:
            turn.facts["shipping_fee"] = fee
            turn.replies.append(_t("shipping_fee", lang, fee=money(fee, lang)))

    def _quote(self, turn, topic, lang):
        text = self.shop.policy(topic, lang)
        if text:
            turn.facts["policy"] = {"topic": topic, "text": text}
            turn.replies.append(text)
        else:
            turn.replies.append(_t("no_policy", lang))
            turn.handover = False

    def _on_order_status(self, turn, got, sale, lang):
        number = got.entities.order_number
        if not number:
            turn.replies.append(_t("ask_order_number", lang))
            return
        order = self.shop.order(number)
        if order is None:
            turn.replies.append(_t("order_not_found", lang, number=number))
            return
        turn.facts["order_state"] = order.state
        turn.facts["order_number"] = order.number
        states = ORDER_STATES_VI if lang == "vi" else ORDER_STATES_EN
        turn.replies.append(_t("order_state", lang, number=order.number,
                               state=states.get(order.state, order.state)))
        phones = set(self.state.get("phones") or [])
        linked = self.customer_id is not None and self.customer_id == order.customer_id
        if linked or (order.phone and order.phone in phones):
            items = ", ".join(f"{name} x{qty}" for name, qty in order.items)
            turn.facts["order_items"] = [{"name": n, "quantity": q} for n, q in order.items]
            turn.replies.append(_t("order_items", lang, items=items))
        else:
            turn.replies.append(_t("order_private", lang))

    # --- the sale ---------------------------------------------------------------------------------
    def _sale_turn(self, turn: Turn, got: Understanding, sale: Sale, lang: str) -> None:
        cat = self.shop.catalogue
        before = sale.state
        focus_before = self.state.get("focus_before")
        if self.state.pop("lone_confirm", False):
            turn.replies.append(_t("nothing_to_confirm", lang))
            return
        if got.intent == "cancel" and not (sale.started or sale.lines):
            if got.entities.order_number:
                turn.replies.append(_t("cancel_order", lang))
            else:
                turn.replies.append(_t("cancel_nothing", lang))
            return
        advance(sale, got, cat)
        if sale.state == ABANDONED:
            turn.replies.append(_t("abandoned", lang))
            return
        if got.intent == "size_advice":
            self._size_advice(turn, got, sale, lang)
        elif got.product is None and got.intent in ("availability", "price") and not sale.lines:
            self._not_found(turn, got, lang)
            return
        elif got.product is not None and got.intent in ("availability", "price", "place_order") and \
                (got.intent != "place_order" or got.resolution.values or got.product.sku != focus_before):
            self._describe(turn, got, lang)
        refused = self._refuse_unsellable(turn, sale, lang)
        if sale.state == CONFIRMED:
            if before != AWAITING:
                sale.state = AWAITING
            else:
                self._price_draft(turn, sale)
                turn.place_order = True
                return
        if refused and sale.state == AWAITING:
            sale.state = COLLECTING
        if got.entities.phone_invalid and not got.entities.phone:
            turn.replies.append(_t("bad_phone", lang, phone=got.entities.phone_invalid))
        if sale.state == AWAITING:
            self._summary(turn, sale, lang)
        elif sale.started and got.intent in ("place_order", "confirm") or \
                (sale.started and not turn.replies):
            self._ask_next(turn, sale, lang)
        if not turn.replies:
            self._ask_next(turn, sale, lang) if sale.started else \
                turn.replies.append(_t("what_product", lang))

    def _not_found(self, turn, got, lang):
        res = got.resolution
        if res.ambiguous and res.candidates:
            names = []
            for c in res.candidates[:4]:
                turn.facts.setdefault("products", {})[c.product.sku] = c.product.name
                names.append(c.product.name)
            turn.variants = []
            turn.replies.append(_t("which_product", lang, names="; ".join(names)))
            return
        turn.variants = []
        turn.replies.append(_t("not_found", lang))

    def _variants_asked(self, got) -> tuple[Product, list]:
        product = got.product
        values = got.resolution.values
        chosen = [v for v in product.variants
                  if all(v.values.get(a) == x for a, x in values.items())]
        return product, chosen

    def _describe(self, turn: Turn, got: Understanding, lang: str) -> None:
        product, chosen = self._variants_asked(got)
        if not chosen:
            turn.variants = []
            turn.replies.append(_t("no_such_variant", lang, product=product.name,
                                   options=self._options(product, lang, turn)))
            return
        in_stock = [v for v in chosen if v.available > 0]
        if len(chosen) == 1:
            v = chosen[0]
            turn.facts["prices"][v.sku] = v.price
            turn.facts["available"][v.sku] = v.available
            label = _label(product, v)
            turn.variants = [v.sku]
            if v.available > 0:
                turn.replies.append(_t("in_stock", lang, label=label, n=v.available, price=money(v.price, lang)))
            else:
                turn.replies.append(_t("sold_out", lang, label=label,
                                       options=self._options(product, lang, turn)))
            return
        turn.variants = [v.sku for v in in_stock] + [v.sku for v in chosen if v.available <= 0]
        if not in_stock:
            turn.replies.append(_t("sold_out", lang, label=product.name + _values_text(got.resolution.values),
                                   options=self._options(product, lang, turn)))
            for v in chosen:
                turn.facts["available"][v.sku] = 0
            return
        for v in in_stock[:12]:
            turn.facts["prices"][v.sku] = v.price
            turn.facts["available"][v.sku] = v.available
        prices = sorted({v.price for v in in_stock})
        price = money(prices[0], lang) if len(prices) == 1 else \
            f"{money(prices[0], lang)} - {money(prices[-1], lang)}"
        listed = ", ".join(_values_only(product, v) for v in in_stock[:12])
        turn.replies.append(_t("options", lang, product=product.name + _values_text(got.resolution.values),
                               listed=listed, price=price))

    def _options(self, product: Product, lang: str, turn: Turn) -> str:
        """What of ``product`` can be bought now, for a shopper whose choice cannot."""
        left = [v for v in product.variants if v.available > 0]
        if not left:
            return _t("none_left", lang)
        for v in left[:12]:
            turn.facts["prices"].setdefault(v.sku, v.price)
            turn.facts["available"].setdefault(v.sku, v.available)
        return _t("still_have", lang, listed=", ".join(_values_only(product, v) for v in left[:12]))

    def _size_advice(self, turn, got, sale, lang):
        cat = self.shop.catalogue
        product = got.product or (cat.by_sku.get(sale.current.product) if sale.current else None) or \
            cat.by_sku.get(self.state.get("focus") or "")
        height, weight = got.entities.height_cm, got.entities.weight_kg
        if height is None and weight is None:
            turn.replies.append(_t("ask_measures", lang))
            return
        if product is None:
            self._category_size_advice(turn, got, lang, height, weight)
            return
        rows = self.shop.size_chart(product)
        fitting = [r for r in rows if r.fits(height, weight)]
        if not rows or not fitting:
            turn.replies.append(_t("no_chart", lang, product=product.name))
            return
        row = fitting[0]
        turn.facts["size_chart"] = row.as_dict()
        colour_attr, size_attr = product.colour_attribute(), product.size_attribute()
        colour = got.resolution.values.get(colour_attr) if colour_attr else None
        matching = [v for v in product.variants if size_attr and v.values.get(size_attr) == row.size
                    and (colour is None or v.values.get(colour_attr) == colour)]
        matching.sort(key=lambda v: v.available <= 0)
        turn.variants = [v.sku for v in matching] or turn.variants
        turn.entities["size"] = turn.entities.get("size") or None
        turn.replies.append(_t("advice", lang, product=product.name, size=row.size))
        if matching:
            v = matching[0]
            turn.facts["prices"][v.sku] = v.price
            turn.facts["available"][v.sku] = v.available
            if v.available > 0:
                turn.replies.append(_t("in_stock", lang, label=_label(product, v), n=v.available,
                                       price=money(v.price, lang)))
            else:
                turn.replies.append(_t("sold_out", lang, label=_label(product, v),
                                       options=self._options(product, lang, turn)))

    def _category_size_advice(self, turn, got, lang, height, weight):
        """No one product named, but a kind of goods ("áo thun", or several alike): the
        category's size chart answers, when the products meant share one category."""
        res = got.resolution
        categories = {c.product.category for c in res.candidates if c.product.category}
        said = {w.folded for w in got.message.words}
        named = sorted((c for c, words in self.shop.catalogue.category_forms.items()
                        if words and words <= said), key=lambda c: -len(self.shop.catalogue.category_forms[c]))
        category = res.category or (named[0] if named else None) or \
            (categories.pop() if len(categories) == 1 else None)
        rows = self.shop.category_size_chart(category) if category else []
        fitting = [r for r in rows if r.fits(height, weight)]
        if not fitting:
            turn.replies.append(_t("which_product_for_size", lang))
            return
        row = fitting[0]
        turn.facts["size_chart"] = {"category": category, **row.as_dict()}
        turn.replies.append(_t("advice", lang, product=category, size=row.size))

    def _refuse_unsellable(self, turn: Turn, sale: Sale, lang: str) -> bool:
        cat = self.shop.catalogue
        refused = False
        for line in list(sale.lines):
            if line.sku is None or line.sku not in cat.variant_by_sku:
                continue
            product, v = cat.variant_by_sku[line.sku]
            wanted = line.quantity or 1
            turn.facts["available"][v.sku] = v.available
            if v.available >= wanted:
                continue
            refused = True
            if v.available <= 0:
                size_attr = product.size_attribute()
                drop = size_attr if size_attr in line.values else next(iter(line.values), None)
                if drop:
                    line.values.pop(drop, None)
                line.sku = None
                if not any("sold out" in r or "hết hàng" in r for r in turn.replies):
                    turn.replies.append(_t("sold_out", lang, label=_label(product, v),
                                           options=self._options(product, lang, turn)))
            else:
                turn.replies.append(_t("only_left", lang, label=_label(product, v), n=v.available))
        return refused

    def priced(self, sale: Sale) -> list[dict]:
        cat = self.shop.catalogue
        out = []
        for line in sale.lines:
            if line.sku and line.sku in cat.variant_by_sku:
                _, v = cat.variant_by_sku[line.sku]
                out.append({"sku": v.sku, "quantity": line.quantity or 1, "unit_price": v.price})
        return out

    def _price_draft(self, turn: Turn, sale: Sale) -> dict:
        cat = self.shop.catalogue
        lines = self.priced(sale)
        fee = self.shop.shipping_fee(lines, sale.address)
        goods = sum(ln["quantity"] * ln["unit_price"] for ln in lines)
        # The order adds each line's VAT to the goods (app/services/pricing.py): the total the
        # shopper confirms is the total the order will have.
        vat = sum(int(line_vat(line_amount(ln["quantity"], ln["unit_price"], 0),
                               cat.variant_by_sku[ln["sku"]][1].vat_rate)) for ln in lines)
        total = goods + vat + (fee or 0)
        turn.facts["shipping_fee"] = fee
        turn.facts["vat"] = vat
        turn.facts["total"] = total
        for ln in lines:
            turn.facts["prices"][ln["sku"]] = ln["unit_price"]
        turn.facts["line_totals"] = {ln["sku"]: ln["quantity"] * ln["unit_price"] for ln in lines}
        return {"lines": lines, "shipping_fee": fee, "vat": vat, "total": total}

    def _summary(self, turn: Turn, sale: Sale, lang: str) -> None:
        cat = self.shop.catalogue
        priced = self._price_draft(turn, sale)
        rows = []
        for ln in priced["lines"]:
            product, v = cat.variant_by_sku[ln["sku"]]
            rows.append(f"- {_label(product, v)}: {money(ln['unit_price'], lang)} x {ln['quantity']} = "
                        f"{money(ln['unit_price'] * ln['quantity'], lang)}")
        fee = priced["shipping_fee"]
        if priced["vat"]:
            rows.append(_t("vat_row", lang, vat=money(priced["vat"], lang)))
        turn.replies.append(_t("summary", lang, rows="\n".join(rows),
                               fee=money(fee, lang) if fee is not None else _t("fee_unknown", lang),
                               total=money(priced["total"], lang), name=sale.name, phone=sale.phone,
                               address=sale.address))

    def _ask_next(self, turn: Turn, sale: Sale, lang: str) -> None:
        missing = sale.missing()
        if not missing:
            return
        first = missing[0]
        if first == "product":
            turn.replies.append(_t("what_product", lang))
        elif first == "variant":
            line = next(ln for ln in sale.lines if ln.sku is None)
            product = self.shop.catalogue.by_sku[line.product]
            turn.replies.append(_t("which_variant", lang, product=product.name,
                                   options=self._options(product, lang, turn)))
        else:
            words = {"vi": {"name": "tên", "phone": "số điện thoại", "address": "địa chỉ nhận hàng"},
                     "en": {"name": "name", "phone": "phone number", "address": "delivery address"}}
            asked = [words["vi" if lang == "vi" else "en"][m] for m in missing
                     if m in ("name", "phone", "address")]
            turn.replies.append(_t("ask_buyer", lang, fields=", ".join(asked)))

    def _draft(self, sale: Sale, turn: Turn) -> dict:
        priced = self.priced(sale)
        shown = {"lines": priced, "name": sale.name, "phone": sale.phone, "address": sale.address,
                 "shipping_fee": turn.facts.get("shipping_fee"), "total": turn.facts.get("total"),
                 "state": sale.state}
        return shown


def _label(product: Product, variant) -> str:
    values = ", ".join(str(x) for x in variant.values.values() if x)
    return f"{product.name} ({values})" if values else product.name


def _values_only(product: Product, variant) -> str:
    return " ".join(str(x) for x in variant.values.values() if x) or product.name


def _values_text(values: dict) -> str:
    return (" " + " ".join(str(v) for v in values.values())) if values else ""


TEMPLATES = {
    "greeting": ("Dạ shop chào bạn ạ! Bạn đang tìm sản phẩm nào để shop tư vấn ạ?",
                 "Hello! Which product are you looking for?"),
    "handover": ("Dạ shop đã chuyển cuộc trò chuyện cho nhân viên, bạn đợi một chút để nhân viên "
                 "hỗ trợ nhé ạ.", "I have passed this conversation to a member of our staff; they "
                 "will answer you shortly."),
    "handover_unclear": ("Dạ em chưa hiểu ý bạn, em đã nhờ nhân viên hỗ trợ bạn ngay ạ.",
                         "Sorry, I did not understand; a member of our staff will help you."),
    "out_of_scope": ("Dạ em là trợ lý bán hàng tự động của shop, em hỗ trợ về sản phẩm, giá, size, "
                     "phí ship, đơn hàng và chính sách của shop ạ.",
                     "I am the shop's automated sales assistant: I can help with products, prices, "
                     "sizes, shipping, orders and the shop's policies."),
    "no_policy": ("Dạ thông tin này shop chưa có sẵn, nhân viên sẽ trả lời bạn sớm ạ.",
                  "I do not have that information; our staff will answer you soon."),
    "shipping_fee": ("Phí ship dự kiến: {fee} (ước tính).", "Estimated shipping fee: {fee}."),
    "ask_order_number": ("Dạ bạn cho shop xin mã đơn hàng (ví dụ SO-000123) để kiểm tra nhé ạ.",
                         "Please give me your order number (for example SO-000123)."),
    "order_not_found": ("Dạ shop không tìm thấy đơn hàng {number} ạ, bạn kiểm tra lại mã đơn giúp "
                        "shop nhé.", "I could not find order {number}; please check the number."),
    "order_state": ("Dạ đơn {number} hiện {state} ạ.", "Order {number} is {state}."),
    "order_items": ("Đơn gồm: {items}.", "It contains: {items}."),
    "order_private": ("Để xem chi tiết đơn, bạn gửi giúp shop số điện thoại đặt đơn nhé ạ.",
                      "To see the order's details, please send the phone number used for it."),
    "cancel_order": ("Dạ shop đã ghi nhận yêu cầu hủy đơn, nhân viên sẽ kiểm tra và xác nhận với "
                     "bạn ạ.", "I have noted your request to cancel; our staff will check and "
                     "confirm with you."),
    "cancel_nothing": ("Dạ vâng ạ, bạn cần gì thêm cứ nhắn shop nhé.",
                       "All right, let me know if you need anything else."),
    "abandoned": ("Dạ shop đã hủy đơn đang đặt rồi ạ. Bạn cần gì thêm cứ nhắn shop nhé.",
                  "I have cancelled the order you were placing. Let me know if you need anything "
                  "else."),
    "not_found": ("Dạ shop không có sản phẩm này ạ. Bạn muốn xem mẫu nào khác không ạ?",
                  "Sorry, we do not have that product. Would you like to see something else?"),
    "which_product": ("Dạ shop có mấy mẫu: {names}. Bạn hỏi mẫu nào ạ?",
                      "We have several: {names}. Which one do you mean?"),
    "no_such_variant": ("Dạ {product} không có loại bạn hỏi ạ. {options}",
                        "Sorry, {product} does not come in that option. {options}"),
    "in_stock": ("Dạ {label} còn {n} cái, giá {price} ạ.",
                 "{label} is in stock ({n} left), price {price}."),
    "sold_out": ("Dạ {label} tạm hết hàng ạ. {options}", "Sorry, {label} is out of stock. {options}"),
    "only_left": ("Dạ {label} chỉ còn {n} cái ạ, bạn lấy số lượng này nhé?",
                  "Only {n} of {label} left; would you like that many?"),
    "none_left": ("Mẫu này hiện đã hết hàng ạ.", "This product is sold out for now."),
    "still_have": ("Shop còn: {listed}.", "We still have: {listed}."),
    "options": ("Dạ {product} shop còn: {listed}; giá {price} ạ.",
                "{product} is available in: {listed}; price {price}."),
    "ask_measures": ("Dạ bạn cho shop xin chiều cao và cân nặng để tư vấn size nhé ạ.",
                     "Please tell me your height and weight so I can advise a size."),
    "which_product_for_size": ("Dạ bạn muốn tư vấn size cho sản phẩm nào ạ?",
                               "Which product would you like size advice for?"),
    "no_chart": ("Dạ shop chưa có bảng size phù hợp cho {product}, nhân viên sẽ tư vấn thêm cho "
                 "bạn ạ.", "I have no size chart entry that fits you for {product}; our staff will "
                 "advise you."),
    "advice": ("Dạ với số đo của bạn, {product} bạn mặc size {size} là vừa ạ.",
               "For your measurements, size {size} of {product} should fit."),
    "summary": ("Dạ shop xác nhận lại đơn của bạn:\n{rows}\nPhí ship: {fee}\nTổng cộng: {total}\n"
                "Người nhận: {name}, {phone}, {address}.\nBạn trả lời \"đồng ý\" hoặc \"chốt\" để "
                "shop lên đơn nhé ạ.",
                "Here is your order:\n{rows}\nShipping: {fee}\nTotal: {total}\nTo: {name}, {phone}, "
                "{address}.\nReply \"yes\" to place the order."),
    "fee_unknown": ("nhân viên sẽ báo sau", "to be confirmed by our staff"),
    "vat_row": ("Thuế GTGT: {vat}", "VAT: {vat}"),
    "placed": ("Dạ shop đã lên đơn {number} cho bạn, tổng {total}. Cảm ơn bạn đã mua hàng ạ!",
               "Your order {number} is placed, total {total}. Thank you!"),
    "place_failed": ("Dạ shop chưa lên được đơn: {reason}. Nhân viên sẽ liên hệ bạn ạ.",
                     "I could not place the order: {reason}. Our staff will contact you."),
    "bad_phone": ("Dạ số điện thoại {phone} chưa đúng, bạn kiểm tra lại giúp shop nhé ạ.",
                  "The phone number {phone} does not look right; please check it."),
    "what_product": ("Dạ bạn muốn đặt sản phẩm nào ạ?", "Which product would you like to order?"),
    "which_variant": ("Dạ {product} bạn chọn loại nào ạ? {options}",
                      "Which option of {product} would you like? {options}"),
    "ask_buyer": ("Dạ bạn cho shop xin {fields} để shop lên đơn nhé ạ.",
                  "Please send me your {fields} to place the order."),
    "nothing_to_confirm": ("Dạ hiện chưa có đơn nào chờ bạn xác nhận ạ. Bạn muốn đặt sản phẩm "
                           "nào ạ?", "There is no order waiting for your confirmation. What would "
                           "you like to order?"),
}


def _t(key: str, lang: str, **values) -> str:
    vi, en = TEMPLATES[key]
    return (vi if lang == "vi" else en).format(**values)
