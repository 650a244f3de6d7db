"""Vietnam's administrative divisions since 1 July 2025: 34 provinces, each divided into wards
(phường, xã, đặc khu) with no district level, as the General Statistics Office numbers them.

The data is the ``vietnam-provinces`` package (GSO codes and names). Here: the look-ups the order
forms and the address rules need — search as you type (with or without diacritics), a province or
ward from its code or from a name written any usual way ("TP.HCM", "Hồ Chí Minh", "ho chi minh",
"Phường Hoà Bình" / "Phường Hòa Bình") — and nothing else.

Old three-level addresses (province, district, ward before the 2025 reorganisation) are converted
in :mod:`app.services.old_addresses`.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# The old tone placement ("hòa", "thủy") and the new one ("hoà", "thuỷ") are both in use, in the
# GSO data itself as much as in what people type: compare words with one spelling.
_TONE = {"òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
         "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
         "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ"}
_PROVINCE_PREFIXES = ("thành phố ", "tỉnh ", "tp. ", "tp.", "tp ")
_WARD_PREFIXES = ("phường ", "xã ", "đặc khu ", "thị trấn ", "p. ", "p.", "x. ", "x.")
# How people write the five centrally-run cities besides their names.
_PROVINCE_ALIASES = {"hcm": 79, "tphcm": 79, "tp hcm": 79, "sai gon": 79, "sài gòn": 79,
                     "hn": 1, "tphn": 1, "đà nẵng": 48, "hải phòng": 31, "cần thơ": 92,
                     "thừa thiên huế": 46, "thừa thiên - huế": 46}


def spelling(text) -> str:
    """One spelling for comparing names: NFC, lower case, one tone placement, tidy hyphens,
    apostrophes and spaces."""
    return _spelling(str(text or ""))


@functools.lru_cache(maxsize=16384)
def _spelling(text: str) -> str:
    value = unicodedata.normalize("NFC", text).casefold()
    for old, new in _TONE.items():
        value = value.replace(old, new)
    value = re.sub(r"[’‘`´]", "'", value)
    value = re.sub(r"\s*-\s*", " - ", value)
    return " ".join(value.replace(",", " ").split())


def plain(text) -> str:
    """Without diacritics (what many people type): ``"Bến Thành"`` → ``"ben thanh"``."""
    value = unicodedata.normalize("NFD", spelling(text).replace("đ", "d"))
    return "".join(c for c in value if not unicodedata.combining(c))


def _strip(value: str, prefixes) -> str:
    for prefix in prefixes:
        if value.startswith(prefix):
            return value[len(prefix):].strip()
    return value


@dataclass(frozen=True)
class Province:
    code: int
    name: str            # as the GSO writes it: "Thành phố Hồ Chí Minh", "Lâm Đồng"

    @property
    def short_name(self) -> str:
        """Without "Thành phố": how carriers and people write it ("Hồ Chí Minh")."""
        return _strip(self.name, ("Thành phố ",))


@dataclass(frozen=True)
class Ward:
    code: int
    name: str            # "Phường Sài Gòn", "Xã Bình Hưng", "Đặc khu Phú Quốc"
    province_code: int


@functools.lru_cache(maxsize=1)
def _tables():
    # Imported here: the package's 3,321 wards cost ~0.4 s, paid by the first look-up only (a
    # worker that never reads an address does not pay it).
    from vietnam_provinces import Province as _Province
    from vietnam_provinces import Ward as _Ward
    provinces = {int(p.code): Province(int(p.code), p.name) for p in _Province.iter_all()}
    wards = {int(w.code): Ward(int(w.code), w.name, int(w.province_code))
             for w in _Ward.iter_all()}
    by_province: dict[int, list[Ward]] = {}
    for ward in sorted(wards.values(), key=lambda w: plain(w.name)):
        by_province.setdefault(ward.province_code, []).append(ward)
    province_keys: dict[str, int] = {}
    for p in provinces.values():
        for key in (spelling(p.name), _strip(spelling(p.name), _PROVINCE_PREFIXES)):
            province_keys[key] = province_keys[plain(key)] = p.code
    for alias, code in _PROVINCE_ALIASES.items():
        province_keys[spelling(alias)] = province_keys[plain(alias)] = code
    ward_keys: dict[tuple[int, str], list[int]] = {}
    for w in wards.values():
        full = spelling(w.name)
        for key in {full, _strip(full, _WARD_PREFIXES), plain(full),
                    plain(_strip(full, _WARD_PREFIXES))}:
            ward_keys.setdefault((w.province_code, key), []).append(w.code)
    return provinces, wards, by_province, province_keys, ward_keys


def provinces() -> list[Province]:
    """All 34, alphabetically (as a person looks for them)."""
    return sorted(_tables()[0].values(), key=lambda p: plain(p.short_name))


def province(code) -> Province | None:
    try:
        return _tables()[0].get(int(code))
    except (TypeError, ValueError):
        return None


def ward(code) -> Ward | None:
    try:
        return _tables()[1].get(int(code))
    except (TypeError, ValueError):
        return None


def wards_of(province_code) -> list[Ward]:
    try:
        return list(_tables()[2].get(int(province_code), []))
    except (TypeError, ValueError):
        return []


def _code(value) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdigit() else None


def find_province(value) -> Province | None:
    """A province from its GSO code or a name as people write it; None when it is not one."""
    code = _code(value)
    if code is not None:
        return province(code)
    key = _strip(spelling(value), _PROVINCE_PREFIXES)
    tables = _tables()
    found = tables[3].get(spelling(value)) or tables[3].get(key) or tables[3].get(plain(key))
    return tables[0].get(found) if found else None


def find_ward(province_code: int, value) -> Ward | None:
    """A ward of the province from its GSO code or its name (with or without "Phường"/"Xã" and
    diacritics); None when the province has no such ward, or when the name fits several
    ("Xã Tân Thành" without diacritics could be two) and only the code can tell."""
    code = _code(value)
    if code is not None:
        found = ward(code)
        return found if found is not None and found.province_code == int(province_code) else None
    full = spelling(value)
    keys = _tables()[4]
    for key in (full, _strip(full, _WARD_PREFIXES), plain(full), plain(_strip(full, _WARD_PREFIXES))):
        codes = keys.get((int(province_code), key))
        if codes:
            return ward(codes[0]) if len(set(codes)) == 1 else None
    return None


def search(items, q: str, name=lambda item: item.name, limit: int = 30) -> list:
    """Those whose name has a word starting with each word typed, with or without diacritics
    ("ben th" finds "Phường Bến Thành"); names whose own part (after "Phường", "Thành phố" …)
    starts with what was typed come first. A province's usual short names ("hcm", "tphcm") find
    it too."""
    words = plain(q).replace(".", " ").split()
    if not words:
        return list(items)[:limit]
    alias = find_province(q)
    hits = []
    for item in items:
        if alias is not None and getattr(item, "code", None) == alias.code and \
                isinstance(item, Province):
            hits.append((-1, item))
            continue
        text = plain(name(item)).replace(" - ", " ")
        own = _strip(text, ("phuong ", "xa ", "dac khu ", "thanh pho ", "tinh ")).split()
        parts = text.split()
        if all(any(p.startswith(w) for p in parts) for w in words):
            hits.append((0 if own and own[0].startswith(words[0]) else 1, item))
    hits.sort(key=lambda pair: pair[0])
    return [item for _rank, item in hits[:limit]]
