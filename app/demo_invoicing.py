"""Demo e-invoicing: an S-Invoice and a MISA account pointing at the app's own sandboxes, their registered
series for the current year, and issuing invoices for chosen orders before the web server runs.

Idempotent: accounts are found by name and series by (account, template, series); a second run adds
nothing. Switching to the real services is editing each account's base URL and credentials.
"""
from __future__ import annotations

import httpx
import sqlalchemy as sa

from app.models import InvoiceSeries, InvoiceTemplate, ProviderAccount, ProviderKind
from app.services.invoicing import today_vn

ACCOUNTS = {
    "sinvoice": "Viettel S-Invoice (sandbox)",
    "misa": "MISA meInvoice (sandbox)",
}


# Every setting of the account's form filled in, as a seller going live would (the sandbox's values).
BUSINESS_LOCATION = {"sinvoice": "Cửa hàng Sen Việt – 12 Nguyễn Huệ, Phường Sài Gòn, TP. Hồ Chí Minh",
                     "misa": "Cửa hàng Hoa Sen – 25 Lý Thường Kiệt, Phường Cửa Nam, Hà Nội"}


def account_credentials(provider: str, demo: dict) -> dict:
    if provider == "sinvoice":
        return {**{k: demo[k] for k in ("username", "password", "supplier_tax_code")}, "auth": "basic"}
    return {**{k: demo[k] for k in ("app_id", "tax_code", "username", "password")}, "sign_type": 2,
            "certificate_sn": "5404FFFEB7033FB316D672201B7A1F3A"}


def account_settings(provider: str, demo: dict, default: bool) -> dict:
    year = today_vn().year
    codes = {s["template"]: s.get("template_code", f"{s['template']}/001") for s in demo["series"][year]}
    return {"seller": {**demo["seller"], "business_location": BUSINESS_LOCATION[provider]},
            **({"template_codes": codes} if provider == "sinvoice" else {}),
            "template": "1", "default": default, "timeout_seconds": 30, "shipping_vat_rate": "10",
            "quiet_seconds": 90 if provider == "sinvoice" else 5,
            "lookup_url": f"https://{'vinvoice.viettel.vn' if provider == 'sinvoice' else 'meinvoice.vn/tra-cuu'}"}


def ensure_accounts(session, base_url: str) -> dict[str, ProviderAccount]:
    from app.sandbox.misa import DEMO_CREDENTIALS as MISA
    from app.sandbox.sinvoice import DEMO_CREDENTIALS as SINVOICE
    demos = {"sinvoice": SINVOICE, "misa": MISA}
    accounts = {}
    for provider, name in ACCOUNTS.items():
        account = session.scalar(sa.select(ProviderAccount).where(ProviderAccount.name == name))
        if account is None:
            account = ProviderAccount(kind=ProviderKind.EINVOICE, provider=provider, name=name,
                                      base_url=f"{base_url}/sandbox/{provider}",
                                      credentials=account_credentials(provider, demos[provider]),
                                      settings=account_settings(provider, demos[provider], provider == "sinvoice"))
            session.add(account)
            session.flush()
        year = today_vn().year
        for row in demos[provider]["series"].get(year, []):
            exists = session.scalar(sa.select(InvoiceSeries.id).where(
                InvoiceSeries.provider_account_id == account.id,
                InvoiceSeries.template == InvoiceTemplate(row["template"]), InvoiceSeries.series == row["series"]))
            if exists is None:
                session.add(InvoiceSeries(provider_account_id=account.id, template=InvoiceTemplate(row["template"]),
                                          series=row["series"], last_number=0, active=True))
        accounts[provider] = account
    session.commit()
    return accounts


def load(app) -> dict:
    """Accounts and series for the demo (the loader calls it once the orders exist)."""
    from app.extensions import db
    base = app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    accounts = ensure_accounts(db.session, base)
    series = db.session.scalar(sa.select(sa.func.count(InvoiceSeries.id)))
    return {"accounts": sorted(a.name for a in accounts.values()), "series": series}


def issue_orders(app, order_ids, provider: str | None = None) -> dict:
    """Issue (and email to the outbox) the invoices of ``order_ids`` now, synchronously.

    The demo loader runs before the web server listens, so the clients reach the app's own sandboxes
    through ``httpx.WSGITransport(app=app)``. ``provider`` ("sinvoice"/"misa") picks the account;
    default: the default account. An order whose invoice is already issued is skipped.
    """
    from app.extensions import db
    from app.integrations.base import IntegrationError
    from app.services.errors import DomainError
    from app.services.invoice_issuing import issue_and_deliver
    from app.services.invoice_mail import MailSettings
    from app.services.invoicing import create_invoice_draft, open_original, prefill_from_order
    session = db.session
    accounts = ensure_accounts(session, app.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"))
    transport = httpx.WSGITransport(app=app)
    mail = MailSettings.from_config(app.config)
    issued, refused = [], {}
    for order_id in order_ids:
        try:
            invoice = open_original(session, order_id)
            if invoice is None:
                account_id = accounts[provider].id if provider else None
                invoice = create_invoice_draft(session, order_id,
                                               prefill_from_order(session, order_id, account_id=account_id))
            invoice = issue_and_deliver(session, invoice.id, mail, transport=transport)
            issued.append(invoice.display_number)
        except (DomainError, IntegrationError) as exc:
            session.rollback()
            refused[order_id] = exc.message
    return {"issued": issued, "refused": refused}
