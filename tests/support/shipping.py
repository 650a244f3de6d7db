"""Helpers for shipping tests: carrier accounts on a sandbox base URL, packed orders, sandbox state."""
from __future__ import annotations

import httpx

from app.models import ProviderAccount, ProviderKind
from app.sandbox import ghn as ghn_sandbox
from app.sandbox import viettelpost as vtp_sandbox
from app.services import orders
from tests.support import seed

VTP_TOKEN = "vtp-test-webhook-secret"


def accounts(session, base_url: str) -> dict[str, ProviderAccount]:
    """GHN and Viettel Post accounts on ``base_url``/sandbox/<carrier>, sender in Quận Tân Bình."""
    from app.demo_shipping import _sender
    made = {
        "ghn": ProviderAccount(kind=ProviderKind.CARRIER, provider="ghn", name="GHN test",
                               base_url=f"{base_url}/sandbox/ghn",
                               credentials=dict(ghn_sandbox.DEMO_CREDENTIALS),
                               settings={"sender": _sender("ghn")}),
        "viettelpost": ProviderAccount(kind=ProviderKind.CARRIER, provider="viettelpost",
                                       name="Viettel Post test",
                                       base_url=f"{base_url}/sandbox/viettelpost",
                                       credentials={**vtp_sandbox.DEMO_CREDENTIALS,
                                                    "webhook_token": VTP_TOKEN},
                                       settings={"sender": _sender("viettelpost"),
                                                 "print_base_url":
                                                     f"{base_url}/sandbox/viettelpost"}),
    }
    session.add_all(made.values())
    session.commit()
    return made


def packed_orders(session, n: int = 1, quantities=None, **fields) -> list:
    """``n`` packed COD orders to Phường Bến Nghé, Quận 1 (in both sandboxes' fixtures)."""
    wh, variants = seed.shop(session, {"AO-M": 20 * n, "AO-L": 10 * n})
    out = []
    for i in range(n):
        fields.setdefault("buyer_email", "hoa@example.vn")
        o = seed.order(session, wh, variants, quantities or {"AO-M": 2, "AO-L": 1}, **fields)
        o.ship_street = "12 Lý Tự Trọng, Tầng 3"
        session.commit()
        orders.confirm_order(session, o.id)
        orders.pack_order(session, o.id)
        out.append(o)
    return out


def sandbox_orders(base_url: str, carrier: str, reference: str) -> list[dict]:
    rows = httpx.get(f"{base_url}/sandbox/{carrier}/_control/shipments").json()
    key = "client_order_code" if carrier == "ghn" else "order_number"
    return [r for r in rows if r[key] == reference and not r.get("deleted")]


def advance(base_url: str, carrier: str, tracking: str, status="next") -> dict:
    key = "order_code" if carrier == "ghn" else "tracking_number"
    resp = httpx.post(f"{base_url}/sandbox/{carrier}/_control/advance",
                      json={key: tracking, "status": status}, timeout=15)
    assert resp.status_code == 200, resp.text
    return resp.json()
