"""Connection settings as an admin types them: the sandbox accounts' values as the flat
``{field key: text}`` of their one form (the panel's, the API's and the CLI's)."""
from __future__ import annotations

from app import demo_invoicing, demo_shipping
from app.sandbox import misa as misa_sandbox, sinvoice as sinvoice_sandbox
from app.services.invoicing import today_vn

SECRETS = {"ghn": "ghn-sandbox-token-2f6c1d0e", "viettelpost": "OrderHub@2026", "sinvoice": "SInvoice@2026",
           "misa": "MisaDemo@2026"}


def _flat(prefix: str, tree: dict, out: dict) -> None:
    for key, value in tree.items():
        if isinstance(value, dict):
            _flat(f"{prefix}{key}.", value, out)
        elif value is not None:
            out[f"{prefix}{key}"] = "1" if value is True else "0" if value is False else str(value)


def form(provider: str, base: str, name: str | None = None, *, suffix: str = "") -> dict:
    """The form of a sandbox account of ``provider`` served at ``base`` (``suffix`` appended to
    its API address, as a provider's documents may write it)."""
    if provider in ("ghn", "viettelpost"):
        credentials, settings = demo_shipping.account_data(provider, base)
        series = {}
    else:
        demo = {"sinvoice": sinvoice_sandbox, "misa": misa_sandbox}[provider].DEMO_CREDENTIALS
        credentials = demo_invoicing.account_credentials(provider, demo)
        settings = demo_invoicing.account_settings(provider, demo, True)
        rows = demo["series"][today_vn().year]
        series = {f"series.{t}": ", ".join(r["series"] for r in rows if r["template"] == t) for t in ("1", "2")}
    out = {"name": name or f"{provider} account", "active": "1",
           "base_url": f"{base}/sandbox/{provider}{suffix}", **series}
    _flat("settings.", settings, out)
    _flat("credentials.", credentials, out)
    return out


def ghn_account_and_shopee_channel(session, url: str) -> tuple[int, int]:
    """A complete GHN account and a Shopee channel with an app key, on the sandboxes at ``url``."""
    from app.models import Channel, Platform
    from app.services.connection_settings import new_account
    account = new_account(session, "ghn", form("ghn", url)).id
    channel = Channel(platform=Platform.SHOPEE, name="Shopee", base_url=f"{url}/sandbox/shopee",
                      credentials={"partner_id": 1, "partner_key": "pk-kept"})
    session.add(channel)
    session.commit()
    return account, channel.id


def bare_channel(session, platform: str, name: str, url: str) -> int:
    """A marketplace channel on its sandbox at ``url``, with no credentials yet."""
    from app.models import Channel, Platform
    channel = Channel(platform=Platform(platform), name=name, base_url=f"{url}/sandbox/{platform}")
    session.add(channel)
    session.commit()
    return channel.id
