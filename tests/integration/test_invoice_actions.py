"""E-invoices in the panel and on the REST API: the whole app served on loopback, its own sandboxes as
the providers, jobs on the embedded worker. Issued invoices stay read-only everywhere."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import Invoice, InvoiceStatus, Job, JobStatus
from app.services import returns
from app.services.invoicing import prefill_from_order, today_vn
from tests.conftest import api_token, login
from tests.integration.test_jobs import _wait_for
from tests.support.einvoice import SERIES, account, business_order, provider_invoices
from tests.support.live_server import serve


@pytest.fixture
def live(web_app):
    with serve(web_app) as url:
        with web_app.app_context():
            account(db.session, "sinvoice", url)
        yield web_app, url


def _order(app, **kw) -> int:
    with app.app_context():
        return business_order(db.session, **kw).id


def _flat_form(app, order_id, **changes) -> dict:
    with app.app_context():
        form = prefill_from_order(db.session, order_id).as_dict()
    data = {k: form[k] for k in ("provider_account_id", "template", "series", "payment_method", "note")}
    data.update({f"buyer.{k}": v for k, v in form["buyer"].items()})
    for i, line in enumerate(form["lines"]):
        data.update({f"lines[{i}].{k}": v for k, v in line.items()})
    data.update(changes)
    return data


def _last_job(app) -> Job:
    with app.app_context():
        job_id = db.session.scalar(sa.select(sa.func.max(Job.id)))
    return _wait_for(app, job_id)


def _invoices(app, **where) -> list[Invoice]:
    with app.app_context():
        db.session.expire_all()
        return list(db.session.scalars(sa.select(Invoice).filter_by(**where).order_by(Invoice.id)))


def _pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_clerk_previews_and_issues_then_supervisor_replaces(live, tmp_path):
    app, url = live
    order_id = _order(app)
    clerk = app.test_client()
    login(clerk, "clerk")
    page = clerk.get(f"/orderview/invoice/{order_id}").get_data(as_text=True)
    assert "0101248141" in page and "Công ty Cổ phần FPT" in page and "Preview PDF" in page and SERIES in page
    preview = clerk.post(f"/orderview/invoice_preview/{order_id}", data=_flat_form(app, order_id))
    assert preview.mimetype == "application/pdf" and "chưa cấp số" in _pdf_text(preview.data)
    bad = clerk.post(f"/orderview/invoice/{order_id}",
                     data=_flat_form(app, order_id, **{"buyer.tax_code": "0101248142", "lines[0].vat_rate": ""}))
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "buyer.tax_code" in text and "check digit" in text and "lines[0].vat_rate" in text
    assert _invoices(app) == []
    assert clerk.post(f"/orderview/invoice/{order_id}", data=_flat_form(app, order_id)).status_code == 302
    assert _last_job(app).status == JobStatus.FINISHED
    [invoice] = _invoices(app)
    assert invoice.status == InvoiceStatus.ISSUED and invoice.number == 1 and invoice.emailed_at
    pdf = clerk.get(f"/invoiceview/pdf/{invoice.id}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and "attachment" in pdf.headers["Content-Disposition"]
    assert "Viettel S-Invoice" in _pdf_text(pdf.data)  # the provider's signed copy
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    # read-only: no edit or delete page, clerk cannot correct
    assert clerk.get(f"/invoiceview/edit/{invoice.id}").status_code in (302, 403, 404)
    assert clerk.post(f"/invoiceview/delete/{invoice.id}").status_code in (302, 403, 404, 405)
    assert clerk.get(f"/invoiceview/replace/{invoice.id}").status_code == 403
    assert _invoices(app)[0].total == invoice.total
    sup = app.test_client()
    login(sup, "supervisor")
    form = sup.get(f"/invoiceview/replace/{invoice.id}").get_data(as_text=True)
    assert "Replacement invoice" in form and "agreement_reference" in form
    data = _flat_form(app, order_id, **{"lines[0].unit_price": "140000", "reason": "Sai đơn giá",
                                        "agreement_reference": "BB-01/2026",
                                        "agreement_date": today_vn().isoformat()})
    assert sup.post(f"/invoiceview/replace/{invoice.id}", data=data).status_code == 302
    assert _last_job(app).status == JobStatus.FINISHED
    original, replacement = _invoices(app)
    assert original.status == InvoiceStatus.REPLACED and replacement.status == InvoiceStatus.ISSUED
    assert replacement.display_number in sup.get(f"/invoiceview/show/{original.id}").get_data(as_text=True)
    again = sup.post(f"/invoiceview/replace/{original.id}", data=data, follow_redirects=True)
    assert "already replaced by" in again.get_data(as_text=True)
    assert len(provider_invoices(url, "sinvoice")) == 2


def test_rest_issue_adjust_and_read_only(live):
    app, url = live
    order_id = _order(app)
    client = app.test_client()
    clerk, sup = api_token(client, "clerk"), api_token(client, "supervisor")
    bad = client.post(f"/api/v1/order/{order_id}/invoice", json={"buyer": {"tax_code": "12345"}}, headers=clerk)
    assert bad.status_code == 422 and "buyer.tax_code" in bad.json["errors"]
    resp = client.post(f"/api/v1/order/{order_id}/invoice", json={"payment_method": "CK"}, headers=clerk)
    assert resp.status_code == 202 and resp.json["job_id"]
    assert _wait_for(app, resp.json["job_id"]).status == JobStatus.FINISHED
    invoice_id = resp.json["invoice_id"]
    twice = client.post(f"/api/v1/order/{order_id}/invoice", json={}, headers=clerk)
    assert twice.status_code == 409 and "already has invoice" in twice.json["message"]
    pdf = client.get(f"/api/v1/invoice/{invoice_id}/pdf", headers=clerk)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/api/v1/invoice/{invoice_id}", headers=clerk).json["result"]["payment_method"] == "CK"
    for verb in ("put", "delete"):
        assert getattr(client, verb)(f"/api/v1/invoice/{invoice_id}", json={"total": 1},
                                     headers=sup).status_code in (404, 405)
    body = {"reason": "Hàng lỗi, giảm giá", "agreement_reference": "BB-02/2026", "direction": "decrease",
            "lines": [{"sku": "NM-1", "name": "Nước mắm Phú Quốc", "unit": "Chai", "quantity": "1",
                       "unit_price": "45500", "discount": "0", "vat_rate": "10"}]}
    assert client.post(f"/api/v1/invoice/{invoice_id}/adjust", json=body, headers=clerk).status_code == 403
    resp = client.post(f"/api/v1/invoice/{invoice_id}/adjust", json=body, headers=sup)
    assert resp.status_code == 202
    assert _wait_for(app, resp.json["job_id"]).status == JobStatus.FINISHED
    original, adjustment = _invoices(app)
    assert original.status == InvoiceStatus.ADJUSTED and int(adjustment.total) == -50050
    refused = client.post(f"/api/v1/invoice/{invoice_id}/replace", json=body, headers=sup)
    assert refused.status_code == 409 and "only by adjustment" in refused.json["message"]
    missing = client.post(f"/api/v1/invoice/{invoice_id}/adjust", json={"direction": "decrease"}, headers=sup)
    assert missing.status_code == 422 and {"reason", "agreement_reference"} <= set(missing.json["errors"])


def test_bulk_issue_is_for_supervisors_and_a_return_leads_to_its_adjustment(live):
    app, url = live
    ids = [_order(app) for _ in range(3)]
    clerk = app.test_client()
    login(clerk, "clerk")
    clerk.post("/orderview/action_post", data={"action": "bulk_issue_invoices", "rowid": ids})
    assert _invoices(app) == []
    sup = app.test_client()
    login(sup, "supervisor")
    resp = sup.post("/orderview/action_post", data={"action": "bulk_issue_invoices", "rowid": ids})
    job = _wait_for(app, int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1]))
    assert job.status == JobStatus.FINISHED and job.result["issued"] == 3 and job.progress_done == 3
    assert sorted(i.number for i in _invoices(app)) == [1, 2, 3]
    with app.app_context():
        from app.models import Order
        line = next(ln for ln in db.session.get(Order, ids[0]).lines if ln.sku == "AO-M")
        ret = returns.create_return(db.session, ids[0], [(line.id, 2, "good")], reason="Không vừa")
        ret_id = ret.id
    page = sup.get(f"/returnrequestview/show/{ret_id}").get_data(as_text=True)
    # The invoice is corrected once the goods are back, not while the return is only requested.
    assert "Adjustment invoice (decrease)" not in page and "Replacement invoice" not in page
    with app.app_context():
        returns.receive_return(db.session, ret_id)
        db.session.commit()
    page = sup.get(f"/returnrequestview/show/{ret_id}").get_data(as_text=True)
    assert "Adjustment invoice (decrease)" in page and "Replacement invoice" in page
    go = sup.post(f"/returnrequestview/action/adjust_invoice/{ret_id}", follow_redirects=False)
    go = sup.get(go.headers["Location"])
    assert go.status_code == 302 and "/invoiceview/adjust/" in go.headers["Location"]
    form = sup.get(go.headers["Location"]).get_data(as_text=True)
    assert "Khách trả hàng" in form and 'value="AO-M"' in form and "Decrease" in form
    assert 'name="agreement_date"' in form and "Phí vận chuyển" not in form   # partial return: shipping stays
    # A replacement with what the buyer kept is offered too for this partial return.
    go = sup.get(sup.post(f"/returnrequestview/action/replace_invoice/{ret_id}").headers["Location"])
    assert "/invoiceview/replace/" in go.headers["Location"]
    assert "adjust_invoice" not in clerk.get(f"/returnrequestview/show/{ret_id}").get_data(as_text=True)


def test_a_full_return_is_adjusted_to_zero_through_the_api(live):
    app, url = live
    order_id = _order(app)
    client = app.test_client()
    clerk, sup = api_token(client, "clerk"), api_token(client, "supervisor")
    resp = client.post(f"/api/v1/order/{order_id}/invoice", json={}, headers=clerk)
    assert _wait_for(app, resp.json["job_id"]).status == JobStatus.FINISHED
    with app.app_context():
        from app.models import Order
        order = db.session.get(Order, order_id)
        ret_id = returns.create_return(db.session, order_id, [(ln.id, int(ln.quantity), "good")
                                                              for ln in order.lines], reason="Đổi ý").id
    body = {"agreement_reference": "BB-TH-09"}
    assert client.post(f"/api/v1/return_request/{ret_id}/adjust_invoice", json=body,
                       headers=clerk).status_code == 403
    refused = client.post(f"/api/v1/return_request/{ret_id}/replace_invoice", json=body, headers=sup)
    assert refused.status_code == 409 and "full return" in refused.json["message"]
    resp = client.post(f"/api/v1/return_request/{ret_id}/adjust_invoice", json=body, headers=sup)
    assert resp.status_code == 202 and resp.json["kind"] == "adjustment"
    assert _wait_for(app, resp.json["job_id"]).status == JobStatus.FINISHED
    with app.app_context():
        original, adjustment = db.session.scalars(sa.select(Invoice).order_by(Invoice.id)).all()
        assert original.status == InvoiceStatus.ADJUSTED and int(adjustment.total) == -int(original.total)
        assert any(ln.name == "Phí vận chuyển" and ln.is_decrease for ln in adjustment.lines)


def test_automatic_rule_runs_as_a_job_and_never_issues_twice(live):
    app, url = live
    wanted = _order(app)                      # the customer always wants an invoice
    from app.services.jobs import start_job
    from jobs.queue import enqueue_after_commit
    for _ in range(2):
        with app.app_context():
            job = start_job(db.session, "invoicing.auto_issue", "Automatic invoices", queue="integrations",
                            enqueue=enqueue_after_commit)
            db.session.commit()
            job_id = job.id
        assert _wait_for(app, job_id).status == JobStatus.FINISHED
    [invoice] = _invoices(app)
    assert invoice.order_id == wanted and invoice.status == InvoiceStatus.ISSUED
    assert len(provider_invoices(url, "sinvoice")) == 1


def test_demo_accounts_and_synchronous_issuing_are_idempotent(web_app):
    from app import demo_invoicing
    with web_app.app_context():
        first = demo_invoicing.load(web_app)
        assert demo_invoicing.load(web_app) == first and first["series"] == 5
        order_ids = [business_order(db.session).id for _ in range(2)]
        result = demo_invoicing.issue_orders(web_app, order_ids, provider="misa")
        assert result["refused"] == {} and len(result["issued"]) == 2
        again = demo_invoicing.issue_orders(web_app, order_ids, provider="misa")
        assert again["issued"] == result["issued"]
        invoices = list(db.session.scalars(sa.select(Invoice).order_by(Invoice.id)))
        assert [i.provider.value for i in invoices] == ["misa", "misa"] and all(i.pdf for i in invoices)


def test_form_errors_name_the_field_in_the_readers_language(live):
    from tests.support.catalogues import tool as catalogues
    catalogues.compile_catalogues()
    app, url = live
    order_id = _order(app)
    clerk = app.test_client()
    clerk.get("/lang/vi")
    login(clerk, "clerk")
    bad = clerk.post(f"/orderview/invoice/{order_id}",
                     data=_flat_form(app, order_id, **{"buyer.tax_code": "0101248142", "lines[1].quantity": "0",
                                                       "buyer.id_number": "123"}))
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    for expected in ("Mã số thuế người mua: mã số thuế 0101248142 sai chữ số kiểm tra: chữ số thứ 10 phải là 1.",
                     "Dòng 2: số lượng phải lớn hơn 0.", "Số CCCD: 123 — số căn cước công dân gồm 12 chữ số."):
        assert expected in text, expected
    assert _invoices(app) == []


def test_an_admin_cannot_rename_a_series_that_has_invoices(live):
    app, url = live
    order_id = _order(app)
    with app.app_context():
        from app.models import InvoiceSeries
        series = db.session.scalar(sa.select(InvoiceSeries).where(InvoiceSeries.series == SERIES,
                                                                  InvoiceSeries.template == "1"))
        series_id, account_id = series.id, series.provider_account_id
    admin = app.test_client()
    login(admin, "admin")
    form = {"provider_account": str(account_id), "template": "1", "series": SERIES[:4] + "ZZ", "active": "y"}
    assert admin.post(f"/invoiceseriesview/edit/{series_id}", data=form).status_code in (200, 302)
    with app.app_context():
        assert db.session.get(InvoiceSeries, series_id).series == SERIES[:4] + "ZZ"   # no invoice yet: allowed
    form["series"] = SERIES
    admin.post(f"/invoiceseriesview/edit/{series_id}", data=form)
    client = app.test_client()
    resp = client.post(f"/api/v1/order/{order_id}/invoice", json={}, headers=api_token(client, "clerk"))
    assert _wait_for(app, resp.json["job_id"]).status == JobStatus.FINISHED
    form["series"] = SERIES[:4] + "ZZ"
    page = admin.post(f"/invoiceseriesview/edit/{series_id}", data=form, follow_redirects=True).get_data(as_text=True)
    assert "already has invoices" in page
    assert admin.post(f"/invoiceseriesview/delete/{series_id}", follow_redirects=True).status_code == 200
    with app.app_context():
        db.session.expire_all()
        assert db.session.get(InvoiceSeries, series_id).series == SERIES
