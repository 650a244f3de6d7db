"""The Viettel Post sandbox's memory: accounts' tokens, orders, statuses, prices and create checks.

Prices are a deterministic table (route band × weight band × service, + COD fee + 8 % VAT), all
int VND. Viettel Post publishes no partner-API limits; the sandbox uses the common parcel limits
(≤ 50 000 g, each side ≤ 200 cm, COD ≤ 50 000 000 VND) and says so in its messages.
"""
from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from . import areas

VN_TIME = timezone(timedelta(hours=7))
MAX_WEIGHT = 50_000
MAX_SIDE = 200
MAX_COD = 50_000_000
VAT_PERCENT = 8
PHONE = re.compile(r"^(?:\+?84|0)(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}$")

# ORDER_SERVICE → (name, price factor %, lead time hours per band); VHT only off the long haul.
SERVICES = {
    "VCN": ("Chuyển phát nhanh", 125, {"intra": 24, "near": 48, "far": 48}),
    "VTK": ("Chuyển phát tiết kiệm", 100, {"intra": 48, "near": 72, "far": 96}),
    "VHT": ("Phát hỏa tốc", 200, {"intra": 12, "near": 24}),
}
BASE = {"intra": 16_000, "near": 28_000, "far": 32_000}   # first 500 g, before VAT
STEP = {"intra": 2_500, "near": 4_500, "far": 5_000}      # each further 500 g

HAPPY_NEXT = {
    -100: 100, -108: 100, -109: 100, -110: 100, 100: 103, 102: 103, 103: 104, 104: 105, 106: 104,
    105: 200, 200: 300, 202: 300, 300: 301, 301: 400, 302: 400, 303: 400, 400: 401,
    401: 500, 402: 500, 403: 500, 500: 501, 508: 501, 550: 501, 509: 400, 510: 500,
    505: 515, 506: 508, 507: 508, 515: 502, 502: 504,
}
STATUS_NAMES = {
    -100: "Đơn hàng mới tạo, chưa duyệt", -108: "Đơn hàng gửi tại bưu cục",
    -109: "Đơn hàng đã gửi tại điểm thu gom", -110: "Đơn hàng đang bàn giao qua bưu cục",
    100: "Tiếp nhận đơn hàng từ đối tác", 101: "ViettelPost yêu cầu hủy đơn hàng",
    102: "Đơn hàng chờ xử lý", 103: "Giao cho bưu cục", 104: "Giao cho bưu tá đi nhận",
    105: "Bưu tá đã nhận hàng", 106: "Đối tác yêu cầu lấy lại hàng", 107: "Đối tác yêu cầu hủy qua API",
    200: "Nhận từ bưu tá - Bưu cục gốc", 201: "Hủy nhập phiếu gửi", 202: "Sửa phiếu gửi",
    300: "Đóng bảng kê đi", 301: "Đóng túi gói đi", 302: "Đóng chuyến thư đi", 303: "Đóng tuyến xe đi",
    400: "Nhận bảng kê đến", 401: "Nhận túi gói đến", 402: "Nhận chuyến thư đến",
    403: "Nhận chuyến xe đến", 500: "Giao bưu tá đi phát", 501: "Phát thành công",
    502: "Chuyển hoàn bưu cục gốc", 503: "Hủy - Theo yêu cầu khách hàng",
    504: "Thành công - Chuyển trả người gửi", 505: "Tồn - Thông báo chuyển hoàn bưu cục gốc",
    506: "Tồn - Khách hàng nghỉ, không có nhà", 507: "Tồn - Khách hàng đến bưu cục nhận",
    508: "Phát tiếp", 509: "Chuyển tiếp bưu cục khác", 510: "Hủy phân công phát",
    515: "Bưu cục phát duyệt hoàn", 550: "Khách hàng yêu cầu phát tiếp",
}
FINAL = {501, 504, 101, 107, 201, 503}
CANCELLABLE = {-100, -108, -109, -110, 100, 102, 103, 104, 106}
HELD = {505, 506, 507}          # held after a failed attempt: UpdateOrder TYPE 3 or TYPE 2 applies
WAITS_FOR_SELLER = HELD


class VtpError(Exception):
    """A refusal in Viettel Post's words; ``status`` is VTP's code in the envelope (204 bad data…)."""

    def __init__(self, message: str, status: int = 204, http_status: int = 200, data=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.http_status = http_status
        self.data = data


def vn_time(moment: datetime) -> str:
    return moment.astimezone(VN_TIME).strftime("%d/%m/%Y %H:%M:%S")


def to_int(data: dict, name: str, default=None, required: bool = False) -> int | None:
    value = data.get(name, default)
    if value is None or value == "":
        if required:
            raise VtpError(f"{name} không được để trống")
        return default
    if isinstance(value, bool):
        raise VtpError(f"{name} không hợp lệ")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise VtpError(f"{name} phải là số") from None


def price(service: str, from_province: int, to_province: int, weight: int, cod: int) -> dict | None:
    """One service's price on a route, or None when the service does not run there."""
    band = areas.zone(from_province, to_province)
    name, factor, hours = SERVICES[service]
    if band not in hours:
        return None
    steps = max(0, (weight - 500 + 499) // 500)
    fee = (BASE[band] + steps * STEP[band]) * factor // 100 // 100 * 100
    cod_fee = cod * 5 // 1000 if cod > 3_000_000 else 0
    vat = (fee + cod_fee) * VAT_PERCENT // 100
    return {"MONEY_FEE": fee, "MONEY_COLLECTION_FEE": cod_fee, "MONEY_OTHER_FEE": 0, "MONEY_VAS": 0,
            "MONEY_VAT": vat, "MONEY_TOTAL": fee + cod_fee + vat, "KPI_HT": hours[band], "NAME": name}


@dataclass
class Order:
    waybill: str
    reference: str
    request: dict
    prices: dict
    status: int = -100
    created: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    updated: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    history: list[dict] = field(default_factory=list)
    next_step_at: float | None = None
    deleted: bool = False


class Store:
    def __init__(self, seed: int = 1):
        self._random = random.Random(seed)
        self.lock = threading.RLock()
        self.orders: dict[str, Order] = {}
        self.by_reference: dict[str, str] = {}
        self.short_tokens: set[str] = set()
        self.long_tokens: set[str] = set()
        self.print_codes: dict[str, tuple[list[str], datetime]] = {}

    def reset(self) -> None:
        with self.lock:
            self.orders.clear()
            self.by_reference.clear()
            self.print_codes.clear()

    def token(self) -> str:
        return "".join(self._random.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                       for _ in range(64))

    def new_waybill(self) -> str:
        while True:
            waybill = "1" + "".join(self._random.choice("0123456789") for _ in range(10))
            if waybill not in self.orders:
                return waybill


def check_phone(value, field_name: str) -> None:
    if not PHONE.match(str(value or "").replace(" ", "").replace(".", "")):
        raise VtpError(f"{field_name}: Số điện thoại không hợp lệ ({value})")


def check_area(data: dict, prefix: str) -> tuple[int, int, int]:
    """``<prefix>_PROVINCE/_DISTRICT/_WARD`` must exist and nest, else VTP's "invalid address"."""
    province = to_int(data, f"{prefix}_PROVINCE", required=True)
    district = to_int(data, f"{prefix}_DISTRICT", required=True)
    ward = to_int(data, f"{prefix}_WARD", required=True)
    if province not in areas.PROVINCES:
        raise VtpError(f"{prefix}_PROVINCE {province}: Tỉnh/thành phố không tồn tại")
    if district not in areas.DISTRICTS or areas.DISTRICTS[district]["province_id"] != province:
        raise VtpError(f"{prefix}_DISTRICT {district}: Quận/huyện không thuộc tỉnh {province}")
    if ward not in areas.WARDS or areas.WARDS[ward]["district_id"] != district:
        raise VtpError(f"{prefix}_WARD {ward}: Phường/xã không thuộc quận/huyện {district}")
    return province, district, ward


def check_parcel(data: dict) -> tuple[int, int]:
    weight = to_int(data, "PRODUCT_WEIGHT", required=True)
    if weight <= 0 or weight > MAX_WEIGHT:
        raise VtpError(f"PRODUCT_WEIGHT: Trọng lượng phải từ 1 đến {MAX_WEIGHT} gram")
    for side in ("PRODUCT_LENGTH", "PRODUCT_WIDTH", "PRODUCT_HEIGHT"):
        size = to_int(data, side, 0)
        if size < 0 or size > MAX_SIDE:
            raise VtpError(f"{side}: Kích thước tối đa {MAX_SIDE} cm")
    cod = to_int(data, "MONEY_COLLECTION", 0)
    if cod < 0 or cod > MAX_COD:
        raise VtpError("MONEY_COLLECTION: Tiền thu hộ tối đa 50.000.000 đồng")
    return weight, cod


def check_text(data: dict, name: str, limit: int, required: bool = True) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        raise VtpError(f"{name} không được để trống")
    if len(value) > limit:
        raise VtpError(f"{name} tối đa {limit} ký tự")
    return value


def check_payment(data: dict, cod: int) -> int:
    payment = to_int(data, "ORDER_PAYMENT", required=True)
    if payment not in (1, 2, 3, 4):
        raise VtpError("ORDER_PAYMENT chỉ nhận 1, 2, 3 hoặc 4")
    if payment in (1, 4) and cod:
        raise VtpError(f"ORDER_PAYMENT {payment} không thu hộ tiền hàng: MONEY_COLLECTION phải bằng 0")
    if payment in (2, 3) and not cod:
        raise VtpError(f"ORDER_PAYMENT {payment} cần MONEY_COLLECTION lớn hơn 0")
    return payment
