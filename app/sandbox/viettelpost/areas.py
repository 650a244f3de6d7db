"""A small slice of Viettel Post's own address master data (three-level, partner API v2).

Viettel Post numbers everything with its own ints (Hà Nội = 1 ``HNI`` per its documentation; the
other ids here are illustrative but shaped the same way) — never GSO codes and never GHN's ids.
The demo reads ``AREAS`` to give its orders codes the sandbox accepts.

Shape (same as the GHN sandbox's, ids are ints): ``[{"id": 1, "code": "HNI", "name": "Hà Nội",
"region": "north", "districts": [{"id": 5, "value": "3005", "name": "Quận Thanh Xuân",
"wards": [{"id": 10501, "name": "Phường Thanh Xuân Trung"}, …]}, …]}, …]``
"""
from __future__ import annotations

AREAS: list[dict] = [
    {"id": 1, "code": "HNI", "name": "Hà Nội", "region": "north", "districts": [
        {"id": 5, "value": "3005", "name": "Quận Thanh Xuân", "wards": [
            {"id": 10501, "name": "Phường Thanh Xuân Trung"},
            {"id": 10502, "name": "Phường Khương Trung"},
            {"id": 10503, "name": "Phường Nhân Chính"},
        ]},
        {"id": 7, "value": "3007", "name": "Quận Cầu Giấy", "wards": [
            {"id": 10701, "name": "Phường Dịch Vọng"},
            {"id": 10702, "name": "Phường Nghĩa Đô"},
            {"id": 10703, "name": "Phường Quan Hoa"},
        ]},
        {"id": 1, "value": "3001", "name": "Quận Hoàn Kiếm", "wards": [
            {"id": 10101, "name": "Phường Hàng Bạc"},
            {"id": 10102, "name": "Phường Tràng Tiền"},
        ]},
    ]},
    {"id": 2, "code": "HCM", "name": "Hồ Chí Minh", "region": "south", "districts": [
        {"id": 43, "value": "7001", "name": "Quận 1", "wards": [
            {"id": 54301, "name": "Phường Bến Nghé"},
            {"id": 54302, "name": "Phường Bến Thành"},
            {"id": 54303, "name": "Phường Đa Kao"},
        ]},
        {"id": 45, "value": "7003", "name": "Quận 3", "wards": [
            {"id": 54501, "name": "Phường Võ Thị Sáu"},
            {"id": 54502, "name": "Phường 9"},
        ]},
        {"id": 55, "value": "7013", "name": "Quận Tân Bình", "wards": [
            {"id": 55501, "name": "Phường 10"},
            {"id": 55502, "name": "Phường 2"},
        ]},
        {"id": 57, "value": "7015", "name": "Quận Bình Thạnh", "wards": [
            {"id": 55701, "name": "Phường 25"},
            {"id": 55702, "name": "Phường 26"},
        ]},
        {"id": 60, "value": "7020", "name": "Thành phố Thủ Đức", "wards": [
            {"id": 56001, "name": "Phường Linh Trung"},
            {"id": 56002, "name": "Phường Thảo Điền"},
        ]},
    ]},
    {"id": 4, "code": "DNG", "name": "Đà Nẵng", "region": "central", "districts": [
        {"id": 500, "value": "5001", "name": "Quận Hải Châu", "wards": [
            {"id": 95001, "name": "Phường Hải Châu I"},
            {"id": 95002, "name": "Phường Thạch Thang"},
            {"id": 95003, "name": "Phường Hòa Cường Bắc"},
        ]},
        {"id": 501, "value": "5002", "name": "Quận Thanh Khê", "wards": [
            {"id": 95101, "name": "Phường Tam Thuận"},
            {"id": 95102, "name": "Phường Xuân Hà"},
        ]},
        {"id": 502, "value": "5003", "name": "Quận Sơn Trà", "wards": [
            {"id": 95201, "name": "Phường An Hải Bắc"},
        ]},
    ]},
    {"id": 17, "code": "CTO", "name": "Cần Thơ", "region": "south", "districts": [
        {"id": 700, "value": "9001", "name": "Quận Ninh Kiều", "wards": [
            {"id": 97001, "name": "Phường An Hòa"},
            {"id": 97002, "name": "Phường Xuân Khánh"},
        ]},
    ]},
    {"id": 3, "code": "HPG", "name": "Hải Phòng", "region": "north", "districts": [
        {"id": 300, "value": "3101", "name": "Quận Lê Chân", "wards": [
            {"id": 93001, "name": "Phường An Biên"},
        ]},
    ]},
]

PROVINCES = {p["id"]: p for p in AREAS}
DISTRICTS = {d["id"]: {**d, "province_id": p["id"]} for p in AREAS for d in p["districts"]}
WARDS = {w["id"]: {**w, "district_id": d["id"]} for p in AREAS for d in p["districts"]
         for w in d["wards"]}


def zone(from_province: int, to_province: int) -> str:
    """Route band for the price table: same province, neighbouring regions, or north↔south."""
    a, b = PROVINCES[from_province], PROVINCES[to_province]
    if a["id"] == b["id"]:
        return "intra"
    if {a["region"], b["region"]} == {"north", "south"}:
        return "far"
    return "near"
