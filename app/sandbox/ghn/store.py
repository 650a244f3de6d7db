"""The GHN sandbox's memory: orders, their statuses, fees and the checks GHN makes on create.

Fees are a deterministic table (route band × weight band × service, plus 0.5 % insurance) so tests
and the demo always see the same numbers; the rules and limits are the documented ones (research
A.3): weight ≤ 50 000 g, each side ≤ 200 cm, COD ≤ 50 000 000, insurance ≤ 5 000 000, a
``client_order_code`` used once per shop.
"""
from __future__ import annotations

import random
import re
import string
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from . import areas

MAX_WEIGHT = 50_000
MAX_SIDE = 200
MAX_COD = 50_000_000
MAX_INSURANCE = 5_000_000
REQUIRED_NOTES = ("CHOTHUHANG", "CHOXEMHANGKHONGTHU", "KHONGCHOXEMHANG")
PHONE = re.compile(r"^(?:\+?84|0)(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}$")

# service_type_id → (service_id, short_name, price factor %) offered on every sandbox route: 2
# "Chuẩn" (GHN's standard e-commerce service for parcels under 20 kg: our "economy"), 1 "Nhanh"
# (express: dearer and a day sooner, our "fast") and 5 "Hàng nặng" (20 kg and more). ⚠️ Which
# types an account gets is GHN's choice per shop and route (available-services says); type 3
# (saving) of GHN's older documents is refused, as a current account does.
SERVICES = {
    1: (53321, "Nhanh", 140),
    2: (53320, "Chuẩn", 100),
    5: (100039, "Hàng nặng", 100),
}
SERVICE_BY_ID = {sid: stype for stype, (sid, _n, _f) in SERVICES.items()}
LEADTIME_DAYS = {"intra": 1, "near": 2, "far": 3}
BASE = {"intra": 15_500, "near": 29_000, "far": 32_000}       # first 500 g
STEP = {"intra": 2_500, "near": 5_000, "far": 5_000}          # each further 500 g
HEAVY_PER_KG = {"intra": 3_000, "near": 5_500, "far": 6_500}  # "Hàng nặng", per kg after 20 kg base

HAPPY_NEXT = {
    "ready_to_pick": "picking", "picking": "picked", "money_collect_picking": "picked",
    "picked": "storing", "storing": "transporting", "transporting": "sorting",
    "sorting": "delivering", "delivering": "delivered", "money_collect_delivering": "delivered",
    "delivery_fail": "waiting_to_return", "waiting_to_return": "return",
    "return": "return_transporting", "return_transporting": "return_sorting",
    "return_sorting": "returning", "returning": "returned", "return_fail": "returning",
}
ALL_STATUSES = {
    "ready_to_pick", "picking", "money_collect_picking", "picked", "storing", "transporting",
    "sorting", "delivering", "money_collect_delivering", "delivered", "delivery_fail",
    "waiting_to_return", "return", "return_transporting", "return_sorting", "returning",
    "return_fail", "returned", "cancel", "exception", "lost", "damage",
}
FINAL = {"delivered", "returned", "cancel", "lost", "damage"}
CANCELLABLE = {"ready_to_pick", "picking", "money_collect_picking"}
REDELIVERABLE = {"delivery_fail", "waiting_to_return"}   # /switch-status/storing
RETURNABLE = {"delivery_fail", "storing"}                 # /switch-status/return
WAITS_FOR_SELLER = {"delivery_fail"}


class GhnError(Exception):
    """A refusal in GHN's words: ``code_message`` as GHN names it."""

    def __init__(self, message: str, code_message: str = "USER_ERR_COMMON", http_status: int = 400):
        super().__init__(message)
        self.message = message
        self.code_message = code_message
        self.http_status = http_status


def now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
        f"{moment.microsecond // 1000:03d}Z"


def int_field(data: dict, name: str, default=None, required=False) -> int | None:
    value = data.get(name, default)
    if value is None or value == "":
        if required:
            raise GhnError(f"Thiếu trường {name}")
        return default
    if isinstance(value, bool):
        raise GhnError(f"{name} không hợp lệ")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise GhnError(f"{name} phải là số nguyên") from None


def converted_weight(weight: int, length: int, width: int, height: int) -> int:
    """GHN charges the larger of the real and the volumetric weight (L×W×H / 5000 kg)."""
    return max(weight, (length * width * height) // 5)


def fee_for(service_type: int, from_district: int, to_district: int, weight: int,
            insurance_value: int = 0) -> dict:
    band = areas.zone(from_district, to_district)
    if service_type == 5:
        extra_kg = max(0, (weight - 20_000 + 999) // 1000)
        main = BASE[band] * 4 + extra_kg * HEAVY_PER_KG[band]
    else:
        steps = max(0, (weight - 500 + 499) // 500)
        main = BASE[band] + steps * STEP[band]
        main = main * SERVICES[service_type][2] // 100 // 100 * 100
    insurance = insurance_value * 5 // 1000
    return {"total": main + insurance, "service_fee": main, "insurance_fee": insurance,
            "pick_station_fee": 0, "coupon_value": 0, "r2s_fee": 0, "return_again": 0,
            "document_return": 0, "double_check": 0, "cod_fee": 0, "pick_remote_areas_fee": 0,
            "deliver_remote_areas_fee": 0, "cod_failed_fee": 0}


def leadtime(service_type: int, from_district: int, to_district: int, start: datetime) -> datetime:
    days = LEADTIME_DAYS[areas.zone(from_district, to_district)]
    if service_type == 5:
        days += 1
    elif service_type == 1:  # express: in half the time (same day within a province)
        return start + timedelta(hours=12 * days)
    return start + timedelta(days=days)


@dataclass
class Order:
    order_code: str
    client_order_code: str
    shop_id: int
    request: dict
    from_district_id: int
    service_type_id: int
    service_id: int
    fee: dict
    status: str = "ready_to_pick"
    created: datetime = field(default_factory=now)
    updated: datetime = field(default_factory=now)
    expected: datetime | None = None
    converted_weight: int = 0
    sort_code: str = ""
    log: list[dict] = field(default_factory=list)
    next_step_at: float | None = None


class Store:
    def __init__(self, seed: int = 1):
        self._random = random.Random(seed)
        self.lock = threading.RLock()
        self.orders: dict[str, Order] = {}
        self.by_client_code: dict[tuple[int, str], str] = {}
        self.print_tokens: dict[str, tuple[list[str], datetime]] = {}

    def reset(self) -> None:
        with self.lock:
            self.orders.clear()
            self.by_client_code.clear()
            self.print_tokens.clear()

    def new_code(self) -> str:
        alphabet = string.ascii_uppercase + string.digits
        while True:
            code = "".join(self._random.choice(alphabet) for _ in range(8))
            if code not in self.orders and not code.isdigit():
                return code

    def new_token(self) -> str:
        hexdigits = "".join(self._random.choice("0123456789abcdef") for _ in range(32))
        return f"{hexdigits[:8]}-{hexdigits[8:12]}-{hexdigits[12:16]}-{hexdigits[16:20]}-{hexdigits[20:]}"

    def get(self, order_code: str) -> Order:
        order = self.orders.get(str(order_code or "").strip().upper())
        if order is None:
            raise GhnError(f"Không tìm thấy đơn hàng {order_code}")
        return order

    def find_client_code(self, shop_id: int, client_order_code: str) -> Order:
        code = self.by_client_code.get((shop_id, str(client_order_code or "")))
        if code is None:
            raise GhnError(f"Không tìm thấy đơn hàng có client_order_code {client_order_code}")
        return self.orders[code]


def resolve_receiver(data: dict) -> tuple[int, str]:
    """Check ``to_district_id``/``to_ward_code`` (or the names GHN also accepts) against the fixture."""
    district_id = int_field(data, "to_district_id")
    ward_code = data.get("to_ward_code")
    if district_id is None and data.get("to_district_name"):
        province = areas.province_by_name(data.get("to_province_name", ""))
        district = areas.district_by_name(data["to_district_name"], province and province["id"])
        district_id = district and district["id"]
    if district_id is None:
        raise GhnError("Thiếu to_district_id (mã quận/huyện người nhận)")
    if district_id not in areas.DISTRICTS:
        raise GhnError(f"to_district_id {district_id} không tồn tại")
    if not ward_code and data.get("to_ward_name"):
        ward = areas.ward_by_name(data["to_ward_name"], district_id)
        ward_code = ward and ward["id"]
    if not ward_code:
        raise GhnError("Thiếu to_ward_code (mã phường/xã người nhận)")
    ward = areas.WARDS.get(str(ward_code))
    if ward is None or ward["district_id"] != district_id:
        raise GhnError(f"Mã phường/xã to_ward_code {ward_code} không hợp lệ hoặc không thuộc "
                       f"quận/huyện {district_id}")
    return district_id, str(ward_code)


def resolve_sender_district(data: dict, default: int) -> int:
    if data.get("from_district_id"):
        district_id = int_field(data, "from_district_id")
        if district_id not in areas.DISTRICTS:
            raise GhnError(f"from_district_id {district_id} không tồn tại")
        return district_id
    if data.get("from_district_name"):
        province = areas.province_by_name(data.get("from_province_name", ""))
        district = areas.district_by_name(data["from_district_name"], province and province["id"])
        if district is None:
            raise GhnError(f"Không tìm thấy quận/huyện người gửi: {data['from_district_name']}")
        return district["id"]
    return default


def check_text(data: dict, name: str, limit: int, required: bool = False) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        raise GhnError(f"Thiếu trường {name}")
    if len(value) > limit:
        raise GhnError(f"{name} tối đa {limit} ký tự")
    return value


def check_phone(value: str, name: str) -> None:
    if not PHONE.match(str(value or "").replace(" ", "").replace(".", "")):
        raise GhnError(f"Số điện thoại {name} không hợp lệ: {value}", "PHONE_INVALID")


def check_parcel(data: dict) -> dict:
    """The size, weight and money limits; returns the parsed ints."""
    weight = int_field(data, "weight", required=True)
    if weight <= 0 or weight > MAX_WEIGHT:
        raise GhnError(f"Khối lượng (weight) phải từ 1 đến {MAX_WEIGHT} gram")
    sizes = {}
    for side in ("length", "width", "height"):
        sizes[side] = int_field(data, side, required=True)
        if sizes[side] <= 0 or sizes[side] > MAX_SIDE:
            raise GhnError(f"Kích thước {side} phải từ 1 đến {MAX_SIDE} cm")
    cod = int_field(data, "cod_amount", 0)
    if cod < 0 or cod > MAX_COD:
        raise GhnError(f"Tiền thu hộ (cod_amount) tối đa {MAX_COD:,} đồng".replace(",", "."))
    insurance = int_field(data, "insurance_value", 0)
    if insurance < 0 or insurance > MAX_INSURANCE:
        raise GhnError(f"Giá trị khai giá (insurance_value) tối đa {MAX_INSURANCE:,} đồng"
                       .replace(",", "."))
    return {"weight": weight, **sizes, "cod_amount": cod, "insurance_value": insurance}


def pick_service(data: dict) -> tuple[int, int]:
    """``service_id`` wins over ``service_type_id``, as in GHN's docs."""
    service_id = int_field(data, "service_id", 0)
    if service_id:
        if service_id not in SERVICE_BY_ID:
            raise GhnError(f"Dịch vụ {service_id} không hỗ trợ tuyến này", "ROUTE_NOT_FOUND_SERVICE")
        return SERVICE_BY_ID[service_id], service_id
    service_type = int_field(data, "service_type_id", 0)
    if service_type not in SERVICES:
        raise GhnError("service_type_id không hợp lệ (1: Nhanh, 2: Chuẩn, 5: Hàng nặng)",
                       "SERVICE_NOT_FOUND_CONFIG_FEE")
    return service_type, SERVICES[service_type][0]
