""""Test connection": one cheap authenticated call to the provider through the account's own client
(the one shipping, invoicing or syncing would use), and a plain answer — it worked, or why not.

Nothing is created at the provider. The call goes to the integration log like any other (secrets
redacted there). What each provider is asked: GHN the services from the sender's district (token,
shop id and district at once), Viettel Post its sign-in and pick-up points, S-Invoice a look-up by
a key no invoice has (credentials and supplier tax code), MISA a token and the series it has
registered (compared with ours), a marketplace the connected shop.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from sqlalchemy.orm import Session

from app.integrations.base import AuthError, IntegrationError, RetryableError
from app.models import Channel, ProviderAccount
from app.services import carrier_clients, channel_clients, einvoice_clients
from app.services.connection_fields import PROVIDER_TITLES
from app.services.connection_settings import missing, series_of
from app.services.errors import N_, DomainError, fill
from app.services.integration_log import recorder
from app.services.invoicing import today_vn

OK = N_("%(provider)s accepted the connection: %(what)s")
NOT_READY = N_("Not tested: %(provider)s still needs %(fields)s.")
REFUSED_AUTH = N_("%(provider)s refused the credentials: %(reason)s")
REFUSED = N_("%(provider)s refused the test call: %(reason)s")
UNREACHABLE = N_("%(provider)s could not be reached at %(url)s: %(reason)s")
NOT_CONNECTED = N_("The app credentials are stored, but no shop is connected to this channel yet: use "
                   "Connect — the marketplace checks the app key and secret there.")
NOTHING_TO_CALL = N_("%(provider)s calls OrderHub, not the other way round: there is no provider to test. "
                     "Its orders are checked against the signing secret set here.")
MISSING_SERIES = N_("%(provider)s accepted the credentials, but has no series %(series)s registered for this "
                    "year (it has %(registered)s): invoices of that series would be refused.")
WHAT = {"services": N_("%(services)s services offered from the sender's district"),
        "provinces": N_("%(provinces)s provinces listed"),
        "warehouses": N_("signed in, %(warehouses)s pick-up points"),
        "series": N_("series registered: %(series)s"),
        "shop": N_("shop %(shop)s"),
        "": N_("credentials and tax code accepted")}


@dataclass
class ConnectionCheck:
    """The answer, as an ``N_`` template and its values (the web layer shows it translated)."""

    ok: bool
    template: str
    params: dict = field(default_factory=dict)
    parts: list = field(default_factory=list)  # (template, params) pieces filling %(what)s

    def text(self, translate=lambda text: text) -> str:
        """The answer in words; ``translate`` looks our own words up in the reader's catalogue
        (the provider's words, in ``reason``, stay as the provider wrote them)."""
        params = {k: ", ".join(translate(x) for x in v) if isinstance(v, list) else v
                  for k, v in self.params.items()}
        params["what"] = "; ".join(fill(translate(t), p) for t, p in self.parts)
        return fill(translate(self.template), params)

    @property
    def message(self) -> str:
        return self.text()


def _title(record) -> str:
    if isinstance(record, Channel):
        return channel_clients.PLATFORM_NAMES.get(getattr(record.platform, "value", record.platform), record.name)
    return PROVIDER_TITLES.get(record.provider, record.provider)


def testable(record) -> bool:
    """Whether "Test connection" has a provider to call (a website channel calls us instead)."""
    return not isinstance(record, Channel) or \
        getattr(record.platform, "value", record.platform) in channel_clients.MARKETPLACES


def check_connection(session: Session, record, *, transport: httpx.BaseTransport | None = None) -> ConnectionCheck:
    """Call the provider of ``record`` (a ProviderAccount or a marketplace Channel) once."""
    provider = _title(record)
    gaps = missing(session, record)
    if gaps:
        return ConnectionCheck(False, NOT_READY, {"provider": provider, "fields": [f.label for f in gaps]})
    if not testable(record):
        return ConnectionCheck(False, NOTHING_TO_CALL, {"provider": record.name})
    if isinstance(record, Channel) and not (record.credentials or {}).get("access_token"):
        return ConnectionCheck(False, NOT_CONNECTED, {"provider": provider})
    log = recorder(session, channel_id=record.id) if isinstance(record, Channel) else recorder(session)
    try:
        client, context = _client(session, record, log, transport)
        with client:
            facts = client.check_connection(**context)
    except AuthError as exc:
        return ConnectionCheck(False, REFUSED_AUTH, {"provider": provider, "reason": exc.message})
    except RetryableError as exc:
        return ConnectionCheck(False, UNREACHABLE, {"provider": provider, "url": record.base_url,
                                                    "reason": exc.message})
    except IntegrationError as exc:
        return ConnectionCheck(False, REFUSED, {"provider": provider, "reason": exc.message})
    except DomainError as exc:
        return ConnectionCheck(False, REFUSED, {"provider": provider, "reason": exc.message})
    finally:
        session.commit()  # the integration log's rows
    return _verdict(session, record, provider, facts)


def _client(session, record, log, transport):
    if isinstance(record, Channel):
        return channel_clients.client_for(record, on_exchange=log, transport=transport), {}
    if record.provider in carrier_clients.CARRIERS:
        sender = (record.settings or {}).get("sender") or {}
        return (carrier_clients.client_for(record, on_exchange=log, transport=transport),
                {"district_id": sender.get("district_id")})
    client = einvoice_clients.client_for(record, transport=transport)
    client.on_exchange = log
    return client, {}


def _verdict(session, record, provider: str, facts: dict) -> ConnectionCheck:
    answer = ConnectionCheck(True, OK, {"provider": provider})
    for key, value in facts.items():
        answer.parts.append((WHAT.get(key, WHAT[""]), {key: ", ".join(value) if isinstance(value, list) else value}))
    if not facts:
        answer.parts.append((WHAT[""], {}))
    registered = facts.get("series")
    if isinstance(record, ProviderAccount) and registered is not None:
        year = f"{today_vn().year % 100:02d}"
        ours = [f"{t}{s}" for t in ("1", "2") for s in series_of(session, record, t) if s[1:3] == year]
        absent = [s for s in ours if s not in registered]
        if absent:
            return ConnectionCheck(False, MISSING_SERIES, {"provider": provider, "series": ", ".join(absent),
                                                           "registered": ", ".join(registered) or "—"})
    return answer
