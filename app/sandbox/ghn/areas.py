"""A small slice of GHN's own address master data (the old three-level structure GHN's fee and
create endpoints still use).

GHN numbers provinces and districts with its own ints and wards with *strings* (keep leading
zeros). Hà Nội 201, Hồ Chí Minh 202, Quận 1 = 1442, Quận 3 = 1444, Quận Thanh Xuân = 1493 with ward
"1A0710" come from GHN's documentation; the other ids are illustrative but shaped the same way.
The demo reads ``AREAS`` to give its orders codes the sandbox accepts.

Shape: ``[{"id": 201, "name": "Hà Nội", "region": "north",
           "districts": [{"id": 1493, "name": "Quận Thanh Xuân",
                          "wards": [{"id": "1A0710", "name": "Phường Thanh Xuân Trung"}, …]}, …]}, …]``
"""
from __future__ import annotations

import unicodedata

AREAS: list[dict] = [
    {"id": 201, "name": "Hà Nội", "code": "HN", "region": "north", "districts": [
        {"id": 1493, "name": "Quận Thanh Xuân", "wards": [
            {"id": "1A0710", "name": "Phường Thanh Xuân Trung"},
            {"id": "1A0705", "name": "Phường Khương Trung"},
            {"id": "1A0709", "name": "Phường Nhân Chính"},
        ]},
        {"id": 1485, "name": "Quận Cầu Giấy", "wards": [
            {"id": "1A0401", "name": "Phường Dịch Vọng"},
            {"id": "1A0404", "name": "Phường Nghĩa Đô"},
            {"id": "1A0407", "name": "Phường Quan Hoa"},
        ]},
        {"id": 1488, "name": "Quận Hoàn Kiếm", "wards": [
            {"id": "1A0101", "name": "Phường Hàng Bạc"},
            {"id": "1A0108", "name": "Phường Tràng Tiền"},
        ]},
    ]},
    {"id": 202, "name": "Hồ Chí Minh", "code": "HCM", "region": "south", "districts": [
        {"id": 1442, "name": "Quận 1", "wards": [
            {"id": "20101", "name": "Phường Bến Nghé"},
            {"id": "20109", "name": "Phường Bến Thành"},
            {"id": "20107", "name": "Phường Đa Kao"},
        ]},
        {"id": 1444, "name": "Quận 3", "wards": [
            {"id": "20308", "name": "Phường Võ Thị Sáu"},
            {"id": "20314", "name": "Phường 9"},
        ]},
        {"id": 1455, "name": "Quận Tân Bình", "wards": [
            {"id": "21610", "name": "Phường 10"},
            {"id": "21602", "name": "Phường 2"},
        ]},
        {"id": 1462, "name": "Quận Bình Thạnh", "wards": [
            {"id": "21925", "name": "Phường 25"},
            {"id": "21926", "name": "Phường 26"},
        ]},
        {"id": 3695, "name": "Thành phố Thủ Đức", "wards": [
            {"id": "90737", "name": "Phường Linh Trung"},
            {"id": "90743", "name": "Phường Thảo Điền"},
        ]},
    ]},
    {"id": 203, "name": "Đà Nẵng", "code": "DN", "region": "central", "districts": [
        {"id": 1526, "name": "Quận Hải Châu", "wards": [
            {"id": "40101", "name": "Phường Hải Châu I"},
            {"id": "40108", "name": "Phường Thạch Thang"},
            {"id": "40111", "name": "Phường Hòa Cường Bắc"},
        ]},
        {"id": 1527, "name": "Quận Thanh Khê", "wards": [
            {"id": "40201", "name": "Phường Tam Thuận"},
            {"id": "40206", "name": "Phường Xuân Hà"},
        ]},
        {"id": 1528, "name": "Quận Sơn Trà", "wards": [
            {"id": "40301", "name": "Phường An Hải Bắc"},
        ]},
    ]},
    {"id": 220, "name": "Cần Thơ", "code": "CT", "region": "south", "districts": [
        {"id": 1572, "name": "Quận Ninh Kiều", "wards": [
            {"id": "550101", "name": "Phường An Hòa"},
            {"id": "550113", "name": "Phường Xuân Khánh"},
        ]},
    ]},
    {"id": 224, "name": "Hải Phòng", "code": "HP", "region": "north", "districts": [
        {"id": 1588, "name": "Quận Lê Chân", "wards": [
            {"id": "30201", "name": "Phường An Biên"},
        ]},
    ]},
]

PROVINCE_ALIASES = {"thành phố hồ chí minh": 202, "tp hồ chí minh": 202, "tp. hồ chí minh": 202,
                    "tphcm": 202, "hcm": 202, "thành phố hà nội": 201, "thành phố đà nẵng": 203}

PROVINCES = {p["id"]: p for p in AREAS}
DISTRICTS = {d["id"]: {**d, "province_id": p["id"]} for p in AREAS for d in p["districts"]}
WARDS = {w["id"]: {**w, "district_id": d["id"]} for p in AREAS for d in p["districts"]
         for w in d["wards"]}


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


def zone(from_district: int, to_district: int) -> str:
    """Route band the fee table uses: same province, neighbouring regions, or far (north↔south)."""
    a = PROVINCES[DISTRICTS[from_district]["province_id"]]
    b = PROVINCES[DISTRICTS[to_district]["province_id"]]
    if a["id"] == b["id"]:
        return "intra"
    if {a["region"], b["region"]} == {"north", "south"}:
        return "far"
    return "near"
