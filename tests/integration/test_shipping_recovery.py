"""When things go wrong around a booking: the worker killed while the carrier has the parcel, the
job delivered twice, an order cancelled with a parcel at the carrier, an undo the carrier refused,
a carrier cancel after pickup, a label the carrier could not give. Whole app on loopback HTTP."""
from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.cli_stock import verify_stock
from app.extensions import db
from app.integrations.carriers.common import ShipmentStatus as CS
from app.integrations.carriers.common import TrackingUpdate
from app.models import Job, JobStatus, Order, OrderStatus, Shipment, ShipmentStatus
from app.services import orders, shipment_cancel, shipment_labels, shipments, tracking
from app.services.carrier_clients import ClientPool, client_for
from app.services.jobs import start_job
from tests.conftest import api_token
from tests.integration.test_jobs import _wait_for
from tests.integration.test_shipping_web import _order, _orders, _shipment, live  # noqa: F401
from tests.support.shipping import sandbox_orders

CARRIERS = ("ghn", "viettelpost")
CREATE_PATH = {"ghn": "/v2/shipping-order/create", "viettelpost": "/v2/order/createOrder"}
ROOT = Path(__file__).resolve().parents[2]


def _ship_job(app, order_id, carrier) -> int:
    """A create-shipment job for one order with the chosen carrier, not enqueued: the test runs it."""
    with app.app_context():
        order = db.session.get(Order, order_id)
        shipments.prepare_shipment(db.session, order_id,
                                   shipments.default_form(db.session, order, carrier))
        job = start_job(db.session, "shipping.create_shipments", "Create shipment",
                        target_type="order", target_ids=[order_id], queue="bulk")
        db.session.commit()
        return job.id


def _worker(app, job_id) -> subprocess.Popen:
    """Run the job in a separate OS process against the same database, as a worker would."""
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "CREDENTIALS_KEY": app.config["CREDENTIALS_KEY"], "SECRET_KEY": app.config["SECRET_KEY"],
           "ORDERHUB_INSTANCE": os.environ.get("ORDERHUB_INSTANCE", ""), "REDIS_URL": "",
           "FAB_UPDATE_PERMS": "false", "FAB_CREATE_DB": "false", "SANDBOX_ENABLED": "false",
           "MAIL_OUTBOX": app.config["MAIL_OUTBOX"]}
    code = ("import sys; from app import create_app; from jobs import runner; "
            "app = create_app(EMBEDDED_WORKER=False); runner.bind_app(app); "
            "runner.run(int(sys.argv[1]))")
    return subprocess.Popen([sys.executable, "-c", code, str(job_id)], cwd=ROOT, env=env)


def _wait_until(predicate, timeout=30.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("carrier", CARRIERS)
def test_worker_killed_after_the_carrier_booked_then_rerun_makes_one_carrier_order(live, carrier):
    app, url = live
    [order_id] = _orders(app)
    job_id = _ship_job(app, order_id, carrier)
    reference = _shipment(app, order_id).client_reference
    # The carrier books the parcel, then its answer hangs: the worker is killed while it waits.
    httpx.post(f"{url}/sandbox/{carrier}/_control/faults",
               json={"mode": "timeout", "after": True, "delay": 30, "path": CREATE_PATH[carrier]})
    worker = _worker(app, job_id)
    try:
        _wait_until(lambda: sandbox_orders(url, carrier, reference), what="the carrier order")
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    assert worker.returncode == -signal.SIGKILL
    [at_carrier] = sandbox_orders(url, carrier, reference)
    draft = _shipment(app, order_id)
    assert draft.status == ShipmentStatus.DRAFT and draft.tracking_number is None
    assert draft.carrier_status == shipments.SENDING  # "this key may be at the carrier"
    assert _order(app, order_id).status == OrderStatus.PACKED
    # Another worker runs the job again (it was left 'started'): same key, the same one parcel.
    rerun = _worker(app, job_id)
    assert rerun.wait(timeout=60) == 0
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.FINISHED, job.error
    assert len(sandbox_orders(url, carrier, reference)) == 1
    shipment = _shipment(app, order_id)
    assert shipment.status == ShipmentStatus.CREATED
    tracking_key = "order_code" if carrier == "ghn" else "tracking_number"
    assert shipment.tracking_number == at_carrier[tracking_key]
    assert _order(app, order_id).status == OrderStatus.SHIPPED
    with app.app_context():
        assert verify_stock(db.session) == []


@pytest.mark.parametrize("carrier", CARRIERS)
def test_the_create_shipment_job_run_twice_books_once(live, carrier):
    app, url = live
    [order_id] = _orders(app)
    job_id = _ship_job(app, order_id, carrier)
    from jobs import runner
    runner.run(job_id)
    with app.app_context():  # delivered again, as if the worker died before marking it finished
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.FINISHED and job.result["booked"] == 1
        job.status = JobStatus.STARTED
        db.session.commit()
    runner.run(job_id)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.FINISHED, job.error
        assert job.result["booked"] == 0 and job.result["already_booked"] == 1
        assert verify_stock(db.session) == []
    shipment = _shipment(app, order_id)
    assert len(sandbox_orders(url, carrier, shipment.client_reference)) == 1
    assert _order(app, order_id).status == OrderStatus.SHIPPED


@pytest.mark.parametrize("carrier", CARRIERS)
def test_booking_keeps_the_carriers_label_and_sort_code(live, carrier):
    app, url = live
    [order_id] = _orders(app)
    fault_path = "/a5/gen-token" if carrier == "ghn" else "/printing-code"
    httpx.post(f"{url}/sandbox/{carrier}/_control/faults", json={"mode": "5xx", "path": fault_path})
    job_id = _ship_job(app, order_id, carrier)
    from jobs import runner
    runner.run(job_id)
    with app.app_context():
        shipment = db.session.scalars(sa.select(Shipment).where(Shipment.order_id == order_id)).one()
        assert shipment.status == ShipmentStatus.CREATED  # booked although the label failed
        assert shipment.carrier_label is None and shipment.sort_code
        retry = start_job(db.session, "shipping.create_shipments", "Create shipment",
                          target_type="order", target_ids=[order_id])
        db.session.commit()
        retry_id = retry.id
    runner.run(retry_id)  # a rerun fetches the label that is missing
    client = app.test_client()
    from tests.conftest import login
    login(client, "clerk")
    shipment = _shipment(app, order_id)
    page = client.get(f"/shipmentview/carrier_label/{shipment.id}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert shipment.tracking_number in text and ("GHN" in text or "Viettel Post" in text)
    ours = client.get(f"/shipmentview/label/{shipment.id}")
    assert ours.mimetype == "application/pdf"
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(ours.data)).pages)
    assert shipment.sort_code in pdf_text and shipment.tracking_number in pdf_text
    show = client.get(f"/orderview/show/{order_id}").get_data(as_text=True)
    assert f"/shipmentview/carrier_label/{shipment.id}" in show
    assert len(sandbox_orders(url, carrier, shipment.client_reference)) == 1


@pytest.mark.parametrize("carrier", CARRIERS)
def test_cancelling_an_order_whose_draft_is_at_the_carrier_cancels_it_there(live, carrier):
    app, url = live
    [order_id] = _orders(app)
    with app.app_context():
        order = db.session.get(Order, order_id)
        draft = shipments.prepare_shipment(db.session, order_id,
                                           shipments.default_form(db.session, order, carrier))
        draft.carrier_status = shipments.SENDING  # what booking writes before its call …
        db.session.commit()
        [loaded] = shipments.load_for_booking(db.session, [draft.id])
        with ClientPool(db.session) as pool:
            outcome = shipments.call_carrier(loaded, pool.get(loaded.provider_account))
        db.session.rollback()  # … and the worker died before recording the answer
        reference, tracking_number = draft.client_reference, outcome.created.tracking_number
    sup = api_token(app.test_client(), "supervisor")
    resp = app.test_client().post(f"/api/v1/order/{order_id}/cancel",
                                  json={"reason": "Khách đổi ý"}, headers=sup)
    assert resp.status_code == 200, resp.json
    assert _order(app, order_id).status == OrderStatus.CANCELLED
    with app.app_context():
        [job] = db.session.scalars(sa.select(Job).where(Job.kind == "shipping.cancel_shipment")).all()
        job_id = job.id
    job = _wait_for(app, job_id)
    assert job.status == JobStatus.FINISHED, job.error
    [row] = sandbox_orders(url, carrier, reference)
    assert row["status"] in ("cancel", 107)
    shipment = _shipment(app, order_id)
    assert shipment.status == ShipmentStatus.CANCELLED and shipment.tracking_number == tracking_number
    with app.app_context():
        assert verify_stock(db.session) == []


def test_cancelling_an_order_with_a_draft_never_sent_calls_no_carrier(live):
    app, url = live
    [order_id] = _orders(app)
    with app.app_context():
        order = db.session.get(Order, order_id)
        shipments.prepare_shipment(db.session, order_id,
                                   shipments.default_form(db.session, order, "ghn"))
        orders.cancel_order(db.session, order_id, reason="Khách đổi ý")
        assert db.session.scalars(sa.select(Job).where(Job.kind == "shipping.cancel_shipment")).all() == []
    assert _shipment(app, order_id).status == ShipmentStatus.CANCELLED
    assert httpx.get(f"{url}/sandbox/ghn/_control/shipments").json() == []


@pytest.mark.parametrize("carrier", CARRIERS)
def test_an_undo_the_carrier_refused_leaves_a_draft_naming_its_parcel(live, carrier):
    app, url = live
    [order_id] = _orders(app)
    with app.app_context():
        session = db.session
        order = session.get(Order, order_id)
        draft = shipments.prepare_shipment(session, order_id,
                                           shipments.default_form(session, order, carrier))
        [loaded] = shipments.load_for_booking(session, [draft.id])
        pool = ClientPool(session)
        outcome = shipments.call_carrier(loaded, pool.get(loaded.provider_account))
        cancel_path = "/switch-status/cancel" if carrier == "ghn" else "/UpdateOrder"
        httpx.post(f"{url}/sandbox/{carrier}/_control/faults", json={"mode": "5xx", "path": cancel_path})
        shipments._undo_at_carrier(session, loaded, outcome.created, pool, "order changed")
        session.commit()
        shipment = session.get(Shipment, draft.id)
        order = session.get(Order, order_id)
        # Consistent: the order did not ship, so neither did the shipment; it names the parcel.
        assert order.status == OrderStatus.PACKED and "cancelling it with the carrier failed" in \
            order.needs_attention
        assert shipment.status == ShipmentStatus.DRAFT
        assert shipment.tracking_number == outcome.created.tracking_number
        with pytest.raises(Exception):
            shipment_labels.label_pdf(session, shipment.id)  # no label for a parcel not shipped
        shipment_cancel.cancel_shipment(session, shipment.id, pool.get(loaded.provider_account))
        pool.close()
        assert session.get(Shipment, draft.id).status == ShipmentStatus.CANCELLED
        assert session.get(Order, order_id).status == OrderStatus.PACKED
        assert verify_stock(session) == []
    [row] = sandbox_orders(url, carrier, draft.client_reference)
    assert row["status"] in ("cancel", 107)


def _shipped_with_viettelpost(app) -> tuple[int, int]:
    """(order id, shipment id) of an order the booking job shipped with Viettel Post."""
    from jobs import runner
    [order_id] = _orders(app)
    runner.run(_ship_job(app, order_id, "viettelpost"))
    return order_id, _shipment(app, order_id).id


def _carrier_says(session, shipment: Shipment, raw: str, status: CS, when: dt.datetime) -> None:
    tracking.apply_update(session, shipment.id, TrackingUpdate(
        tracking_number=shipment.tracking_number, client_reference=shipment.client_reference,
        raw_status=raw, status=status, event_time=when))


def test_carrier_cancel_after_pickup_does_not_put_the_goods_back_on_the_shelf(live):
    app, url = live
    order_id, shipment_id = _shipped_with_viettelpost(app)
    with app.app_context():
        session = db.session
        shipment = session.get(Shipment, shipment_id)
        base = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.timezone.utc)
        for minutes, (status, raw) in enumerate([(CS.PICKED_UP, "105"), (CS.IN_TRANSIT, "200"),
                                                 (CS.CANCELLED, "503")]):
            _carrier_says(session, shipment, raw, status, base + dt.timedelta(minutes=minutes + 1))
        session.expire_all()
        order = session.get(Order, order_id)
        shipment = session.get(Shipment, shipment.id)
        # The courier has the goods: nothing restocked, the order waits for them as a return.
        assert shipment.status == ShipmentStatus.RETURNING and shipment.carrier_status == "503"
        assert order.status == OrderStatus.DELIVERY_FAILED
        assert "still with the carrier" in order.needs_attention
        assert all(line.shipped_quantity == line.quantity for line in order.lines)
        assert verify_stock(session) == []
        tracking.receive_returned_parcel(session, shipment.id, {})
        assert session.get(Order, order_id).status == OrderStatus.RETURNED
        assert verify_stock(session) == []


def test_the_carriers_own_cancelled_callback_after_ours_leaves_the_parcel_cancelled(live):
    """Our cancel is recorded first; the carrier's callback for it arrives a second later.

    The parcel never left the shelf, so the late "cancelled" is the same news, not a cancel after
    pickup (which would make it a return)."""
    app, url = live
    order_id, shipment_id = _shipped_with_viettelpost(app)
    with app.app_context():
        session = db.session
        shipment = session.get(Shipment, shipment_id)
        base = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.timezone.utc)
        shipment_cancel.apply_cancelled(session, shipment, source="cancel",
                                        event_time=base.replace(tzinfo=None))
        session.commit()
        _carrier_says(session, shipment, "107", CS.CANCELLED, base + dt.timedelta(seconds=1))
        session.commit()
        session.expire_all()
        shipment = session.get(Shipment, shipment.id)
        order = session.get(Order, order_id)
        assert shipment.status == ShipmentStatus.CANCELLED, shipment.status
        assert order.status == OrderStatus.PACKED and not order.needs_attention
        assert verify_stock(session) == []


@pytest.mark.parametrize("carrier", CARRIERS)
def test_seller_asks_for_redelivery_then_a_return_after_failed_attempts(live, carrier):
    from tests.support.shipping import advance
    app, url = live
    [order_id] = _orders(app)
    from jobs import runner
    runner.run(_ship_job(app, order_id, carrier))
    shipment = _shipment(app, order_id)
    path = (["picked", "storing", "delivering", "delivery_fail"] if carrier == "ghn"
            else [105, 200, 500, 506])
    for status in path:
        advance(url, carrier, shipment.tracking_number, status)
    assert _shipment(app, order_id).status == ShipmentStatus.DELIVERY_FAILED
    client = app.test_client()
    from tests.conftest import login
    login(client, "clerk")
    resp = client.post("/shipmentview/action_post", data={"action": "redeliver", "rowid": shipment.id})
    assert "/jobview/show/" in resp.headers["Location"]
    job = _wait_for(app, int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1]))
    assert job.status == JobStatus.FINISHED, job.error
    _wait_until(lambda: _order(app, order_id).status == OrderStatus.SHIPPED, 30, "re-delivery")
    again = ["delivering", "delivery_fail"] if carrier == "ghn" else [500, 506]
    for status in again:
        advance(url, carrier, shipment.tracking_number, status)
    # The carrier's callbacks arrive on their own thread: the button is offered once they have.
    _wait_until(lambda: _shipment(app, order_id).status == ShipmentStatus.DELIVERY_FAILED, 30,
                "the second failed attempt")
    resp = client.post("/shipmentview/action_post",
                       data={"action": "return_to_sender", "rowid": shipment.id})
    assert "/jobview/show/" in resp.headers["Location"]
    job = _wait_for(app, int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1]))
    assert job.status == JobStatus.FINISHED, job.error
    _wait_until(lambda: _shipment(app, order_id).status == ShipmentStatus.RETURNING, 30, "return")
    with app.app_context():
        sources = [e.source for e in db.session.get(Shipment, shipment.id).events]
        assert sources.count("seller") == 2
