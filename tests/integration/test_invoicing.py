"""E-invoices through the services, against the S-Invoice and MISA sandboxes over loopback HTTP:
prefill, validation, issuing (never twice, even after a crash or a timeout), delivery, corrections,
the automatic rule, and the database refusing edits of issued invoices."""
from __future__ import annotations

import io
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy import event

from app.integrations.base import AuthError, RetryableError
from app.models import (IntegrationLog, Invoice, InvoiceSeries, InvoiceStatus, OrderStatus, PaymentStatus,
                        ReturnRequest)
from app.sandbox import misa as misa_sandbox, sinvoice as sinvoice_sandbox
from app.services import returns
from app.services.errors import DomainError, InvalidTransition, ValidationErrors
from app.services.invoice_auto import orders_due_for_invoice
from app.services.invoice_corrections import (correction_for_return, create_correction, prefill_correction,
                                             prefill_for_return)
from app.services.invoice_issuing import issue_and_deliver, issue_for_order, issue_invoice
from app.services.invoice_mail import MailSettings
from app.services.invoicing import (computed_of, create_invoice_draft, local_pdf, parse_form, prefill_from_order,
                                    preview_pdf, remaining_total, today_vn)
from tests.support.einvoice import (SERIES, account, arm, business_order, issue_at_once, provider_calls,
                                   provider_invoices, reset, sandboxes)

PROVIDERS = ["sinvoice", "misa"]


@pytest.fixture(scope="module")
def sandbox():
    with sandboxes(3) as url:
        yield url


@pytest.fixture(autouse=True)
def fresh(sandbox):
    reset(sandbox)


@pytest.fixture
def mail(tmp_path):
    return MailSettings(outbox=str(tmp_path / "outbox"))


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_prefill_from_a_business_order(session, sandbox):
    acc = account(session, "sinvoice", sandbox)
    order = business_order(session)
    form = prefill_from_order(session, order.id)
    assert (form.provider_account_id, form.template, form.series) == (acc.id, "1", SERIES)
    assert form.buyer["legal_name"] == "Công ty Cổ phần FPT" and form.buyer["tax_code"] == "0101248141"
    assert form.buyer["address"].startswith("Số 10 Phạm Văn Bạch") and form.buyer["email"] == "ketoan@fpt.example"
    assert form.payment_method == "TM"  # cash on delivery
    assert [(ln["sku"], ln["quantity"], ln["unit_price"], ln["discount"], ln["vat_rate"]) for ln in form.lines] == [
        ("AO-M", "2", "150000", "0", "8"), ("NM-1", "3", "45500", "1500", "10"), ("", "1", "30000", "0", "10")]


def test_validation_errors_name_the_field(session, sandbox):
    account(session, "misa", sandbox)
    order = business_order(session)
    data = prefill_from_order(session, order.id).as_dict()
    data["buyer"].update(tax_code="0100233480", address="")
    data["lines"][0]["vat_rate"] = "7"
    data["lines"][1]["quantity"] = "-1"
    data["series"] = "C20TAA"
    with pytest.raises(ValidationErrors) as caught:
        create_invoice_draft(session, order.id, parse_form(data))
    errors = caught.value.errors
    assert "check digit" in errors["buyer.tax_code"][0]
    assert "lines[0].vat_rate" in errors and "lines[1].quantity" in errors and "series" in errors
    data["buyer"].update(tax_code="0101248141", legal_name="", address="")
    with pytest.raises(ValidationErrors) as caught:
        create_invoice_draft(session, order.id, parse_form(data))
    assert {"buyer.legal_name", "buyer.address"} <= set(caught.value.errors)
    assert session.scalar(sa.select(sa.func.count(Invoice.id))) == 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_issue_store_pdf_and_email(session, sandbox, mail, provider):
    account(session, provider, sandbox)
    order = business_order(session)
    preview = text_of(preview_pdf(session, prefill_from_order(session, order.id), order_code=order.number))
    assert "chưa cấp số" in preview and "Công ty Cổ phần FPT" in preview and "Nước mắm Phú Quốc" in preview
    invoice = issue_for_order(session, order.id, mail)
    assert invoice.status == InvoiceStatus.ISSUED and (invoice.series, invoice.number) == (SERIES, 1)
    assert invoice.tax_authority_code and invoice.lookup_code and invoice.issued_at
    assert invoice.transaction_key and len(invoice.transaction_key) == 36
    # 2×150 000 @8 % + (3×45 500 − 1 500) @10 % + shipping 30 000 @10 %
    assert (int(invoice.subtotal), int(invoice.vat_total), int(invoice.total)) == (465000, 40500, 505500)
    assert invoice.amount_in_words == "Năm trăm linh năm nghìn năm trăm đồng"
    assert invoice.pdf.startswith(b"%PDF") and "Công ty Cổ phần FPT" in text_of(invoice.pdf)
    assert session.get(InvoiceSeries, session.scalar(sa.select(InvoiceSeries.id).where(
        InvoiceSeries.series == SERIES, InvoiceSeries.template == "1"))).last_number == 1
    emails = list(Path(mail.outbox).glob("*.eml"))
    assert len(emails) == 1 and invoice.emailed_at is not None
    msg = BytesParser(policy=policy.default).parsebytes(emails[0].read_bytes())
    assert msg["To"] == "ketoan@fpt.example" and SERIES in msg["Subject"]
    attachment = next(msg.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and attachment.get_content().startswith(b"%PDF")
    # issuing again changes nothing and sends nothing
    assert issue_for_order(session, order.id, mail).id == invoice.id
    assert len(provider_invoices(sandbox, provider)) == 1 and len(list(Path(mail.outbox).glob("*.eml"))) == 1
    assert session.scalar(sa.select(sa.func.count(IntegrationLog.id)).where(IntegrationLog.system == provider)) >= 2


def test_local_pdf_of_an_issued_invoice_shows_the_required_fields(session, sandbox, mail):
    account(session, "sinvoice", sandbox)
    invoice = issue_for_order(session, business_order(session).id, mail)
    text = text_of(local_pdf(invoice))
    for expected in ["HÓA ĐƠN GIÁ TRỊ GIA TĂNG", "Mẫu số", SERIES, "Số", "Công ty TNHH Thương mại Điện tử Sen Việt",
                     "0318123451", "Công ty Cổ phần FPT", "0101248141", "Phạm Văn Bạch", "Áo thun cổ tròn",
                     "Nước mắm Phú Quốc", "Phí vận chuyển", "8%", "10%", "505.500", "Năm trăm linh năm nghìn",
                     invoice.lookup_code, invoice.tax_authority_code, "TM", "Viettel S-Invoice",
                     "Số (No.): 00000001", "Số tài khoản", "0071001234567", "Vietcombank", "Ký bởi",
                     "Mã của cơ quan thuế", "Tiền thuế GTGT", "Tổng tiền thanh toán", "Đơn vị tiền tệ"]:
        assert expected in text, expected
    assert "chưa cấp số" not in text


class CrashBeforeCommitOnce:
    """The worker dies after the provider issued the invoice and before our commit."""

    def __init__(self, session):
        self.armed = True
        event.listen(session, "before_commit", self)

    def __call__(self, session):
        if self.armed and any(isinstance(o, Invoice) and o.status == InvoiceStatus.ISSUED for o in session.dirty):
            self.armed = False
            raise RuntimeError("worker killed")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_crash_after_the_provider_issued_then_retry_never_issues_twice(session_factory, sandbox, mail, provider):
    setup = session_factory()
    account(setup, provider, sandbox)
    order = business_order(setup)
    invoice_id = create_invoice_draft(setup, order.id, prefill_from_order(setup, order.id)).id
    setup.close()
    worker = session_factory()
    CrashBeforeCommitOnce(worker)
    with pytest.raises(RuntimeError, match="worker killed"):
        issue_invoice(worker, invoice_id)
    worker.rollback()
    worker.close()
    assert len(provider_invoices(sandbox, provider)) == 1
    retry = session_factory()
    assert retry.get(Invoice, invoice_id).status == InvoiceStatus.PENDING
    invoice = issue_and_deliver(retry, invoice_id, mail)
    assert invoice.status == InvoiceStatus.ISSUED and invoice.number == 1
    at_provider = provider_invoices(sandbox, provider)
    assert len(at_provider) == 1 and at_provider[0].get("transactionUuid", at_provider[0].get("RefID")) == \
        invoice.transaction_key
    retry.close()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_timeout_after_creation_waits_then_is_looked_up_not_sent_again(session, sandbox, mail, provider):
    # The quiet period outlasts the 1 s time-out with room to spare on a busy machine.
    account(session, provider, sandbox, timeout=1, quiet=3)
    order = business_order(session)
    invoice = create_invoice_draft(session, order.id, prefill_from_order(session, order.id))
    path = "createInvoice" if provider == "sinvoice" else "/api/integration/invoice"
    arm(sandbox, provider, mode="timeout", after=True, delay=2, path=path)
    with pytest.raises(RetryableError):
        issue_invoice(session, invoice.id)
    assert provider_calls(sandbox, provider, invoice.transaction_key) == [("create", [invoice.transaction_key])]
    # Within the quiet period nothing at all is asked of the provider.
    with pytest.raises(RetryableError, match="looks it up by its key after"):
        issue_invoice(session, invoice.id)
    assert len(provider_calls(sandbox, provider, invoice.transaction_key)) == 1
    time.sleep(3.1)
    issued = issue_invoice(session, invoice.id)
    assert issued.status == InvoiceStatus.ISSUED and issued.number == 1
    assert [op for op, _ in provider_calls(sandbox, provider, invoice.transaction_key)] == ["create", "lookup"]
    assert len(provider_invoices(sandbox, provider)) == 1


def test_timeout_and_lookup_down_then_retry_finds_it(session, sandbox, mail):
    account(session, "sinvoice", sandbox, timeout=1)
    order = business_order(session)
    invoice = create_invoice_draft(session, order.id, prefill_from_order(session, order.id))
    arm(sandbox, "sinvoice", mode="timeout", after=True, delay=2, path="createInvoice")
    arm(sandbox, "sinvoice", mode="5xx", path="searchInvoiceByTransactionUuid")
    with pytest.raises(RetryableError):
        issue_invoice(session, invoice.id)
    with pytest.raises(RetryableError):
        issue_invoice(session, invoice.id)          # the look-up fails: still nothing sent again
    session.expire_all()
    pending = session.get(Invoice, invoice.id)
    assert pending.status == InvoiceStatus.PENDING and pending.number is None and "look it up" in pending.error_message
    issued = issue_invoice(session, invoice.id)
    assert issued.status == InvoiceStatus.ISSUED and issued.number == 1 and issued.error_message is None
    # (the look-up answered 503 never reached the provider's log)
    assert [op for op, _ in provider_calls(sandbox, "sinvoice", invoice.transaction_key)] == ["create", "lookup"]
    assert len(provider_invoices(sandbox, "sinvoice")) == 1


def test_a_refused_invoice_is_failed_with_the_providers_message(session, sandbox):
    acc = account(session, "misa", sandbox)
    unknown = SERIES[:4] + "ZZ"   # registered here, not at the provider
    session.add(InvoiceSeries(provider_account_id=acc.id, template="1", series=unknown, active=True))
    order = business_order(session)
    form = prefill_from_order(session, order.id)
    form.series = unknown
    invoice = create_invoice_draft(session, order.id, form)
    acc.credentials = {**acc.credentials, "password": "wrong"}
    session.commit()
    with pytest.raises(AuthError):
        issue_invoice(session, invoice.id)
    assert session.get(Invoice, invoice.id).status == InvoiceStatus.PENDING  # fix the account and retry
    acc.credentials = {**acc.credentials, "password": misa_sandbox.DEMO_CREDENTIALS["password"]}
    session.commit()
    with pytest.raises(DomainError, match="InvoiceTemplateNotExist|chưa được đăng ký"):
        issue_invoice(session, invoice.id)
    session.expire_all()
    failed = session.get(Invoice, invoice.id)
    assert failed.status == InvoiceStatus.FAILED and "misa refused the invoice" in failed.error_message
    assert provider_invoices(sandbox, "misa") == []
    again = create_invoice_draft(session, order.id, prefill_from_order(session, order.id))  # a new one may be made
    assert issue_invoice(session, again.id).number == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_replacement_and_adjustment_rules(session, sandbox, mail, provider):
    account(session, provider, sandbox)
    order = business_order(session)
    original = issue_for_order(session, order.id, mail)
    form = prefill_correction(session, original.id, "replacement")
    form.lines[0]["unit_price"] = "140000"
    form.reason = "Sai đơn giá"
    with pytest.raises(ValidationErrors) as caught:
        create_correction(session, original.id, form, "replacement")
    assert "agreement_reference" in caught.value.errors     # a business buyer agrees in writing first
    form.agreement_reference = "BB-01/2026"
    replacement = issue_and_deliver(session, create_correction(session, original.id, form, "replacement").id, mail)
    session.refresh(original)
    assert replacement.status == InvoiceStatus.ISSUED and replacement.number == 2
    assert original.status == InvoiceStatus.REPLACED and original.replaced_by == replacement.display_number
    assert int(replacement.total) == 505500 - 21600
    assert "Thay thế cho hóa đơn Mẫu số 1 ký hiệu" in text_of(local_pdf(replacement))
    with pytest.raises(DomainError, match="already replaced by"):
        prefill_correction(session, original.id, "replacement")
    with pytest.raises(DomainError, match="already replaced by"):
        create_correction(session, original.id, form, "adjustment")
    adjust = prefill_correction(session, replacement.id, "adjustment")
    adjust.lines = [{"sku": "NM-1", "name": "Nước mắm Phú Quốc", "unit": "Chai", "quantity": "1",
                     "unit_price": "45500", "discount": "0", "vat_rate": "10"}]
    adjust.reason, adjust.agreement_reference = "Giảm giá hàng lỗi", "BB-02/2026"
    adjustment = issue_and_deliver(session, create_correction(session, replacement.id, adjust, "adjustment").id, mail)
    session.refresh(replacement)
    assert adjustment.status == InvoiceStatus.ISSUED and int(adjustment.total) == -(45500 + 4550)
    assert replacement.status == InvoiceStatus.ADJUSTED
    with pytest.raises(DomainError, match="only by adjustment"):
        prefill_correction(session, replacement.id, "replacement")
    too_much = prefill_correction(session, replacement.id, "adjustment")
    too_much.lines = [dict(adjust.lines[0], quantity="100")]
    too_much.reason, too_much.agreement_reference = "x", "BB-03"
    with pytest.raises(ValidationErrors) as caught:
        create_correction(session, replacement.id, too_much, "adjustment")
    assert "more than what invoice" in caught.value.errors["lines"][0]
    assert [i["invoiceNo" if provider == "sinvoice" else "InvNo"] for i in provider_invoices(sandbox, provider)] == \
        ([f"{SERIES}1", f"{SERIES}2", f"{SERIES}3"] if provider == "sinvoice" else ["00000001", "00000002", "00000003"])


def test_a_return_offers_an_adjustment_decrease_linked_to_it(session, sandbox, mail):
    account(session, "sinvoice", sandbox)
    order = business_order(session)
    invoice = issue_for_order(session, order.id, mail)
    line = next(ln for ln in order.lines if ln.sku == "AO-M")
    ret = returns.create_return(session, order.id, [(line.id, 1, "good")], reason="Không vừa size")
    suggestion = correction_for_return(session, ret.id)
    assert suggestion.invoice.id == invoice.id and suggestion.kind == "adjustment"
    assert not suggestion.full_return and suggestion.replacement_allowed
    form = prefill_correction(session, invoice.id, "adjustment", return_id=ret.id)
    assert form.direction == "decrease" and [(ln["sku"], ln["quantity"]) for ln in form.lines] == [("AO-M", "1")]
    form.agreement_reference = "BB-TH-01"
    adjustment = issue_and_deliver(session, create_correction(session, invoice.id, form, "adjustment").id, mail)
    assert int(adjustment.total) == -(150000 + 12000) and adjustment.adjustment_direction == "decrease"
    assert session.get(ReturnRequest, ret.id).invoice_id == adjustment.id
    replacement_form = prefill_correction(session, invoice.id, "adjustment", return_id=ret.id)
    assert replacement_form.lines  # an adjusted invoice is adjusted again, never replaced


def test_automatic_rule_finds_orders_due_once(session, sandbox, mail):
    account(session, "sinvoice", sandbox)
    wants = business_order(session)
    not_done = business_order(session, status=OrderStatus.PROCESSING, shipped=False)
    individual = business_order(session)
    individual.customer.tax_code, individual.customer.wants_invoice = None, False
    big = business_order(session, payment_status=PaymentStatus.PAID, status=OrderStatus.SHIPPED)
    big.customer.wants_invoice = False
    session.commit()
    assert orders_due_for_invoice(session, 20_000_000) == [wants.id]
    assert orders_due_for_invoice(session, 400_000) == [wants.id, individual.id, big.id]
    individual.invoice_requested = True
    session.commit()
    assert set(orders_due_for_invoice(session, 20_000_000)) == {wants.id, individual.id}
    issue_for_order(session, wants.id, mail)
    assert orders_due_for_invoice(session, 20_000_000) == [individual.id]
    assert not_done.id not in orders_due_for_invoice(session, 1)


def test_the_database_refuses_to_change_or_delete_an_issued_invoice(session, sandbox, mail):
    account(session, "sinvoice", sandbox)
    invoice = issue_for_order(session, business_order(session).id, mail)
    with pytest.raises(DomainError, match="cannot be changed"):
        invoice.total = 1
        session.flush()
    session.rollback()
    for statement in ("UPDATE invoice SET total = 1 WHERE id = :i", "UPDATE invoice SET number = 99 WHERE id = :i",
                      "DELETE FROM invoice WHERE id = :i"):
        with pytest.raises(sa.exc.DatabaseError):
            session.execute(sa.text(statement), {"i": invoice.id})
        session.rollback()
    assert session.get(Invoice, invoice.id).number == 1


@pytest.mark.postgres
@pytest.mark.parametrize("provider", PROVIDERS)
def test_concurrent_issuing_on_one_series_leaves_no_gap(pg_session_factory, sandbox, mail, provider):
    setup = pg_session_factory()
    account(setup, provider, sandbox, timeout=20)
    ids = []
    for _ in range(8):
        order = business_order(setup)
        ids.append(create_invoice_draft(setup, order.id, prefill_from_order(setup, order.id)).id)
    setup.close()
    httpx.post(f"{sandbox}/sandbox/{provider}/_control/config", json={"processing_delay": 0.05})
    assert issue_at_once(pg_session_factory, ids, issue_invoice) == []
    check = pg_session_factory()
    numbers = sorted(check.scalars(sa.select(Invoice.number).where(Invoice.id.in_(ids))))
    assert numbers == list(range(1, 9))
    at_provider = provider_invoices(sandbox, provider)
    assert sorted(int(i["InvNo"] if provider == "misa" else i["number"]) for i in at_provider) == list(range(1, 9))
    assert check.scalar(sa.select(InvoiceSeries.last_number).where(InvoiceSeries.series == SERIES,
                                                                   InvoiceSeries.template == "1")) == 8
    check.close()


def _return_all(session, order):
    return returns.create_return(session, order.id, [(ln.id, int(ln.quantity), "good") for ln in order.lines],
                                 reason="Khách đổi ý")


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_full_return_adjusts_the_invoice_to_zero_shipping_included(session, sandbox, mail, provider):
    account(session, provider, sandbox)
    order = business_order(session)
    invoice = issue_for_order(session, order.id, mail)
    ret = _return_all(session, order)
    suggestion = correction_for_return(session, ret.id)
    assert suggestion.full_return and not suggestion.replacement_allowed
    with pytest.raises(DomainError, match="cannot be replaced for this return"):
        prefill_for_return(session, ret.id, "replacement")
    original, kind, form = prefill_for_return(session, ret.id)
    assert (original.id, kind) == (invoice.id, "adjustment")
    assert [(ln["name"], ln["quantity"], ln["change"]) for ln in form.lines] == [
        ("Áo thun cổ tròn", "2", "decrease"), ("Nước mắm Phú Quốc", "3", "decrease"),
        ("Phí vận chuyển", "1", "decrease")]
    form.agreement_reference = "BB-TH-02"
    adjustment = issue_and_deliver(session, create_correction(session, invoice.id, form, "adjustment").id, mail)
    assert int(adjustment.total) == -505500 and adjustment.adjustment_direction == "decrease"
    assert remaining_total(session, invoice) == 0
    assert "Điều chỉnh cho hóa đơn Mẫu số 1" in text_of(local_pdf(adjustment))
    kinds = [i.get("kind") or i.get("ReferenceType") for i in provider_invoices(sandbox, provider)]
    assert kinds == (["original", "adjustment"] if provider == "sinvoice" else [0, 2])


@pytest.mark.parametrize("provider", PROVIDERS)
def test_one_adjustment_increases_one_line_and_decreases_another(session, sandbox, mail, provider):
    account(session, provider, sandbox)
    order = business_order(session)
    invoice = issue_for_order(session, order.id, mail)
    form = prefill_correction(session, invoice.id, "adjustment")
    form.direction, form.reason, form.agreement_reference = "mixed", "Sai số lượng", "BB-05/2026"
    form.lines = [{"sku": "AO-M", "name": "Áo thun cổ tròn", "unit": "Cái", "quantity": "1", "unit_price": "150000",
                   "discount": "0", "vat_rate": "8", "change": "increase"},
                  {"sku": "NM-1", "name": "Nước mắm Phú Quốc", "unit": "Chai", "quantity": "2",
                   "unit_price": "45500", "discount": "0", "vat_rate": "10", "change": ""}]
    with pytest.raises(ValidationErrors) as caught:       # a mixed adjustment says it line by line
        create_correction(session, invoice.id, form, "adjustment")
    assert "lines[1].change" in caught.value.errors
    form.lines[1]["change"] = "decrease"
    adjustment = issue_and_deliver(session, create_correction(session, invoice.id, form, "adjustment").id, mail)
    assert adjustment.status == InvoiceStatus.ISSUED and adjustment.adjustment_direction == "mixed"
    assert [int(ln.amount) for ln in adjustment.lines] == [150000, -91000]
    assert int(adjustment.total) == 150000 + 12000 - 91000 - 9100
    assert remaining_total(session, invoice) == 505500 + 61900
    assert len(provider_invoices(sandbox, provider)) == 2


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_individuals_id_number_is_kept_printed_and_sent(session, sandbox, mail, provider):
    account(session, provider, sandbox)
    order = business_order(session)
    order.customer.tax_code = None
    session.commit()
    form = prefill_from_order(session, order.id)
    assert form.buyer["tax_code"] == "" and form.buyer["legal_name"] == ""
    form.buyer["id_number"] = "079203001234"
    invoice = issue_and_deliver(session, create_invoice_draft(session, order.id, form).id, mail)
    assert invoice.buyer_id_number == "079203001234"
    assert "079203001234" in text_of(local_pdf(invoice))
    assert "079203001234" in text_of(invoice.pdf)          # the provider received it (its own PDF)
    other = business_order(session)
    bad = prefill_from_order(session, other.id)
    bad.buyer["id_number"] = "07920300"
    with pytest.raises(ValidationErrors) as caught:
        create_invoice_draft(session, other.id, bad)
    assert "12 digits" in caught.value.errors["buyer.id_number"][0]


def test_s_invoice_corrections_always_name_their_agreement_misa_only_for_businesses(session, sandbox, mail):
    sinvoice = account(session, "sinvoice", sandbox)
    misa = account(session, "misa", sandbox, default=False, name="misa test")
    consumer_invoices = {}
    for acc in (sinvoice, misa):
        order = business_order(session)
        order.customer.tax_code = None
        session.commit()
        draft = create_invoice_draft(session, order.id, prefill_from_order(session, order.id, account_id=acc.id))
        consumer_invoices[acc.provider] = issue_and_deliver(session, draft.id, mail)
    for provider, invoice in consumer_invoices.items():
        form = prefill_correction(session, invoice.id, "adjustment")
        form.reason = "Giảm giá"
        form.lines = [{"sku": "AO-M", "name": "Áo thun cổ tròn", "unit": "Cái", "quantity": "1",
                       "unit_price": "10000", "discount": "0", "vat_rate": "8", "change": ""}]
        if provider == "sinvoice":
            with pytest.raises(ValidationErrors) as caught:
                create_correction(session, invoice.id, form, "adjustment")
            assert "S-Invoice needs the number" in caught.value.errors["agreement_reference"][0]
            form.agreement_reference, form.agreement_date = "TB-01/2026", "2000-01-01"
            with pytest.raises(ValidationErrors) as caught:
                create_correction(session, invoice.id, form, "adjustment")
            assert "before the invoice it corrects" in caught.value.errors["agreement_date"][0]
            form.agreement_date = today_vn().isoformat()
        adjustment = issue_and_deliver(session, create_correction(session, invoice.id, form, "adjustment").id, mail)
        assert adjustment.status == InvoiceStatus.ISSUED
        # MISA's individual buyer: no agreement needed, none sent; S-Invoice's: the notice and its date.
        assert computed_of(adjustment).reference.agreement == ("TB-01/2026" if provider == "sinvoice" else "")
        assert adjustment.agreement_date == today_vn()
    [_, adjusted] = provider_invoices(sandbox, "sinvoice")
    assert adjusted["agreement"] == "TB-01/2026"


@pytest.mark.parametrize("paid", [False, True])
def test_s_invoice_is_told_whether_the_buyer_has_paid(session, sandbox, mail, paid):
    account(session, "sinvoice", sandbox)
    order = business_order(session, status=OrderStatus.DELIVERED,
                           payment_status=PaymentStatus.PAID if paid else PaymentStatus.UNPAID)
    invoice = issue_for_order(session, order.id, mail)
    [registered] = provider_invoices(sandbox, "sinvoice")
    assert registered["paymentStatus"] is paid and invoice.status == InvoiceStatus.ISSUED


def test_misa_duplicate_refid_not_yet_listed_stays_pending_never_a_second_key(session, sandbox, mail):
    """MISA holds the invoice but its status list lags: the resend answers DuplicateRefID and the
    look-up finds nothing. Marking the invoice failed would let a new RefID issue a second one."""
    account(session, "misa", sandbox, timeout=1, quiet=0)
    order = business_order(session)
    invoice = create_invoice_draft(session, order.id, prefill_from_order(session, order.id))
    httpx.post(f"{sandbox}/sandbox/misa/_control/config", json={"status_lag": 30})
    arm(sandbox, "misa", mode="timeout", after=True, delay=2, path="/api/integration/invoice")
    with pytest.raises(RetryableError):
        issue_invoice(session, invoice.id)                 # published, answer lost
    with pytest.raises(RetryableError, match="already holds an invoice"):
        issue_invoice(session, invoice.id)                 # look-up: nothing; resend: DuplicateRefID
    session.expire_all()
    assert session.get(Invoice, invoice.id).status == InvoiceStatus.PENDING
    with pytest.raises(DomainError, match="already has invoice"):
        create_invoice_draft(session, order.id, prefill_from_order(session, order.id))
    httpx.post(f"{sandbox}/sandbox/misa/_control/config", json={"status_lag": 0})
    issued = issue_invoice(session, invoice.id)
    assert issued.status == InvoiceStatus.ISSUED and issued.number == 1
    assert len(provider_invoices(sandbox, "misa")) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_issue_time_is_the_providers(session, sandbox, mail, provider):
    from datetime import datetime, timezone
    from app.integrations.einvoice.common import VN_TZ
    account(session, provider, sandbox)
    order = business_order(session)
    invoice = issue_invoice(session, create_invoice_draft(session, order.id, prefill_from_order(session, order.id)).id)
    [registered] = provider_invoices(sandbox, provider)
    if provider == "sinvoice":
        at_provider = datetime.fromtimestamp(registered["issueDate"] / 1000, tz=timezone.utc)
    else:
        at_provider = datetime.fromisoformat(registered["PublishedTime"]).replace(tzinfo=VN_TZ)
    stored = invoice.issued_at.replace(tzinfo=timezone.utc)
    assert stored == at_provider.astimezone(timezone.utc).replace(microsecond=0)
    assert stored.astimezone(VN_TZ).time() != datetime.min.time()       # not midnight of the day
