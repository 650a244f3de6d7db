"""The demo, as a newcomer gets it: a clerk previews and issues a VAT invoice for a demo business order
through either provider from the order page, downloads its PDF, and after a return a supervisor
adjusts (or replaces) it — all against the demo's own sandboxes over loopback HTTP."""
from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import Customer, Invoice, InvoiceStatus, JobStatus, Order, OrderStatus, ProviderAccount
from app.services import returns
from tests.conftest import DEMO_PASSWORD, login
from tests.integration.test_invoice_actions import _last_job
from tests.support.live_server import serve


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _form_of(page: str) -> dict:
    """The invoice form's fields as the browser would post them (inputs and selected options)."""
    import re
    data = {}
    for name, value in re.findall(r'<input class="form-control[^"]*" (?:type="date" )?name="([^"]+)" value="([^"]*)"', page):
        data[name] = value
    for name, body in re.findall(r'<select class="form-control[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option(?: value="([^"]*)")? selected>([^<]*)', body)
        if chosen:
            data[name] = chosen.group(1) if chosen.group(1) is not None else chosen.group(2)
    import html
    return {k: html.unescape(v) for k, v in data.items()}


def test_demo_business_orders_are_invoiced_through_either_provider_and_corrected_after_a_return(web_app):
    from app.demo import load_demo
    with serve(web_app) as url:
        web_app.config["PUBLIC_BASE_URL"] = url          # where `make run` would serve the sandboxes
        with web_app.app_context():
            load_demo(web_app, password=DEMO_PASSWORD)
            accounts = {a.provider: a.id for a in db.session.scalars(sa.select(ProviderAccount))
                        if a.kind.value == "einvoice"}
            orders = db.session.scalars(sa.select(Order).join(Customer).where(
                Customer.tax_code.is_not(None), Order.status.in_((OrderStatus.COMPLETED, OrderStatus.DELIVERED)),
                ~sa.exists().where(Invoice.order_id == Order.id)).order_by(Order.id)).all()[:2]
            assert len(orders) == 2 and set(accounts) == {"sinvoice", "misa"}
            order_ids = [o.id for o in orders]
        clerk = web_app.test_client()
        login(clerk, "clerk")
        for order_id, provider in zip(order_ids, ("sinvoice", "misa")):
            page = clerk.get(f"/orderview/invoice/{order_id}").get_data(as_text=True)
            form = _form_of(page)
            form["provider_account_id"] = str(accounts[provider])
            assert form["buyer.tax_code"] and form["buyer.legal_name"] and form["lines[0].name"]
            preview = clerk.post(f"/orderview/invoice_preview/{order_id}", data=form)
            assert preview.mimetype == "application/pdf", preview.get_data(as_text=True)[-2000:]
            assert "chưa cấp số" in _text(preview.data) and form["buyer.legal_name"] in _text(preview.data)
            assert clerk.post(f"/orderview/invoice/{order_id}", data=form).status_code == 302
            assert _last_job(web_app).status == JobStatus.FINISHED
            with web_app.app_context():
                invoice = db.session.scalar(sa.select(Invoice).where(Invoice.order_id == order_id))
                assert invoice.status == InvoiceStatus.ISSUED and invoice.provider.value == provider
                invoice_id = invoice.id
            pdf = clerk.get(f"/invoiceview/pdf/{invoice_id}")
            assert pdf.status_code == 200 and f"{invoice.number}" in _text(pdf.data)
        # A return of part of the first order; the supervisor corrects its invoice from the return page.
        with web_app.app_context():
            order = db.session.get(Order, order_ids[0])
            line = order.lines[0]
            ret_id = returns.create_return(db.session, order.id, [(line.id, 1, "good")], reason="Hàng lỗi").id
        sup = web_app.test_client()
        login(sup, "supervisor")
        go = sup.get(sup.post(f"/returnrequestview/action/adjust_invoice/{ret_id}").headers["Location"])
        page = sup.get(go.headers["Location"]).get_data(as_text=True)
        form = _form_of(page)
        form.update({"agreement_reference": "BB-DEMO-01", "return_id": str(ret_id)})
        assert sup.post(go.headers["Location"].split("?")[0], data=form).status_code == 302
        assert _last_job(web_app).status == JobStatus.FINISHED
        with web_app.app_context():
            original, adjustment = db.session.scalars(sa.select(Invoice).where(
                Invoice.order_id == order_ids[0]).order_by(Invoice.id)).all()
            assert original.status == InvoiceStatus.ADJUSTED and adjustment.total < 0
            assert adjustment.status == InvoiceStatus.ISSUED
