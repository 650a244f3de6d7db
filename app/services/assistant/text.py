"""A shopper's message as the rest of the assistant reads it.

``read(text)`` gives a ``Message``: the NFC text, its lower-case and unaccented forms (same length,
so a span found in one is the same span in the others), and its words. Each ``Word`` keeps:

- ``folded``: the standard word it stands for, folded ("ko" → "khong", "bn" → "bao", "nhieu");
  teencode that stands for several words becomes several words;
- ``marks``: the diacritics it was written with ("bé" → acute; "be" → none). A word written with
  marks only matches a dictionary word with the same marks, so "bé" (a child) is not the colour
  "be" and "già" is not "giá"; a word written without marks matches either (shoppers who type
  without accents cannot be held to them). Mark order does not matter: "huỷ" is "hủy".
- ``start``/``end``: where it sits in the text (teencode expansions share their source's span).

The language is Vietnamese when the message has diacritics or more Vietnamese than English words.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from app.services.assistant.lexicon import LEXICON
from app.services.search_text import fold, fold_token, unaccent

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STRETCHED = re.compile(r"([^\Wx\d])\1{2,}", re.UNICODE)  # "hellooo", "nhaaa" (not "xxxl", not "1000")
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=20000)
def marks_of(word: str) -> str:
    """The diacritics of ``word`` as a sorted string of combining marks ("đ" counts as one)."""
    decomposed = unicodedata.normalize("NFD", word)
    found = sorted(ch for ch in decomposed if "\u0300" <= ch <= "\u036f")
    if "đ" in word or "Đ" in word:
        found.append("đ")
    return "".join(found)


@dataclass(frozen=True)
class Word:
    folded: str
    marks: str
    start: int
    end: int
    expanded: bool = False  # came from teencode (then ``marks`` is empty: it matches leniently)

    def matches(self, folded: str, marks: str) -> bool:
        """Is this word the dictionary word (``folded``, ``marks``)? See the module docstring."""
        return self.folded == folded and (not self.marks or self.marks == marks)


@dataclass
class Message:
    text: str            # NFC, as written
    lower: str           # NFC lower case (same length as ``text`` for Vietnamese)
    plain: str           # unaccented lower case, punctuation kept (same length as ``lower``)
    words: list[Word]    # standard words after teencode, in order
    language: str        # "vi" or "en"
    marked: bool         # written with diacritics
    folded: str = field(default="")  # " ".join of the words' folded forms

    def span_words(self, start: int, end: int) -> list[int]:
        """Indexes of the words lying inside the character span [start, end)."""
        return [i for i, w in enumerate(self.words) if w.start >= start and w.end <= end]


def _teencode() -> dict[tuple[str, str], list[str]]:
    """(folded, marks) of each shorthand → its words: "hông" and "hong" are shorthands for
    "không", but "hồng" (pink) is not one."""
    return {(fold(k), marks_of(k)): v.split() for k, v in LEXICON["teencode"].items()}


_TEEN = _teencode()
_KEEP_AFTER = {fold(k): {fold(w) for w in v} for k, v in LEXICON.get("ambiguous_teencode", {}).items() if not k.startswith("_")}
_TEEN_PAIRS = {tuple(k[0].split()): v for k, v in _TEEN.items() if " " in k[0]}
_UNITS_AFTER_NUMBER = {"k", "kg", "h", "t", "tr", "c", "m", "v"}
_VI_WORDS = frozenset(LEXICON["vietnamese_words"])
_EN_WORDS = frozenset(LEXICON["english_words"])


def _expand(raw_words: list[tuple[str, int, int]]) -> list[Word]:
    out: list[Word] = []
    i = 0
    while i < len(raw_words):
        word, start, end = raw_words[i]
        folded = fold_token(word)
        if i + 1 < len(raw_words):  # two-word shorthands ("bao nhiu", "cam on")
            pair = (folded, fold_token(raw_words[i + 1][0]))
            if pair in _TEEN_PAIRS:
                for std in _TEEN_PAIRS[pair]:
                    out.append(Word(fold_token(std), "", start, raw_words[i + 1][2], True))
                i += 2
                continue
        after_number = bool(out) and out[-1].folded.isdigit()
        marks = marks_of(word)
        standard = _TEEN.get((folded, marks))
        if standard and folded in _KEEP_AFTER and out and out[-1].folded in _KEEP_AFTER[folded]:
            standard = None  # "màu hong" is pink, not "không"
        if standard and not (after_number and folded in _UNITS_AFTER_NUMBER):
            for std in standard:
                std_folded = fold_token(std)
                out.append(Word(std_folded, marks if std_folded == folded else "", start, end, True))
        else:
            out.append(Word(folded, marks, start, end))
        i += 1
    return out


def _language(words: list[Word], marked: bool) -> str:
    if marked:
        return "vi"
    vi = sum(1 for w in words if w.folded in _VI_WORDS)
    en = sum(1 for w in words if w.folded in _EN_WORDS and w.folded not in _VI_WORDS)
    return "en" if en > vi else "vi"


def read(text: str) -> Message:
    """Normalise a shopper's message (NFC, case, teencode) into a ``Message``."""
    nfc = unicodedata.normalize("NFC", str(text or ""))
    lower = nfc.lower()
    if len(lower) != len(nfc):  # a letter whose lower case is longer (rare): keep spans aligned
        lower = "".join(ch.lower()[:1] or ch for ch in nfc)
    plain = unaccent(lower)
    if len(plain) != len(lower):
        plain = "".join(unaccent(ch)[:1] or " " for ch in lower)
    raw_words = [(_STRETCHED.sub(r"\1", m.group()), m.start(), m.end()) for m in _WORD.finditer(lower)]
    words = _expand(raw_words)
    marked = any(w.marks for w in words)
    message = Message(text=nfc, lower=lower, plain=plain, words=words,
                      language=_language(words, marked), marked=marked)
    message.folded = " ".join(w.folded for w in words)
    return message


def phrase_key(phrase: str) -> tuple[tuple[str, str], ...]:
    """A dictionary phrase as (folded, marks) pairs, for matching against ``Word``s."""
    return tuple((fold_token(w), marks_of(w)) for w in _WORD.findall(unicodedata.normalize("NFC", phrase).lower()))


def is_number(word: Word) -> bool:
    return word.folded.isdigit()


def has_digit(text: str) -> bool:
    return bool(_DIGIT.search(text))
