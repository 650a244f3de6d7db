"""GHN API v2 ("shiip") as a Flask blueprint, on GHN's own paths.

Mounted at ``/sandbox/ghn``, so a client with ``base_url=http://host/sandbox/ghn`` calls
``/shiip/public-api/v2/shipping-order/create`` exactly as it would on ``online-gateway.ghn.vn``.
Answers use GHN's envelope ``{"code", "message", "data"}`` (+ ``code_message`` on errors).

Control endpoints (not GHN's): ``POST /_control/advance`` ``{"order_code", "status": "next"|<GHN status>}``,
``GET /_control/shipments``, ``POST /_control/webhook`` ``{"url"}``, plus ``/_control/faults`` and
``/_control/reset`` from :mod:`app.sandbox.faults`.
"""
from __future__ import annotations

import functools

import jinja2

import threading
import time
from datetime import timedelta

from flask import Blueprint, Response, g, jsonify, request

from app.sandbox.faults import FaultInjector, register_control

from . import areas
from app.sandbox.callbacks import CallbackSender, register_callback_control
from .store import (ALL_STATUSES, CANCELLABLE, FINAL, HAPPY_NEXT, REDELIVERABLE, REQUIRED_NOTES,
                    RETURNABLE, SERVICES, WAITS_FOR_SELLER, GhnError,
                    Order, Store, int_field, check_parcel, check_phone, check_text, converted_weight,
                    fee_for, iso, leadtime, now, pick_service, resolve_receiver,
                    resolve_sender_district)

DEMO_CREDENTIALS = {"token": "ghn-sandbox-token-2f6c1d0e", "shop_id": 885123}
# The demo shop: Phường Thanh Xuân, Hà Nội (GSO 367), in GHN's district 1493 (Quận Thanh Xuân).
SHOP = {"name": "Shop Demo OrderHub", "phone": "0987654321", "address": "310 Quan Nhân",
        "district_id": areas.ward_by_gso(367)["district_id"], "ward_code": areas.ward_by_gso(367)["id"]}
API = "/shiip/public-api"


def ok(data, message: str = "Success"):
    return jsonify({"code": 200, "message": message, "data": data})


def fail(exc: GhnError):
    body = {"code": exc.http_status, "message": exc.message, "data": None,
            "code_message": exc.code_message}
    return jsonify(body), exc.http_status


def create_blueprint(*, webhook_url: str | None = None, webhook_token: str | None = None,
                     seed: int = 1, step_seconds: float | None = None,
                     credentials: dict | None = None) -> Blueprint:
    """A fresh GHN sandbox with its own state.

    ``webhook_url`` receives GHN-format callbacks (GHN does not sign them, so ``webhook_token`` is
    ignored; it is accepted so both carriers' sandboxes are built the same way). With
    ``step_seconds`` set, every live order also moves one step along the happy path that often.
    """
    creds = credentials or DEMO_CREDENTIALS
    bp = Blueprint("sandbox_ghn", __name__, url_prefix="/sandbox/ghn")
    store = bp.sandbox_state = Store(seed)  # kept across restarts (app.sandbox.persistence)
    faults = FaultInjector()
    sender = CallbackSender(webhook_url, name="ghn-sandbox-callbacks")
    register_control(bp, faults, reset_state=store.reset)

    # ---- plumbing: faults, auth -----------------------------------------------------------
    @bp.before_request
    def apply_faults():
        g.ghn_fault = None
        if "/_control/" in request.path:
            return None
        g.ghn_fault = faults.take(request.path)
        return faults.before(g.ghn_fault, {"code": 500, "message": "Lỗi hệ thống, vui lòng thử lại",
                                           "data": None, "code_message": "SERVER_ERROR_COMMON"})

    @bp.after_request
    def delay_answer(response):
        faults.after(getattr(g, "ghn_fault", None))
        return response

    @bp.errorhandler(GhnError)
    def ghn_error(exc):
        return fail(exc)

    def body() -> dict:
        data = request.get_json(silent=True)
        if data is None and request.method == "POST" and request.data:
            raise GhnError("Dữ liệu gửi lên không phải JSON hợp lệ")
        merged = dict(request.args)
        merged.update(data or {})
        return merged

    def need_token() -> None:
        if request.headers.get("Token") != creds["token"]:
            raise GhnError("Token không hợp lệ hoặc đã hết hạn", "USER_ERR_COMMON", 401)

    def need_shop(shop_id=None) -> int:
        need_token()
        shop = shop_id if shop_id is not None else request.headers.get("ShopId")
        try:
            shop = int(shop)
        except (TypeError, ValueError):
            raise GhnError("Thiếu ShopId hoặc ShopId không hợp lệ", "SHOP_NOT_FOUND") from None
        if shop != int(creds["shop_id"]):
            raise GhnError(f"Tài khoản không phải chủ cửa hàng {shop}", "CLIENT_NOT_OWNER_OF_SHOP")
        return shop

    # ---- master data ------------------------------------------------------------------------
    @bp.route(f"{API}/master-data/province", methods=["GET", "POST"])
    def provinces():
        need_token()
        return ok([{"ProvinceID": p["id"], "ProvinceName": p["name"], "Code": p["code"],
                    "NameExtension": [p["name"], f"TP. {p['name']}"]} for p in areas.AREAS])

    @bp.route(f"{API}/master-data/district", methods=["GET", "POST"])
    def districts():
        need_token()
        province_id = int_field(body(), "province_id")
        return ok([{"DistrictID": d["id"], "ProvinceID": d["province_id"], "DistrictName": d["name"],
                    "SupportType": 3, "NameExtension": [d["name"]]}
                   for d in areas.DISTRICTS.values()
                   if province_id is None or d["province_id"] == province_id])

    @bp.route(f"{API}/master-data/ward", methods=["GET", "POST"])
    def wards():
        need_token()
        district_id = int_field(body(), "district_id", required=True)
        if district_id not in areas.DISTRICTS:
            raise GhnError(f"district_id {district_id} không tồn tại")
        return ok([{"WardCode": w["id"], "DistrictID": district_id, "WardName": w["name"],
                    "SupportType": 3, "NameExtension": [w["name"]]}
                   for w in areas.WARDS.values() if w["district_id"] == district_id])

    # Since the 2025 reorganisation: provinces and their wards, two levels (GHN's /v3 master data).
    # Each ward still names the district GHN routes and prices it by (fee and create want it).
    @bp.route(f"{API}/v3/master-data/province/all", methods=["GET", "POST"])
    def provinces_new():
        need_token()
        return ok([{"ProvinceID": p["id"], "ProvinceName": p["name"], "Code": p["code"],
                    "NameExtension": [p["name"], f"TP. {p['name']}", f"Thành phố {p['name']}",
                                      f"Tỉnh {p['name']}"]} for p in areas.AREAS])

    @bp.route(f"{API}/v3/master-data/ward/all-by-province-id", methods=["GET", "POST"])
    def wards_new():
        need_token()
        province_id = int_field(body(), "province_id", required=True)
        if province_id not in areas.PROVINCES:
            raise GhnError(f"province_id {province_id} không tồn tại")
        return ok([{"WardCode": w["id"], "WardName": w["name"], "DistrictID": w["district_id"],
                    "ProvinceID": province_id, "SupportType": 3, "NameExtension": [w["name"]]}
                   for w in areas.WARDS.values() if w["province_id"] == province_id])

    # ---- services, fee, leadtime ------------------------------------------------------------
    @bp.route(f"{API}/v2/shipping-order/available-services", methods=["GET", "POST"])
    def available_services():
        data = body()
        need_shop(data.get("shop_id"))
        for name in ("from_district", "to_district"):
            if int_field(data, name, required=True) not in areas.DISTRICTS:
                raise GhnError(f"{name} không tồn tại", "ROUTE_NOT_FOUND_SERVICE")
        return ok([{"service_id": sid, "short_name": name, "service_type_id": stype}
                   for stype, (sid, name, _f) in SERVICES.items()])

    def route_of(data: dict) -> tuple[int, int, str]:
        from_district = resolve_sender_district(data, SHOP["district_id"])
        to_district, to_ward = resolve_receiver(data)
        return from_district, to_district, to_ward

    @bp.post(f"{API}/v2/shipping-order/fee")
    def fee():
        data = body()
        need_shop()
        service_type, _sid = pick_service(data)
        parcel = check_parcel(data)
        from_district, to_district, _w = route_of(data)
        weight = converted_weight(parcel["weight"], parcel["length"], parcel["width"], parcel["height"])
        return ok(fee_for(service_type, from_district, to_district, weight, parcel["insurance_value"]))

    @bp.post(f"{API}/v2/shipping-order/leadtime")
    def lead_time():
        data = body()
        need_shop()
        service_type, _sid = pick_service(data)
        from_district, to_district, _w = route_of(data)
        start = now()
        return ok({"leadtime": int(leadtime(service_type, from_district, to_district, start).timestamp()),
                   "order_date": int(start.timestamp())})

    # ---- orders -------------------------------------------------------------------------------
    @bp.post(f"{API}/v2/shipping-order/create")
    def create():
        data = body()
        shop_id = need_shop()
        order = validate_and_build(data, shop_id)
        with store.lock:
            key = (shop_id, order.client_order_code)
            if order.client_order_code and key in store.by_client_code:
                raise GhnError(f"client_order_code {order.client_order_code} đã tồn tại")
            order.order_code = store.new_code()
            order.log.append({"status": order.status, "updated_date": iso(order.created)})
            store.orders[order.order_code] = order
            if order.client_order_code:
                store.by_client_code[key] = order.order_code
            if step_seconds:
                order.next_step_at = time.monotonic() + step_seconds
                start_ticker()
        sender.post(callback(order, "create"))
        return ok({"order_code": order.order_code, "sort_code": order.sort_code, "trans_type": "truck",
                   "ward_encode": "", "district_encode": "", "fee": fee_breakdown(order),
                   "total_fee": order.fee["total"], "expected_delivery_time": iso(order.expected),
                   "operation_partner": ""})

    def validate_and_build(data: dict, shop_id: int) -> Order:
        if int_field(data, "payment_type_id", required=True) not in (1, 2):
            raise GhnError("payment_type_id chỉ nhận 1 (người bán trả) hoặc 2 (người mua trả)")
        if data.get("required_note") not in REQUIRED_NOTES:
            raise GhnError("required_note phải là CHOTHUHANG, CHOXEMHANGKHONGTHU hoặc KHONGCHOXEMHANG")
        service_type, service_id = pick_service(data)
        check_text(data, "to_name", 1024, required=True)
        check_phone(data.get("to_phone"), "người nhận")
        if data.get("from_phone"):
            check_phone(data["from_phone"], "người gửi")
        check_text(data, "to_address", 1024, required=True)
        client_code = check_text(data, "client_order_code", 50)
        check_text(data, "note", 5000)
        items = data.get("items") or []
        if not isinstance(items, list) or any(not isinstance(i, dict) or not i.get("name")
                                               or int_field(i, "quantity", 0) < 1 for i in items):
            raise GhnError("items: mỗi hàng hóa cần name và quantity ≥ 1")
        if not items:
            check_text(data, "content", 2000, required=True)
        parcel = check_parcel(data)
        if service_type in (1, 2) and parcel["weight"] >= 20_000:
            raise GhnError("Đơn hàng từ 20 kg phải dùng dịch vụ Hàng nặng (service_type_id 5)")
        if service_type == 5 and not items:
            raise GhnError("Dịch vụ Hàng nặng cần danh sách items")
        from_district, to_district, _w = route_of(data)
        cw = converted_weight(parcel["weight"], parcel["length"], parcel["width"], parcel["height"])
        created = now()
        order = Order(order_code="", client_order_code=client_code, shop_id=shop_id, request=data,
                      from_district_id=from_district, service_type_id=service_type,
                      service_id=service_id,
                      fee=fee_for(service_type, from_district, to_district, cw,
                                  parcel["insurance_value"]),
                      created=created, updated=created, converted_weight=cw,
                      expected=leadtime(service_type, from_district, to_district, created))
        order.sort_code = f"{to_district % 1000:03d}-{'ABC'[service_type % 3]}-{created.day:02d}-A{service_type}"
        return order

    def fee_breakdown(order: Order) -> dict:
        return {"main_service": order.fee["service_fee"], "insurance": order.fee["insurance_fee"],
                "station_do": 0, "station_pu": 0, "return": 0, "r2s": 0, "coupon": 0,
                "cod_fee": 0, "cod_failed_fee": 0}

    def detail_of(order: Order) -> dict:
        req = order.request
        return {
            "shop_id": order.shop_id, "order_code": order.order_code,
            "client_order_code": order.client_order_code, "status": order.status,
            "payment_type_id": int(req.get("payment_type_id")), "required_note": req.get("required_note"),
            "service_type_id": order.service_type_id, "service_id": order.service_id,
            "from_name": req.get("from_name") or SHOP["name"],
            "from_phone": req.get("from_phone") or SHOP["phone"],
            "from_address": req.get("from_address") or SHOP["address"],
            "from_district_id": order.from_district_id,
            "to_name": req.get("to_name"), "to_phone": req.get("to_phone"),
            "to_address": req.get("to_address"), "to_ward_code": req.get("to_ward_code"),
            "to_district_id": req.get("to_district_id"),
            "weight": int(req.get("weight")), "converted_weight": order.converted_weight,
            "length": int(req.get("length")), "width": int(req.get("width")),
            "height": int(req.get("height")), "cod_amount": int(req.get("cod_amount") or 0),
            "insurance_value": int(req.get("insurance_value") or 0),
            "content": req.get("content", ""), "note": req.get("note", ""),
            "items": req.get("items") or [], "total_fee": order.fee["total"],
            "leadtime": iso(order.expected), "created_date": iso(order.created),
            "updated_date": iso(order.updated),
            "finish_date": iso(order.updated) if order.status in FINAL else None,
            "log": list(order.log),
        }

    @bp.route(f"{API}/v2/shipping-order/detail", methods=["GET", "POST"])
    def detail():
        data = body()
        need_token()
        with store.lock:
            return ok(detail_of(store.get(data.get("order_code"))))

    @bp.route(f"{API}/v2/shipping-order/detail-by-client-code", methods=["GET", "POST"])
    def detail_by_client_code():
        data = body()
        shop_id = need_shop()
        with store.lock:
            return ok(detail_of(store.find_client_code(shop_id, data.get("client_order_code"))))

    def switch_status(allowed: set[str], target: str, refusal: str):
        """GHN's switch-status calls: per order a result, an unknown code fails the whole call."""
        data = body()
        need_shop()
        codes = data.get("order_codes")
        if not isinstance(codes, list) or not codes:
            raise GhnError("order_codes phải là danh sách mã đơn hàng")
        results = []
        with store.lock:
            orders = [store.get(code) for code in codes]
            for order in orders:
                if order.status in allowed:
                    move(order, target)
                    results.append({"order_code": order.order_code, "result": True, "message": "OK"})
                else:
                    results.append({"order_code": order.order_code, "result": False,
                                    "message": f"Đơn hàng đang ở trạng thái {order.status}, "
                                               f"{refusal}"})
        return ok(results)

    @bp.post(f"{API}/v2/switch-status/cancel")
    def cancel():
        return switch_status(CANCELLABLE, "cancel", "không thể hủy")

    @bp.post(f"{API}/v2/switch-status/storing")
    def redeliver():
        """Deliver again after a failed attempt: the parcel goes back to the hub (storing), and on."""
        return switch_status(REDELIVERABLE, "storing", "không thể giao lại")

    @bp.post(f"{API}/v2/switch-status/return")
    def return_to_sender():
        return switch_status(RETURNABLE, "waiting_to_return", "không thể chuyển hoàn")

    # ---- labels -------------------------------------------------------------------------------
    @bp.post(f"{API}/v2/a5/gen-token")
    def gen_token():
        data = body()
        need_shop()
        codes = data.get("order_codes")
        if not isinstance(codes, list) or not codes:
            raise GhnError("order_codes phải là danh sách mã đơn hàng")
        with store.lock:
            orders = [store.get(code) for code in codes]
            token = store.new_token()
            store.print_tokens[token] = ([o.order_code for o in orders], now() + timedelta(minutes=30))
        return ok({"token": token})

    @bp.get("/a5/public-api/<layout>")
    def print_page(layout: str):
        if layout not in ("printA5", "print80x80", "print52x70"):
            return Response("Not found", status=404)
        with store.lock:
            entry = store.print_tokens.get(request.args.get("token", ""))
            if entry is None or entry[1] < now():
                return Response("<html><body>Token không hợp lệ hoặc đã hết hạn</body></html>",
                                status=400, mimetype="text/html")
            orders = [detail_of(store.orders[code]) for code in entry[0]]
        html = label_page().render(orders=orders, layout=layout, shop=SHOP)
        return Response(html, mimetype="text/html")

    # ---- status changes ----------------------------------------------------------------------
    def move(order: Order, status: str) -> None:
        order.status = status
        order.updated = now()
        order.log.append({"status": status, "updated_date": iso(order.updated)})
        sender.post(callback(order, "switch_status"))

    def callback(order: Order, kind: str) -> dict:
        req = order.request
        fee = {"CODFailedFee": 0, "CODFee": 0, "Coupon": 0, "DeliverRemoteAreasFee": 0,
               "DocumentReturn": 0, "DoubleCheck": 0, "Insurance": order.fee["insurance_fee"],
               "MainService": order.fee["service_fee"], "PickRemoteAreasFee": 0, "R2S": 0,
               "Return": 0, "StationDO": 0, "StationPU": 0, "Total": order.fee["total"]}
        reason_code = {"delivery_fail": "GHN-DFC1A0", "return_fail": "GHN-RFE0A0"}.get(order.status, "")
        return {"CODAmount": int(req.get("cod_amount") or 0), "CODTransferDate": None,
                "ClientOrderCode": order.client_order_code, "ConvertedWeight": order.converted_weight,
                "Description": DESCRIPTIONS.get(order.status, order.status), "Fee": fee,
                "Height": int(req.get("height")), "IsPartialReturn": False,
                "Length": int(req.get("length")), "OrderCode": order.order_code,
                "PartialReturnCode": "", "PaymentType": int(req.get("payment_type_id")),
                "Reason": "Khách hẹn giao lại" if reason_code else "", "ReasonCode": reason_code,
                "ShopID": order.shop_id, "Status": order.status, "Time": iso(order.updated),
                "TotalFee": order.fee["total"], "Type": kind,
                "Warehouse": "Bưu Cục 229 Quan Nhân-Q.Thanh Xuân-HN", "Weight": int(req.get("weight")),
                "Width": int(req.get("width"))}

    @bp.post("/_control/advance")
    def advance():
        data = request.get_json(silent=True) or {}
        target = data.get("status", "next")
        with store.lock:
            order = store.orders.get(str(data.get("order_code") or data.get("tracking_number") or ""))
            if order is None:
                return jsonify({"error": "unknown order_code"}), 404
            if target == "next":
                target = HAPPY_NEXT.get(order.status)
                if target is None:
                    return jsonify({"error": f"{order.status} has no next status"}), 409
            if target not in ALL_STATUSES:
                return jsonify({"error": f"unknown GHN status {target}"}), 400
            if order.status in FINAL:
                return jsonify({"error": f"order is already {order.status}"}), 409
            move(order, target)
        sender.drain()
        return jsonify({"order_code": order.order_code, "status": order.status,
                        "callbacks": [{"status_code": c["status_code"], "error": c["error"]}
                                      for c in sender.sent if c["payload"]["OrderCode"] == order.order_code]})

    @bp.get("/_control/shipments")
    def shipments():
        with store.lock:
            return jsonify([{"order_code": o.order_code, "client_order_code": o.client_order_code,
                             "status": o.status} for o in store.orders.values()])

    @bp.route("/_control/webhook", methods=["GET", "POST"])
    def webhook_target():
        data = (request.get_json(silent=True) or {}) if request.method == "POST" else {}
        return jsonify(sender.configure(data))

    register_callback_control(bp, sender)

    # ---- progress over time (demo) -----------------------------------------------------------
    ticker_lock = threading.Lock()
    ticker: list[threading.Thread] = []

    def start_ticker() -> None:
        with ticker_lock:
            if ticker:
                return
            thread = threading.Thread(target=tick_forever, name="ghn-sandbox-ticker", daemon=True)
            ticker.append(thread)
            thread.start()

    def tick_forever() -> None:
        while True:
            time.sleep(min(1.0, step_seconds))
            with store.lock:
                moment = time.monotonic()
                for order in store.orders.values():
                    nxt = HAPPY_NEXT.get(order.status)
                    # A failed delivery waits for the seller: re-deliver or return (as GHN asks).
                    if order.next_step_at and moment >= order.next_step_at and nxt and \
                            order.status not in FINAL and order.status not in WAITS_FOR_SELLER:
                        move(order, nxt)
                        order.next_step_at = moment + step_seconds

    return bp


DESCRIPTIONS = {
    "ready_to_pick": "Tạo đơn hàng", "picking": "Nhân viên đang lấy hàng", "picked": "Lấy hàng thành công",
    "storing": "Hàng đang nằm ở kho", "transporting": "Đang luân chuyển hàng",
    "sorting": "Đang phân loại hàng hóa", "delivering": "Nhân viên đang giao cho người nhận",
    "delivered": "Giao hàng thành công", "delivery_fail": "Giao hàng thất bại",
    "waiting_to_return": "Đang chờ trả hàng về cho người gửi", "return": "Trả hàng",
    "returned": "Trả hàng thành công", "cancel": "Hủy đơn hàng", "lost": "Hàng bị mất",
    "damage": "Hàng bị hư hỏng",
}

LABEL_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>GHN – In vận đơn</title></head><body>
{% for o in orders %}<section class="label {{ layout }}">
<h1>GHN Express</h1><p class="order-code">Mã vận đơn: <b>{{ o.order_code }}</b></p>
<p>Mã đơn khách hàng: {{ o.client_order_code }}</p>
<p>Từ: {{ o.from_name }} – {{ o.from_phone }} – {{ o.from_address }}</p>
<p>Đến: {{ o.to_name }} – {{ o.to_phone }} – {{ o.to_address }}</p>
<p>Thu hộ (COD): {{ "{:,}".format(o.cod_amount).replace(",", ".") }} đ · Khối lượng: {{ o.weight }} g</p>
<p>Ghi chú: {{ o.required_note }}</p></section>{% endfor %}
</body></html>"""


@functools.lru_cache(maxsize=1)
def label_page():
    """The print page, compiled once (rendering it from a string compiles it on every request)."""
    return jinja2.Environment(autoescape=True).from_string(LABEL_PAGE)
