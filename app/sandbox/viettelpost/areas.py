"""Viettel Post's address master data in the sandbox: today's 34 provinces and their wards, each
ward under the old district Viettel Post still routes by (built in :mod:`app.sandbox.area_book`).

Viettel Post numbers everything with its own ints (Hà Nội = 1 ``HNI`` per its documentation; the
other ids are made up but shaped the same way) — never GSO codes and never GHN's ids — and writes
district and ward names in capitals.

Shape (same as the GHN sandbox's, ids are ints): ``[{"id": 1, "code": "HNI", "name": "Hà Nội",
"region": "north", "districts": [{"id": 5, "value": "5", "name": "QUẬN THANH XUÂN",
"wards": [{"id": 501, "name": "PHƯỜNG KHƯƠNG ĐÌNH"}, …]}, …]}, …]``
"""
from __future__ import annotations

from app.sandbox.area_book import build, index

AREAS: list[dict] = build("viettelpost")
PROVINCES, DISTRICTS, WARDS = index(AREAS)


def ward_by_gso(code: int) -> dict:
    """The ward Viettel Post lists for a GSO ward code (the sandbox's set-up and the demo use it)."""
    return next(w for w in WARDS.values() if w["gso"] == code)


def zone(from_province: int, to_province: int) -> str:
    """Route band for the price table: same province, neighbouring regions, or north↔south."""
    a, b = PROVINCES[from_province], PROVINCES[to_province]
    if a["id"] == b["id"]:
        return "intra"
    if {a["region"], b["region"]} == {"north", "south"}:
        return "far"
    return "near"
