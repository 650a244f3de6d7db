"""Viettel Post partner API v2 as a Flask blueprint, on Viettel Post's own paths.

Mounted at ``/sandbox/viettelpost``; a client with ``base_url=http://host/sandbox/viettelpost``
calls ``/v2/order/createOrder`` as on ``partner.viettelpost.vn``. The print page that Viettel Post
serves from ``digitalize.viettelpost.vn`` is served here too (``/DigitalizePrint/report.do``).

Envelope ``{"status", "error", "message", "data"}``; refusals are HTTP 200 with ``error: true``
(204 bad data, 205 wrong login), a bad token is HTTP 401. ``getPriceAll`` answers a bare array.

Control endpoints (not Viettel Post's): ``POST /_control/advance``
``{"tracking_number", "status": "next"|<ORDER_STATUS>}``, ``GET /_control/shipments``,
``POST /_control/webhook`` ``{"url", "token"}``, plus ``/_control/faults`` and ``/_control/reset``.
"""
from __future__ import annotations

import functools

import jinja2

import threading
import time
from datetime import datetime, timedelta, timezone

from flask import Blueprint, Response, g, jsonify, request

from app.sandbox.faults import FaultInjector, register_control

from . import areas
from app.sandbox.callbacks import CallbackSender, register_callback_control
from .store import (CANCELLABLE, FINAL, HAPPY_NEXT, SERVICES, STATUS_NAMES, WAITS_FOR_SELLER, Order,
                    Store, VtpError,
                    check_area, check_parcel, check_payment, check_phone, check_text, price,
                    to_int, vn_time)

DEMO_CREDENTIALS = {"username": "0987000111", "password": "OrderHub@2026"}
DEFAULT_WEBHOOK_TOKEN = "vtp-sandbox-webhook-secret"
# The demo shop: Phường Thanh Xuân, Hà Nội (GSO 367), in Viettel Post's district 5.
_SHOP_WARD = areas.ward_by_gso(367)
INVENTORY = {"groupaddressId": 5818802, "cusId": 722, "name": "Shop Demo OrderHub",
             "phone": "0987000111", "address": "310 Quan Nhân",
             "provinceId": _SHOP_WARD["province_id"], "districtId": _SHOP_WARD["district_id"],
             "wardsId": _SHOP_WARD["id"]}


def ok(data=None, message: str = "OK"):
    return jsonify({"status": 200, "error": False, "message": message, "data": data})


def create_blueprint(*, webhook_url: str | None = None, webhook_token: str | None = None,
                     seed: int = 1, step_seconds: float | None = None,
                     credentials: dict | None = None) -> Blueprint:
    """A fresh Viettel Post sandbox with its own state.

    Callbacks go to ``webhook_url`` carrying ``webhook_token`` in the body's ``TOKEN`` field (the
    secret the shop registered with Viettel Post). With ``step_seconds`` every live order moves one
    step along the happy path that often.
    """
    creds = credentials or DEMO_CREDENTIALS
    bp = Blueprint("sandbox_viettelpost", __name__, url_prefix="/sandbox/viettelpost")
    store = bp.sandbox_state = Store(seed)  # kept across restarts (app.sandbox.persistence)
    faults = FaultInjector()
    sender = CallbackSender(webhook_url, name="vtp-sandbox-callbacks")
    hook = {"token": webhook_token or DEFAULT_WEBHOOK_TOKEN}
    register_control(bp, faults, reset_state=store.reset)

    @bp.before_request
    def apply_faults():
        g.vtp_fault = None
        if "/_control/" in request.path:
            return None
        g.vtp_fault = faults.take(request.path)
        return faults.before(g.vtp_fault, {"status": 500, "error": True,
                                           "message": "Hệ thống đang bận, vui lòng thử lại sau",
                                           "data": None})

    @bp.after_request
    def delay_answer(response):
        faults.after(getattr(g, "vtp_fault", None))
        return response

    @bp.errorhandler(VtpError)
    def vtp_error(exc):
        body = {"status": exc.status, "error": True, "message": exc.message, "data": exc.data}
        return jsonify(body), exc.http_status

    def body() -> dict:
        data = request.get_json(silent=True)
        if data is None and request.data:
            raise VtpError("Dữ liệu không đúng định dạng JSON")
        return data if isinstance(data, dict) else {}

    def need_token() -> None:
        token = request.headers.get("Token", "")
        if token not in store.long_tokens and token not in store.short_tokens:
            raise VtpError("Token không hợp lệ hoặc đã hết hạn", status=401, http_status=401)

    def check_login(data: dict) -> None:
        if data.get("USERNAME") != creds["username"] or data.get("PASSWORD") != creds["password"]:
            raise VtpError("Tên đăng nhập hoặc mật khẩu không đúng", status=205)

    # ---- auth ------------------------------------------------------------------------------
    @bp.post("/v2/user/Login")
    def login():
        check_login(body())
        token = store.token()
        store.short_tokens.add(token)
        expires = datetime.now(timezone.utc) + timedelta(hours=12)
        return ok({"userId": 1287, "token": token, "partner": INVENTORY["cusId"],
                   "phone": creds["username"], "expired": int(expires.timestamp() * 1000),
                   "encrypted": False, "source": 0})

    @bp.post("/v2/user/ownerconnect")
    def ownerconnect():
        if request.headers.get("Token", "") not in store.short_tokens:
            raise VtpError("Token không hợp lệ hoặc đã hết hạn", status=401, http_status=401)
        check_login(body())
        token = store.token()
        store.long_tokens.add(token)
        expires = datetime.now(timezone.utc) + timedelta(days=365)
        return ok({"userId": 1287, "token": token, "partner": INVENTORY["cusId"],
                   "phone": creds["username"], "expired": int(expires.timestamp() * 1000),
                   "encrypted": False, "source": 0})

    @bp.get("/v2/user/listInventory")
    def list_inventory():
        need_token()
        return ok([INVENTORY])

    # ---- master data -------------------------------------------------------------------------
    @bp.get("/v2/categories/listProvinceById")
    @bp.get("/v2/categories/listProvince")
    def provinces():
        wanted = to_int(request.args, "provinceId", -1)
        return ok([{"PROVINCE_ID": p["id"], "PROVINCE_CODE": p["code"], "PROVINCE_NAME": p["name"]}
                   for p in areas.AREAS if wanted in (-1, p["id"])])

    @bp.get("/v2/categories/listDistrict")
    def districts():
        wanted = to_int(request.args, "provinceId", -1)
        return ok([{"DISTRICT_ID": d["id"], "DISTRICT_VALUE": d["value"],
                    "DISTRICT_NAME": d["name"].upper(), "PROVINCE_ID": d["province_id"]}
                   for d in areas.DISTRICTS.values() if wanted in (-1, d["province_id"])])

    @bp.get("/v2/categories/listWards")
    def wards():
        wanted = to_int(request.args, "districtId", -1)
        return ok([{"WARDS_ID": w["id"], "WARDS_NAME": w["name"].upper(), "DISTRICT_ID": w["district_id"]}
                   for w in areas.WARDS.values() if wanted in (-1, w["district_id"])])

    # Since the 2025 reorganisation: provinces and their wards, two levels. Each ward still names
    # the district Viettel Post routes it by (createOrder and the prices want RECEIVER_DISTRICT).
    @bp.get("/v3/categories/listProvinceNew")
    def provinces_new():
        return ok([{"PROVINCE_ID": p["id"], "PROVINCE_CODE": p["code"], "PROVINCE_NAME": p["name"]}
                   for p in areas.AREAS])

    @bp.get("/v3/categories/listWardsNew")
    def wards_new():
        wanted = to_int(request.args, "provinceId", required=True)
        if wanted not in areas.PROVINCES:
            raise VtpError(f"provinceId {wanted}: Tỉnh/thành phố không tồn tại")
        return ok([{"WARDS_ID": w["id"], "WARDS_NAME": w["name"].upper(), "PROVINCE_ID": wanted,
                    "DISTRICT_ID": w["district_id"]}
                   for w in areas.WARDS.values() if w["province_id"] == wanted])

    # ---- prices -------------------------------------------------------------------------------
    def route(data: dict) -> tuple[int, int]:
        provinces_ = []
        for prefix in ("SENDER", "RECEIVER"):
            province = to_int(data, f"{prefix}_PROVINCE", required=True)
            district = to_int(data, f"{prefix}_DISTRICT", required=True)
            if province not in areas.PROVINCES or district not in areas.DISTRICTS or \
                    areas.DISTRICTS[district]["province_id"] != province:
                raise VtpError(f"{prefix}_DISTRICT {district}: Địa chỉ không hợp lệ")
            provinces_.append(province)
        return provinces_[0], provinces_[1]

    @bp.post("/v2/order/getPriceAll")
    def price_all():
        need_token()
        data = body()
        from_province, to_province = route(data)
        weight, cod = check_parcel(data)
        offers = []
        for code, (name, _f, _h) in SERVICES.items():
            quoted = price(code, from_province, to_province, weight, cod)
            if quoted:
                offers.append({"MA_DV_CHINH": code, "TEN_DICHVU": name, "GIA_CUOC": quoted["MONEY_TOTAL"],
                               "THOI_GIAN": f"{quoted['KPI_HT']} giờ", "EXCHANGE_WEIGHT": weight,
                               "EXTRA_SERVICE": []})
        return jsonify(offers)

    @bp.post("/v2/order/getPrice")
    def price_one():
        need_token()
        data = body()
        from_province, to_province = route(data)
        weight, cod = check_parcel(data)
        service = str(data.get("ORDER_SERVICE") or "")
        quoted = SERVICES.get(service) and price(service, from_province, to_province, weight, cod)
        if not quoted:
            raise VtpError(f"ORDER_SERVICE {service}: Dịch vụ không hỗ trợ tuyến này")
        return ok({"MONEY_TOTAL_OLD": quoted["MONEY_TOTAL"], "MONEY_TOTAL": quoted["MONEY_TOTAL"],
                   "MONEY_TOTAL_FEE": quoted["MONEY_FEE"], "MONEY_FEE": quoted["MONEY_FEE"],
                   "MONEY_COLLECTION_FEE": quoted["MONEY_COLLECTION_FEE"], "MONEY_OTHER_FEE": 0,
                   "MONEY_VAS": 0, "MONEY_VAT": quoted["MONEY_VAT"], "KPI_HT": quoted["KPI_HT"]})

    # ---- orders ------------------------------------------------------------------------------
    @bp.post("/v2/order/createOrder")
    def create_order():
        need_token()
        data = body()
        reference = check_text(data, "ORDER_NUMBER", 50, required=False)
        # The uniqueness check and the insert under one lock: two creates racing with the same
        # ORDER_NUMBER make one waybill, the other is refused as the duplicate.
        with store.lock:
            if data.get("CHECK_UNIQUE") and reference and reference in store.by_reference:
                existing = store.orders[store.by_reference[reference]]
                # ⚠️ Sandbox assumption: the refusal names the waybill already booked.
                raise VtpError(f"ORDER_NUMBER {reference} đã tồn tại", data={
                    "ORDER_NUMBER": existing.waybill, "ORDER_REFERENCE": reference,
                    **order_money(existing)})
            order = validate(data, reference)
            order.waybill = store.new_waybill()
            order.history.append({"ORDER_STATUS": order.status, "DATE": vn_time(order.created)})
            store.orders[order.waybill] = order
            if reference:
                store.by_reference.setdefault(reference, order.waybill)
            if step_seconds:
                order.next_step_at = time.monotonic() + step_seconds
                start_ticker()
        sender.post(callback(order))
        req = order.request
        return ok({"ORDER_NUMBER": order.waybill, "MONEY_COLLECTION": int(req.get("MONEY_COLLECTION") or 0),
                   "EXCHANGE_WEIGHT": int(req["PRODUCT_WEIGHT"]), **order_money(order),
                   "KPI_HT": order.prices["KPI_HT"],
                   "RECEIVER_PROVINCE": int(req["RECEIVER_PROVINCE"]),
                   "RECEIVER_DISTRICT": int(req["RECEIVER_DISTRICT"]),
                   "RECEIVER_WARDS": int(req["RECEIVER_WARD"]),
                   "SORT_CODE": f"{areas.PROVINCES[int(req['RECEIVER_PROVINCE'])]['code']}-"
                                f"{int(req['RECEIVER_DISTRICT']):03d}"})

    def validate(data: dict, reference: str) -> Order:
        for prefix in ("SENDER", "RECEIVER"):
            check_text(data, f"{prefix}_FULLNAME", 150)
            check_text(data, f"{prefix}_ADDRESS", 500)
            check_phone(data.get(f"{prefix}_PHONE"), f"{prefix}_PHONE")
        from_area = check_area(data, "SENDER")
        to_area = check_area(data, "RECEIVER")
        check_text(data, "PRODUCT_NAME", 500)
        if data.get("PRODUCT_TYPE", "HH") not in ("HH", "TH"):
            raise VtpError("PRODUCT_TYPE chỉ nhận HH (hàng hóa) hoặc TH (thư)")
        if to_int(data, "NATIONAL_TYPE", 1) != 1:
            raise VtpError("NATIONAL_TYPE: chỉ hỗ trợ đơn trong nước (1)")
        weight, cod = check_parcel(data)
        check_payment(data, cod)
        items = data.get("LIST_ITEM") or []
        if not isinstance(items, list) or any(not isinstance(i, dict) or not i.get("PRODUCT_NAME")
                                               for i in items):
            raise VtpError("LIST_ITEM: mỗi hàng hóa cần PRODUCT_NAME")
        service = str(data.get("ORDER_SERVICE") or "")
        quoted = SERVICES.get(service) and price(service, from_area[0], to_area[0], weight, cod)
        if not quoted:
            raise VtpError(f"ORDER_SERVICE {service}: Dịch vụ không hỗ trợ tuyến này")
        return Order(waybill="", reference=reference, request=data, prices=quoted)

    def order_money(order: Order) -> dict:
        p = order.prices
        return {"MONEY_TOTAL": p["MONEY_TOTAL"], "MONEY_TOTAL_FEE": p["MONEY_FEE"],
                "MONEY_FEE": p["MONEY_FEE"], "MONEY_COLLECTION_FEE": p["MONEY_COLLECTION_FEE"],
                "MONEY_OTHER_FEE": 0, "MONEY_VAS": 0, "MONEY_VAT": p["MONEY_VAT"]}

    @bp.post("/v2/order/UpdateOrder")
    def update_order():
        need_token()
        data = body()
        kind = to_int(data, "TYPE", required=True)
        with store.lock:
            order = store.orders.get(str(data.get("ORDER_NUMBER") or ""))
            if order is None or order.deleted:
                raise VtpError(f"ORDER_NUMBER {data.get('ORDER_NUMBER')}: Không tìm thấy vận đơn")
            if kind == 4:
                if order.status not in CANCELLABLE:
                    raise VtpError(f"Vận đơn đang ở trạng thái {order.status} "
                                   f"({STATUS_NAMES[order.status]}), không thể hủy")
                move(order, 107, str(data.get("NOTE") or ""))
            elif kind == 1 and order.status in (-100, 102):
                move(order, 100)
            elif kind == 2 and order.status in (505, 506, 507):
                move(order, 515)
            elif kind == 3 and order.status in (505, 506, 507):
                move(order, 508)
            elif kind in (5, 11) and order.status in (107, 101, 201, 503):
                order.deleted = True
            else:
                raise VtpError(f"TYPE {kind} không áp dụng cho vận đơn ở trạng thái {order.status}")
        return ok(None)

    # ---- printing ----------------------------------------------------------------------------
    @bp.post("/v2/order/printing-code")
    def printing_code():
        need_token()
        data = body()
        waybills = data.get("ORDER_ARRAY")
        if not isinstance(waybills, list) or not waybills:
            raise VtpError("ORDER_ARRAY không được để trống")
        expiry_ms = to_int(data, "EXPIRY_TIME", required=True)
        with store.lock:
            missing = [w for w in waybills if str(w) not in store.orders]
            if missing:
                raise VtpError(f"Không tìm thấy vận đơn: {', '.join(map(str, missing))}")
            code = store.token()[:40]
            store.print_codes[code] = ([str(w) for w in waybills],
                                       datetime.fromtimestamp(expiry_ms / 1000, tz=timezone.utc))
        return jsonify({"status": 200, "error": False, "message": code, "data": None})

    @bp.get("/DigitalizePrint/report.do")
    def print_page():
        with store.lock:
            entry = store.print_codes.get(request.args.get("bill", ""))
            if entry is None or entry[1] < datetime.now(timezone.utc):
                return Response("<html><body>Mã in không hợp lệ hoặc đã hết hạn</body></html>",
                                status=400, mimetype="text/html")
            orders = [store.orders[w] for w in entry[0]]
        return Response(label_page().render(orders=orders, names=STATUS_NAMES),
                        mimetype="text/html")

    # ---- status changes and callbacks ----------------------------------------------------------
    def move(order: Order, status: int, note: str = "") -> None:
        order.status = status
        # Viettel Post stamps a status to the second; a parcel's statuses never share one.
        order.updated = max(datetime.now(timezone.utc), order.updated + timedelta(seconds=1))
        order.history.append({"ORDER_STATUS": status, "DATE": vn_time(order.updated)})
        sender.post(callback(order, note))

    def callback(order: Order, note: str = "") -> dict:
        req = order.request
        eta = order.created + timedelta(hours=order.prices["KPI_HT"])
        return {"DATA": {
            "ORDER_NUMBER": order.waybill, "ORDER_REFERENCE": order.reference,
            "ORDER_STATUSDATE": vn_time(order.updated), "ORDER_STATUS": order.status,
            "STATUS_NAME": STATUS_NAMES[order.status], "LOCALION_CURRENTLY": "Bưu cục Cầu Giấy",
            "NOTE": note, "MONEY_COLLECTION": int(req.get("MONEY_COLLECTION") or 0),
            "MONEY_FEECOD": order.prices["MONEY_COLLECTION_FEE"],
            "MONEY_TOTALFEE": order.prices["MONEY_TOTAL"], "MONEY_TOTAL": order.prices["MONEY_TOTAL"],
            "EXPECTED_DELIVERY": f"{order.prices['KPI_HT']} giờ",
            "PRODUCT_WEIGHT": int(req["PRODUCT_WEIGHT"]), "ORDER_SERVICE": req.get("ORDER_SERVICE"),
            "ORDER_PAYMENT": int(req.get("ORDER_PAYMENT")), "EXPECTED_DELIVERY_DATE": vn_time(eta),
            "DETAIL": [], "EMPLOYEE_NAME": "Trần Văn Bưu", "EMPLOYEE_PHONE": "0971234567"},
            "TOKEN": hook["token"]}

    @bp.post("/_control/advance")
    def advance():
        data = request.get_json(silent=True) or {}
        target = data.get("status", "next")
        with store.lock:
            order = store.orders.get(str(data.get("tracking_number") or data.get("ORDER_NUMBER") or ""))
            if order is None:
                return jsonify({"error": "unknown tracking_number"}), 404
            if order.status in FINAL:
                return jsonify({"error": f"order is already {order.status}"}), 409
            if target == "next":
                target = HAPPY_NEXT.get(order.status)
                if target is None:
                    return jsonify({"error": f"{order.status} has no next status"}), 409
            try:
                target = int(target)
            except (TypeError, ValueError):
                return jsonify({"error": "status must be 'next' or an ORDER_STATUS code"}), 400
            if target not in STATUS_NAMES:
                return jsonify({"error": f"unknown ORDER_STATUS {target}"}), 400
            move(order, target, str(data.get("note") or ""))
        sender.drain()
        return jsonify({"tracking_number": order.waybill, "status": order.status,
                        "callbacks": [{"status_code": c["status_code"], "error": c["error"]}
                                      for c in sender.sent
                                      if c["payload"]["DATA"]["ORDER_NUMBER"] == order.waybill]})

    @bp.get("/_control/shipments")
    def shipments():
        with store.lock:
            return jsonify([{"tracking_number": o.waybill, "order_number": o.reference,
                             "status": o.status, "deleted": o.deleted} for o in store.orders.values()])

    @bp.route("/_control/webhook", methods=["GET", "POST"])
    def webhook_target():
        data = (request.get_json(silent=True) or {}) if request.method == "POST" else {}
        hook["token"] = data.get("token") or hook["token"]
        return jsonify(sender.configure(data))

    register_callback_control(bp, sender)

    ticker: list[threading.Thread] = []
    ticker_lock = threading.Lock()

    def start_ticker() -> None:
        with ticker_lock:
            if not ticker:
                ticker.append(threading.Thread(target=tick_forever, name="vtp-sandbox-ticker",
                                               daemon=True))
                ticker[0].start()

    def tick_forever() -> None:
        while True:
            time.sleep(min(1.0, step_seconds))
            with store.lock:
                moment = time.monotonic()
                for order in store.orders.values():
                    nxt = HAPPY_NEXT.get(order.status)
                    # A parcel held after a failed attempt waits for the seller (UpdateOrder
                    # TYPE 3 re-deliver or TYPE 2 approve the return).
                    if order.next_step_at and moment >= order.next_step_at and nxt is not None \
                            and order.status not in FINAL and order.status not in WAITS_FOR_SELLER:
                        move(order, nxt)
                        order.next_step_at = moment + step_seconds

    return bp


LABEL_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Viettel Post – In phiếu gửi</title></head><body>
{% for o in orders %}{% set r = o.request %}<section class="label">
<h1>Viettel Post</h1><p>Mã vận đơn: <b>{{ o.waybill }}</b> · Mã đơn hàng: {{ o.reference }}</p>
<p>Người gửi: {{ r.SENDER_FULLNAME }} – {{ r.SENDER_PHONE }} – {{ r.SENDER_ADDRESS }}</p>
<p>Người nhận: {{ r.RECEIVER_FULLNAME }} – {{ r.RECEIVER_PHONE }} – {{ r.RECEIVER_ADDRESS }}</p>
<p>Dịch vụ: {{ r.ORDER_SERVICE }} · Thu hộ: {{ "{:,}".format(r.MONEY_COLLECTION or 0).replace(",", ".") }} đ
· Trọng lượng: {{ r.PRODUCT_WEIGHT }} g</p><p>Ghi chú: {{ r.ORDER_NOTE }}</p></section>{% endfor %}
</body></html>"""


@functools.lru_cache(maxsize=1)
def label_page():
    """The print page, compiled once (rendering it from a string compiles it on every request)."""
    return jinja2.Environment(autoescape=True).from_string(LABEL_PAGE)
