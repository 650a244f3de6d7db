"""Giao Hàng Nhanh (GHN) public API v2 client.

``base_url`` is the host: ``https://online-gateway.ghn.vn`` (production),
``https://dev-online-gateway.ghn.vn`` (GHN's test system) or ``http://host/sandbox/ghn`` (ours);
every path below is GHN's own (``/shiip/public-api/...``, label pages ``/a5/public-api/...``); a base
URL ending in ``/shiip/public-api`` is taken as its host.
Auth is a static ``Token`` header plus ``ShopId`` on shop endpoints. Answers are enveloped as
``{"code": 200, "message": "Success", "data": …}``; anything else is an error whose ``message``
(often Vietnamese) is kept for the clerk.

Idempotency: every shipment is created with ``client_order_code`` = ``ShipmentRequest.client_reference``.
GHN refuses a second order with the same code, so a retried create (after a timeout that hid a
success) never makes a second parcel: :meth:`create_shipment` then fetches the existing order by its
client code and returns it with ``already_existed=True``.

Webhooks: GHN does **not** sign its callbacks. :meth:`parse_webhook` only reads the body; before
trusting a status the app should confirm it with :meth:`detail` (and accept callbacks only on a
secret URL path).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx

from app.integrations import bounded_json
from app.integrations.base import AuthError, HttpClient, NotFound, PermanentError, RetryableError

from .common import (REQUIRED_NOTE_TEXT, CreatedShipment, Quote, ShipmentDetail,
                     ShipmentRequest, TrackingUpdate, as_int, normalize_ghn_status)

PRODUCTION_URL = "https://online-gateway.ghn.vn"
DEV_URL = "https://dev-online-gateway.ghn.vn"
API = "/shiip/public-api"

# Our two choices → GHN service_type_id: 2 is GHN's standard e-commerce service ("Chuẩn" /
# "Hàng nhẹ", < 20 kg), our economy; 1 is its express ("Nhanh"), our fast, where the shop's
# account and the route offer it (available-services says; quote() shows only what is offered).
# A parcel of 20 kg or more goes as 5 "Hàng nặng" whatever was chosen.
SERVICE_TYPES = {"fast": 1, "economy": 2}
HEAVY_SERVICE_TYPE = 5
HEAVY_FROM_G = 20_000
SERVICE_OF_TYPE = {1: "fast", 2: "economy", 5: "economy"}
PAYMENT_TYPES = {"seller": 1, "buyer": 2}
REQUIRED_NOTES = {"allow_try": "CHOTHUHANG", "allow_view": "CHOXEMHANGKHONGTHU",
                  "no_view": "KHONGCHOXEMHANG"}
AUTH_CODES = {"CLIENT_NOT_OWNER_OF_SHOP", "SHOP_NOT_FOUND"}
LABEL_LAYOUTS = {"A5": "printA5", "80x80": "print80x80", "52x70": "print52x70"}


def parse_time(value: Any) -> datetime | None:
    """GHN sends ISO-8601 strings ("2021-11-11T03:52:50.158Z") or unix seconds."""
    if value in (None, "", 0):
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class GHNClient(HttpClient):
    system = "ghn"
    base_suffixes = (API,)
    # What services ask of every carrier, so that none of them branches on a carrier's name.
    initial_status = "ready_to_pick"  # its own code for a parcel just booked
    max_insurance = 5_000_000  # the most goods value (₫) it insures
    looks_up = True  # a parcel can be asked for on demand, by waybill or by our client code

    @staticmethod
    def area_codes(province_id, district_id, ward_id) -> dict:
        """The receiver's area as a booking names it (GHN: a ward *code*, a string)."""
        return {"province_id": province_id, "district_id": district_id, "ward_code": str(ward_id)}

    def find_booked(self, request: ShipmentRequest) -> CreatedShipment | None:
        """The parcel booked under ``request``'s client code, when the answer to the booking was
        lost (None: there is none)."""
        found = self.find_by_reference(request.client_reference)
        if found is None:
            return None
        return CreatedShipment(tracking_number=found.tracking_number, fee=found.fee or 0,
                               expected_delivery=found.expected_delivery, raw=found.raw,
                               client_reference=request.client_reference, already_existed=True)

    def __init__(self, base_url: str, token: str, shop_id: int | str, *,
                 transport: httpx.BaseTransport | None = None, client: httpx.Client | None = None,
                 timeout: httpx.Timeout | float | None = None, on_exchange=None):
        super().__init__(base_url, transport=transport, client=client, timeout=timeout,
                         on_exchange=on_exchange)
        self.token = token
        self.shop_id = int(shop_id)

    # ---- wire ------------------------------------------------------------------------------
    def _headers(self, shop: bool) -> dict:
        headers = {"Token": self.token, "Content-Type": "application/json"}
        if shop:
            headers["ShopId"] = str(self.shop_id)
        return headers

    def _call(self, path: str, payload: dict | None = None, *, shop: bool = True,
              method: str = "POST") -> Any:
        """Send one API call and return ``data``, or raise a typed error with GHN's message."""
        url = f"{self.base_url}{API}{path}"
        if method == "GET":
            request = self._http.build_request("GET", url, params=payload or {},
                                               headers=self._headers(shop))
        else:
            body = json.dumps(payload or {}, ensure_ascii=False).encode("utf-8")
            request = self._http.build_request("POST", url, content=body, headers=self._headers(shop))
        response = self._send(request, endpoint=path)
        self._raise_for_http(response)
        envelope = self._json(response)
        if not isinstance(envelope, dict) or "code" not in envelope:
            raise RetryableError("GHN answered without its usual envelope", provider=self.system,
                                 code="malformed", status=response.status_code, response=envelope)
        if envelope.get("code") == 200:
            return envelope.get("data")
        message = str(envelope.get("message") or "GHN refused the request")
        code = envelope.get("code_message") or str(envelope.get("code"))
        kwargs = dict(provider=self.system, code=code, status=response.status_code, response=envelope)
        if response.status_code == 401 or envelope.get("code") == 401 or code in AUTH_CODES:
            raise AuthError(message, **kwargs)
        if code == "SERVER_ERROR_COMMON" or as_int(envelope.get("code"), 0) >= 500:
            raise RetryableError(message, **kwargs)
        raise PermanentError(message, **kwargs)

    # ---- master data -----------------------------------------------------------------------
    def provinces(self) -> list[dict]:
        return self._call("/master-data/province", shop=False, method="GET") or []

    def districts(self, province_id: int | None = None) -> list[dict]:
        params = {"province_id": province_id} if province_id is not None else {}
        return self._call("/master-data/district", params, shop=False, method="GET") or []

    def wards(self, district_id: int) -> list[dict]:
        return self._call("/master-data/ward", {"district_id": district_id}, shop=False,
                          method="GET") or []

    # Since the 2025 reorganisation GHN lists today's provinces and wards (two levels) apart; each
    # ward row names the district GHN still wants in fee and create calls.
    def provinces_new(self) -> list[dict]:
        return self._call("/v3/master-data/province/all", shop=False, method="GET") or []

    def wards_new(self, province_id: int) -> list[dict]:
        return self._call("/v3/master-data/ward/all-by-province-id", {"province_id": province_id},
                          shop=False, method="GET") or []

    def check_connection(self, district_id: int | None = None, **_) -> dict:
        """A cheap call that needs the token, the shop id and (when given) the sender's district:
        the services GHN offers from that district; else the province list (token only)."""
        if district_id:
            return {"services": len(self.available_services(int(district_id), int(district_id)))}
        return {"provinces": len(self.provinces())}

    # ---- quote -------------------------------------------------------------------------------
    def available_services(self, from_district_id: int | None, to_district_id: int) -> list[dict]:
        payload = {"shop_id": self.shop_id, "from_district": from_district_id,
                   "to_district": to_district_id}
        return self._call("/v2/shipping-order/available-services", payload) or []

    def fee(self, request: ShipmentRequest, *, service_id: int | None = None,
            service_type_id: int | None = None) -> dict:
        payload = self._route(request)
        payload.update(self._parcel(request))
        payload["cod_value"] = request.cod_amount
        if service_id:
            payload["service_id"] = int(service_id)
        else:
            payload["service_type_id"] = service_type_id or self._service_type(request)
        return self._call("/v2/shipping-order/fee", payload) or {}

    def leadtime(self, request: ShipmentRequest, service_id: int) -> datetime | None:
        payload = self._route(request)
        payload["service_id"] = int(service_id)
        data = self._call("/v2/shipping-order/leadtime", payload) or {}
        return parse_time(data.get("leadtime"))

    def quote(self, request: ShipmentRequest) -> list[Quote]:
        """Fee and expected delivery for fast and economy, as far as the route offers them; from
        20 kg "Hàng nặng" answers for both."""
        offered = self.available_services(request.sender.district_id, request.receiver.district_id)
        by_type = {as_int(s.get("service_type_id")): s for s in offered}
        heavy = request.weight_g >= HEAVY_FROM_G
        quotes = []
        for choice in ("fast", "economy"):
            service = by_type.get(HEAVY_SERVICE_TYPE if heavy else SERVICE_TYPES[choice])
            if service is None:
                continue
            fee = self.fee(request, service_id=service["service_id"])
            quotes.append(Quote(service=choice, carrier_service_code=str(service["service_id"]),
                                fee=as_int(fee.get("total"), 0),
                                eta=self.leadtime(request, service["service_id"]),
                                name=str(service.get("short_name") or ""), raw=fee))
        return quotes

    # ---- orders ------------------------------------------------------------------------------
    def create_shipment(self, request: ShipmentRequest) -> CreatedShipment:
        """Book the parcel; on a refused duplicate ``client_order_code``, return the existing order."""
        request.check()
        payload = self.order_payload(request)
        try:
            data = self._call("/v2/shipping-order/create", payload) or {}
        except AuthError:
            raise
        except PermanentError as refused:
            # GHN's duplicate answer is a plain USER_ERR_COMMON whose wording has changed over
            # time, so rather than parse it we ask whether the code is already booked.
            try:
                existing = self.find_by_reference(request.client_reference)
            except NotFound:
                existing = None
            if existing is None:
                raise refused
            return CreatedShipment(tracking_number=existing.tracking_number, fee=existing.fee or 0,
                                   expected_delivery=existing.expected_delivery, raw=existing.raw,
                                   client_reference=request.client_reference, already_existed=True)
        return CreatedShipment(tracking_number=str(data.get("order_code")),
                               fee=as_int(data.get("total_fee"), 0),
                               expected_delivery=parse_time(data.get("expected_delivery_time")),
                               raw=data, client_reference=request.client_reference,
                               sort_code=str(data.get("sort_code") or ""))

    def order_payload(self, request: ShipmentRequest) -> dict:
        """The create body in GHN's field names (exposed so a job can log what it will send)."""
        sender, receiver = request.sender, request.receiver
        payload = {
            "payment_type_id": PAYMENT_TYPES[request.payer],
            "required_note": REQUIRED_NOTES[request.required_note],
            "client_order_code": request.client_reference,
            "from_name": sender.name, "from_phone": sender.phone, "from_address": sender.address,
            "from_ward_name": sender.ward_name, "from_district_name": sender.district_name,
            "from_province_name": sender.province_name,
            "to_name": receiver.name, "to_phone": receiver.phone, "to_address": receiver.address,
            "to_ward_code": str(receiver.ward_code) if receiver.ward_code is not None else None,
            "to_district_id": receiver.district_id,
            "to_ward_name": receiver.ward_name, "to_district_name": receiver.district_name,
            "to_province_name": receiver.province_name,
            "cod_amount": request.cod_amount, "insurance_value": request.goods_value,
            "content": request.description,
            "note": " ".join(p for p in (REQUIRED_NOTE_TEXT[request.required_note], request.note) if p),
            "items": [{"name": i.name, "code": i.code, "quantity": i.quantity, "price": i.price,
                       "weight": i.weight_g} for i in request.items],
        }
        if sender.district_id:
            payload["from_district_id"] = sender.district_id
        if sender.ward_code:
            payload["from_ward_code"] = str(sender.ward_code)
        payload.update(self._parcel(request))
        if request.carrier_service_code:
            payload["service_id"] = int(request.carrier_service_code)
        else:
            payload["service_type_id"] = self._service_type(request)
        return payload

    def detail(self, tracking_number: str) -> ShipmentDetail:
        return self._detail(self._lookup("/v2/shipping-order/detail", {"order_code": tracking_number}))

    def detail_by_reference(self, client_reference: str) -> ShipmentDetail:
        data = self._lookup("/v2/shipping-order/detail-by-client-code",
                            {"client_order_code": client_reference})
        return self._detail(data)

    def find_by_reference(self, client_reference: str) -> ShipmentDetail | None:
        """The order booked under our reference, or None: what a job asks after a create timed out."""
        try:
            return self.detail_by_reference(client_reference)
        except NotFound:
            return None

    def cancel(self, tracking_number: str) -> None:
        """Cancel before pickup. GHN answers per order; a refusal raises with GHN's reason."""
        self._switch_status("cancel", tracking_number, "GHN refused to cancel")

    def redeliver(self, tracking_number: str) -> None:
        """After a failed attempt: deliver again (GHN puts the parcel back in storage, then out)."""
        self._switch_status("storing", tracking_number, "GHN refused to deliver again")

    def return_to_sender(self, tracking_number: str) -> None:
        """After a failed attempt: give up and send the parcel back to the shop."""
        self._switch_status("return", tracking_number, "GHN refused to return the parcel")

    def _switch_status(self, action: str, tracking_number: str, refused: str) -> None:
        results = self._call(f"/v2/switch-status/{action}", {"order_codes": [tracking_number]}) or []
        for result in results:
            if str(result.get("order_code")) == str(tracking_number) and not result.get("result"):
                raise PermanentError(str(result.get("message") or refused), provider=self.system,
                                     code=f"{action}_refused", response=result)

    # ---- labels ------------------------------------------------------------------------------
    def print_token(self, tracking_numbers: list[str]) -> str:
        data = self._call("/v2/a5/gen-token", {"order_codes": list(tracking_numbers)}) or {}
        return str(data["token"])

    def label_url(self, token: str, size: str = "A5") -> str:
        return f"{self.base_url}/a5/public-api/{LABEL_LAYOUTS[size]}?token={token}"

    def label(self, tracking_numbers: list[str], size: str = "A5") -> bytes:
        """GHN's own printable label page (HTML) for the parcels; valid token ~30 minutes."""
        request = self._http.build_request("GET", self.label_url(self.print_token(tracking_numbers), size))
        response = self._send(request, endpoint=f"/a5/public-api/{LABEL_LAYOUTS[size]}")
        self._raise_for_http(response)
        if response.status_code != 200:
            raise PermanentError(response.text[:500] or "GHN label page refused", provider=self.system,
                                 code=str(response.status_code), status=response.status_code)
        return response.content

    # ---- webhooks ----------------------------------------------------------------------------
    @staticmethod
    def parse_webhook(body: bytes | str | dict) -> TrackingUpdate:
        """Read a GHN callback. Unsigned: confirm with :meth:`detail` before acting on it."""
        if isinstance(body, (bytes, str)):
            try:
                body = bounded_json.loads(body)
            except ValueError as exc:
                raise PermanentError(f"GHN callback is not JSON: {exc}", provider="ghn", code="malformed") from None
        if not isinstance(body, dict) or not body.get("OrderCode") or not body.get("Status"):
            raise PermanentError("GHN callback lacks OrderCode or Status", provider="ghn",
                                 code="malformed", response=body)
        raw_status = str(body["Status"])
        fee = body.get("Fee") if isinstance(body.get("Fee"), dict) else {}
        note = " – ".join(p for p in (body.get("Description"), body.get("Reason")) if p)
        return TrackingUpdate(tracking_number=str(body["OrderCode"]),
                              client_reference=str(body.get("ClientOrderCode") or ""),
                              raw_status=raw_status, status=normalize_ghn_status(raw_status),
                              event_time=parse_time(body.get("Time")), note=note,
                              event_type=str(body.get("Type") or "switch_status"),
                              location=str(body.get("Warehouse") or ""),
                              cod_amount=as_int(body.get("CODAmount")),
                              fee=as_int(body.get("TotalFee"), as_int(fee.get("Total"))), raw=body)

    # ---- internals ---------------------------------------------------------------------------
    def _lookup(self, path: str, payload: dict) -> dict:
        """Detail calls: GHN answers an unknown code with a generic 400, which here means NotFound."""
        try:
            data = self._call(path, payload)
        except AuthError:
            raise
        except PermanentError as exc:
            raise NotFound(exc.message, provider=self.system, code=exc.code, status=exc.status,
                           response=exc.response) from exc
        if isinstance(data, list):  # one doc version wraps the order in a list
            if not data:
                raise NotFound("GHN has no such order", provider=self.system)
            data = data[0]
        return data or {}

    @staticmethod
    def _detail(data: dict) -> ShipmentDetail:
        raw_status = str(data.get("status") or "")
        return ShipmentDetail(
            tracking_number=str(data.get("order_code")),
            client_reference=str(data.get("client_order_code") or ""),
            raw_status=raw_status, status=normalize_ghn_status(raw_status),
            cod_amount=as_int(data.get("cod_amount"), 0), fee=as_int(data.get("total_fee")),
            weight_g=as_int(data.get("weight")), expected_delivery=parse_time(data.get("leadtime")),
            updated_at=parse_time(data.get("updated_date")), log=list(data.get("log") or []), raw=data)

    def _service_type(self, request: ShipmentRequest) -> int:
        if request.weight_g >= HEAVY_FROM_G:
            return HEAVY_SERVICE_TYPE
        return SERVICE_TYPES[request.service]

    @staticmethod
    def _route(request: ShipmentRequest) -> dict:
        sender, receiver = request.sender, request.receiver
        route = {"to_district_id": receiver.district_id,
                 "to_ward_code": str(receiver.ward_code) if receiver.ward_code is not None else None}
        if sender.district_id:
            route["from_district_id"] = sender.district_id
        if sender.ward_code:
            route["from_ward_code"] = str(sender.ward_code)
        return route

    @staticmethod
    def _parcel(request: ShipmentRequest) -> dict:
        return {"weight": request.weight_g, "length": request.length_cm, "width": request.width_cm,
                "height": request.height_cm, "insurance_value": request.goods_value}

