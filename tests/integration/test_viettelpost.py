"""ViettelPostClient against the Viettel Post sandbox over real HTTP on loopback (no mocks)."""
from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest
from flask import Flask, request

from app.integrations.base import AuthError, PermanentError, RetryableError
from app.integrations.carriers.common import (Item, ShipmentRequest, ShipmentStatus,
                                              party_from_areas)
from app.integrations.carriers.viettelpost import ViettelPostClient, order_payment
from app.sandbox.viettelpost import AREAS, DEMO_CREDENTIALS, create_blueprint
from tests.support.live_server import serve

HN, HCM, DN = AREAS[:3]
SECRET = "shared-secret-for-tests"


@pytest.fixture(scope="module")
def receiver():
    app = Flask("vtp-receiver")
    received: list[dict] = []
    lock = threading.Lock()

    @app.post("/webhooks/viettelpost")
    def hook():
        with lock:
            received.append(request.get_json())
        return {"ok": True}

    with serve(app) as url:
        yield url, received


@pytest.fixture(scope="module")
def sandbox(receiver):
    app = Flask("vtp-sandbox")
    app.register_blueprint(create_blueprint(webhook_url=f"{receiver[0]}/webhooks/viettelpost",
                                            webhook_token=SECRET))
    with serve(app) as url:
        yield f"{url}/sandbox/viettelpost"


def new_client(sandbox, **kwargs) -> ViettelPostClient:
    kwargs.setdefault("timeout", 5)
    kwargs.setdefault("print_base_url", sandbox)  # the sandbox serves the print page too
    return ViettelPostClient(sandbox, DEMO_CREDENTIALS["username"], DEMO_CREDENTIALS["password"], **kwargs)


@pytest.fixture
def client(sandbox):
    httpx.post(f"{sandbox}/_control/reset")
    with new_client(sandbox) as c:
        yield c


def shipment(**overrides) -> ShipmentRequest:
    sender_district, district = HN["districts"][0], HCM["districts"][0]
    values = dict(
        sender=party_from_areas("Shop Hoa Mai", "0987654321", "310 Quan Nhân", HN, sender_district,
                                sender_district["wards"][0]),
        receiver=party_from_areas("Trần Đức Thắng", "0912345678", "45 Nguyễn Huệ", HCM, district,
                                  district["wards"][0]),
        weight_g=1200, length_cm=30, width_cm=20, height_cm=10, cod_amount=450_000,
        goods_value=450_000, service="fast", payer="seller", required_note="allow_try",
        items=[Item(name="Nón lá Huế", quantity=2, price=225_000, weight_g=600, code="NL-02")],
        client_reference=f"SO-{uuid.uuid4().hex[:10]}")
    values.update(overrides)
    return ShipmentRequest(**values)


def advance(sandbox, waybill, status="next") -> dict:
    response = httpx.post(f"{sandbox}/_control/advance",
                          json={"tracking_number": waybill, "status": status}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def orders_with_reference(sandbox, reference) -> list[dict]:
    return [o for o in httpx.get(f"{sandbox}/_control/shipments").json()
            if o["order_number"] == reference]


def test_login_gives_long_term_token_and_master_data(client):
    token = client.login()
    assert len(token) == 64 and client.token == token
    assert {p["PROVINCE_CODE"] for p in client.provinces()} >= {"HNI", "HCM", "DNG"}
    assert client.wards(43)[0]["WARDS_NAME"] == "PHƯỜNG TÂN ĐỊNH"  # Quận 1's wards since 2025
    assert client.list_inventory()[0]["groupaddressId"]


def test_wrong_password_is_auth_error(sandbox):
    with ViettelPostClient(sandbox, DEMO_CREDENTIALS["username"], "wrong") as c:
        with pytest.raises(AuthError) as refused:
            c.quote(shipment())
    assert "mật khẩu" in refused.value.message


def test_expired_token_triggers_one_new_login(sandbox):
    with new_client(sandbox, token="stale-token") as c:
        assert c.quote(shipment())
        assert c.token != "stale-token"


def test_quote_fast_and_economy(client):
    quotes = {q.service: q for q in client.quote(shipment())}
    assert quotes["fast"].carrier_service_code == "VCN"
    assert quotes["economy"].carrier_service_code == "VTK"
    assert quotes["fast"].fee > quotes["economy"].fee > 0
    assert quotes["fast"].eta < quotes["economy"].eta


def test_order_payment_codes():
    assert order_payment("seller", 0) == 1
    assert order_payment("buyer", 100_000) == 2
    assert order_payment("seller", 100_000) == 3
    assert order_payment("buyer", 0) == 4


def test_create_with_cod_and_label(client):
    created = client.create_shipment(shipment(cod_amount=2_500_000))
    assert created.tracking_number.isdigit() and len(created.tracking_number) == 11
    assert created.fee > 0 and created.raw["MONEY_COLLECTION"] == 2_500_000
    assert created.expected_delivery is not None
    page = client.label([created.tracking_number])
    assert created.tracking_number.encode() in page
    assert "Trần Đức Thắng".encode() in page


def test_duplicate_order_number_refused_and_resolved(client, sandbox):
    req = shipment()
    first = client.create_shipment(req)
    raw = httpx.post(f"{sandbox}/v2/order/createOrder", json=client.order_payload(req),
                     headers={"Token": client.token}).json()
    assert raw["error"] is True and "đã tồn tại" in raw["message"]
    again = client.create_shipment(req)
    assert again.already_existed and again.tracking_number == first.tracking_number
    assert len(orders_with_reference(sandbox, req.client_reference)) == 1


def test_timeout_after_create_then_retry_finds_one(sandbox):
    httpx.post(f"{sandbox}/_control/reset")
    req = shipment()
    with new_client(sandbox, timeout=0.4) as impatient:
        impatient.login()
        httpx.post(f"{sandbox}/_control/faults", json={"mode": "timeout", "after": True,
                                                       "delay": 1.0, "path": "/createOrder"})
        with pytest.raises(RetryableError):
            impatient.create_shipment(req)
    with new_client(sandbox) as c:
        retried = c.create_shipment(req)
    assert retried.already_existed
    booked = orders_with_reference(sandbox, req.client_reference)
    assert [o["tracking_number"] for o in booked] == [retried.tracking_number]


def test_cancel_before_pickup_and_refused_after(client, sandbox):
    early = client.create_shipment(shipment())
    client.cancel(early.tracking_number)
    statuses = {o["tracking_number"]: o["status"] for o in httpx.get(f"{sandbox}/_control/shipments").json()}
    assert statuses[early.tracking_number] == 107

    late = client.create_shipment(shipment())
    advance(sandbox, late.tracking_number, 105)
    with pytest.raises(PermanentError) as refused:
        client.cancel(late.tracking_number)
    assert "không thể hủy" in refused.value.message


def test_callbacks_carry_token_and_parse(client, sandbox, receiver):
    _url, received = receiver
    req = shipment()
    created = client.create_shipment(req)
    for _ in range(4):                 # -100 → 100 → 103 → 104 → 105
        advance(sandbox, created.tracking_number)
    advance(sandbox, created.tracking_number, 500)
    advance(sandbox, created.tracking_number, 501)
    deadline = time.monotonic() + 3
    mine = []
    while time.monotonic() < deadline:
        mine = [b for b in received if b["DATA"]["ORDER_NUMBER"] == created.tracking_number]
        if len(mine) >= 7:
            break
        time.sleep(0.05)
    updates = [ViettelPostClient.parse_webhook(body, SECRET) for body in mine]
    assert [u.raw_status for u in updates] == ["-100", "100", "103", "104", "105", "500", "501"]
    assert [u.status for u in updates][-3:] == [ShipmentStatus.PICKED_UP,
                                                ShipmentStatus.OUT_FOR_DELIVERY,
                                                ShipmentStatus.DELIVERED]
    assert all(u.client_reference == req.client_reference for u in updates)
    assert updates[-1].event_time is not None and updates[-1].event_time.utcoffset().seconds == 7 * 3600

    forged = dict(mine[-1], TOKEN="guessed")
    with pytest.raises(AuthError):
        ViettelPostClient.parse_webhook(forged, SECRET)
    with pytest.raises(AuthError):
        ViettelPostClient.parse_webhook({"DATA": mine[-1]["DATA"]}, SECRET)


def test_return_flow_statuses(client, sandbox, receiver):
    created = client.create_shipment(shipment())
    for status in (105, 500, 506, 515, 502, 504):
        advance(sandbox, created.tracking_number, status)  # answers once callbacks are out
    last = [b for b in receiver[1] if b["DATA"]["ORDER_NUMBER"] == created.tracking_number][-1]
    assert ViettelPostClient.parse_webhook(last, SECRET).status is ShipmentStatus.RETURNED


@pytest.mark.parametrize("change, words", [
    (lambda r: setattr(r.receiver, "phone", "0123"), "RECEIVER_PHONE"),
    (lambda r: setattr(r, "weight_g", 80_000), "PRODUCT_WEIGHT"),
    (lambda r: setattr(r.receiver, "ward_code", 99999), "RECEIVER_WARD"),
    (lambda r: setattr(r, "cod_amount", 60_000_000), "MONEY_COLLECTION"),
])
def test_validation_errors_keep_vtp_message(client, change, words):
    req = shipment()
    change(req)
    with pytest.raises(PermanentError) as refused:
        client.create_shipment(req)
    assert not isinstance(refused.value, RetryableError)
    assert words in refused.value.message
    assert refused.value.code == "204"


@pytest.mark.parametrize("mode", ["5xx", "429", "malformed"])
def test_faults_are_retryable(client, sandbox, mode):
    client.login()
    httpx.post(f"{sandbox}/_control/faults", json={"mode": mode, "path": "/getPriceAll"})
    with pytest.raises(RetryableError):
        client.quote(shipment())
    assert client.quote(shipment())
