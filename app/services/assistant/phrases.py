"""Finding dictionary phrases (intent keywords, colours, attribute values) among a message's words.

A phrase is written naturally ("còn hàng không", "xanh navy"); it matches a run of words when each
word matches (see ``text.Word.matches``: folded letters equal, and the diacritics equal when the
shopper wrote any). ``*`` in a phrase stands for up to ``GAP`` words ("còn * không" matches "còn
size M không"). Phrases are indexed by their first word, so a message is scanned once.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from app.services.assistant.text import Word, phrase_key

GAP = 4
_STAR = ("*", "")


@dataclass(frozen=True)
class Match:
    start: int  # first word index
    end: int    # one past the last word index
    payload: Any
    size: int   # words in the phrase (without gaps): longer is more specific
    words: frozenset = frozenset()  # the word indexes the phrase's own words cover (not its gaps)


def _key(phrase: str) -> tuple[tuple[str, str], ...]:
    parts = []
    for chunk in phrase.split("*"):
        if parts:
            parts.append(_STAR)
        parts.extend(phrase_key(chunk))
    return tuple(parts)


class PhraseIndex:
    def __init__(self, phrases: Iterable[tuple[str, Any]] = ()):
        self._by_first: dict[str, list[tuple[tuple, Any]]] = {}
        for phrase, payload in phrases:
            self.add(phrase, payload)

    def add(self, phrase: str, payload: Any) -> None:
        key = _key(phrase)
        if not key or key[0] == _STAR:
            return
        bucket = self._by_first.setdefault(key[0][0], [])
        bucket.append((key, payload))
        bucket.sort(key=lambda item: -len(item[0]))

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def find(self, words: list[Word], skip: set[int] | None = None) -> Iterator[Match]:
        """Every match, at every position (overlapping matches included), longest first per position."""
        skip = skip or set()
        for i, word in enumerate(words):
            if i in skip:
                continue
            for key, payload in self._by_first.get(word.folded, ()):
                covered: list[int] = []
                end = _match_at(words, i, key, skip, covered)
                if end is not None:
                    yield Match(i, end, payload, sum(1 for k in key if k != _STAR), frozenset(covered))

    def longest(self, words: list[Word], skip: set[int] | None = None, group=None) -> list[Match]:
        """Non-overlapping matches, preferring longer phrases, in text order. With ``group`` (a
        function of the payload), matches only exclude others of the same group."""
        return longest(self.find(words, skip), group)


def longest(matches: Iterable[Match], group=None) -> list[Match]:
    chosen: list[Match] = []
    used: dict[Any, set[int]] = {}
    for m in sorted(matches, key=lambda m: (-m.size, m.start)):
        taken = used.setdefault(group(m.payload) if group else None, set())
        if not m.words & taken:
            chosen.append(m)
            taken |= m.words
    return sorted(chosen, key=lambda m: m.start)


def _match_at(words: list[Word], i: int, key: tuple, skip: set[int], covered: list[int]) -> int | None:
    if not key:
        return i
    head, rest = key[0], key[1:]
    if head == _STAR:
        for gap in range(0, GAP + 1):
            mark = len(covered)
            end = _match_at(words, i + gap, rest, skip, covered)
            if end is not None:
                return end
            del covered[mark:]
        return None
    if i >= len(words) or i in skip or not words[i].matches(*head):
        return None
    covered.append(i)
    return _match_at(words, i + 1, rest, skip, covered)
