"""Shipping through the whole app served on loopback: the clerk's "Create shipment" form and label,
the carriers' callbacks reaching our webhooks (GHN verified against GHN, Viettel Post by its token),
the REST actions, the supervisor's bulk ship / bulk print and COD statement. SQLite and PostgreSQL."""
from __future__ import annotations

import io
import time

import httpx
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.cli_stock import verify_stock
from app.extensions import db
from app.models import (IntegrationLog, JobStatus, Order, OrderStatus, PaymentStatus,
                        Shipment, ShipmentStatus)
from tests.conftest import BACKENDS, PG_URL, api_token, login, make_app, normalize_pg_url
from tests.integration.test_jobs import _wait_for
from tests.support.live_server import serve
from tests.support.shipping import VTP_TOKEN, accounts, advance, packed_orders, sandbox_orders


@pytest.fixture(params=BACKENDS)
def live(request, tmp_path):
    overrides = {}
    if request.param == "postgresql":
        from tests.conftest import truncate_all
        truncate_all(request.getfixturevalue("pg_engine"))
        overrides["SQLALCHEMY_DATABASE_URI"] = normalize_pg_url(PG_URL)
    app = make_app(tmp_path, **overrides)
    with serve(app) as url:
        app.config["PUBLIC_BASE_URL"] = url
        for carrier in ("ghn", "viettelpost"):
            httpx.post(f"{url}/sandbox/{carrier}/_control/reset", json={"state": True})
        httpx.post(f"{url}/sandbox/ghn/_control/webhook", json={"url": f"{url}/webhooks/ghn"})
        httpx.post(f"{url}/sandbox/viettelpost/_control/webhook",
                   json={"url": f"{url}/webhooks/viettelpost", "token": VTP_TOKEN})
        with app.app_context():
            accounts(db.session, url)
        yield app, url
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _orders(app, n=1, **fields):
    with app.app_context():
        return [o.id for o in packed_orders(db.session, n, **fields)]


def _order(app, order_id) -> Order:
    with app.app_context():
        db.session.expire_all()
        order = db.session.get(Order, order_id)
        db.session.expunge(order)
        return order


def _shipment(app, order_id) -> Shipment:
    with app.app_context():
        db.session.expire_all()
        s = db.session.scalars(sa.select(Shipment).where(Shipment.order_id == order_id)
                               .order_by(Shipment.id.desc())).first()
        db.session.expunge(s)
        return s


def _job_from_redirect(resp) -> int:
    assert resp.status_code == 302, resp.data[:500]
    assert "/jobview/show/" in resp.headers["Location"], resp.headers["Location"]
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def _pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _outbox_subjects(app, expected: int = 0, timeout: float = 10) -> list[str]:
    """The mails sent so far, waiting up to ``timeout`` for ``expected`` of them (a job sends each
    once the change that decided it has committed)."""
    from email import message_from_bytes, policy
    from pathlib import Path
    box = Path(app.config["MAIL_OUTBOX"])
    deadline = time.time() + timeout
    while True:
        found = sorted(box.glob("*.eml")) if box.exists() else []
        if len(found) >= expected or time.time() > deadline:
            return [message_from_bytes(p.read_bytes(), policy=policy.default)["Subject"]
                    for p in found]
        time.sleep(0.1)


def _wait_status(app, order_id, status, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if _order(app, order_id).status == status:
            return
        time.sleep(0.1)
    raise AssertionError(f"order {order_id} is {_order(app, order_id).status}, not {status}")


def test_clerk_ships_prints_and_watches_delivery_through_ghn_callbacks(live):
    app, url = live
    [order_id] = _orders(app, shipping_fee=30000)
    client = app.test_client()
    login(client, "clerk")
    page = client.get(f"/orderview/ship/{order_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "GHN" in html and "Viettel Post" in html and "fee-ghn-fast" in html, html[-3000:]
    total = int(_order(app, order_id).total)
    assert f'value="{total}"' in html  # COD prefilled: goods + the shipping fee
    # GHN's delivery instruction in the reader's language (sent to GHN as its own code).
    assert '<option value="allow_view" selected>Buyer may look inside, not try on' in html
    assert "Cho xem hàng" not in html
    client.get("/lang/vi")
    assert "Cho xem hàng, không cho thử" in client.get(f"/orderview/ship/{order_id}").get_data(
        as_text=True)
    client.get("/lang/en")
    resp = client.post(f"/orderview/ship/{order_id}", data={
        "carrier": "ghn", "service": "fast", "cod_amount": str(total), "fee_payer": "seller",
        "required_note": "allow_try", "weight_g": "900", "length_cm": "30", "width_cm": "20",
        "height_cm": "10", "note": "Gọi trước khi giao", "fee_ghn_fast": "1",
        "code_ghn_fast": "53319"})  # forged fee and legacy service in hidden fields: not trusted
    job = _wait_for(app, _job_from_redirect(resp))
    assert job.status == JobStatus.FINISHED, job.error
    shipment = _shipment(app, order_id)
    assert shipment.status == ShipmentStatus.CREATED and shipment.service.value == "fast"
    assert shipment.fee_quoted > 1000 and shipment.weight_g == 900
    assert shipment.carrier_service_code == "53321" and shipment.sort_code  # GHN's express
    assert _order(app, order_id).status == OrderStatus.SHIPPED
    label = client.post("/orderview/action_post", data={"action": "print_label", "rowid": order_id})
    assert label.status_code == 200 and label.mimetype == "application/pdf"
    assert shipment.tracking_number in _pdf_text(label.data)
    # The courier's progress arrives by callback; each is confirmed with GHN before it counts.
    for _ in range(6):  # picking … delivering
        advance(url, "ghn", shipment.tracking_number)
    assert _shipment(app, shipment.order_id).status == ShipmentStatus.OUT_FOR_DELIVERY
    advance(url, "ghn", shipment.tracking_number)
    _wait_status(app, order_id, OrderStatus.DELIVERED)
    show = client.get(f"/orderview/show/{order_id}").get_data(as_text=True)
    assert "tracking-timeline" in show and "delivering" in show and "Giao hàng thành công" in show
    subjects = _outbox_subjects(app, expected=3)
    assert len(subjects) == 3 and "đã giao thành công" in subjects[-1]
    with app.app_context():
        assert verify_stock(db.session) == []


def test_forged_callbacks_are_refused_and_logged(live):
    app, url = live
    [order_id] = _orders(app)
    with app.app_context():
        sup = api_token(app.test_client(), "supervisor")
    client = app.test_client()
    resp = client.post(f"/api/v1/order/{order_id}/ship", json={"carrier": "viettelpost"},
                       headers=sup)
    assert resp.status_code == 202, resp.json
    assert _wait_for(app, resp.json["job_id"]).status == JobStatus.FINISHED
    vtp = _shipment(app, order_id)
    forged = {"DATA": {"ORDER_NUMBER": vtp.tracking_number, "ORDER_STATUS": 501,
                       "ORDER_STATUSDATE": "20/11/2026 10:00:00"}, "TOKEN": "guessed"}
    r = httpx.post(f"{url}/webhooks/viettelpost", json=forged)
    assert r.status_code == 401
    with app.app_context():
        row = db.session.scalars(sa.select(IntegrationLog).where(
            IntegrationLog.system == "viettelpost", IntegrationLog.direction == "in")
            .order_by(IntegrationLog.id.desc())).first()
        assert row.status == 401 and "guessed" not in (row.request_body or "")
    assert _shipment(app, order_id).status == ShipmentStatus.CREATED
    # The real token is accepted.
    real = {**forged, "TOKEN": VTP_TOKEN}
    real["DATA"] = {**forged["DATA"], "ORDER_STATUS": 105}
    assert httpx.post(f"{url}/webhooks/viettelpost", json=real).status_code == 200
    assert _shipment(app, order_id).status == ShipmentStatus.PICKED_UP
    # GHN signs nothing: a callback GHN does not confirm changes nothing.
    [other] = _orders_more(app)
    resp = client.post(f"/api/v1/order/{other}/ship", json={"carrier": "ghn"}, headers=sup)
    assert _wait_for(app, resp.json["job_id"]).status == JobStatus.FINISHED
    ghn = _shipment(app, other)
    fake = {"OrderCode": ghn.tracking_number, "ClientOrderCode": ghn.client_reference,
            "Status": "delivered", "Time": "2030-01-01T00:00:00Z", "Type": "switch_status"}
    assert httpx.post(f"{url}/webhooks/ghn", json=fake).status_code == 401
    unknown = {**fake, "OrderCode": "NOSUCH01", "ClientOrderCode": "SO-999999-1"}
    assert httpx.post(f"{url}/webhooks/ghn", json=unknown).status_code == 404
    assert _shipment(app, other).status == ShipmentStatus.CREATED
    assert _order(app, other).status == OrderStatus.SHIPPED


def _orders_more(app):
    """A second packed order in the same shop (the seed shop exists already)."""
    from app.models import ProductVariant, Warehouse
    from app.services import orders
    from tests.support import seed
    with app.app_context():
        wh = db.session.scalars(sa.select(Warehouse)).first()
        variants = {v.sku: v for v in db.session.scalars(sa.select(ProductVariant))}
        o = seed.order(db.session, wh, variants, {"AO-M": 1}, buyer_email="b@example.vn")
        orders.confirm_order(db.session, o.id)
        orders.pack_order(db.session, o.id)
        return [o.id]


def test_rest_ship_and_cancel_before_pickup(live):
    app, url = live
    [order_id] = _orders(app)
    client = app.test_client()
    clerk, sup = api_token(client, "clerk"), api_token(client, "supervisor")
    bad = client.post(f"/api/v1/order/{order_id}/ship", json={"carrier": "ups"}, headers=clerk)
    assert bad.status_code == 422 and "carrier" in bad.json["message"]
    resp = client.post(f"/api/v1/order/{order_id}/ship",
                       json={"carrier": "viettelpost", "service": "fast", "weight_g": 1200},
                       headers=clerk)
    assert resp.status_code == 202 and resp.json["job_id"]
    assert _wait_for(app, resp.json["job_id"]).status == JobStatus.FINISHED
    shipment = _shipment(app, order_id)
    assert shipment.weight_g == 1200 and shipment.carrier_service_code is None
    again = client.post(f"/api/v1/order/{order_id}/ship", json={}, headers=clerk)
    assert again.status_code == 409 and "shipped" in again.json["message"]
    assert client.post(f"/api/v1/shipment/{shipment.id}/cancel", json={},
                       headers=clerk).status_code == 403
    resp = client.post(f"/api/v1/shipment/{shipment.id}/cancel", json={"reason": "Khách đổi ý"},
                       headers=sup)
    assert resp.status_code == 202
    job = _wait_for(app, resp.json["job_id"])
    assert job.status == JobStatus.FINISHED, job.error
    assert _shipment(app, order_id).status == ShipmentStatus.CANCELLED
    assert _order(app, order_id).status == OrderStatus.PACKED
    assert sandbox_orders(url, "viettelpost", shipment.client_reference)[0]["status"] == 107
    refused = client.post(f"/api/v1/shipment/{shipment.id}/cancel", json={}, headers=sup)
    assert refused.status_code == 409 and "cancelled" in refused.json["message"]
    with app.app_context():
        assert verify_stock(db.session) == []


def test_supervisor_bulk_ships_prints_and_reconciles_cod(live):
    app, url = live
    ids = _orders(app, 3, shipping_fee=20000)
    client = app.test_client()
    login(client, "supervisor")
    resp = client.post("/orderview/action_post", data={"action": "bulk_ship", "rowid": ids})
    assert resp.status_code == 302 and "/orderview/bulk_ship/" in resp.headers["Location"]
    page = client.get(resp.headers["Location"] + "&carrier=ghn&service=fast&fee_payer=buyer")
    html = page.get_data(as_text=True)
    cod_each = int(_order(app, ids[0]).total) - 20000  # the buyer pays the carrier: no fee in COD
    assert page.status_code == 200 and f"{cod_each:,}" in html
    assert html.count('class="fee">') == 3 and "₫</td>" in html  # each order's quoted fee
    assert '<option value="allow_try" >Buyer may try the goods on' in html
    job_id = _job_from_redirect(client.post("/orderview/bulk_ship/", data={
        "ids": ",".join(map(str, ids)), "carrier": "ghn", "service": "fast",
        "fee_payer": "seller", "required_note": "allow_try"}))
    job = _wait_for(app, job_id)
    assert job.status == JobStatus.FINISHED and job.result["booked"] == 3
    booked = [_shipment(app, i) for i in ids]
    assert {(b.carrier.value, b.service.value, b.fee_payer.value, b.required_note)
            for b in booked} == {("ghn", "fast", "seller", "allow_try")}
    assert (job.progress_done, job.progress_total) == (3, 3)
    pdf = client.post("/orderview/action_post", data={"action": "bulk_print_labels", "rowid": ids})
    assert pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data)
    shipments = [_shipment(app, i) for i in ids]
    assert all(s.tracking_number in text for s in shipments) and "AO-M" in text
    for s in shipments[:2]:
        for _ in range(7):
            advance(url, "ghn", s.tracking_number)
    for i in ids[:2]:
        _wait_status(app, i, OrderStatus.DELIVERED)
    resp = client.post("/shipmentview/action_post", data={"action": "bulk_reconcile_cod",
                                                           "rowid": [s.id for s in shipments[:2]]})
    assert resp.status_code == 302 and "/enter/" in resp.headers["Location"]
    rec_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    page = client.get(f"/codreconciliationview/enter/{rec_id}").get_data(as_text=True)
    assert shipments[0].tracking_number in page
    with app.app_context():
        from app.models import CodReconciliation
        lines = db.session.get(CodReconciliation, rec_id).lines
        form = {f"received_{line.id}": str(int(line.expected_cod) - 30000) for line in lines}
        form.update({f"fee_{line.id}": "25000" for line in lines})
    form["confirm"] = "1"
    resp = client.post(f"/codreconciliationview/enter/{rec_id}", data=form)
    assert resp.status_code == 302
    for i in ids[:2]:
        order = _order(app, i)
        assert order.status == OrderStatus.COMPLETED and order.payment_status == PaymentStatus.PAID
    with app.app_context():
        from app.models import CodReconciliation
        rec = db.session.get(CodReconciliation, rec_id)
        assert rec.status.value == "confirmed" and int(rec.difference) == -10000
        assert verify_stock(db.session) == []
    clerk = app.test_client()
    login(clerk, "clerk")
    resp = clerk.post("/orderview/action_post", data={"action": "bulk_ship", "rowid": ids})
    assert resp.status_code == 302 and "/jobview/" not in resp.headers["Location"]
    resp = clerk.post("/orderview/bulk_ship/", data={"ids": ",".join(map(str, ids))})
    assert resp.status_code in (302, 403) and "/jobview/" not in resp.headers.get("Location", "")


def test_ghn_polling_catches_up_without_callbacks(live):
    app, url = live
    [order_id] = _orders(app)
    client = app.test_client()
    sup = api_token(client, "supervisor")
    resp = client.post(f"/api/v1/order/{order_id}/ship", json={"carrier": "ghn"}, headers=sup)
    assert _wait_for(app, resp.json["job_id"]).status == JobStatus.FINISHED
    shipment = _shipment(app, order_id)
    httpx.post(f"{url}/sandbox/ghn/_control/webhook", json={"url": None})
    for _ in range(7):
        advance(url, "ghn", shipment.tracking_number)
    assert _order(app, order_id).status == OrderStatus.SHIPPED  # no callback arrived
    with app.app_context():
        from app.services.jobs import start_job
        from jobs.queue import enqueue_after_commit
        job = start_job(db.session, "shipping.poll_tracking", "Poll GHN tracking",
                        enqueue=enqueue_after_commit)
        db.session.commit()
        job_id = job.id
    job = _wait_for(app, job_id)
    assert job.status == JobStatus.FINISHED and job.result["polled"] == 1
    assert _order(app, order_id).status == OrderStatus.DELIVERED
    with app.app_context():
        # booking (ready_to_pick) + the 7 statuses GHN logged after it
        assert len(db.session.get(Shipment, shipment.id).events) == 8


def test_the_quote_follows_the_parcel_as_the_clerk_edits_it(live):
    app, url = live
    [order_id] = _orders(app)
    client = app.test_client()
    login(client, "clerk")
    base = f"/orderview/ship_quote/{order_id}?length_cm=30&width_cm=20&height_cm=10"
    light = client.get(base + "&weight_g=500").json
    heavy = client.get(base + "&weight_g=9000").json
    for carrier in ("ghn", "viettelpost"):
        assert heavy[carrier]["economy"]["fee"] > light[carrier]["economy"]["fee"] > 0
    refused = client.get(base + "&weight_g=abc")
    assert refused.status_code == 422 and "weight_g" in refused.json["errors"]
    # The form's posted fee is never taken: the server quotes the parcel as posted.
    total = int(_order(app, order_id).total)
    resp = client.post(f"/orderview/ship/{order_id}", data={
        "carrier": "viettelpost", "service": "economy", "cod_amount": str(total),
        "fee_payer": "seller", "required_note": "allow_view", "weight_g": "9000",
        "length_cm": "30", "width_cm": "20", "height_cm": "10", "fee_viettelpost_economy": "1"})
    assert _wait_for(app, _job_from_redirect(resp)).status == JobStatus.FINISHED
    assert _shipment(app, order_id).fee_quoted == heavy["viettelpost"]["economy"]["fee"]
