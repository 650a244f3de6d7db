"""A marketplace hands over the buyer's contact masked (``(+84)97*****33``, ``n****@gmail.com``,
``Nguyễn V***``). S-Invoice and MISA refuse such a phone or email, and it is nobody's real one: the
invoice goes out without it, issued, against the sandboxes over loopback HTTP."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.models import IntegrationLog, InvoiceStatus, Order, OrderLine, OrderStatus, PaymentStatus
from app.services.invoice_issuing import issue_for_order
from app.services.invoice_mail import MailSettings
from app.services.invoice_rules import CONSUMER_BUYER_NAME
from tests.support.einvoice import account, business_order, fresh, provider_invoices, sandbox  # noqa: F401

MASKED_PHONE, MASKED_EMAIL, MASKED_NAME = "(+84)97*****33", "n****@gmail.com", "Nguyễn V***"


@pytest.fixture(autouse=True)
def _fresh_sandboxes(fresh):
    pass


def _marketplace_order(session) -> Order:
    order = Order(buyer_name=MASKED_NAME, buyer_phone=MASKED_PHONE, buyer_email=MASKED_EMAIL,
                  ship_street="12 Lý Tự Trọng", ship_ward="Phường Bến Nghé",
                  ship_province="TP. Hồ Chí Minh", payment_method="prepaid",
                  payment_status=PaymentStatus.PAID, status=OrderStatus.COMPLETED)
    order.lines.append(OrderLine(sku="AO-M", name="Áo thun cổ tròn", quantity=2, unit_price=150000,
                                 vat_rate="8", shipped_quantity=2))
    session.add(order)
    session.commit()
    return order


def _sent(session, provider: str) -> str:
    bodies = session.scalars(sa.select(IntegrationLog.request_body)
                             .where(IntegrationLog.system == provider)).all()
    return json.dumps(bodies, ensure_ascii=False)


@pytest.mark.parametrize("provider", ["sinvoice", "misa"])
def test_a_masked_buyer_is_invoiced_as_a_consumer_without_the_masked_contact(session, sandbox, tmp_path,
                                                                           provider):
    account(session, provider, sandbox)
    order = _marketplace_order(session)
    invoice = issue_for_order(session, order.id, MailSettings(outbox=str(tmp_path)))
    assert invoice.status == InvoiceStatus.ISSUED, invoice.error_message
    assert len(provider_invoices(sandbox, provider)) == 1
    assert invoice.buyer_phone is None and invoice.buyer_email is None
    assert invoice.buyer_name == CONSUMER_BUYER_NAME
    sent = _sent(session, provider)
    assert MASKED_PHONE not in sent and MASKED_EMAIL not in sent and MASKED_NAME not in sent
    assert "97*****33" not in sent


@pytest.mark.parametrize("provider", ["sinvoice", "misa"])
def test_a_business_buyer_keeps_its_company_but_not_a_masked_phone(session, sandbox, tmp_path, provider):
    account(session, provider, sandbox)
    order = business_order(session)
    order.buyer_phone = order.customer.phone = MASKED_PHONE
    session.commit()
    invoice = issue_for_order(session, order.id, MailSettings(outbox=str(tmp_path)))
    assert invoice.status == InvoiceStatus.ISSUED, invoice.error_message
    assert invoice.buyer_company == "Công ty Cổ phần FPT" and invoice.buyer_phone is None
    assert invoice.buyer_email == "ketoan@fpt.example"
    assert "97*****33" not in _sent(session, provider)


def test_a_real_phone_is_sent_in_its_national_form(session, sandbox, tmp_path):
    account(session, "sinvoice", sandbox)
    order = business_order(session)
    order.buyer_phone = "+84 912 345 678"
    session.commit()
    invoice = issue_for_order(session, order.id, MailSettings(outbox=str(tmp_path)))
    assert invoice.buyer_phone == "0912345678"
    sent = _sent(session, "sinvoice")
    assert "buyerPhoneNumber" in sent and "0912345678" in sent and "912 345 678" not in sent
