"""What a message says, besides what it wants: phone, order number, size, colour, quantity,
height, weight, money, and the buyer's name and address.

``extract(message, vocabulary)`` returns ``Entities``, normalised as SPEC §11 asks (phone
``0XXXXXXXXX``, size upper case, money and quantities as integers, height in cm, weight in kg, colour
as written in the catalogue). Spans of the text that an entity explains are listed in ``taken`` so
product matching does not read "1m6" or "0912 345 678" as product words.

Phone numbers are read with ``phonenumbers`` through ``app.services.phones`` (the rules the rest of
OrderHub applies to a buyer's phone); a number that looks like a phone but is not a valid mobile is
kept in ``phone_invalid`` so the conversation can ask again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.services.assistant import measures
from app.services.assistant.lexicon import LEXICON
from app.services.assistant.buyer import PHONE as _PHONE, find_address, find_name
from app.services.assistant.text import Message, Word, phrase_key
from app.services.errors import ValidationError
from app.services.phones import normalize_phone
from app.services.search_text import fold

Span = tuple[int, int]

_ORDER = re.compile(r"(?<![\w])(?:don|don hang|ma don|ma don hang|order|order no|order number|dh)"
                    r"\s*(?:so|ma|no|number|#|:|-)?\s*[#:\-]?\s*(?:so\s*[-_]?\s*)?(\d{3,9})(?![\w])")
# "đơn hàng số 45", "order #31", "order no. 7": an explicit order cue and a number marker, so a
# short number is the order's (without the marker, "đơn 2" is more likely two of something).
_PHONE_CUE = re.compile(r"(?<![\w])(?:so dien thoai|so dt|sdt|sđt)(?![\w])")
_ORDER_MARKED = re.compile(r"(?<![\w])(?:don hang|don|ma don hang|ma don|order|dh)\s*"
                           r"(?:so|#|no\.?|number)\s*[:#]?\s*(\d{1,9})(?![\w])"
                           r"(?!\s*(?:cai|chiec|bo|doi|hop|goi|sp|san pham|items?|pcs)\b)")
_ORDER_CODE = re.compile(r"(?<![\w])so[-_#]?(\d{1,9})(?![\w])")          # so000123, SO-123
_ORDER_CODE_SPACED = re.compile(r"(?<![\w])SO\s(\d{3,9})(?![\w])")       # "SO 123" (capitals: not "số 5")
_LETTER_SIZES = sorted((s.lower() for s in LEXICON["letter_sizes"]), key=len, reverse=True)
_SIZE_EQUIV = {"xxl": "2XL", "xxxl": "3XL", "xxxxl": "4XL", "free size": "FREESIZE", "freesize": "FREESIZE"}
_SIZE_CUE = {"size", "co", "sai"}
_NUMBER_WORDS = {fold(k): v for k, v in LEXICON["number_words"].items()}
_COUNTING = {phrase_key(w) for w in LEXICON["counting_words"]}
_QTY_VERBS = {fold(w) for w in LEXICON["quantity_verbs"]}
_UNIT_AFTER = re.compile(r"^\s?(?:k|kg|ky|ki|can|cm|m|tr|trieu|nghin|ngan|%|l|ml|lit|g|gr|gram|d|vnd|h|gio|"
                         r"ngay|day|days|tuan|thang|nam|lan|cu|met)\b")


@dataclass
class Entities:
    size: str | None = None
    color: str | None = None
    quantity: int | None = None
    phone: str | None = None
    order_number: str | None = None
    height_cm: int | None = None
    weight_kg: int | None = None
    budget: int | None = None
    money: list[int] = field(default_factory=list)
    name: str | None = None
    address: str | None = None
    phone_invalid: str | None = None
    taken: list[Span] = field(default_factory=list)    # every span an entity explains
    foreign: list[Span] = field(default_factory=list)  # spans that are not about goods (phone, name …)
    spans: dict = field(default_factory=dict)          # entity name → its span
    described: list[Span] = field(default_factory=list)  # spans of the colour and size said

    def public(self) -> dict:
        """The entity keys of the test console's answer (SPEC §11)."""
        return {"size": self.size, "color": self.color, "quantity": self.quantity, "phone": self.phone,
                "order_number": self.order_number, "height_cm": self.height_cm,
                "weight_kg": self.weight_kg, "budget": self.budget}


def _overlaps(span: Span, taken: list[Span]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in taken)


def find_phone(plain: str, taken: list[Span]) -> tuple[str | None, str | None, Span | None]:
    """(normalised phone, the text of an invalid one, span)."""
    for m in _PHONE.finditer(plain):
        span = (m.start(), m.end())
        if _overlaps(span, taken):
            continue
        raw = m.group(0).strip()
        try:
            return normalize_phone(raw, "phone"), None, span
        except ValidationError:
            return None, raw, span
    return None, None, None


def find_order_number(plain: str, taken: list[Span], text: str = "") -> tuple[str | None, Span | None]:
    for pattern, source in ((_ORDER_CODE, plain), (_ORDER_CODE_SPACED, text), (_ORDER, plain),
                            (_ORDER_MARKED, plain)):
        for m in pattern.finditer(source):
            span = (m.start(), m.end())
            if not _overlaps(span, taken) and not _UNIT_AFTER.match(source[m.end():].lower()):
                return f"SO-{int(m.group(1)):06d}", span
    return None, None


def _size_of(word: str) -> str | None:
    lowered = word.lower()
    if lowered in _SIZE_EQUIV:
        return _SIZE_EQUIV[lowered]
    if lowered in _LETTER_SIZES:
        return lowered.upper()
    return None


def find_size(message: Message, taken: list[Span], numeric_sizes: set[str],
              colour_spans: list[Span]) -> tuple[str | None, Span | None]:
    """A size the shopper names: after "size"/"sz"/"cỡ", a letter size (S/M/L in capitals, or
    any case next to a colour or "size"), XL-type sizes in any case, or a number the catalogue
    sells as a size (jeans, shoes) standing alone."""
    words = message.words
    for i, w in enumerate(words):
        span = (w.start, w.end)
        if _overlaps(span, taken):
            continue
        prev = words[i - 1] if i else None
        cued = prev is not None and prev.folded in _SIZE_CUE
        letter = _size_of(w.folded)
        if letter:
            written = message.text[w.start:w.end]
            near_colour = any(abs(w.start - e) <= 2 or abs(s - w.end) <= 2 for s, e in colour_spans)
            if cued or len(w.folded) > 1 or written.isupper() or near_colour:
                if not (w.folded == "s" and written == "s" and not cued and not near_colour):
                    return letter, span
        if w.folded.isdigit() and (cued or w.folded in numeric_sizes):
            after = message.plain[w.end:]
            before_verb = prev is not None and prev.folded in _QTY_VERBS
            if cued or (not _UNIT_AFTER.match(after) and not before_verb and not _counted(words, i)):
                return w.folded, span
    m = re.search(r"(?<![\w])free\s?size(?![\w])", message.plain)
    if m and not _overlaps((m.start(), m.end()), taken):
        return "FREESIZE", (m.start(), m.end())
    return None, None


def _counted(words: list[Word], i: int) -> bool:
    """Is word i followed by a counting word ("2 cái")?"""
    for key in _COUNTING:
        n = len(key)
        seg = words[i + 1:i + 1 + n]
        if len(seg) == n and all(w.matches(f, mk) for w, (f, mk) in zip(seg, key)):
            return True
    return False


_AMBIGUOUS_NUMBERS = {"nam", "sau", "bay", "tam", "chin", "tu", "bon", "ba", "muoi", "chuc"}  # unaccented: other words too
_PRICE_WORDS = {"tien", "gia", "nhieu", "bn", "price", "cost", "costs"}
_NOT_GOODS_BEFORE = {"thu", "so", "lan", "tang", "phong", "ngo", "hem", "duong", "quan", "phuong", "p", "q", "size",
                     "sz", "co", "tuoi", "ngay", "tuan", "thang", "nam", "gio", "luc", "top", "no", "number"}
_NOT_GOODS_AFTER = re.compile(r"^\s?(?:don|ngay|tuan|thang|nam|lan|gio|h|phut|tuoi|nguoi)\b")


def _number_value(word: Word) -> int | None:
    if word.folded.isdigit():
        return int(word.folded) if len(word.folded) <= 3 else None
    value = _NUMBER_WORDS.get(word.folded)
    if value is not None and not word.marks and word.folded in _AMBIGUOUS_NUMBERS:
        return None if word.expanded else value if word.folded == "hai" else None
    return value


def find_quantity(message: Message, taken: list[Span]) -> tuple[int | None, Span | None]:
    """How many the shopper wants: "2 cái", "x2", "lấy 3", "hai cái", "cho em 1 legging", "sl: 2"."""
    plain = message.plain
    for m in re.finditer(r"(?<![\w])x\s?(\d{1,3})(?![\w])|(?<![\w])(\d{1,3})\s?x(?![\w])", plain):
        span = (m.start(), m.end())
        if not _overlaps(span, taken):
            return int(m.group(1) or m.group(2)), span
    words = message.words
    for i, w in enumerate(words):
        span = (w.start, w.end)
        value = _number_value(w)
        if _overlaps(span, taken) or not value or value > 100:
            continue
        after = plain[w.end:]
        if re.match(r"^[a-z]", after) or _NOT_GOODS_AFTER.match(after):
            continue  # "2xl" is a size, "2c" is read below; "1 đơn", "5 ngày" are not goods
        before = {x.folded for x in words[max(0, i - 3):i]}
        if words[i - 1:i] and words[i - 1].folded in _PRICE_WORDS | _NOT_GOODS_BEFORE:
            continue  # "bao nhiêu tiền 1 cái": the price of one; "thứ 2", "số 5": not goods
        verb = bool(before & _QTY_VERBS) and not _UNIT_AFTER.match(after)
        if _counted(words, i) or (verb and value <= 50):
            return value, span
    m = re.search(r"(?<![\w])(\d{1,2})c(?![\w])", plain)
    if m and not _overlaps((m.start(), m.end()), taken):
        return int(m.group(1)), (m.start(), m.end())
    m = re.search(r"(?:sl|so luong|qty|quantity)\s*[:=]?\s*(\d{1,3})(?![\w])", plain)
    if m and not _overlaps((m.start(), m.end()), taken):
        return int(m.group(1)), (m.start(), m.end())
    return None, None


def _cue_before(plain: str, span: Span, cues: tuple[str, ...]) -> Span | None:
    """The word that announces a height or weight ("cao 1m62", "nặng 53kg"), so that "cao" is
    not read as a product word (Tất cổ cao)."""
    before = plain[:span[0]].rstrip()
    for cue in sorted(cues, key=len, reverse=True):
        if before.endswith(cue) and (len(before) == len(cue) or not before[-len(cue) - 1].isalnum()):
            return (len(before) - len(cue), len(before))
    return None


def extract(message: Message, colours, numeric_sizes: set[str] | None = None) -> Entities:
    """Read every entity of ``message``. ``colours`` finds catalogue colours in a message
    (``products.ColourIndex``); ``numeric_sizes`` are the number sizes the catalogue sells."""
    found = Entities()
    taken = found.taken
    plain = message.plain
    found.name = find_name(message)
    found.address = find_address(message)
    for value in (found.name, found.address):  # "Nha Trang" is a city, not the colour trắng
        start = message.text.find(value) if value else -1
        if start >= 0:
            taken.append((start, start + len(value)))
    found.phone, found.phone_invalid, span = find_phone(plain, taken)
    if span:
        taken.append(span)
        cue = _cue_before(plain, span, ("dien thoai", "dt", "phone", "phone number", "so"))
        if cue:
            taken.append(cue)
    # "số điện thoại" / "sđt" is about the phone even without a number: its "điện thoại" is no
    # phone case (an "ốp điện thoại" has no "số" before it)
    taken.extend(m.span() for m in _PHONE_CUE.finditer(plain))
    found.order_number, span = find_order_number(plain, taken, message.text)
    if span:
        taken.append(span)
    for name, parse, cues in (("height_cm", measures.parse_height, ("cao", "cao la", "chieu cao", "tall")),
                              ("weight_kg", measures.parse_weight, ("nang", "nang la", "can nang", "weigh"))):
        found_value = parse(plain, taken)
        if found_value:
            setattr(found, name, found_value[0])
            taken.append(found_value[1])
            found.spans[name] = found_value[1]
            cue = _cue_before(plain, found_value[1], cues)
            if cue:
                taken.append(cue)
    amounts = measures.parse_money(plain, taken)
    found.money = [a.value for a in amounts]
    for amount in amounts:
        taken.append((amount.start, amount.end))
        if found.budget is None and measures.is_budget(plain, amount):
            found.budget = amount.value
    colour = colours.find(message, taken) if colours is not None else None
    colour_spans = []
    if colour:
        found.color = colour[0]
        colour_spans.append(colour[1])
        taken.append(colour[1])
    found.size, size_span = find_size(message, taken, numeric_sizes or set(), colour_spans)
    if size_span:
        taken.append(size_span)
    found.quantity, span = find_quantity(message, taken)
    if span:
        taken.append(span)
        found.spans["quantity"] = span
    # a height or weight may be a product's own value ("ga 1m6 x 2m"): products.py decides
    found.described = [s for s in (*colour_spans, size_span) if s]
    goods = set(colour_spans) | {span, size_span} | {found.spans.get("height_cm"), found.spans.get("weight_kg")}
    found.foreign = [s for s in taken if s not in goods]
    return found
