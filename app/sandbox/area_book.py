"""The carriers' address books as they stand since the 2025 reorganisation, for the sandboxes.

GHN and Viettel Post list today's 34 provinces and their wards (GHN ``/v3/master-data/…``, Viettel
Post ``/v3/categories/list…New``), each with the carrier's *own* ids (never the GSO codes), and
still route and price by their old district ids: every new ward sits under the district it mostly
came from (``area_book_2025.json``, built by ``bin/build_area_book.py``). The older three-level
endpoints serve the same book: province → routing district → today's wards.

Ids are the carriers' documented ones where the documentation gives them (GHN Hà Nội 201, Hồ Chí
Minh 202, Quận 1 = 1442, Quận 3 = 1444, Thanh Xuân = 1493; Viettel Post Hà Nội = 1 ``HNI``);
the rest are made up, stable from run to run, and shaped like the carrier's.

Shape (both carriers): ``[{"id", "name", "code", "region", "districts": [{"id", "name",
"wards": [{"id", "name", "gso"}, …]}, …]}, …]`` with Hà Nội first and Hồ Chí Minh second.
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path

from vietnam_provinces import Province, Ward

BOOK = json.loads((Path(__file__).with_name("area_book_2025.json")).read_text(encoding="utf-8"))

# GSO province code → (GHN ProvinceID, Viettel Post PROVINCE_ID, Viettel Post PROVINCE_CODE)
KNOWN_PROVINCES = {1: (201, 1, "HNI"), 79: (202, 2, "HCM"), 48: (203, 4, "DNG"),
                   92: (220, 17, "CTO"), 31: (224, 3, "HPG")}
# (GSO province, old district) → (GHN DistrictID, Viettel Post DISTRICT_ID), in the order the
# sandboxes list them first (the demo shop sits in the first Hà Nội one).
KNOWN_DISTRICTS = {
    (1, "Quận Thanh Xuân"): (1493, 5), (1, "Quận Cầu Giấy"): (1485, 7),
    (1, "Quận Hoàn Kiếm"): (1488, 1),
    (79, "Quận 1"): (1442, 43), (79, "Quận 3"): (1444, 45), (79, "Quận Tân Bình"): (1455, 55),
    (79, "Quận Bình Thạnh"): (1462, 57), (79, "Thành Phố Thủ Đức"): (3695, 60),
    (48, "Quận Hải Châu"): (1526, 500), (48, "Quận Thanh Khê"): (1527, 501),
    (48, "Quận Sơn Trà"): (1528, 502), (92, "Quận Ninh Kiều"): (1572, 700),
    (31, "Quận Lê Chân"): (1588, 300),
}
_VTP_CODES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def region(gso_province: int) -> str:
    """North to Thanh Hóa, the centre to Lâm Đồng, the south from Đồng Nai (GSO codes run N → S)."""
    if gso_province <= 38:
        return "north"
    return "central" if gso_province <= 68 else "south"


def _short(name: str) -> str:
    return name[len("Thành phố "):] if name.startswith("Thành phố ") else name


def _provinces() -> list:
    order = {1: 0, 79: 1}
    return sorted(Province.iter_all(), key=lambda p: (order.get(int(p.code), 2), int(p.code)))


def _districts(gso_province: int) -> list[tuple[str, list]]:
    """(old district, its wards today) for one province, the documented districts first."""
    grouped: dict[str, list] = {}
    for ward in sorted(Ward.iter_by_province(gso_province), key=lambda w: int(w.code)):
        grouped.setdefault(BOOK.get(str(int(ward.code)), ward.name), []).append(ward)
    known = [name for (p, name) in KNOWN_DISTRICTS if p == gso_province and name in grouped]
    rest = sorted(n for n in grouped if n not in known)
    return [(name, grouped[name]) for name in known + rest]


def build(carrier: str) -> list[dict]:
    """``carrier``'s book: ``"ghn"`` or ``"viettelpost"``."""
    ghn = carrier == "ghn"
    areas, next_district = [], 2000 if ghn else 1000
    taken = {v[1] for v in KNOWN_PROVINCES.values()}
    vtp_ids = (n for n in itertools.count(5) if n not in taken)
    for p in _provinces():
        gso = int(p.code)
        known = KNOWN_PROVINCES.get(gso)
        if known:
            pid, code = (known[0], "") if ghn else (known[1], known[2])
        elif ghn:
            pid, code = 230 + gso, ""
        else:
            pid, code = next(vtp_ids), f"{_VTP_CODES[gso // 26]}{_VTP_CODES[gso % 26]}X"
        districts = []
        for name, wards in _districts(gso):
            ids = KNOWN_DISTRICTS.get((gso, name))
            if ids:
                did = ids[0] if ghn else ids[1]
            else:
                did, next_district = next_district, next_district + 1
            rows = []
            for i, w in enumerate(wards, start=1):
                # GHN ward codes are strings (keep them so), Viettel Post's ints.
                wid = f"{did}{i:02d}" if ghn else did * 100 + i
                name_w = w.name if ghn else w.name.upper()
                rows.append({"id": wid, "name": name_w, "gso": int(w.code)})
            districts.append({"id": did, "name": name if ghn else name.upper(),
                              "value": str(did), "wards": rows})
        areas.append({"id": pid, "name": _short(p.name), "code": code or _short(p.name)[:3].upper(),
                      "region": region(gso), "gso": gso, "districts": districts})
    return areas


def index(areas: list[dict]) -> tuple[dict, dict, dict]:
    """Provinces, districts and wards by the carrier's ids."""
    provinces = {p["id"]: p for p in areas}
    districts = {d["id"]: {**d, "province_id": p["id"]} for p in areas for d in p["districts"]}
    wards = {w["id"]: {**w, "district_id": d["id"], "province_id": p["id"]}
             for p in areas for d in p["districts"] for w in d["wards"]}
    return provinces, districts, wards
