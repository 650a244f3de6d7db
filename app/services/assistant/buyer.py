"""The buyer's name and delivery address, as shoppers send them.

Shoppers give them with a cue ("tên Lan, sđt 09…, địa chỉ 12 Lê Lợi…", "người nhận: …",
"my name is …, address …") or as bare parts around their phone number, on lines or separated by
" - " or commas ("Nguyễn Thị Lan\n0912 345 678\n12 Nguyễn Huệ, Q1, TP HCM", "Lê Thu Trang - 0905 123
456 - 78 Hùng Vương, Hải Châu, Đà Nẵng"). Without a cue, a name is a run of two to six capitalised
words starting with a Vietnamese family name (Nguyễn, Trần, Lê … from the lexicon), and an
address is a part with a house number and a street, ward, district or city word, or two of those
(a province alone, as in "ship về Đà Nẵng mấy ngày", is where a parcel goes, not an address).
Politeness at the end ("… giúp mình nha") is not part of either.
"""
from __future__ import annotations

import re

from app.services.assistant.lexicon import LEXICON
from app.services.assistant.phrases import PhraseIndex
from app.services.assistant.text import Message, read
from app.services.search_text import fold

PHONE = re.compile(r"(?<![\w+])(\+?\s?84|0)(?:[\s.\-]?\d){8,10}(?![\d])")
_SURNAMES = frozenset(fold(s) for s in LEXICON["surnames"])
_TRAILING = sorted((fold(p) for p in LEXICON["trailing_particles"]), key=len, reverse=True)
_CUE_TAIL = r"\s*[:\-]?\s*"
_NAME_CUE = re.compile(r"(?:^|[\s,;.:\n])(?:ho va ten|ho ten|ten nguoi nhan|nguoi nhan|ten khach hang|ten khach|"
                       r"ten (?:cua )?(?:minh|em|toi|chi|anh)|(?:minh|em|toi|chi|anh) ten|ten|"
                       r"my name is|my name's|name|receiver|recipient)" + _CUE_TAIL)
_ADDRESS_CUE = re.compile(r"(?:^|[\s,;.\n])(?:dia chi(?: nhan hang| giao hang| nha| cua minh| cua em)?|d/c|dc(?=\s*[:\-])|"
                          r"dc(?=\s+\d)|address|deliver to|ship to|send to|giao (?:ve|toi|den|hang ve|hang toi)|"
                          r"ship (?:ve|toi|den|hang ve)|gui (?:ve|toi|den|hang ve)|nha o|o tai)" + _CUE_TAIL)
_FIELD_END = re.compile(r"(?:\n|;|,?\s(?:sdt|sđt|so dien thoai|so dt|dien thoai|dt|phone|ten|name|dia chi|"
                        r"address|d/c|dc)\b\s*[:\-]?\s)")
_ABBREVIATIONS = re.compile(r"(?<![\w])(?:p\.?\s?\d{1,2}|q\.?\s?\d{1,2}|p\.|q\.|tp\.?|tx|kp|hcm|tphcm|hcmc|hn|"
                            r"street|st\.|road|rd|ward|district|city|province)(?![\w])")
_MARKERS = PhraseIndex((w, w) for w in (
    "đường", "phố", "ngõ", "ngách", "hẻm", "kiệt", "số nhà", "phường", "quận", "huyện", "xã", "thị xã", "thị trấn",
    "thành phố", "tỉnh", "ấp", "thôn", "khu phố", "tổ dân phố", "chung cư", "tòa", "sài gòn", "hà nội", "đà nẵng",
    "cần thơ", "hải phòng", "bình dương", "đồng nai", "huế", "nha trang", "vũng tàu", "biên hòa", "thủ đức"))
_HOUSE_NUMBER = re.compile(r"^\s*(?:so\s*)?\d+[a-z]?(?:/\d+[a-z]?)*\s*,?\s+[^\W\d]")
_SEPARATORS = re.compile(r"\n|;|\s[-–|]\s")


def looks_like_address(text: str, cued: bool = False) -> bool:
    plain = fold(text)
    markers = {m.payload for m in _MARKERS.longest(read(text).words)}
    markers |= set(_ABBREVIATIONS.findall(plain))
    house = bool(_HOUSE_NUMBER.match(plain)) or (cued and bool(re.search(r"\d", plain)))
    return len(markers) >= 2 or (house and len(markers) >= 1) or (cued and house and len(plain) >= 12)


def looks_like_name(text: str) -> bool:
    words = text.split()
    return (2 <= len(words) <= 6 and fold(words[0]) in _SURNAMES
            and all(w[:1].isupper() and w.replace("-", "").isalpha() for w in words))


def _clean(value: str) -> str:
    value = value.strip(" \t,.;:-–")
    if value.startswith(("là ", "la ", "is ")):  # "tên là Lan" (but "tên La Văn Phúc": a family name)
        value = value.split(" ", 1)[1].strip(" :")
    while True:
        folded = fold(value)
        tail = next((t for t in _TRAILING if folded.endswith(" " + t)), None)
        if tail is None:
            return value
        value = value[:len(value) - _tail_length(value, tail)].rstrip(" ,.;:-–")


def _tail_length(value: str, tail_folded: str) -> int:
    """Characters at the end of ``value`` that fold to `` tail``."""
    words = len(tail_folded.split())
    parts = value.split()
    kept = " ".join(parts[:-words])
    return len(value) - len(kept)


def _field_after(message: Message, start: int) -> str:
    """The text from ``start`` up to the next field (a new line, "sđt", a phone number …)."""
    plain = message.plain
    end = len(plain)
    stop = _FIELD_END.search(plain, start)
    if stop:
        end = stop.start()
    phone = PHONE.search(plain, start)
    if phone and phone.start() < end:
        end = phone.start()
    return _clean(message.text[start:end])


def _parts(message: Message) -> list[str]:
    """The message cut at new lines, " - ", ";" and around phone numbers."""
    text = PHONE.sub("\n", message.text) if PHONE.search(message.plain) else message.text
    return [_clean(p) for p in _SEPARATORS.split(text) if _clean(p)]


def find_name(message: Message) -> str | None:
    for m in _NAME_CUE.finditer(message.plain):
        value = re.split(r"[,.\d(]", _field_after(message, m.end()))[0].strip()
        words = value.split()
        if 1 <= len(words) <= 6 and all(any(ch.isalpha() for ch in w) for w in words):
            return _clean(" ".join(words))
    for part in _parts(message):
        first = part.split(",")[0].strip()
        if looks_like_name(first) and not looks_like_address(first):
            return first
    return None


def find_address(message: Message) -> str | None:
    for m in _ADDRESS_CUE.finditer(message.plain):
        value = _field_after(message, m.end())
        if len(value) >= 6 and looks_like_address(value, cued=True):
            return value
    for part in _parts(message):
        first, _, rest = part.partition(",")
        # "Đỗ Thị Mai, 102 Lý Thường Kiệt, …": the name first, then the address
        candidate = rest.strip() if rest and looks_like_name(first.strip()) else part
        if looks_like_address(candidate):
            return _strip_leading_name(candidate)
    return None


def _strip_leading_name(part: str) -> str:
    """"Hồ Văn Lâm số 2 đường 3/2 …" → "số 2 đường 3/2 …": a name glued before the house number."""
    m = re.search(r"(?:^|\s)((?:số|so|Số|So)\s+\d|\d)", part)
    if m and m.start(1) > 0 and looks_like_name(part[:m.start(1)].strip()):
        return part[m.start(1):].strip()
    return part
