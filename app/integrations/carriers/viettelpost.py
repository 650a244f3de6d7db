"""Viettel Post partner API v2 client.

``base_url`` is the host: ``https://partner.viettelpost.vn`` (production),
``https://partnerdev.viettelpost.vn`` (test) or ``http://host/sandbox/viettelpost`` (ours); paths are
Viettel Post's own (``/v2/...``; a base URL ending in ``/v2`` is taken as its host). Labels come from a second host, ``print_base_url`` (Viettel
Post's ``https://digitalize.viettelpost.vn`` unless told otherwise: a sandbox serving the print page
is just another print base URL).

Auth: ``/v2/user/Login`` (USERNAME/PASSWORD) gives a short-lived token; ``/v2/user/ownerconnect``
with it gives the shop's long-term token (~1 year), sent as the ``Token`` header. The client logs in
lazily, and once more if a call answers 401. A long-term token copied from the portal can be passed
as ``token`` to skip the login.

Idempotency: ``ORDER_NUMBER`` = ``ShipmentRequest.client_reference`` with ``CHECK_UNIQUE: true``, so
Viettel Post refuses a second order under the same number. Viettel Post has no partner endpoint to
look an order up, so a retried create *is* the lookup: when the refusal names the waybill already
booked, :meth:`create_shipment` returns it (``already_existed=True``); when it does not,
:class:`DuplicateReference` tells the job to wait for the first status callback, which quotes our
number as ``ORDER_REFERENCE``.

Webhooks carry the shared secret in ``TOKEN``; :meth:`parse_webhook` refuses any other (AuthError).
"""
from __future__ import annotations

import hmac
import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from app.integrations import bounded_json
from app.integrations.base import AuthError, HttpClient, PermanentError, RetryableError, api_root

from .common import (REQUIRED_NOTE_TEXT, CreatedShipment, DuplicateReference, Quote, ShipmentRequest,
                     TrackingUpdate, as_int, normalize_vtp_status)

PRODUCTION_URL = "https://partner.viettelpost.vn"
DEV_URL = "https://partnerdev.viettelpost.vn"
PRINT_URL = "https://digitalize.viettelpost.vn"
VN_TIME = timezone(timedelta(hours=7))

# Our two choices → ORDER_SERVICE. Codes are account-dependent; VCN/VTK are the standard ones and
# quote() only offers what getPriceAll returned for this account and route.
SERVICE_CODES = {"fast": "VCN", "economy": "VTK"}
# UpdateOrder TYPE: 1 approve, 2 approve the return, 3 deliver again, 4 cancel, 5 delete.
APPROVE_RETURN, REDELIVER, CANCEL = 2, 3, 4


def order_payment(payer: str, cod_amount: int) -> int:
    """ORDER_PAYMENT: 1 no COD, 2 collect goods + fee, 3 collect goods only, 4 collect fee only."""
    if payer == "buyer":
        return 2 if cod_amount else 4
    return 3 if cod_amount else 1


def vn_time(moment: datetime) -> str:
    return moment.astimezone(VN_TIME).strftime("%d/%m/%Y %H:%M:%S")


def parse_vn_time(value: Any) -> datetime | None:
    """Viettel Post writes local time as "dd/MM/yyyy HH:mm:ss" (UTC+7)."""
    try:
        return datetime.strptime(str(value), "%d/%m/%Y %H:%M:%S").replace(tzinfo=VN_TIME)
    except (TypeError, ValueError):
        return None


def hours_in(text: Any) -> int | None:
    """"24 giờ" → 24 (getPriceAll's THOI_GIAN)."""
    found = re.search(r"\d+", str(text or ""))
    return int(found.group()) if found else None


class ViettelPostClient(HttpClient):
    system = "viettelpost"
    base_suffixes = ("/v2",)
    # What services ask of every carrier (see GHNClient).
    initial_status = "-100"  # "new order, awaiting pickup"
    max_insurance = None  # insures the goods value as declared
    looks_up = False  # no look-up for partners: updates arrive by callback

    @staticmethod
    def area_codes(province_id, district_id, ward_id) -> dict:
        """The receiver's area as a booking names it (Viettel Post: a numeric ward id)."""
        return {"province_id": province_id, "district_id": district_id, "ward_id": ward_id}

    def find_booked(self, request: ShipmentRequest) -> CreatedShipment | None:
        """Viettel Post has no look-up: its uniqueness check on ORDER_NUMBER is the way to learn
        the waybill of a booking whose answer was lost (a duplicate answers with the existing one)."""
        return self.create_shipment(request)

    def __init__(self, base_url: str, username: str, password: str, *, token: str | None = None,
                 print_base_url: str | None = PRINT_URL, transport: httpx.BaseTransport | None = None,
                 client: httpx.Client | None = None, timeout: httpx.Timeout | float | None = None,
                 on_exchange=None):
        super().__init__(base_url, transport=transport, client=client, timeout=timeout,
                         on_exchange=on_exchange)
        self.username = username
        self.password = password
        self.token = token
        self.print_base_url = api_root(print_base_url or PRINT_URL, ("/DigitalizePrint",))

    # ---- wire ------------------------------------------------------------------------------
    def _post(self, path: str, payload: dict | None, token: str | None) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Token"] = token
        body = json.dumps(payload or {}, ensure_ascii=False).encode("utf-8")
        request = self._http.build_request("POST", f"{self.base_url}{path}", content=body,
                                           headers=headers)
        return self._send(request, endpoint=path)

    def _get(self, path: str, params: dict, token: str | None) -> httpx.Response:
        headers = {"Token": token} if token else {}
        request = self._http.build_request("GET", f"{self.base_url}{path}", params=params,
                                           headers=headers)
        return self._send(request, endpoint=path)

    def _read(self, response: httpx.Response) -> Any:
        """Return the body if Viettel Post accepted the call; raise a typed error otherwise."""
        self._raise_for_http(response)
        body = self._json(response)
        if response.status_code == 401:
            message = body.get("message") if isinstance(body, dict) else None
            raise AuthError(str(message or "Viettel Post refused the token"), provider=self.system,
                            code="401", status=401, response=body)
        if isinstance(body, list):  # getPriceAll answers a bare array
            return body
        if not isinstance(body, dict) or "status" not in body:
            raise RetryableError("Viettel Post answered without its usual envelope",
                                 provider=self.system, code="malformed",
                                 status=response.status_code, response=body)
        status = as_int(body.get("status"), 0)
        if status == 200 and not body.get("error"):
            return body
        message = str(body.get("message") or "Viettel Post refused the request")
        kwargs = dict(provider=self.system, code=str(status), status=response.status_code,
                      response=body)
        if status in (401, 205):
            raise AuthError(message, **kwargs)
        if status >= 500 or status == 429:
            raise RetryableError(message, **kwargs)
        raise PermanentError(message, **kwargs)

    def _call(self, path: str, payload: dict | None = None, *, method: str = "POST") -> Any:
        """An authenticated call; logs in when there is no token, and once more on a 401."""
        for attempt in (1, 2):
            token = self.token or self.login()
            response = (self._get(path, payload or {}, token) if method == "GET"
                        else self._post(path, payload, token))
            try:
                return self._read(response)
            except AuthError as exc:
                if attempt == 2 or exc.code != "401" or not (self.username and self.password):
                    raise
                self.token = None

    def login(self) -> str:
        """Login, then ownerconnect: keeps and returns the shop's long-term token."""
        credentials = {"USERNAME": self.username, "PASSWORD": self.password}
        short = self._read(self._post("/v2/user/Login", credentials, None))["data"]["token"]
        self.token = self._read(self._post("/v2/user/ownerconnect", credentials, short))["data"]["token"]
        return self.token

    # ---- master data -----------------------------------------------------------------------
    def provinces(self) -> list[dict]:
        return self._read(self._get("/v2/categories/listProvinceById", {"provinceId": -1}, None))["data"]

    def districts(self, province_id: int = -1) -> list[dict]:
        return self._read(self._get("/v2/categories/listDistrict", {"provinceId": province_id},
                                    None))["data"]

    def wards(self, district_id: int) -> list[dict]:
        return self._read(self._get("/v2/categories/listWards", {"districtId": district_id}, None))["data"]

    # Since the 2025 reorganisation: today's provinces and wards (two levels); each ward row names
    # the district Viettel Post still routes it by.
    def provinces_new(self) -> list[dict]:
        return self._read(self._get("/v3/categories/listProvinceNew", {}, None))["data"] or []

    def wards_new(self, province_id: int) -> list[dict]:
        return self._read(self._get("/v3/categories/listWardsNew",
                                    {"provinceId": int(province_id)}, None))["data"] or []

    def list_inventory(self) -> list[dict]:
        return self._call("/v2/user/listInventory", method="GET")["data"] or []

    def check_connection(self, **_) -> dict:
        """Sign in with the user name and password now (not with a token kept from earlier, which
        would hide a changed password), then list the account's pick-up points."""
        if self.username and self.password:
            self.login()
        return {"warehouses": len(self.list_inventory())}

    # ---- quote -------------------------------------------------------------------------------
    def prices(self, request: ShipmentRequest) -> list[dict]:
        """Every service Viettel Post offers this account on the route, with its price."""
        payload = {"SENDER_PROVINCE": request.sender.province_id,
                   "SENDER_DISTRICT": request.sender.district_id,
                   "RECEIVER_PROVINCE": request.receiver.province_id,
                   "RECEIVER_DISTRICT": request.receiver.district_id,
                   "PRODUCT_TYPE": "HH", "PRODUCT_WEIGHT": request.weight_g,
                   "PRODUCT_PRICE": request.goods_value, "MONEY_COLLECTION": request.cod_amount,
                   "TYPE": 1}
        body = self._call("/v2/order/getPriceAll", payload)
        return body if isinstance(body, list) else list(body.get("data") or [])

    def quote(self, request: ShipmentRequest) -> list[Quote]:
        offers = {str(o.get("MA_DV_CHINH")): o for o in self.prices(request)}
        quotes = []
        for service, code in SERVICE_CODES.items():
            offer = offers.get(code)
            if offer is None:
                continue
            hours = hours_in(offer.get("THOI_GIAN"))
            eta = datetime.now(timezone.utc) + timedelta(hours=hours) if hours else None
            quotes.append(Quote(service=service, carrier_service_code=code,
                                fee=as_int(offer.get("GIA_CUOC"), 0), eta=eta,
                                name=str(offer.get("TEN_DICHVU") or ""), raw=offer))
        return quotes

    # ---- orders ------------------------------------------------------------------------------
    def order_payload(self, request: ShipmentRequest) -> dict:
        """The createOrder body in Viettel Post's field names."""
        sender, receiver = request.sender, request.receiver
        note = " ".join(p for p in (REQUIRED_NOTE_TEXT[request.required_note], request.note) if p)
        items = request.items
        return {
            "ORDER_NUMBER": request.client_reference, "CHECK_UNIQUE": True,
            "DELIVERY_DATE": vn_time(datetime.now(timezone.utc)),
            "SENDER_FULLNAME": sender.name, "SENDER_ADDRESS": sender.full_address,
            "SENDER_PHONE": sender.phone, "SENDER_EMAIL": sender.email,
            "SENDER_WARD": sender.ward_code, "SENDER_DISTRICT": sender.district_id,
            "SENDER_PROVINCE": sender.province_id,
            "RECEIVER_FULLNAME": receiver.name, "RECEIVER_ADDRESS": receiver.full_address,
            "RECEIVER_PHONE": receiver.phone, "RECEIVER_EMAIL": receiver.email,
            "RECEIVER_WARD": receiver.ward_code, "RECEIVER_DISTRICT": receiver.district_id,
            "RECEIVER_PROVINCE": receiver.province_id,
            "PRODUCT_NAME": request.description[:500],
            "PRODUCT_DESCRIPTION": request.description,
            "PRODUCT_QUANTITY": sum(i.quantity for i in items) or 1,
            "PRODUCT_PRICE": request.goods_value, "PRODUCT_WEIGHT": request.weight_g,
            "PRODUCT_LENGTH": request.length_cm, "PRODUCT_WIDTH": request.width_cm,
            "PRODUCT_HEIGHT": request.height_cm, "PRODUCT_TYPE": "HH", "NATIONAL_TYPE": 1,
            "ORDER_PAYMENT": order_payment(request.payer, request.cod_amount),
            "ORDER_SERVICE": request.carrier_service_code or SERVICE_CODES[request.service],
            "ORDER_SERVICE_ADD": "", "ORDER_NOTE": note, "MONEY_COLLECTION": request.cod_amount,
            "LIST_ITEM": [{"PRODUCT_NAME": i.name, "PRODUCT_PRICE": i.price,
                           "PRODUCT_WEIGHT": i.weight_g, "PRODUCT_QUANTITY": i.quantity}
                          for i in items],
        }

    def create_shipment(self, request: ShipmentRequest) -> CreatedShipment:
        request.check()
        try:
            body = self._call("/v2/order/createOrder", self.order_payload(request))
        except AuthError:
            raise
        except PermanentError as refused:
            existing = self._duplicate(refused, request.client_reference)
            if existing is None:
                raise
            return existing
        data = body.get("data") or {}
        hours = as_int(data.get("KPI_HT"))
        return CreatedShipment(
            tracking_number=str(data.get("ORDER_NUMBER")), fee=as_int(data.get("MONEY_TOTAL"), 0),
            expected_delivery=datetime.now(timezone.utc) + timedelta(hours=hours) if hours else None,
            raw=data, client_reference=request.client_reference,
            sort_code=str(data.get("SORT_CODE") or ""))

    def _duplicate(self, refused: PermanentError, reference: str) -> CreatedShipment | None:
        """Turn the CHECK_UNIQUE refusal into the shipment already booked under ``reference``."""
        body = refused.response if isinstance(refused.response, dict) else {}
        message = refused.message.lower()
        if reference.lower() not in message and "order_number" not in message:
            return None
        if not any(word in message for word in ("tồn tại", "trùng", "exist", "duplicate")):
            return None
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        waybill = data.get("ORDER_NUMBER")
        if not waybill or str(waybill) == reference:
            raise DuplicateReference(refused.message, client_reference=reference,
                                     provider=self.system, code=refused.code, response=body)
        return CreatedShipment(tracking_number=str(waybill), fee=as_int(data.get("MONEY_TOTAL"), 0),
                               expected_delivery=None, raw=data, client_reference=reference,
                               already_existed=True)

    def cancel(self, tracking_number: str, note: str = "Người bán hủy đơn") -> None:
        """Cancel before pickup (UpdateOrder TYPE 4); refused with Viettel Post's reason after it."""
        self._update(CANCEL, tracking_number, note)

    def redeliver(self, tracking_number: str, note: str = "Người bán yêu cầu phát tiếp") -> None:
        """A parcel held after a failed attempt (505–507): deliver it again (TYPE 3)."""
        self._update(REDELIVER, tracking_number, note)

    def return_to_sender(self, tracking_number: str, note: str = "Người bán yêu cầu chuyển hoàn") -> None:
        """A parcel held after a failed attempt: approve its return to the shop (TYPE 2)."""
        self._update(APPROVE_RETURN, tracking_number, note)

    def _update(self, kind: int, tracking_number: str, note: str) -> None:
        self._call("/v2/order/UpdateOrder", {"TYPE": kind, "ORDER_NUMBER": tracking_number,
                                             "NOTE": note, "DATE": vn_time(datetime.now(timezone.utc))})

    # ---- labels ------------------------------------------------------------------------------
    def printing_code(self, tracking_numbers: list[str], valid_for: timedelta = timedelta(minutes=30)) -> str:
        expiry = int((datetime.now(timezone.utc) + valid_for).timestamp() * 1000)
        body = self._call("/v2/order/printing-code", {"ORDER_ARRAY": list(tracking_numbers),
                                                      "EXPIRY_TIME": expiry})
        return str(body["message"])

    def label_url(self, code: str, layout: int = 1) -> str:
        return f"{self.print_base_url}/DigitalizePrint/report.do?type={layout}&bill={code}&showPostage=1"

    def label(self, tracking_numbers: list[str], layout: int = 1) -> bytes:
        """Viettel Post's printable page for the parcels (HTML/PDF as their print host serves it)."""
        url = self.label_url(self.printing_code(tracking_numbers), layout)
        response = self._send(self._http.build_request("GET", url), endpoint="/DigitalizePrint/report.do")
        self._raise_for_http(response)
        if response.status_code != 200:
            raise PermanentError(response.text[:500] or "Viettel Post label page refused",
                                 provider=self.system, code=str(response.status_code),
                                 status=response.status_code)
        return response.content

    # ---- webhooks ----------------------------------------------------------------------------
    @staticmethod
    def parse_webhook(body: bytes | str | dict, expected_token: str,
                      header_token: str | None = None) -> TrackingUpdate:
        """Check the shared ``TOKEN`` (body, or a ``Token`` header some setups use) and read the status."""
        if isinstance(body, (bytes, str)):
            try:
                body = bounded_json.loads(body)
            except ValueError as exc:
                raise PermanentError(f"Viettel Post callback is not JSON: {exc}", provider="viettelpost",
                                     code="malformed") from None
        if not isinstance(body, dict):
            raise PermanentError("Viettel Post callback is not an object", provider="viettelpost",
                                 code="malformed")
        given = str(body.get("TOKEN") or header_token or "")
        if not expected_token or not hmac.compare_digest(
                given.encode("utf-8", "replace"), str(expected_token).encode("utf-8", "replace")):
            raise AuthError("Viettel Post callback token does not match", provider="viettelpost",
                            code="bad_token")
        data = body.get("DATA")
        if not isinstance(data, dict) or not data.get("ORDER_NUMBER") or data.get("ORDER_STATUS") is None:
            raise PermanentError("Viettel Post callback lacks ORDER_NUMBER or ORDER_STATUS",
                                 provider="viettelpost", code="malformed", response=body)
        raw_status = str(as_int(data["ORDER_STATUS"], data["ORDER_STATUS"]))
        note = " – ".join(str(p) for p in (data.get("STATUS_NAME"), data.get("NOTE")) if p)
        return TrackingUpdate(tracking_number=str(data["ORDER_NUMBER"]),
                              client_reference=str(data.get("ORDER_REFERENCE") or ""),
                              raw_status=raw_status, status=normalize_vtp_status(raw_status),
                              event_time=parse_vn_time(data.get("ORDER_STATUSDATE")), note=note,
                              event_type="status",
                              location=str(data.get("LOCALION_CURRENTLY") or ""),
                              cod_amount=as_int(data.get("MONEY_COLLECTION")),
                              fee=as_int(data.get("MONEY_TOTAL")),
                              raw={k: v for k, v in body.items() if k != "TOKEN"})
