"""What a person sees of an invoice issued under a number already recorded: the issuing job (run from
the REST action, on the embedded worker, against the app's own S-Invoice sandbox) finishes with the
invoice recorded and a warning; the invoice page and the order say so; the dashboard lists it with
the failed jobs until a supervisor marks it checked."""
from __future__ import annotations

import httpx

from app.extensions import db
from app.models import Invoice, JobStatus, Order
from tests.conftest import api_token, login
from tests.integration.test_invoice_actions import live  # noqa: F401
from tests.integration.test_jobs import _wait_for
from tests.support import panel
from tests.support.einvoice import business_order


def _issue(app, headers) -> tuple[int, object]:
    client = app.test_client()
    with app.app_context():
        order_id = business_order(db.session).id
    answer = client.post(f"/api/v1/order/{order_id}/invoice", json={}, headers=headers)
    assert answer.status_code == 202, answer.json
    return order_id, _wait_for(app, answer.json["job_id"])


def test_the_clash_is_recorded_shown_and_checked(live):
    app, url = live
    clerk = api_token(app.test_client(), "clerk")
    first_order, job = _issue(app, clerk)
    assert job.status == JobStatus.FINISHED, job.error
    httpx.post(f"{url}/sandbox/sinvoice/_control/reset", json={"state": True}).raise_for_status()
    order_id, job = _issue(app, clerk)
    assert job.status == JobStatus.FINISHED, job.error
    assert job.result["issued"] == 1 and job.result["to check"] == 1
    assert any(m["level"] == "warning" and "flagged for a person" in m["text"] for m in job.messages)
    with app.app_context():
        invoice = db.session.query(Invoice).filter_by(order_id=order_id).one()
        first = db.session.query(Invoice).filter_by(order_id=first_order).one()
        assert invoice.number == first.number == 1 and invoice.number_clash_of_id == first.id
        assert "already records" in db.session.get(Order, order_id).needs_attention
        invoice_id, label = invoice.id, invoice.display_number

    supervisor = app.test_client()
    login(supervisor, "supervisor")
    board = panel.text(supervisor.get("/"))
    assert f"Invoice {label}" in board and f"/invoiceview/show/{invoice_id}" in board
    page = panel.text(supervisor.get(f"/invoiceview/show/{invoice_id}"))
    assert "issued under a number OrderHub already records for seller 0318123451" in page
    assert "Mark as checked" in page
    order_page = panel.text(supervisor.get(f"/orderview/show/{order_id}"))
    assert "already records for seller 0318123451" in order_page

    clerk_client = app.test_client()
    login(clerk_client, "clerk")
    assert "Mark as checked" not in panel.text(clerk_client.get(f"/invoiceview/show/{invoice_id}"))
    refused = clerk_client.post(f"/invoiceview/number-checked/{invoice_id}")
    assert refused.status_code in (302, 403)
    with app.app_context():
        assert db.session.get(Invoice, invoice_id).clash_checked_at is None

    done = supervisor.post(f"/invoiceview/number-checked/{invoice_id}", follow_redirects=True)
    assert "is marked as checked" in panel.text(done)
    assert f"/invoiceview/show/{invoice_id}" not in panel.text(supervisor.get("/"))
    with app.app_context():
        assert db.session.get(Invoice, invoice_id).clash_checked_at is not None


def test_the_vietnamese_pages_say_it_in_vietnamese(live):
    app, url = live
    clerk = api_token(app.test_client(), "clerk")
    _issue(app, clerk)
    httpx.post(f"{url}/sandbox/sinvoice/_control/reset", json={"state": True}).raise_for_status()
    order_id, job = _issue(app, clerk)
    with app.app_context():
        invoice_id = db.session.query(Invoice.id).filter(Invoice.number_clash_of_id.is_not(None)).scalar()
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    supervisor.get("/lang/vi")
    page = panel.text(supervisor.get(f"/invoiceview/show/{invoice_id}"))
    assert "đã được phát hành với một số mà OrderHub đã ghi nhận" in page and "Đánh dấu đã kiểm tra" in page
    assert "Mark as checked" not in page
    order_page = panel.text(supervisor.get(f"/orderview/show/{order_id}"))
    assert "đã phát hành hóa đơn 1C" in order_page and "OrderHub đã ghi nhận cho người bán 0318123451" in order_page
    assert "already records" not in order_page
