"""Vietnamese text as people search it: without diacritics, case or punctuation.

A seller's shoppers and clerks type "binh giu nhiet" for "Bình giữ nhiệt" and "ao thun trang" for
"Áo thun trắng"; both sides of a comparison go through ``fold`` so that they meet. ``fold`` is the
one definition of that form: the catalogue's folded search column and the sales assistant use it,
so what the assistant recognises and what a clerk finds in a list agree.

- ``fold``: NFC, lower case, every Vietnamese (and other Latin) diacritic removed, đ/Đ → d,
  punctuation to spaces, whitespace collapsed. ``fold("Áo thun, TRẮNG!") == "ao thun trang"``.
- ``unaccent``: the same letters without the marks, but punctuation and spacing kept, for parsers
  that need "1m65", "0912.345.678" or "SO-000123" intact.
- ``tokens``: the words of the folded text.
- ``has_marks``: whether a text was written with Vietnamese diacritics at all (a message written
  with them can tell "bé" from "be" and "già" from "giá"; one written without cannot).

Pure functions, no dependency beyond the standard library.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "unaccent", "tokens", "has_marks", "fold_token"]


def _build_table() -> dict[int, str]:
    """Each precomposed Latin letter with marks → its base letter (lower case), plus đ → d.

    Built once from Unicode's own decompositions (Latin-1 to Latin Extended Additional), so the
    table covers every Vietnamese vowel with its tone and no hand-kept list can miss one.
    """
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x1F00):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            table[code] = base.lower()
    for char in "đĐ":
        table[ord(char)] = "d"
    return table


_TABLE = _build_table()
_COMBINING = re.compile(r"[\u0300-\u036f]")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def unaccent(text: object) -> str:
    """NFC, lower case, diacritics removed (đ → d); punctuation and spacing left as they were."""
    value = unicodedata.normalize("NFC", str(text or "")).lower().translate(_TABLE)
    if not value.isascii():  # combining marks NFC could not compose (rare, decomposed input)
        value = _COMBINING.sub("", value)
    return value


def fold(text: object) -> str:
    """The search form of ``text``: unaccented, punctuation as spaces, single spaces, trimmed."""
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", unaccent(text))).strip()


def fold_token(word: str) -> str:
    """``fold`` for a single word (no punctuation handling needed): the hot path of tokenisers."""
    return word.lower().translate(_TABLE)


def tokens(text: object) -> list[str]:
    """The folded words of ``text``."""
    folded = fold(text)
    return folded.split(" ") if folded else []


def has_marks(text: object) -> bool:
    """True when ``text`` has at least one Vietnamese diacritic (or đ)."""
    value = unicodedata.normalize("NFC", str(text or ""))
    return any(ord(char) in _TABLE for char in value) or bool(_COMBINING.search(value))
