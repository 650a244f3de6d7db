"""SInvoiceClient against the S-Invoice sandbox over real loopback HTTP."""
from __future__ import annotations

import io
import threading
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from flask import Flask
from pypdf import PdfReader

from app.integrations.base import AuthError, PermanentError, RetryableError
from app.integrations.einvoice.common import VN_TZ
from app.integrations.einvoice.sinvoice import SInvoiceClient, build_sinvoice_payload
from app.sandbox.sinvoice import DEMO_CREDENTIALS, create_blueprint
from app.services.invoice_rules import (ADJUSTMENT, REPLACEMENT, Buyer, InvoiceDraft, InvoiceLineDraft,
                                        InvoiceReference, Seller, compute_invoice)
from tests.support.live_server import serve

TODAY = datetime.now(VN_TZ).date()
YY = TODAY.year % 100
SERIES = f"C{YY}TAA"
SELLER = Seller(**{k: DEMO_CREDENTIALS["seller"][k] for k in ("name", "tax_code", "address")})


@pytest.fixture(scope="module")
def base_url():
    app = Flask(__name__)
    app.register_blueprint(create_blueprint(seed=7))
    with serve(app) as url:
        yield f"{url}/sandbox/sinvoice"


@pytest.fixture(autouse=True)
def fresh(base_url):
    httpx.post(f"{base_url}/_control/reset", json={"state": True})
    httpx.post(f"{base_url}/_control/config", json={"processing_delay": 0})


def make_client(base_url, **kwargs) -> SInvoiceClient:
    creds = {"username": DEMO_CREDENTIALS["username"], "password": DEMO_CREDENTIALS["password"],
             "supplier_tax_code": DEMO_CREDENTIALS["supplier_tax_code"], **kwargs.pop("creds", {})}
    return SInvoiceClient(base_url, **creds, timeout=kwargs.pop("timeout", 5), **kwargs)


def draft(*, series=SERIES, buyer=None, reference=None, lines=None, template=1):
    return compute_invoice(InvoiceDraft(
        buyer=buyer or Buyer(legal_name="Công ty Cổ phần FPT", tax_code="0101248141",
                             address="Số 10 Phạm Văn Bạch, Cầu Giấy, Hà Nội"),
        lines=lines or [InvoiceLineDraft("Áo thun cổ tròn", "Cái", 2, 100_000, vat_rate=8),
                        InvoiceLineDraft("Nước mắm Phú Quốc", "Chai", 3, 45_500, discount=1_500, vat_rate=10)],
        template=template, series=series, issue_date=TODAY, reference=reference))


def payload(invoice=None, key=None, template_code="1/001"):
    return build_sinvoice_payload(invoice or draft(), SELLER, transaction_uuid=key or str(uuid.uuid4()),
                                  template_code=template_code)


def test_issue_numbers_one_then_two_with_codes(base_url):
    with make_client(base_url) as client:
        first = client.create_invoice(payload())
        second = client.create_invoice(payload())
    assert (first.series, first.number, second.number) == (SERIES, 1, 2)
    assert first.template == "1" and first.invoice_no == f"{SERIES}1"
    assert first.tax_authority_code and len(first.lookup_code) == 15


def test_token_login_mode_works(base_url):
    with make_client(base_url, auth="token") as client:
        assert client.create_invoice(payload()).number == 1


def test_same_transaction_uuid_gives_the_same_invoice(base_url):
    body = payload(key="order-SO-0001-inv")
    with make_client(base_url) as client:
        a = client.create_invoice(body)
        b = client.create_invoice(body)
        assert (a.number, a.lookup_code) == (b.number, b.lookup_code)
        assert client.create_invoice(payload()).number == 2


def test_timeout_after_creation_then_search_finds_that_invoice(base_url):
    key = str(uuid.uuid4())
    httpx.post(f"{base_url}/_control/faults",
               json={"mode": "timeout", "after": True, "delay": 1.0, "path": "createInvoice"})
    with make_client(base_url, timeout=0.3) as client:
        with pytest.raises(RetryableError):
            client.create_invoice(payload(key=key))
    with make_client(base_url) as client:
        found = client.search_by_transaction_uuid(key)
        assert found is not None and found.number == 1 and found.status == "Hóa đơn gốc"
        assert client.search_by_transaction_uuid(str(uuid.uuid4())) is None
        again = client.create_invoice(payload(key=key))
        assert again.number == 1
    assert len(httpx.get(f"{base_url}/_control/invoices").json()) == 1


def test_5xx_is_retryable(base_url):
    httpx.post(f"{base_url}/_control/faults", json={"mode": "5xx", "path": "createInvoice"})
    with make_client(base_url) as client, pytest.raises(RetryableError):
        client.create_invoice(payload())


def test_concurrent_issues_on_one_series_never_leave_gaps(base_url):
    httpx.post(f"{base_url}/_control/config", json={"processing_delay": 0.05})
    outcomes, lock = [], threading.Lock()

    def issue():
        with make_client(base_url) as client:
            try:
                result = client.create_invoice(payload()).number
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
    refused = [o for o in outcomes if not isinstance(o, int)]
    assert refused and set(refused) == {"InvoiceNumberNotCotinuous"}
    assert numbers == list(range(1, len(numbers) + 1))
    # One at a time (what the job does per series): every issue succeeds, still no gaps.
    with make_client(base_url) as client:
        more = [client.create_invoice(payload()).number for _ in range(3)]
    assert more == list(range(len(numbers) + 1, len(numbers) + 4))


def _reference(issued, kind):
    return InvoiceReference(kind=kind, template=1, series=issued.series, number=issued.number,
                            issued_on=TODAY, reason="Sai đơn giá", agreement="Biên bản 01/2026")


def test_replacement_and_adjustment_rules(base_url):
    with make_client(base_url) as client:
        original = client.create_invoice(payload())
        replacement = client.create_invoice(payload(draft(reference=_reference(original, REPLACEMENT))))
        assert replacement.number == 2
        with pytest.raises(PermanentError) as again:
            client.create_invoice(payload(draft(reference=_reference(original, REPLACEMENT))))
        assert again.value.code == "InvoiceAlreadyReplaced" and "đã bị thay thế" in again.value.message
        with pytest.raises(PermanentError) as adjust:
            client.create_invoice(payload(draft(reference=_reference(original, ADJUSTMENT))))
        assert adjust.value.code == "InvoiceAlreadyReplaced"
        # An adjusted invoice can be adjusted again but not replaced.
        other = client.create_invoice(payload())
        decrease = [InvoiceLineDraft("Giảm giá áo thun", "Cái", 1, 20_000, vat_rate=8, decrease=True)]
        adjusted = client.create_invoice(payload(draft(reference=_reference(other, ADJUSTMENT), lines=decrease)))
        assert adjusted.number == 4
        with pytest.raises(PermanentError) as replace_adjusted:
            client.create_invoice(payload(draft(reference=_reference(other, REPLACEMENT))))
        assert replace_adjusted.value.code == "InvoiceAlreadyAdjusted"
        found = client.search_by_transaction_uuid(original.transaction_key)
        assert found.status == "Hóa đơn bị thay thế"
        missing = _reference(original, REPLACEMENT)
        missing.number = 99
        with pytest.raises(PermanentError) as not_there:
            client.create_invoice(payload(draft(reference=missing)))
        assert not_there.value.code == "OriginalInvoiceNotExist"


def test_bad_tax_code_wrong_total_and_wrong_series_year_are_refused(base_url):
    with make_client(base_url) as client:
        body = payload()
        body["buyerInfo"]["buyerTaxCode"] = "0101248142"
        with pytest.raises(PermanentError) as bad_code:
            client.create_invoice(body)
        assert bad_code.value.code == "INVALID_BUYER_TAX_CODE" and "0101248142" in bad_code.value.message

        body = payload()
        body["summarizeInfo"]["totalAmountWithTax"] += 1000
        with pytest.raises(PermanentError) as bad_total:
            client.create_invoice(body)
        assert bad_total.value.code == "INVALID_TOTAL_AMOUNT"

        body = payload()
        body["generalInvoiceInfo"]["invoiceSeries"] = f"C{YY - 1}TAA"
        with pytest.raises(PermanentError) as bad_year:
            client.create_invoice(body)
        assert bad_year.value.code == "INVALID_INVOICE_SERIES" and str(TODAY.year) in bad_year.value.message

        body = payload()
        body["itemInfo"][0]["taxPercentage"] = 7
        with pytest.raises(PermanentError) as bad_rate:
            client.create_invoice(body)
        assert bad_rate.value.code == "INVALID_TAX_PERCENTAGE"
        assert not httpx.get(f"{base_url}/_control/invoices").json()


def _same_year_pair(now: datetime) -> tuple[datetime, datetime]:
    """Two issue times one second apart in the same year, neither more than 5 minutes in the future
    (the sandbox accepts a small clock skew): the test asserts the same thing at any hour of any day."""
    year_start = datetime(now.year, 1, 1, tzinfo=VN_TZ)
    later = max(now, year_start + timedelta(seconds=2))
    return later, later - timedelta(seconds=1)


def test_issue_date_before_last_invoice_is_refused(base_url):
    later, earlier = _same_year_pair(datetime.now(VN_TZ))
    series = f"C{later.year % 100}TAA"
    first = payload(draft(series=series))
    first["generalInvoiceInfo"]["invoiceIssuedDate"] = int(later.timestamp() * 1000)
    second = payload(draft(series=series))
    second["generalInvoiceInfo"]["invoiceIssuedDate"] = int(earlier.timestamp() * 1000)
    with make_client(base_url) as client:
        assert client.create_invoice(first).number == 1
        with pytest.raises(PermanentError) as early:
            client.create_invoice(second)
    assert early.value.code == "InvoiceIssuedDateInvalid"
    assert len(httpx.get(f"{base_url}/_control/invoices").json()) == 1


def test_the_pair_of_times_is_always_in_one_year():
    for now in (datetime(2027, 1, 1, 0, 0, 0, tzinfo=VN_TZ), datetime(2027, 1, 1, 0, 30, tzinfo=VN_TZ),
                datetime(2026, 12, 31, 23, 59, 59, tzinfo=VN_TZ)):
        later, earlier = _same_year_pair(now)
        assert earlier < later <= now + timedelta(seconds=2) and earlier.year == later.year == now.year


def test_line_tax_and_total_with_tax_are_checked_within_viettels_tolerances(base_url):
    with make_client(base_url) as client:
        body = payload()
        body["itemInfo"][0]["taxAmount"] += 20_001           # beyond the 20,000 VND tax tolerance
        with pytest.raises(PermanentError) as bad_tax:
            client.create_invoice(body)
        assert bad_tax.value.code == "INVALID_TAX_AMOUNT"
        body = payload()
        body["itemInfo"][1]["itemTotalAmountWithTax"] += 6   # beyond the 5 VND line tolerance
        with pytest.raises(PermanentError) as bad_total:
            client.create_invoice(body)
        assert bad_total.value.code == "INVALID_AMOUNT" and "có thuế" in bad_total.value.message
        body = payload()
        del body["itemInfo"][0]["taxAmount"]
        with pytest.raises(PermanentError):
            client.create_invoice(body)
        body = payload()
        body["itemInfo"][1]["itemTotalAmountWithTax"] += 5   # within tolerance: accepted
        assert client.create_invoice(body).number == 1


def test_the_sandboxes_share_no_code_with_the_app():
    """ARCHITECTURE: a simulator re-derives everything itself, so a bug in the app's check digit,
    rounding or words cannot be hidden by a sandbox that uses the same code."""
    import ast
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "app" / "sandbox"
    for folder in ("sinvoice", "misa", "einvoice_register"):
        for path in (root / folder).glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                    [a.name for a in node.names] if isinstance(node, ast.Import) else []
                for name in names:
                    assert not name.startswith(("app.services", "app.integrations", "app.models")), (path, name)


def test_sales_invoice_and_consumer_buyer(base_url):
    invoice = draft(series=f"C{YY}TBB", template=2, buyer=Buyer(),
                    lines=[InvoiceLineDraft("Bánh trung thu", "Hộp", 2, 250_000)])
    body = payload(invoice, template_code="2/001")
    assert body["buyerInfo"] == {"buyerName": "Bán cho người tiêu dùng", "buyerNotGetInvoice": 1}
    assert body["taxBreakdowns"] == [] and "taxPercentage" not in body["itemInfo"][0]
    with make_client(base_url) as client:
        issued = client.create_invoice(body)
    assert (issued.template, issued.series, issued.number) == ("2", f"C{YY}TBB", 1)


def test_auth_failure_is_auth_error(base_url):
    with make_client(base_url, creds={"password": "wrong"}) as client, pytest.raises(AuthError):
        client.create_invoice(payload())
    with make_client(base_url, creds={"password": "wrong"}, auth="token") as client, pytest.raises(AuthError):
        client.create_invoice(payload())


def test_pdf_download(base_url):
    with make_client(base_url) as client:
        issued = client.create_invoice(payload())
        pdf = client.pdf(issued)
    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert issued.lookup_code in text and "Công ty Cổ phần FPT" in text and "HÓA ĐƠN GIÁ TRỊ GIA TĂNG" in text


def test_payload_shape_matches_the_documented_fields():
    body = payload(key="7f1c2a54-3a8e-4c3e-9f5d")
    assert set(body) == {"generalInvoiceInfo", "buyerInfo", "sellerInfo", "payments", "itemInfo",
                         "taxBreakdowns", "summarizeInfo"}
    assert body["generalInvoiceInfo"]["adjustmentType"] == "1"
    assert body["taxBreakdowns"] == [{"taxPercentage": 8, "taxableAmount": 200_000, "taxAmount": 16_000},
                                     {"taxPercentage": 10, "taxableAmount": 135_000, "taxAmount": 13_500}]
    assert body["summarizeInfo"]["totalAmountWithTax"] == 364_500
    adj = payload(draft(reference=InvoiceReference(ADJUSTMENT, 1, SERIES, 5, TODAY, "Giảm giá"),
                        lines=[InvoiceLineDraft("Giảm giá", "", 1, 10_000, vat_rate=10, decrease=True)]))
    general = adj["generalInvoiceInfo"]
    assert (general["adjustmentType"], general["adjustmentInvoiceType"], general["originalInvoiceId"]) == \
        ("5", "1", f"{SERIES}5")
    assert adj["itemInfo"][0]["isIncreaseItem"] is False and adj["summarizeInfo"]["isTotalAmountPos"] is False
    assert adj["taxBreakdowns"][0] == {"taxPercentage": 10, "taxableAmount": 10_000, "taxAmount": 1_000,
                                       "taxableAmountPos": False, "taxAmountPos": False}


def test_a_correction_carries_its_agreement_and_date_and_invents_none():
    from datetime import date
    from app.integrations.einvoice.common import to_epoch_ms
    reference = InvoiceReference(ADJUSTMENT, 1, SERIES, 5, TODAY, "Giảm giá", agreement="BB-07/2026",
                                 agreement_date=date(TODAY.year, 1, 2))
    lines = [InvoiceLineDraft("Giảm giá", "", 1, 10_000, vat_rate=10, decrease=True)]
    general = payload(draft(reference=reference, lines=lines))["generalInvoiceInfo"]
    assert general["additionalReferenceDesc"] == "BB-07/2026"
    assert general["additionalReferenceDate"] == to_epoch_ms(date(TODAY.year, 1, 2))
    reference.agreement, reference.agreement_date = "", None
    general = payload(draft(reference=reference, lines=lines))["generalInvoiceInfo"]
    assert "additionalReferenceDesc" not in general and "additionalReferenceDate" not in general
