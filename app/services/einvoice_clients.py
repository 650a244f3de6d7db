"""The e-invoice client of a ProviderAccount (kind ``einvoice``), and the seller it issues as.

An account holds what changes between the sandbox and the real service, and nothing else:

- ``provider``: ``sinvoice`` or ``misa``; ``base_url``: the host root (the client adds the paths);
- ``credentials`` (encrypted): S-Invoice ``username``, ``password``, ``supplier_tax_code`` and optionally
  ``auth`` ("basic" or "token"); MISA ``app_id``, ``tax_code``, ``username``, ``password``;
- ``settings``: ``seller`` (name, tax_code, address, phone, email, bank_account, bank_name,
  business_location — printed on every invoice),
  ``template_codes`` (S-Invoice ``{"1": "1/001", "2": "2/001"}``), ``template`` ("1" VAT invoice,
  "2" sales invoice: the default for new invoices), ``timeout_seconds``, ``default`` (the account new
  invoices use), ``shipping_vat_rate`` (the rate of the shipping-fee line), ``lookup_url``,
  ``quiet_seconds`` (see ``quiet_seconds``).

Every request and answer goes to the integration log through ``recorder`` (secrets redacted there).
"""
from __future__ import annotations

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.integrations.einvoice.misa import MisaClient, build_misa_invoice_data
from app.integrations.einvoice.sinvoice import QUIET_SECONDS as SINVOICE_QUIET, SInvoiceClient, build_sinvoice_payload
from app.models import ProviderAccount, ProviderKind
from app.services.errors import N_, ValidationError
from app.services.integration_log import recorder
from app.services.invoice_rules import ComputedInvoice, Seller

PROVIDER_NAMES = {"sinvoice": "Viettel S-Invoice (Tổng Công ty Dịch vụ số Viettel)",
                  "misa": "MISA meInvoice (Công ty Cổ phần MISA)"}
PROVIDER_TAX_CODES = {"sinvoice": "0100109106", "misa": "0101243150"}
REQUIRED_CREDENTIALS = {"sinvoice": ("username", "password"),
                        "misa": ("app_id", "tax_code", "username", "password")}
QUIET_SECONDS = {"sinvoice": SINVOICE_QUIET, "misa": 5}
EINVOICE_CLASSES = {"sinvoice": SInvoiceClient, "misa": MisaClient}


def einvoice_traits(provider: str) -> type:
    """The client class of an e-invoice provider: what its rules ask, without a connection."""
    return EINVOICE_CLASSES[provider]
DEFAULT_TIMEOUT = 60.0  # S-Invoice asks integrators for 60–90 s: signing can be slow


def einvoice_accounts(session: Session, *, active_only: bool = True) -> list[ProviderAccount]:
    stmt = sa.select(ProviderAccount).where(ProviderAccount.kind == ProviderKind.EINVOICE)
    if active_only:
        stmt = stmt.where(ProviderAccount.active.is_(True))
    return list(session.scalars(stmt.order_by(ProviderAccount.id)))


def default_account(session: Session) -> ProviderAccount:
    """The account marked ``default`` in its settings, else the first active e-invoice account."""
    accounts = einvoice_accounts(session)
    if not accounts:
        raise ValidationError("provider_account_id", N_("E-invoice provider: no active e-invoice account "
                                                        "(S-Invoice or MISA) is set up; an admin adds one under "
                                                        "System → Carrier & e-invoice accounts."))
    marked = [a for a in accounts if (a.settings or {}).get("default")]
    return (marked or accounts)[0]


def einvoice_account(session: Session, account_id) -> ProviderAccount:
    try:
        account = session.get(ProviderAccount, int(account_id))
    except (TypeError, ValueError):
        account = None
    if account is None or account.kind != ProviderKind.EINVOICE:
        raise ValidationError("provider_account_id", N_("E-invoice provider: account #%(id)s does not exist."),
                              id=account_id)
    if not account.active:
        raise ValidationError("provider_account_id", N_("E-invoice provider: account %(account)s is not active."),
                              account=account.name)
    return account


def seller_of(account: ProviderAccount | None) -> Seller:
    if account is None:  # the invoice's account was deleted (or never chosen)
        raise ValidationError("provider_account", N_("This invoice has no e-invoice account, whose "
                                                      "seller details its PDF needs: choose one."))
    seller = (account.settings or {}).get("seller") or {}
    missing = [k for k in ("name", "tax_code", "address") if not seller.get(k)]
    if missing:
        raise ValidationError(f"settings.seller.{missing[0]}",
                              N_("E-invoice account %(account)s has no seller %(item)s in its settings: an admin "
                                 "fills in the seller's legal name, tax code and address."),
                              account=account.name, item=missing[0])
    return Seller(**{k: str(seller.get(k) or "") for k in
                     ("name", "tax_code", "address", "phone", "email", "bank_account", "bank_name",
                      "business_location")})


def template_code(account: ProviderAccount, template: str) -> str:
    """S-Invoice's ``templateCode`` (``1/001``) of a template digit on this account."""
    codes = (account.settings or {}).get("template_codes") or {}
    return codes.get(str(template)) or f"{template}/001"


def client_for(account: ProviderAccount, *, session: Session | None = None, job_id: int | None = None,
               transport: httpx.BaseTransport | None = None):
    """An ``SInvoiceClient`` or ``MisaClient`` for ``account``, logging to the integration log."""
    creds = account.credentials or {}
    settings = account.settings or {}
    missing = [k for k in REQUIRED_CREDENTIALS.get(account.provider, ()) if not creds.get(k)]
    if account.provider not in REQUIRED_CREDENTIALS:
        raise ValidationError("provider", N_("%(account)s is not an e-invoice account (sinvoice or misa)."),
                              account=account.name)
    if missing:
        raise ValidationError(f"credentials.{missing[0]}",
                              N_("E-invoice account %(account)s has no %(item)s in its credentials."),
                              account=account.name, item=missing[0])
    timeout = float(settings.get("timeout_seconds") or DEFAULT_TIMEOUT)
    common = {"transport": transport, "timeout": httpx.Timeout(timeout, connect=min(timeout, 10.0)),
              "on_exchange": recorder(session, job_id=job_id) if session is not None else None}
    if account.provider == "sinvoice":
        tax_code = creds.get("supplier_tax_code") or seller_of(account).tax_code
        return SInvoiceClient(account.base_url, creds["username"], creds["password"], tax_code,
                              auth=creds.get("auth", "basic"), **common)
    return MisaClient(account.base_url, creds["app_id"], creds["tax_code"], creds["username"],
                      creds["password"], sign_type=int(creds.get("sign_type", 2)),
                      certificate_sn=creds.get("certificate_sn", ""), **common)


def quiet_seconds(account: ProviderAccount) -> float:
    """How long after an unanswered issue request the provider must be left alone (no look-up, no
    resend): S-Invoice 90 s (research C.3: overlapping duplicates can create two invoices), MISA 5 s
    (D.4: leave ~3 s after a busy series). ``settings.quiet_seconds`` overrides it (tests, a provider's
    advice)."""
    value = (account.settings or {}).get("quiet_seconds")
    if value not in (None, ""):
        return max(0.0, float(value))
    return float(QUIET_SECONDS.get(account.provider, 5))


def build_payload(account: ProviderAccount, computed: ComputedInvoice, *, key: str, order_code: str = "",
                  original_template: str | None = None, paid: bool = False) -> dict:
    """The provider's request body for ``computed``, sent under the idempotency ``key``; ``paid`` is
    whether the buyer has paid (S-Invoice ``paymentStatus``)."""
    if account.provider == "sinvoice":
        return build_sinvoice_payload(
            computed, seller_of(account), transaction_uuid=key,
            template_code=template_code(account, str(computed.template)),
            original_template_code=template_code(account, original_template) if original_template else None,
            order_code=order_code, payment_status=paid)
    return build_misa_invoice_data(computed, ref_id=key, order_code=order_code)

