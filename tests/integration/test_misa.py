"""MisaClient against the MISA meInvoice sandbox over real loopback HTTP."""
from __future__ import annotations

import io
import threading
import uuid
from datetime import datetime

import httpx
import pytest
from flask import Flask
from pypdf import PdfReader

from app.integrations.base import AuthError, PermanentError, RetryableError
from app.integrations.einvoice.common import VN_TZ
from app.integrations.einvoice.misa import MisaClient, build_misa_invoice_data
from app.sandbox.misa import DEMO_CREDENTIALS, create_blueprint
from app.services.invoice_rules import (ADJUSTMENT, REPLACEMENT, Buyer, InvoiceDraft, InvoiceLineDraft,
                                        InvoiceReference, compute_invoice)
from tests.support.live_server import serve

TODAY = datetime.now(VN_TZ).date()
YY = TODAY.year % 100
SERIES = f"C{YY}TAA"


@pytest.fixture(scope="module")
def base_url():
    app = Flask(__name__)
    app.register_blueprint(create_blueprint(seed=3))
    with serve(app) as url:
        yield f"{url}/sandbox/misa"


@pytest.fixture(autouse=True)
def fresh(base_url):
    httpx.post(f"{base_url}/_control/reset", json={"state": True})
    httpx.post(f"{base_url}/_control/config", json={"processing_delay": 0})


def make_client(base_url, timeout=5, **overrides) -> MisaClient:
    creds = {k: DEMO_CREDENTIALS[k] for k in ("tax_code", "username", "password")}
    creds["app_id"] = DEMO_CREDENTIALS["app_id"]
    creds.update(overrides)
    return MisaClient(base_url, timeout=timeout, **creds)


def draft(*, series=SERIES, buyer=None, reference=None, lines=None, template=1):
    return compute_invoice(InvoiceDraft(
        buyer=buyer or Buyer(legal_name="Công ty Cổ phần Sữa Việt Nam", tax_code="0300588569",
                             address="10 Tân Trào, Phường Tân Mỹ, TP. Hồ Chí Minh", email="mua@vinamilk.example"),
        lines=lines or [InvoiceLineDraft("Sữa rửa mặt trà xanh", "Tuýp", 3, 89_900, discount=9_700, vat_rate=10),
                        InvoiceLineDraft("Gạo ST25", "Kg", "2.5", 33_333, vat_rate=5),
                        InvoiceLineDraft("Sách giáo khoa", "Cuốn", 1, 25_000, vat_rate="KCT")],
        template=template, series=series, issue_date=TODAY, reference=reference))


def data(invoice=None, ref_id=None):
    return build_misa_invoice_data(invoice or draft(), ref_id=ref_id or str(uuid.uuid4()))


def test_issue_numbers_one_then_two(base_url):
    with make_client(base_url) as client:
        first, second = client.issue_invoice(data()), client.issue_invoice(data())
    assert (first.template, first.series, first.number, second.number) == ("1", SERIES, 1, 2)
    assert first.tax_authority_code and first.lookup_code and first.issued_at.date() == TODAY


def test_same_ref_id_gives_the_same_invoice(base_url):
    body = data(ref_id="SO-0001-invoice")
    with make_client(base_url) as client:
        a, b = client.issue_invoice(body), client.issue_invoice(body)
        assert (a.number, a.lookup_code) == (b.number, b.lookup_code) == (1, a.lookup_code)
        assert client.issue_invoice(data()).number == 2


def test_timeout_after_creation_then_status_by_ref_id_finds_it(base_url):
    ref_id = str(uuid.uuid4())
    httpx.post(f"{base_url}/_control/faults",
               json={"mode": "timeout", "after": True, "delay": 1.0, "path": "/api/integration/invoice"})
    with make_client(base_url, timeout=0.3) as client, pytest.raises(RetryableError):
        client.issue_invoice(data(ref_id=ref_id))
    with make_client(base_url) as client:
        found = client.find_by_ref_id(ref_id)
        assert found is not None and found.number == 1 and found.status == "1"
        assert client.find_by_ref_id(str(uuid.uuid4())) is None
        assert client.issue_invoice(data(ref_id=ref_id)).number == 1
    assert len(httpx.get(f"{base_url}/_control/invoices").json()) == 1


def test_5xx_and_429_are_retryable(base_url):
    for mode in ("5xx", "429"):
        httpx.post(f"{base_url}/_control/faults", json={"mode": mode, "path": "/invoice"})
        with make_client(base_url) as client, pytest.raises(RetryableError):
            client.issue_invoice(data())


def test_concurrent_issues_on_one_series_never_leave_gaps(base_url):
    httpx.post(f"{base_url}/_control/config", json={"processing_delay": 0.05})
    outcomes, lock = [], threading.Lock()

    def issue():
        with make_client(base_url) as client:
            try:
                result = client.issue_invoice(data()).number
            except RetryableError as exc:
                result = exc.code
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=issue) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    numbers = sorted(o for o in outcomes if isinstance(o, int))
    assert {o for o in outcomes if not isinstance(o, int)} == {"InvoiceNumberNotCotinuous"}
    assert numbers == list(range(1, len(numbers) + 1))


def _ref(issued, kind):
    return InvoiceReference(kind=kind, template=1, series=issued.series, number=issued.number,
                            issued_on=TODAY, reason="Khách trả lại hàng")


def test_replacement_and_adjustment_rules(base_url):
    with make_client(base_url) as client:
        original = client.issue_invoice(data())
        replacement = client.issue_invoice(data(draft(reference=_ref(original, REPLACEMENT))))
        assert replacement.number == 2
        with pytest.raises(PermanentError) as again:
            client.issue_invoice(data(draft(reference=_ref(original, REPLACEMENT))))
        assert again.value.code == "InvoiceAlreadyReplaced"
        with pytest.raises(PermanentError) as adjust:
            client.issue_invoice(data(draft(reference=_ref(original, ADJUSTMENT))))
        assert adjust.value.code == "InvoiceAlreadyReplaced"
        assert client.find_by_ref_id(original.transaction_key).status == "7"   # bị thay thế
        other = client.issue_invoice(data())
        decrease = [InvoiceLineDraft("Giảm giá sữa rửa mặt", "Tuýp", 1, 10_000, vat_rate=10, decrease=True)]
        adjusted = client.issue_invoice(data(draft(reference=_ref(other, ADJUSTMENT), lines=decrease)))
        assert adjusted.number == 4
        with pytest.raises(PermanentError) as replace_adjusted:
            client.issue_invoice(data(draft(reference=_ref(other, REPLACEMENT))))
        assert replace_adjusted.value.code == "InvoiceAlreadyAdjusted"


def test_bad_tax_code_wrong_total_and_wrong_series_year_are_refused(base_url):
    with make_client(base_url) as client:
        body = data()
        body["BuyerTaxCode"] = "0300588560"
        with pytest.raises(PermanentError) as bad_code:
            client.issue_invoice(body)
        assert bad_code.value.code == "InvalidTaxCode" and "0300588560" in bad_code.value.message
        body = data()
        body["TotalAmountOC"] += 1000
        with pytest.raises(PermanentError) as bad_total:
            client.issue_invoice(body)
        assert bad_total.value.code == "InvalidTotalAmount"
        body = data()
        body["InvSeries"] = f"1C{YY - 1}TAA"
        with pytest.raises(PermanentError) as bad_year:
            client.issue_invoice(body)
        assert bad_year.value.code == "InvoiceTemplateNotExist" and str(TODAY.year) in bad_year.value.message
        body = data()
        body["OriginalInvoiceDetail"][0]["VATRateName"] = "7%"
        with pytest.raises(PermanentError) as bad_rate:
            client.issue_invoice(body)
        assert bad_rate.value.code == "InvoiceDetail_0VATRateName"
        body = data()
        body["BuyerAddress"] = None
        with pytest.raises(PermanentError) as no_address:
            client.issue_invoice(body)
        assert no_address.value.code == "RequireError_0BuyerAddress"
    assert httpx.get(f"{base_url}/_control/invoices").json() == []


def test_sales_invoice_for_a_consumer(base_url):
    invoice = draft(series=f"C{YY}TBB", template=2, buyer=Buyer(),
                    lines=[InvoiceLineDraft("Bánh pía", "Hộp", 2, 120_000)])
    body = data(invoice)
    assert body["BuyerFullName"] == "Bán cho người tiêu dùng" and body["TaxRateInfo"] is None
    with make_client(base_url) as client:
        issued = client.issue_invoice(body)
    assert (issued.template, issued.series, issued.number) == ("2", f"C{YY}TBB", 1)


def test_auth_failures_are_auth_errors(base_url):
    with make_client(base_url, password="wrong") as client, pytest.raises(AuthError) as bad_password:
        client.issue_invoice(data())
    assert bad_password.value.code == "UnAuthorize"
    with make_client(base_url, app_id="not-an-app") as client, pytest.raises(AuthError) as bad_app:
        client.issue_invoice(data())
    assert bad_app.value.code == "InvalidAppID"


def test_pdf_download_and_templates(base_url):
    with make_client(base_url) as client:
        issued = client.issue_invoice(data())
        pdf = client.pdf(issued)
        templates = client.templates(TODAY.year)
    assert f"1{SERIES}" in {t["InvSeries"] for t in templates}
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Công ty Cổ phần Sữa Việt Nam" in text and issued.lookup_code in text and "Mã của cơ quan thuế" in text


def test_invoice_data_shape():
    body = data(ref_id="r-1")
    assert body["InvSeries"] == f"1{SERIES}" and body["InvDate"] == TODAY.isoformat()
    assert [r["VATRateName"] for r in body["TaxRateInfo"]] == ["5%", "10%", "KCT"]
    line = body["OriginalInvoiceDetail"][1]
    assert (line["Quantity"], line["AmountOC"], line["VATAmountOC"]) == (2.5, 83_333, 4_167)
    assert body["TotalAmountOC"] == body["TotalAmountWithoutVATOC"] + body["TotalVATAmountOC"]
    adj = data(draft(reference=InvoiceReference(ADJUSTMENT, 1, SERIES, 12, TODAY, "Giảm giá"),
                     lines=[InvoiceLineDraft("Giảm giá", "", 1, 10_000, vat_rate=10, decrease=True)]))
    assert (adj["ReferenceType"], adj["OrgInvSeries"], adj["OrgInvNo"]) == (2, SERIES, "00000012")
    assert adj["TotalAmountOC"] == -11_000 and adj["TotalAmountInWords"] == "Âm mười một nghìn đồng chẵn"
