"""GHNClient against the GHN sandbox over real HTTP on loopback (no mocks)."""
from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest
from flask import Flask, request

from app.integrations.base import AuthError, NotFound, PermanentError, RetryableError
from app.integrations.carriers.common import (Item, ShipmentRequest, ShipmentStatus,
                                              party_from_areas)
from app.integrations.carriers.ghn import GHNClient
from app.sandbox.ghn import AREAS, DEMO_CREDENTIALS, create_blueprint
from tests.support.live_server import serve

HN, HCM = AREAS[0], AREAS[1]


@pytest.fixture(scope="module")
def receiver():
    """A tiny app standing in for OrderHub's webhook endpoint."""
    app = Flask("ghn-receiver")
    received: list[dict] = []
    lock = threading.Lock()

    @app.post("/webhooks/ghn")
    def hook():
        with lock:
            received.append(request.get_json())
        return {"ok": True}

    with serve(app) as url:
        yield url, received


@pytest.fixture(scope="module")
def sandbox(receiver):
    app = Flask("ghn-sandbox")
    app.register_blueprint(create_blueprint(webhook_url=f"{receiver[0]}/webhooks/ghn"))
    with serve(app) as url:
        yield f"{url}/sandbox/ghn"


@pytest.fixture
def client(sandbox):
    httpx.post(f"{sandbox}/_control/reset")
    with GHNClient(sandbox, DEMO_CREDENTIALS["token"], DEMO_CREDENTIALS["shop_id"], timeout=5) as c:
        yield c


def shipment(**overrides) -> ShipmentRequest:
    district, ward = HCM["districts"][0], HCM["districts"][0]["wards"][0]
    sender_district = HN["districts"][0]
    values = dict(
        sender=party_from_areas("Shop Hoa Mai", "0987654321", "310 Quan Nhân", HN, sender_district,
                                sender_district["wards"][0]),
        receiver=party_from_areas("Nguyễn Thị Hương", "0912345678", "12 Lê Thánh Tôn", HCM,
                                  district, ward),
        weight_g=800, length_cm=20, width_cm=15, height_cm=10, cod_amount=350_000,
        goods_value=350_000, service="economy", payer="seller", required_note="allow_view",
        items=[Item(name="Áo dài lụa", quantity=1, price=350_000, weight_g=800, code="AD-01")],
        client_reference=f"SO-{uuid.uuid4().hex[:10]}")
    values.update(overrides)
    return ShipmentRequest(**values)


def arm(sandbox, **fault):
    httpx.post(f"{sandbox}/_control/faults", json=fault).raise_for_status()


def advance(sandbox, order_code, status="next") -> dict:
    response = httpx.post(f"{sandbox}/_control/advance",
                          json={"order_code": order_code, "status": status}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def orders_with_reference(sandbox, reference) -> list[dict]:
    return [o for o in httpx.get(f"{sandbox}/_control/shipments").json()
            if o["client_order_code"] == reference]


def test_master_data_and_quote(client):
    assert {p["ProvinceID"] for p in client.provinces()} >= {201, 202, 203}
    wards = client.wards(1442)
    assert all(isinstance(w["WardCode"], str) for w in wards)
    quotes = client.quote(shipment())
    by_service = {q.service: q for q in quotes}
    assert set(by_service) == {"fast", "economy"}
    # Economy is GHN's standard service (type 2), fast its express (type 1): dearer and sooner.
    assert by_service["economy"].carrier_service_code == "53320"
    assert by_service["fast"].carrier_service_code == "53321"
    assert by_service["fast"].fee > by_service["economy"].fee > 0
    assert by_service["fast"].eta < by_service["economy"].eta
    assert isinstance(by_service["economy"].fee, int)
    assert by_service["economy"].eta is not None
    assert client.quote(shipment()) == quotes  # deterministic


def test_create_with_cod_detail_and_label(client):
    req = shipment(cod_amount=1_250_000)
    created = client.create_shipment(req)
    assert len(created.tracking_number) == 8 and created.tracking_number.isalnum()
    assert created.fee > 0 and not created.already_existed
    detail = client.detail(created.tracking_number)
    assert detail.cod_amount == 1_250_000
    assert detail.client_reference == req.client_reference
    assert detail.raw_status == "ready_to_pick" and detail.status is ShipmentStatus.CREATED
    assert detail.raw["to_ward_code"] == HCM["districts"][0]["wards"][0]["id"]
    assert detail.raw["payment_type_id"] == 1
    assert detail.raw["required_note"] == "CHOXEMHANGKHONGTHU"
    html = client.label([created.tracking_number])
    assert created.tracking_number.encode() in html
    assert "Nguyễn Thị Hương".encode() in html


def test_duplicate_reference_is_refused_and_resolved(client, sandbox):
    req = shipment()
    first = client.create_shipment(req)
    raw = httpx.post(f"{sandbox}/shiip/public-api/v2/shipping-order/create",
                     json=client.order_payload(req),
                     headers={"Token": client.token, "ShopId": str(client.shop_id)})
    assert raw.status_code == 400 and "đã tồn tại" in raw.json()["message"]
    again = client.create_shipment(req)
    assert again.already_existed and again.tracking_number == first.tracking_number
    assert len(orders_with_reference(sandbox, req.client_reference)) == 1


def test_timeout_after_create_then_lookup_finds_one(sandbox):
    httpx.post(f"{sandbox}/_control/reset")
    arm(sandbox, mode="timeout", after=True, delay=1.0, path="/shipping-order/create")
    req = shipment()
    with GHNClient(sandbox, DEMO_CREDENTIALS["token"], DEMO_CREDENTIALS["shop_id"],
                   timeout=0.4) as impatient:
        with pytest.raises(RetryableError):
            impatient.create_shipment(req)
    with GHNClient(sandbox, DEMO_CREDENTIALS["token"], DEMO_CREDENTIALS["shop_id"]) as c:
        found = c.find_by_reference(req.client_reference)
        assert found is not None and found.client_reference == req.client_reference
        retried = c.create_shipment(req)
        assert retried.already_existed and retried.tracking_number == found.tracking_number
        assert c.find_by_reference("SO-never-booked") is None
    assert len(orders_with_reference(sandbox, req.client_reference)) == 1


def test_cancel_before_pickup_and_refused_after(client, sandbox):
    early = client.create_shipment(shipment())
    client.cancel(early.tracking_number)
    assert client.detail(early.tracking_number).status is ShipmentStatus.CANCELLED

    late = client.create_shipment(shipment())
    advance(sandbox, late.tracking_number, "picked")
    with pytest.raises(PermanentError) as refused:
        client.cancel(late.tracking_number)
    assert "không thể hủy" in refused.value.message
    with pytest.raises(NotFound):
        client.detail("ZZZZZZZZ")


def test_callbacks_posted_on_advance_and_parsed(client, sandbox, receiver):
    _url, received = receiver
    created = client.create_shipment(shipment())
    expected = {"picking": ShipmentStatus.CREATED, "picked": ShipmentStatus.PICKED_UP,
                "storing": ShipmentStatus.IN_TRANSIT}
    for raw_status in expected:
        assert advance(sandbox, created.tracking_number)["status"] == raw_status
    advance(sandbox, created.tracking_number, "delivering")
    advance(sandbox, created.tracking_number, "delivered")
    deadline = time.monotonic() + 3
    mine = []
    while time.monotonic() < deadline:
        mine = [b for b in received if b["OrderCode"] == created.tracking_number]
        if len(mine) >= 6:
            break
        time.sleep(0.05)
    updates = [GHNClient.parse_webhook(body) for body in mine]
    assert [u.raw_status for u in updates] == ["ready_to_pick", "picking", "picked", "storing",
                                               "delivering", "delivered"]
    assert updates[0].event_type == "create"
    for update in updates[1:4]:
        assert update.status is expected[update.raw_status]
    assert updates[-1].status is ShipmentStatus.DELIVERED
    assert updates[-1].client_reference.startswith("SO-") and updates[-1].event_time is not None
    assert client.detail(created.tracking_number).status is ShipmentStatus.DELIVERED


@pytest.mark.parametrize("overrides, words", [
    ({"receiver_phone": "0123"}, "điện thoại"),
    ({"weight_g": 60_000}, "weight"),
    ({"receiver_ward": "99999"}, "to_ward_code"),
    ({"cod_amount": 60_000_000}, "cod_amount"),
])
def test_validation_errors_keep_ghn_message(client, overrides, words):
    req = shipment()
    if "receiver_phone" in overrides:
        req.receiver.phone = overrides["receiver_phone"]
    elif "receiver_ward" in overrides:
        req.receiver.ward_code = overrides["receiver_ward"]
    else:
        for name, value in overrides.items():
            setattr(req, name, value)
    with pytest.raises(PermanentError) as refused:
        client.create_shipment(req)
    assert not isinstance(refused.value, RetryableError)
    assert words in refused.value.message


def test_bad_token_is_auth_error(sandbox):
    with GHNClient(sandbox, "wrong-token", DEMO_CREDENTIALS["shop_id"]) as c:
        with pytest.raises(AuthError):
            c.quote(shipment())
    with GHNClient(sandbox, DEMO_CREDENTIALS["token"], 1) as c:
        with pytest.raises(AuthError):
            c.create_shipment(shipment())


@pytest.mark.parametrize("mode", ["5xx", "429", "malformed"])
def test_faults_are_retryable(client, sandbox, mode):
    arm(sandbox, mode=mode, path="/shipping-order/fee")
    with pytest.raises(RetryableError):
        client.fee(shipment())
    assert client.fee(shipment())["total"] > 0  # the fault was used up


def test_parse_webhook_rejects_garbage():
    with pytest.raises(PermanentError):
        GHNClient.parse_webhook(b"not json")
    with pytest.raises(PermanentError):
        GHNClient.parse_webhook({"Type": "switch_status"})


def test_fast_books_express_and_legacy_saving_type_is_refused(client, sandbox):
    import dataclasses
    fast = dataclasses.replace(shipment(), service="fast")
    assert client.order_payload(fast)["service_type_id"] == 1
    assert client.order_payload(shipment())["service_type_id"] == 2
    booked_fast, booked_economy = client.create_shipment(fast), client.create_shipment(shipment())
    assert booked_fast.fee > booked_economy.fee
    assert booked_fast.expected_delivery < booked_economy.expected_delivery
    legacy = {**client.order_payload(shipment()), "service_type_id": 3,
              "client_order_code": "LEGACY-3"}
    resp = httpx.post(f"{sandbox}/shiip/public-api/v2/shipping-order/create", json=legacy,
                      headers={"Token": client.token, "ShopId": str(client.shop_id)})
    assert resp.status_code == 400 and resp.json()["code_message"] == "SERVICE_NOT_FOUND_CONFIG_FEE"


def test_redeliver_and_return_after_a_failed_attempt(client, sandbox):
    created = client.create_shipment(shipment())
    code = created.tracking_number
    with pytest.raises(PermanentError):
        client.redeliver(code)  # nothing failed yet
    for status in ("picked", "storing", "delivering", "delivery_fail"):
        httpx.post(f"{sandbox}/_control/advance", json={"order_code": code, "status": status})
    client.redeliver(code)
    assert client.detail(code).raw_status == "storing"
    for status in ("delivering", "delivery_fail"):
        httpx.post(f"{sandbox}/_control/advance", json={"order_code": code, "status": status})
    client.return_to_sender(code)
    assert client.detail(code).raw_status == "waiting_to_return"
