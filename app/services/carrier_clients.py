"""A carrier client for a ProviderAccount: GHN or Viettel Post, with its sender address and the
integration-log recorder attached.

A carrier ProviderAccount holds ``base_url`` (the carrier's host, or ``…/sandbox/<carrier>``),
``credentials`` (encrypted; GHN ``{"token", "shop_id"}``; Viettel Post ``{"username", "password",
"webhook_token"}`` — the shared secret its callbacks carry — optionally a long-term ``token``) and
``settings``::

    {"sender": {"name", "phone", "address", "ward_name", "district_name", "province_name",
                "province_id", "district_id", "ward_code"},   # the carrier's own area ids
     "default_service": "economy", "default_required_note": "allow_view",
     "reference_prefix": "",        # put in front of client references (several shops, one account)
     "print_base_url": "https://digitalize.viettelpost.vn"}  # Viettel Post's label host

Switching to the real carrier is a change of base URL and credentials only.
"""
from __future__ import annotations

import contextvars
import logging
import threading
from contextlib import contextmanager

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.integrations.carriers.common import Party
from app.integrations.carriers.ghn import GHNClient
from app.integrations.carriers.viettelpost import ViettelPostClient
from app.models import ProviderAccount, ProviderKind
from app.services.errors import N_, NotFound, ValidationError
from app.services.integration_log import recorder

log = logging.getLogger(__name__)
CARRIER_CLASSES = {"ghn": GHNClient, "viettelpost": ViettelPostClient}
CARRIERS = tuple(CARRIER_CLASSES)
CARRIER_NAMES = {"ghn": "GHN", "viettelpost": "Viettel Post"}


def carrier_traits(carrier) -> type:
    """The client class of ``carrier`` (a code or the Carrier enum): what it can do, without a
    connection (``initial_status``, ``max_insurance``, ``looks_up``, ``area_codes``)."""
    return CARRIER_CLASSES[str(getattr(carrier, "value", carrier))]


def carriers_that_look_up() -> list[str]:
    return [code for code, cls in CARRIER_CLASSES.items() if cls.looks_up]
TIMEOUT = httpx.Timeout(15.0, connect=5.0)

# The demo loader runs before the web server listens, so its carrier calls cannot reach the
# sandboxes over HTTP yet: it ships through an in-process WSGI transport set here. The clients are
# the real ones (any transport works for them); this is the one place that lets the demo hand
# them a transport without threading it through every service and job signature.
_transport: contextvars.ContextVar[httpx.BaseTransport | None] = contextvars.ContextVar(
    "carrier_transport", default=None)
# Viettel Post's long-term token is good for a year: log in once per process, not per call.
_vtp_tokens: dict[tuple[str, str], str] = {}
_vtp_lock = threading.Lock()


@contextmanager
def using_transport(transport: httpx.BaseTransport):
    """Make every carrier client built inside this block talk through ``transport``."""
    token = _transport.set(transport)
    try:
        yield
    finally:
        _transport.reset(token)


def carrier_accounts(session: Session, carrier: str | None = None) -> list[ProviderAccount]:
    stmt = sa.select(ProviderAccount).where(ProviderAccount.kind == ProviderKind.CARRIER,
                                            ProviderAccount.active.is_(True))
    if carrier:
        stmt = stmt.where(ProviderAccount.provider == str(carrier))
    return list(session.scalars(stmt.order_by(ProviderAccount.id)))


def account_for(session: Session, carrier: str, account_id: int | None = None) -> ProviderAccount:
    """The carrier account to ship with: the one named, else the first active one of the carrier."""
    carrier = str(carrier or "")
    if carrier not in CARRIERS:
        raise ValidationError("carrier", N_("Choose a carrier: ghn or viettelpost (not %(given)s)."),
                              given=repr(carrier))
    if account_id:
        account = session.get(ProviderAccount, int(account_id))
        if account is None or account.provider != carrier or account.kind != ProviderKind.CARRIER:
            raise NotFound(N_("Carrier account #%(id)s is not a %(carrier)s account."),
                           id=account_id, carrier=CARRIER_NAMES[carrier])
        return account
    accounts = carrier_accounts(session, carrier)
    if not accounts:
        raise ValidationError("carrier", N_("No active %(carrier)s account is set up: an admin adds "
                                            "one under System → Carrier & e-invoice accounts."),
                              carrier=CARRIER_NAMES[carrier])
    return accounts[0]


def sender_party(account: ProviderAccount) -> Party:
    s = dict((account.settings or {}).get("sender") or {})
    if not s.get("district_id"):
        raise ValidationError("sender", N_("Carrier account %(account)s has no sender address with "
                                           "the carrier's district id in its settings."),
                              account=account.name)
    return Party(name=s.get("name") or account.name, phone=str(s.get("phone") or ""),
                 address=str(s.get("address") or ""), ward_name=s.get("ward_name") or "",
                 district_name=s.get("district_name") or "",
                 province_name=s.get("province_name") or "", province_id=s.get("province_id"),
                 district_id=s.get("district_id"), ward_code=s.get("ward_code"),
                 email=s.get("email") or "")


def client_for(account: ProviderAccount, *, on_exchange=None,
               transport: httpx.BaseTransport | None = None, timeout=None):
    """A GHNClient or ViettelPostClient for ``account`` (credentials decrypted by the model)."""
    creds = dict(account.credentials or {})
    transport = transport or _transport.get()
    timeout = timeout or TIMEOUT
    if account.provider == "ghn":
        return GHNClient(account.base_url, str(creds.get("token") or ""), creds.get("shop_id") or 0,
                         transport=transport, timeout=timeout, on_exchange=on_exchange)
    if account.provider == "viettelpost":
        key = (account.base_url, str(creds.get("username") or ""))
        client = ViettelPostClient(account.base_url, key[1], str(creds.get("password") or ""),
                                   token=creds.get("token") or _vtp_tokens.get(key),
                                   print_base_url=(account.settings or {}).get("print_base_url"),
                                   transport=transport, timeout=timeout, on_exchange=on_exchange)
        original = client.login

        def login_and_keep() -> str:
            token = original()
            with _vtp_lock:
                _vtp_tokens[key] = token
            return token

        client.login = login_and_keep
        return client
    raise ValidationError("provider", N_("%(provider)s is not a carrier."), provider=account.provider)


def logged_client(session: Session, account: ProviderAccount, *, job_id: int | None = None,
                  transport: httpx.BaseTransport | None = None, timeout=None):
    """``client_for`` with every exchange written to the IntegrationLog (secrets redacted)."""
    record = recorder(session, job_id=job_id)

    def on_exchange(exchange) -> None:
        try:
            record(exchange)
        except Exception:  # a busy log table must not fail (or repeat) a carrier call
            log.warning("could not write the integration log for %s %s", exchange.system,
                        exchange.endpoint, exc_info=True)

    return client_for(account, on_exchange=on_exchange, transport=transport, timeout=timeout)


class ClientPool:
    """One client per account for a job that works through many shipments (keeps connections)."""

    def __init__(self, session: Session, *, job_id: int | None = None, timeout=None):
        self.session = session
        self.job_id = job_id
        self.timeout = timeout
        self._clients: dict[int, object] = {}

    def get(self, account: ProviderAccount):
        if account.id not in self._clients:
            self._clients[account.id] = logged_client(self.session, account, job_id=self.job_id,
                                                      timeout=self.timeout)
        return self._clients[account.id]

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
