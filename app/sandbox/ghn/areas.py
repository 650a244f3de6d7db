"""GHN's address master data in the sandbox: today's 34 provinces and their wards, each ward under
the old district GHN still routes and prices by (built in :mod:`app.sandbox.area_book`).

GHN numbers provinces and districts with its own ints and wards with *strings* (keep leading
zeros): Hà Nội 201, Hồ Chí Minh 202, Quận 1 = 1442, Quận 3 = 1444, Quận Thanh Xuân = 1493 come from
GHN's documentation. Names are written GHN's way: provinces without "Thành phố".

Shape: ``[{"id": 201, "name": "Hà Nội", "region": "north",
           "districts": [{"id": 1493, "name": "Quận Thanh Xuân",
                          "wards": [{"id": "149301", "name": "Phường Khương Đình"}, …]}, …]}, …]``
"""
from __future__ import annotations

import unicodedata

from app.sandbox.area_book import build, index

AREAS: list[dict] = build("ghn")
PROVINCE_ALIASES = {"thành phố hồ chí minh": 202, "tp hồ chí minh": 202, "tp. hồ chí minh": 202,
                    "tphcm": 202, "hcm": 202, "thành phố hà nội": 201, "thành phố đà nẵng": 203}

PROVINCES, DISTRICTS, WARDS = index(AREAS)


def _key(name: str) -> str:
    text = unicodedata.normalize("NFC", str(name or "")).strip().lower()
    for prefix in ("thành phố ", "tp. ", "tp ", "tỉnh "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return " ".join(text.split())


def province_by_name(name: str) -> dict | None:
    key = _key(name)
    pid = PROVINCE_ALIASES.get(str(name or "").strip().lower())
    if pid:
        return PROVINCES[pid]
    return next((p for p in AREAS if _key(p["name"]) == key), None)


def district_by_name(name: str, province_id: int | None = None) -> dict | None:
    key = _key(name)
    return next((d for d in DISTRICTS.values() if _key(d["name"]) == key
                 and (province_id is None or d["province_id"] == province_id)), None)


def ward_by_name(name: str, district_id: int) -> dict | None:
    key = _key(name)
    return next((w for w in WARDS.values() if _key(w["name"]) == key
                 and w["district_id"] == district_id), None)


def ward_by_gso(code: int) -> dict:
    """The ward GHN lists for a GSO ward code (the sandbox's own set-up and the demo use it)."""
    return next(w for w in WARDS.values() if w["gso"] == code)


def zone(from_district: int, to_district: int) -> str:
    """Route band the fee table uses: same province, neighbouring regions, or far (north↔south)."""
    a = PROVINCES[DISTRICTS[from_district]["province_id"]]
    b = PROVINCES[DISTRICTS[to_district]["province_id"]]
    if a["id"] == b["id"]:
        return "intra"
    if {a["region"], b["region"]} == {"north", "south"}:
        return "far"
    return "near"
