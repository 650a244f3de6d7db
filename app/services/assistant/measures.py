"""Numbers with units in shoppers' words: height, weight and money.

All parsers work on ``Message.plain`` (unaccented lower case, punctuation kept) and return the value
with the character span it came from, so the caller can take that span out of product matching.

- height: "1m6" 160, "1m65" 165, "m65" 165, "1.6m" 160, "160cm" 160, "cao 158" 158,
  "1 mét 6" 160, "5'5" / "5ft5" 165 → centimetres, kept between 50 and 230;
- weight: "52kg", "52 ký", "52 kí", "52 cân", "52 kilo", "nặng 52", "110 lbs" → kilograms (20–200);
- money: "150k" 150000, "150 nghìn/ngàn" 150000, "1tr2" 1200000, "1 triệu 2" 1200000, "1tr250"
  1250000, "1.5tr" 1500000, "2 củ" 2000000, "150.000đ" / "150,000" / "150000 vnd" 150000 → VND.
  ``budget_cues`` tells whether an amount is a spending limit ("dưới 300k", "tầm 200k", "under 300k").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

Span = tuple[int, int]


@dataclass(frozen=True)
class Amount:
    value: int
    start: int
    end: int


_B = r"(?<![\w.,])"  # not glued to a preceding word or number
_E = r"(?![\w])"

_HEIGHT = [
    (re.compile(_B + r"([12])\s?m\s?(\d{1,2})" + _E), "m_cm"),          # 1m6, 1m65, 1 m 58
    (re.compile(_B + r"m(\d{1,2})" + _E), "bare_m"),                      # m65, m6 (1 metre implied)
    (re.compile(_B + r"([12][.,]\d{1,2})\s?m" + _E), "decimal_m"),       # 1.6m, 1,65m
    (re.compile(_B + r"(\d{2,3})\s?cm" + _E), "cm"),                      # 160cm
    (re.compile(_B + r"([12])\s?(?:met|m)\s(\d{1,2})" + _E), "m_cm"),     # 1 mét 6
    (re.compile(_B + r"(\d)\s?(?:ft|feet|foot|')\s?(\d{1,2})(?:\s?(?:in|inch|inches|\"))?" + _E), "feet"),
    (re.compile(r"(?:cao|tall|height|chieu cao)\s*(?:la|:|khoang|tam)?\s*(\d{3})" + _E), "cm"),
]
_WEIGHT = [
    (re.compile(_B + r"(\d{2,3}(?:[.,]\d)?)\s?(?:kg|kgs|ky|ki|kilo|kilogram|kilograms|can|kí)" + _E), 1.0),
    (re.compile(_B + r"(\d{2,3}(?:[.,]\d)?)\s?(?:lbs|lb|pounds)" + _E), 0.45359237),
    (re.compile(r"(?:nang|weigh|weighs|weight|can nang)\s*(?:la|:|khoang|tam|about|around)?\s*(\d{2,3})" + _E), 1.0),
]
_MILLION = re.compile(_B + r"(\d{1,3}(?:[.,]\d{1,3})?)\s?(?:tr|trieu|cu)(?:\s?(\d{1,3}))?" + _E)
_THOUSAND = re.compile(_B + r"(\d{1,4}(?:[.,]\d)?)\s?(?:k|nghin|ngan|canh)" + _E)
_GROUPED = re.compile(_B + r"(\d{1,3}(?:[.,]\d{3})+)\s?(?:d|vnd|dong|₫|vnđ)?" + _E)
_WITH_CURRENCY = re.compile(_B + r"(\d{4,9})\s?(?:d|vnd|dong|₫|vnđ)" + _E)
_BUDGET_BEFORE = re.compile(
    r"(?:duoi|tam|khoang|tam gia|gia tam|ngan sach|budget|under|below|max|toi da|khong qua|ko qua|"
    r"less than|around|about|within|tu|trong khoang|re hon|it hon|cheaper than|gia)\s*(?:la|:)?\s*$")
_BUDGET_AFTER = re.compile(r"^\s*(?:do lai|tro xuong|tro lai|or less|max|thoi)")


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _overlaps(span: Span, taken: list[Span]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in taken)


def parse_height(plain: str, taken: list[Span]) -> tuple[int, Span] | None:
    for pattern, kind in _HEIGHT:
        for m in pattern.finditer(plain):
            span = (m.start(), m.end())
            if _overlaps(span, taken):
                continue
            cm = _height_cm(kind, m.groups())
            if cm is not None and 50 <= cm <= 230:
                return cm, span
    return None


def _height_cm(kind: str, groups: tuple) -> int | None:
    if kind == "m_cm":
        metres, rest = int(groups[0]), groups[1]
        return metres * 100 + (int(rest) * 10 if len(rest) == 1 else int(rest))
    if kind == "bare_m":
        rest = groups[0]
        return 100 + (int(rest) * 10 if len(rest) == 1 else int(rest))
    if kind == "decimal_m":
        return round(_number(groups[0]) * 100)
    if kind == "cm":
        return int(groups[0])
    if kind == "feet":
        return round((int(groups[0]) * 12 + int(groups[1])) * 2.54)
    return None


def parse_weight(plain: str, taken: list[Span]) -> tuple[int, Span] | None:
    for pattern, factor in _WEIGHT:
        for m in pattern.finditer(plain):
            span = (m.start(), m.end())
            if _overlaps(span, taken):
                continue
            kg = round(_number(m.group(1)) * factor)
            if 20 <= kg <= 200:
                return kg, span
    return None


def parse_money(plain: str, taken: list[Span]) -> list[Amount]:
    """Every amount of money in the text, in order."""
    found: list[Amount] = []
    busy = list(taken)

    def add(value: float, m: re.Match) -> None:
        span = (m.start(), m.end())
        if value >= 1000 and not _overlaps(span, busy):
            found.append(Amount(int(round(value)), *span))
            busy.append(span)

    for m in _MILLION.finditer(plain):
        whole, tail = _number(m.group(1)), m.group(2)
        add(whole * 1_000_000 + (int(tail) * 10 ** (6 - len(tail)) if tail else 0), m)
    for m in _THOUSAND.finditer(plain):
        add(_number(m.group(1)) * 1000, m)
    for m in _GROUPED.finditer(plain):
        add(float(re.sub(r"[.,]", "", m.group(1))), m)
    for m in _WITH_CURRENCY.finditer(plain):
        add(float(m.group(1)), m)
    return sorted(found, key=lambda a: a.start)


def is_budget(plain: str, amount: Amount) -> bool:
    """Is this amount a limit the shopper wants to stay under ("dưới 300k", "tầm 200k")?"""
    before = plain[max(0, amount.start - 25):amount.start]
    after = plain[amount.end:amount.end + 15]
    return bool(_BUDGET_BEFORE.search(before) or _BUDGET_AFTER.search(after))
