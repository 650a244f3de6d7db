"""E-invoice test helpers: sandbox accounts and orders with a business buyer."""
from __future__ import annotations

from contextlib import contextmanager

import httpx
import pytest

from app.models import (Customer, InvoiceSeries, InvoiceTemplate, Order, OrderLine, OrderStatus,
                        PaymentStatus, ProviderAccount, ProviderKind)
from app.sandbox.misa import DEMO_CREDENTIALS as MISA
from app.sandbox.sinvoice import DEMO_CREDENTIALS as SINVOICE
from app.services.invoicing import today_vn

DEMOS = {"sinvoice": SINVOICE, "misa": MISA}
YEAR = today_vn().year
SERIES = f"C{YEAR % 100}TAA"


def account(session, provider: str, sandbox_root: str, *, timeout: float = 5, name: str | None = None,
            default: bool = True, quiet: float = 0) -> ProviderAccount:
    """A ProviderAccount for ``provider`` at ``sandbox_root`` (``http://127.0.0.1:PORT``), with the
    current year's registered series. ``quiet``: the provider's quiet period after an unanswered
    request (the real 90 s of S-Invoice would make every retry test wait that long)."""
    demo = DEMOS[provider]
    creds = ({k: demo[k] for k in ("username", "password", "supplier_tax_code")} if provider == "sinvoice"
             else {k: demo[k] for k in ("app_id", "tax_code", "username", "password")})
    acc = ProviderAccount(kind=ProviderKind.EINVOICE, provider=provider, name=name or f"{provider} test",
                          base_url=f"{sandbox_root}/sandbox/{provider}", credentials=creds,
                          settings={"seller": dict(demo["seller"]), "default": default, "timeout_seconds": timeout,
                                    "template_codes": {"1": "1/001", "2": "2/001"}, "shipping_vat_rate": "10",
                                    "quiet_seconds": quiet})
    session.add(acc)
    session.flush()
    for row in demo["series"][YEAR]:
        session.add(InvoiceSeries(provider_account_id=acc.id, template=InvoiceTemplate(row["template"]),
                                  series=row["series"], active=True))
    session.commit()
    return acc


def business_order(session, *, status=OrderStatus.COMPLETED, shipped=True, **fields) -> Order:
    customer = Customer(name="Trần Văn Bình", phone="0912345678", company_name="Công ty Cổ phần FPT",
                        tax_code="0101248141", invoice_address="Số 10 Phạm Văn Bạch, Cầu Giấy, Hà Nội",
                        invoice_email="ketoan@fpt.example", wants_invoice=True)
    fields.setdefault("payment_status",
                      PaymentStatus.PAID if status == OrderStatus.COMPLETED else PaymentStatus.UNPAID)
    order = Order(buyer_name="Trần Văn Bình", buyer_phone="0912345678", customer=customer,
                  ship_street="12 Lý Tự Trọng", ship_ward="Phường Bến Nghé", ship_province="TP. Hồ Chí Minh",
                  payment_method="cod", shipping_fee=30000, status=status, **fields)
    order.lines.append(OrderLine(sku="AO-M", name="Áo thun cổ tròn", quantity=2, unit_price=150000,
                                 vat_rate="8", shipped_quantity=2 if shipped else 0))
    order.lines.append(OrderLine(sku="NM-1", name="Nước mắm Phú Quốc", quantity=3, unit_price=45500,
                                 discount=1500, vat_rate="10", shipped_quantity=3 if shipped else 0))
    session.add(order)
    session.commit()
    return order


@contextmanager
def sandboxes(seed: int = 3):
    """Both e-invoice sandboxes served on a loopback port: yields their root URL."""
    from flask import Flask

    from app.sandbox import misa as misa_sandbox, sinvoice as sinvoice_sandbox
    from tests.support.live_server import serve
    app = Flask(__name__)
    app.register_blueprint(sinvoice_sandbox.create_blueprint(seed=seed))
    app.register_blueprint(misa_sandbox.create_blueprint(seed=seed + 1))
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def sandbox():
    """Both e-invoice sandboxes for a test module (import it with ``fresh`` and ``mail``)."""
    with sandboxes(7) as url:
        yield url


@pytest.fixture
def fresh(sandbox):
    reset(sandbox)


@pytest.fixture
def mail(tmp_path):
    from app.services.invoice_mail import MailSettings
    return MailSettings(outbox=str(tmp_path / "outbox"))


def issue_at_once(session_factory, invoice_ids, issue) -> list[str]:
    """Run ``issue(session, invoice_id)`` for every invoice in its own thread and session, all at
    once; returns what went wrong (empty when nothing did)."""
    import threading
    errors = []

    def worker(invoice_id):
        s = session_factory()
        try:
            issue(s, invoice_id)
        except Exception as exc:  # reported to the test
            errors.append(repr(exc))
        finally:
            s.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in invoice_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def provider_invoices(sandbox_root: str, provider: str) -> list[dict]:
    return httpx.get(f"{sandbox_root}/sandbox/{provider}/_control/invoices").json()


def reset(sandbox_root: str) -> None:
    for provider in DEMOS:
        httpx.post(f"{sandbox_root}/sandbox/{provider}/_control/reset", json={"state": True})
        httpx.post(f"{sandbox_root}/sandbox/{provider}/_control/config", json={"processing_delay": 0, "status_lag": 0})


def arm(sandbox_root: str, provider: str, **fault) -> None:
    assert httpx.post(f"{sandbox_root}/sandbox/{provider}/_control/faults", json=fault).status_code == 200


def provider_calls(sandbox_root: str, provider: str, key: str | None = None) -> list[tuple[str, list]]:
    """(operation, keys) of every call the sandbox received (optionally only those naming ``key``)."""
    calls = httpx.get(f"{sandbox_root}/sandbox/{provider}/_control/calls").json()
    return [(c["operation"], c["keys"]) for c in calls if key is None or key in c["keys"]]


def stored_invoice(session, acc, number: int, *, lines: int = 3, provider_pdf: bytes | None = None):
    """An invoice issued on ``acc``'s series as number ``number`` (saved as a draft, then numbered, as
    issuing does), without calling the provider: for tests of what is done with stored invoices."""
    from decimal import Decimal
    from app.models import Invoice, InvoiceLine, InvoiceProvider, InvoiceStatus
    from app.models.base import utcnow
    from app.models.catalog import VatRate
    amounts = [100_000 * (n + 1) for n in range(lines)]
    invoice = Invoice(provider=InvoiceProvider(acc.provider), provider_account_id=acc.id,
                      template=InvoiceTemplate.VAT, series=SERIES,
                      transaction_key=f"stored-{acc.id}-{number}", status=InvoiceStatus.DRAFT,
                      buyer_name="Trần Văn Bình", buyer_company="Công ty Cổ phần FPT", buyer_tax_code="0101248141",
                      buyer_address="Số 10 Phạm Văn Bạch, Cầu Giấy, Hà Nội", payment_method="CK",
                      vat_breakdown=[{"rate": "10", "amount": sum(amounts), "tax": sum(amounts) // 10}],
                      subtotal=sum(amounts), vat_total=sum(amounts) // 10, total=sum(amounts) * 11 // 10,
                      amount_in_words="(không kiểm tra)")
    invoice.lines = [InvoiceLine(position=n + 1, sku=f"SKU-{n}", name=f"Hàng hóa số {n + 1}", unit="Cái",
                                 quantity=Decimal(1), unit_price=Decimal(a), vat_rate=VatRate.TEN, amount=Decimal(a),
                                 vat_amount=Decimal(a // 10)) for n, a in enumerate(amounts)]
    session.add(invoice)
    session.commit()
    invoice.status, invoice.number, invoice.issued_at = InvoiceStatus.ISSUED, number, utcnow()
    invoice.lookup_code, invoice.pdf = f"LOOKUP{number:06d}", provider_pdf
    session.commit()
    return invoice
