"""What a shopper wants: intents from editable keyword rules with priorities.

The rules are data (``data/rules.json`` by default; ``RuleSet.from_dict`` takes the same shape from
anywhere, e.g. records staff edit). A message's score for an intent is the sum of the weights of
that intent's keywords found in it (longest non-overlapping phrases first), plus entity boosts (an
order number speaks for ``order_status``, a height for ``size_advice``). The best score is the
primary intent, ties going to the higher priority; other intents scoring at least
``secondary_min_score`` and ``secondary_min_ratio`` of the best are secondary ("còn size M không,
ship về Đà Nẵng bao nhiêu" is availability and shipping).

Conversation state is an input (``Context``): ``confirm`` keywords ("ok", "chốt", "đồng ý") count
only while a summary awaits the shopper's yes; otherwise "chốt đơn" means place_order and "ok"
means nothing. While a sale is being collected, a bare phone number, address, size or quantity
continues it (place_order). Prompt-injection keywords override everything (out_of_scope).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from app.services.assistant.phrases import PhraseIndex
from app.services.assistant.text import Message

INTENTS = ("greeting", "availability", "price", "size_advice", "shipping", "place_order", "confirm",
           "cancel", "order_status", "payment_info", "return_policy", "handover", "out_of_scope")
DEFAULT_RULES = Path(__file__).with_name("data") / "rules.json"


@dataclass
class Context:
    """What the conversation is in the middle of, as the dialogue layer knows it."""
    awaiting_confirmation: bool = False  # a summary was shown and waits for the shopper's yes
    collecting: bool = False             # a sale is being collected (variant, quantity, name …)
    focus_product: str | None = None     # product SKU the conversation is about
    last_intent: str | None = None

    @property
    def state(self) -> str:
        if self.awaiting_confirmation:
            return "awaiting_confirmation"
        return "collecting" if self.collecting else "idle"


@dataclass(frozen=True)
class Keyword:
    intent: str
    weight: float
    phrase: str
    override: bool = False


@dataclass
class Classification:
    intent: str
    secondary: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    matched: list[str] = field(default_factory=list)  # keywords that fired, for the "why" page
    injection: bool = False


class RuleSet:
    def __init__(self, data: dict):
        self.data = data
        self.priority: dict[str, int] = {}
        self.only_when: dict[str, str] = {}
        self.otherwise: dict[tuple[str, str], str | None] = {}
        self.keywords = PhraseIndex()
        self.blockers: dict[str, PhraseIndex] = {}
        self.entity_boosts: dict[str, dict[str, float]] = data.get("entity_boosts", {})
        self.secondary_min_score = float(data.get("secondary_min_score", 1.0))
        self.secondary_min_ratio = float(data.get("secondary_min_ratio", 0.4))
        for key, rule in data["intents"].items():
            intent = rule.get("intent", key)
            if intent not in INTENTS:
                raise ValueError(f"unknown intent {intent!r} in the rules (one of {', '.join(INTENTS)})")
            self.priority.setdefault(intent, int(rule.get("priority", 0)))
            if rule.get("only_when"):
                self.only_when[intent] = rule["only_when"]
            for phrase, weight in rule.get("keywords", {}).items():
                self.keywords.add(phrase, Keyword(intent, float(weight), phrase, bool(rule.get("override"))))
            for phrase, other in (rule.get("otherwise") or {}).items():
                self.otherwise[(intent, phrase)] = other
            if rule.get("blockers"):
                self.blockers[intent] = PhraseIndex((b, b) for b in rule["blockers"])

    @classmethod
    def load(cls, path: str | Path | None = None) -> "RuleSet":
        with open(path or DEFAULT_RULES, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    @classmethod
    def from_dict(cls, data: dict) -> "RuleSet":
        return cls(data)

    def classify(self, message: Message, entities=None, context: Context | None = None,
                 product_named: bool = False) -> Classification:
        context = context or Context()
        scores: dict[str, float] = {}
        matched: list[str] = []
        injection = False
        for m in self.keywords.longest(message.words, group=lambda k: k.intent):
            keyword: Keyword = m.payload
            intent = keyword.intent
            required = self.only_when.get(intent)
            if required and context.state != required:
                intent = self.otherwise.get((intent, keyword.phrase))
                if intent is None:
                    continue
            if intent in self.blockers and any(True for _ in self.blockers[intent].find(message.words)):
                continue
            injection = injection or keyword.override
            scores[intent] = scores.get(intent, 0.0) + keyword.weight
            matched.append(keyword.phrase)
        self._boost(scores, entities, context)
        if injection:
            return Classification("out_of_scope", [], scores, matched, True)
        return self._decide(scores, matched, entities, context, product_named)

    def _boost(self, scores: dict, entities, context: Context) -> None:
        if entities is None:
            return
        for name, boosts in self.entity_boosts.items():
            if getattr(entities, name, None):
                for intent, weight in boosts.items():
                    scores[intent] = scores.get(intent, 0.0) + float(weight)
        if context.state != "idle" and (entities.size or entities.color or entities.quantity):
            scores["place_order"] = scores.get("place_order", 0.0) + 1.0

    def _decide(self, scores, matched, entities, context, product_named) -> Classification:
        ranked = sorted(((s, self.priority.get(i, 0), i) for i, s in scores.items() if s > 0), reverse=True)
        if not ranked:
            return Classification(self._fallback(entities, context, product_named), [], scores, matched)
        best = ranked[0][0]
        secondary = [i for s, _, i in ranked[1:]
                     if s >= self.secondary_min_score and s >= self.secondary_min_ratio * best]
        return Classification(ranked[0][2], secondary, scores, matched)

    @staticmethod
    def _fallback(entities, context: Context, product_named: bool) -> str:
        """No keyword fired: decide from what the message carries."""
        has = (lambda name: bool(entities is not None and getattr(entities, name, None)))
        if context.state != "idle" and any(has(n) for n in ("phone", "address", "name", "quantity", "size", "color")):
            return "place_order"
        if product_named or has("size") or has("color") or has("budget"):
            return "availability"
        if has("phone") or has("address"):
            return "place_order"
        return "out_of_scope"


_DEFAULT: RuleSet | None = None


def default_rules() -> RuleSet:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = RuleSet.load()
    return _DEFAULT
