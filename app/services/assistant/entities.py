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
from app.services.assistant.phrases import PhraseIndex
from app.services.assistant.text import Message, Word, phrase_key, read
from app.services.errors import ValidationError
from app.services.phones import normalize_phone
from app.services.search_text import fold

Span = tuple[int, int]

_PHONE = re.compile(r"(?<![\w+])(\+?\s?84|0)(?:[\s.\-]?\d){8,10}(?![\d])")
_ORDER = re.compile(r"(?<![\w])(?:so|don|don hang|ma don|ma don hang|order|order no|order number|dh)"
                    r"\s*(?:so|ma|no|number|#|:|-)?\s*[#:\-]?\s*(?:so\s*[-_]?\s*)?(\d{3,9})(?![\w])")
_ORDER_CODE = re.compile(r"(?<![\w])so\s?[-_#]?\s?(\d{1,9})(?![\w])")
_LETTER_SIZES = sorted((s.lower() for s in LEXICON["letter_sizes"]), key=len, reverse=True)
_SIZE_EQUIV = {"xxl": "2XL", "xxxl": "3XL", "xxxxl": "4XL", "free size": "FREESIZE", "freesize": "FREESIZE"}
_SIZE_CUE = {"size", "co", "sai"}
_NUMBER_WORDS = {fold(k): v for k, v in LEXICON["number_words"].items()}
_COUNTING = {phrase_key(w) for w in LEXICON["counting_words"]}
_QTY_VERBS = {fold(w) for w in LEXICON["quantity_verbs"]}
_UNIT_AFTER = re.compile(r"^\s?(?:k|kg|ky|ki|can|cm|m|tr|trieu|nghin|ngan|%|l|ml|lit|g|gr|gram|d|vnd|h|gio|"
                         r"ngay|day|days|tuan|thang|nam|lan|cu|met)\b")
_NAME_CUE = re.compile(r"(?:^|[\s,;.:\n])(?:ho va ten|ho ten|ten nguoi nhan|nguoi nhan|ten khach|ten (?:minh|em|toi|chi|anh|"
                       r"cua minh|cua em|cua toi)(?: la)?|minh ten(?: la)?|em ten(?: la)?|toi ten(?: la)?|ten(?: la)?|"
                       r"name(?: is)?|my name is|receiver|recipient)\s*[:\-]?\s+")
_ADDRESS_CUE = re.compile(r"(?:^|[\s,;.\n])(?:dia chi(?: nhan hang| giao hang| nha)?(?: la| o)?|d/c|đ/c|dc\s*[:\-]|dc(?=\s+\d)|"
                          r"address(?: is)?|deliver to|ship to|send to|giao (?:ve|toi|den|cho minh ve|hang ve|hang toi)|"
                          r"ship (?:ve|toi|den|hang ve)|gui (?:ve|toi|den|hang ve)|nha o|o tai)\s*[:\-]?\s*")
_STOP_SEGMENT = re.compile(r"(?:\n|;|\s(?:sdt|sđt|so dien thoai|so dt|dien thoai|dt|phone|ten|name|dia chi|address|"
                           r"dc|d/c|lay|mua|size|sz|mau)\b[:\s])")
_ADDRESS_ABBREVIATIONS = re.compile(r"(?<![\w])(?:p\.?\s?\d{1,2}|q\.?\s?\d{1,2}|p\.|q\.|tp\.?|tx|kp|hcm|tphcm|hn|"
                                    r"street|st\.|road|rd|ward|district|city|province)(?![\w])")
_ADDRESS_MARKERS = PhraseIndex((w, w) for w in (
    "đường", "phố", "ngõ", "ngách", "hẻm", "kiệt", "số nhà", "phường", "quận", "huyện", "xã", "thị xã", "thị trấn",
    "thành phố", "tỉnh", "ấp", "thôn", "khu phố", "tổ dân phố", "chung cư", "tòa", "sài gòn", "hà nội", "đà nẵng",
    "cần thơ", "hải phòng", "bình dương", "đồng nai", "huế", "nha trang", "vũng tàu", "biên hòa", "thủ đức"))
_HOUSE_NUMBER = re.compile(r"^\s*(?:so\s*)?\d+[a-z]?(?:/\d+[a-z]?)*\s*,?\s+[^\W\d]")


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
    taken: list[Span] = field(default_factory=list)

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


def find_order_number(plain: str, taken: list[Span]) -> tuple[str | None, Span | None]:
    for pattern in (_ORDER_CODE, _ORDER):
        for m in pattern.finditer(plain):
            span = (m.start(), m.end())
            if not _overlaps(span, taken) and not _UNIT_AFTER.match(plain[m.end():]):
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


def find_quantity(message: Message, taken: list[Span]) -> tuple[int | None, Span | None]:
    plain = message.plain
    for m in re.finditer(r"(?<![\w])x\s?(\d{1,3})(?![\w])|(?<![\w])(\d{1,3})\s?x(?![\w])", plain):
        span = (m.start(), m.end())
        if not _overlaps(span, taken):
            return int(m.group(1) or m.group(2)), span
    words = message.words
    for i, w in enumerate(words):
        span = (w.start, w.end)
        if _overlaps(span, taken):
            continue
        value = int(w.folded) if w.folded.isdigit() and len(w.folded) <= 3 else _NUMBER_WORDS.get(w.folded)
        if value is None or value <= 0:
            continue
        if w.folded.isdigit() and re.match(r"^\d+[a-z]", plain[w.start:w.end + 1]):
            continue  # "2c" is read below; "2xl" is a size
        prev = words[i - 1] if i else None
        verb = prev is not None and prev.folded in _QTY_VERBS and not _UNIT_AFTER.match(plain[w.end:])
        if _counted(words, i) or (verb and (w.folded.isdigit() or w.folded in ("mot", "hai", "ba"))):
            return value, span
    m = re.search(r"(?<![\w])(\d{1,2})c(?![\w])", plain)
    if m and not _overlaps((m.start(), m.end()), taken):
        return int(m.group(1)), (m.start(), m.end())
    m = re.search(r"(?:sl|so luong|qty|quantity)\s*[:=]?\s*(\d{1,3})(?![\w])", plain)
    if m and not _overlaps((m.start(), m.end()), taken):
        return int(m.group(1)), (m.start(), m.end())
    return None, None


def _segment_after(message: Message, start: int) -> tuple[str, int]:
    """The text from ``start`` to the next field boundary (a new line, "sđt", a phone …)."""
    plain = message.plain
    stop = _STOP_SEGMENT.search(plain, start)
    end = stop.start() if stop else len(plain)
    phone = _PHONE.search(plain, start)
    if phone and phone.start() < end:
        end = phone.start()
    return message.text[start:end].strip(" \t,.;:-–"), end


def find_name(message: Message) -> str | None:
    for m in _NAME_CUE.finditer(message.plain):
        value, _ = _segment_after(message, m.end())
        value = re.split(r"[,.\d]", value)[0].strip()
        words = value.split()
        if 1 <= len(words) <= 6 and all(any(ch.isalpha() for ch in word) for word in words):
            return " ".join(words)
    return _name_from_lines(message)


def _name_from_lines(message: Message) -> str | None:
    """A buyer who sends "Nguyễn Thị Lan / 0912345678 / 12 Lê Lợi…" as lines or comma parts."""
    parts = [p.strip() for p in re.split(r"[\n,;]|(?<=\d)\s+(?=[^\W\d])", message.text) if p.strip()]
    if len(parts) < 2 or not _PHONE.search(message.plain):
        return None
    for part in parts:
        words = part.split()
        if 2 <= len(words) <= 5 and all(w[:1].isupper() and w.isalpha() for w in words) \
                and not _looks_like_address(part, cued=False):
            return part
    return None


def find_address(message: Message) -> str | None:
    for m in _ADDRESS_CUE.finditer(message.plain):
        value, _ = _segment_after(message, m.end())
        if len(value) >= 6 and (_looks_like_address(value, cued=True)):
            return value
    for part in (p.strip() for p in re.split(r"\n|;", message.text)):
        if part and _looks_like_address(part, cued=False):
            return _without_phone(part) or None
    return None


def _looks_like_address(text: str, cued: bool) -> bool:
    """A house number and a street, ward or city; or two of those (a province alone is not a
    buyer's address: "ship về Đà Nẵng mấy ngày" asks about shipping)."""
    plain = fold(text)
    markers = {m.payload for m in _ADDRESS_MARKERS.longest(read(text).words)}
    markers |= set(_ADDRESS_ABBREVIATIONS.findall(plain))
    house = bool(_HOUSE_NUMBER.match(plain)) or (cued and bool(re.search(r"\d", plain)))
    return len(markers) >= 2 or (house and len(markers) >= 1) or (cued and house and len(plain) >= 12)


def _without_phone(part: str) -> str:
    return re.sub(r"(?:sdt|sđt|số điện thoại|so dien thoai|phone)?\s*[:\-]?\s*(\+?84|0)(?:[\s.\-]?\d){8,10}", "",
                  part, flags=re.IGNORECASE).strip(" ,.;:-")


def extract(message: Message, colours, numeric_sizes: set[str] | None = None) -> Entities:
    """Read every entity of ``message``. ``colours`` finds catalogue colours in a message
    (``products.ColourIndex``); ``numeric_sizes`` are the number sizes the catalogue sells."""
    found = Entities()
    taken = found.taken
    plain = message.plain
    found.phone, found.phone_invalid, span = find_phone(plain, taken)
    if span:
        taken.append(span)
    found.order_number, span = find_order_number(plain, taken)
    if span:
        taken.append(span)
    height = measures.parse_height(plain, taken)
    if height:
        found.height_cm = height[0]
        taken.append(height[1])
    weight = measures.parse_weight(plain, taken)
    if weight:
        found.weight_kg = weight[0]
        taken.append(weight[1])
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
    found.size, span = find_size(message, taken, numeric_sizes or set(), colour_spans)
    if span:
        taken.append(span)
    found.quantity, span = find_quantity(message, taken)
    if span:
        taken.append(span)
    found.name = find_name(message)
    found.address = find_address(message)
    return found
