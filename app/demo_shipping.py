"""Demo carrier accounts (GHN and Viettel Post on the app's own sandboxes) and shipping demo orders.

``load(app)`` creates the two accounts once; ``ship_orders(app, order_ids)`` books a parcel for each
packed order, alternating carriers, synchronously: the demo loader runs before the web server
listens, so the clients talk to the mounted sandboxes through ``httpx.WSGITransport(app=app)``.
"""
from __future__ import annotations

import re

import httpx
import sqlalchemy as sa

from app.integrations.base import IntegrationError
from app.models import Order, OrderStatus, ProviderAccount, ProviderKind
from app.sandbox import ghn as ghn_sandbox
from app.sandbox import viettelpost as vtp_sandbox
from app.sandbox.mount import webhook_base
from app.services import orders, shipments
from app.services.carrier_areas import name_key
from app.services.carrier_clients import ClientPool, using_transport
from app.services.errors import DomainError

WAREHOUSE = {"name": "Shop Demo OrderHub – Kho Tân Bình", "phone": "0987654321",
             "address": "120 Cộng Hòa", "email": "kho@orderhub-demo.vn"}
# The sender ward in each carrier's own ids (Phường 2, Quận Tân Bình, Hồ Chí Minh).
SENDER_AREA = {"ghn": (202, 1455, "21602"), "viettelpost": (2, 55, 55502)}
MOBILE = re.compile(r"^0(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}$")
NAMES = {"ghn": "GHN (sandbox)", "viettelpost": "Viettel Post (sandbox)"}


def _area(carrier: str, province_id, district_id, ward_id) -> tuple[dict, dict, dict]:
    areas = ghn_sandbox.AREAS if carrier == "ghn" else vtp_sandbox.AREAS
    province = next(p for p in areas if p["id"] == province_id)
    district = next(d for d in province["districts"] if d["id"] == district_id)
    ward = next(w for w in district["wards"] if w["id"] == ward_id)
    return province, district, ward


def _sender(carrier: str) -> dict:
    province, district, ward = _area(carrier, *SENDER_AREA[carrier])
    return {**WAREHOUSE, "ward_name": ward["name"], "district_name": district["name"],
            "province_name": province["name"], "province_id": province["id"],
            "district_id": district["id"], "ward_code": ward["id"]}


def load(app) -> dict:
    """The two sandbox carrier accounts (idempotent: found by name)."""
    from app.extensions import db
    base = webhook_base(app)
    credentials = {"ghn": dict(ghn_sandbox.DEMO_CREDENTIALS),
                   "viettelpost": {**vtp_sandbox.DEMO_CREDENTIALS,
                                   "webhook_token": vtp_sandbox.DEFAULT_WEBHOOK_TOKEN}}
    created = []
    for carrier, name in NAMES.items():
        if db.session.scalar(sa.select(ProviderAccount.id).where(ProviderAccount.name == name)):
            continue
        db.session.add(ProviderAccount(
            kind=ProviderKind.CARRIER, provider=carrier, name=name,
            base_url=f"{base}/sandbox/{carrier}", credentials=credentials[carrier],
            settings={"sender": _sender(carrier), "default_service": "economy",
                      "default_required_note": "allow_view",
                      **({"print_base_url": f"{base}/sandbox/viettelpost"}
                         if carrier == "viettelpost" else {})}))
        created.append(carrier)
    db.session.commit()
    return {"carrier_accounts_created": created}


def _fixture_codes(order: Order, index: int) -> dict:
    """Both carriers' ids for the order's address; an address outside the sandboxes' small
    fixtures is moved (demo only) to a fixture ward, so every demo order can ship."""
    def find(areas):
        for p in areas:
            if name_key(p["name"]) != name_key(order.ship_province):
                continue
            for d in p["districts"]:
                if name_key(d["name"]) != name_key(order.ship_district):
                    continue
                for w in d["wards"]:
                    if name_key(w["name"]) == name_key(order.ship_ward):
                        return p, d, w
        return None

    ghn, vtp = find(ghn_sandbox.AREAS), find(vtp_sandbox.AREAS)
    if ghn is None or vtp is None:
        p = ghn_sandbox.AREAS[index % len(ghn_sandbox.AREAS)]
        d = p["districts"][index % len(p["districts"])]
        w = d["wards"][index % len(d["wards"])]
        order.ship_province, order.ship_district, order.ship_ward = p["name"], d["name"], w["name"]
        ghn, vtp = find(ghn_sandbox.AREAS), find(vtp_sandbox.AREAS)
    return {"ghn": {"province_id": ghn[0]["id"], "district_id": ghn[1]["id"],
                    "ward_code": ghn[2]["id"]},
            "viettelpost": {"province_id": vtp[0]["id"], "district_id": vtp[1]["id"],
                            "ward_id": vtp[2]["id"]}}


def ship_orders(app, order_ids, transport: httpx.BaseTransport | None = None) -> dict:
    """Book a parcel for each packed order now (GHN and Viettel Post in turn). Idempotent: an order
    already shipped is skipped, a draft is booked under its own key."""
    from app.extensions import db
    load(app)
    session = db.session
    booked, skipped = 0, []
    with using_transport(transport or httpx.WSGITransport(app=app)), \
            ClientPool(session) as pool:
        for i, order_id in enumerate(order_ids):
            order = session.get(Order, order_id)
            if order is None or order.status != OrderStatus.PACKED:
                skipped.append(order_id)
                continue
            carrier = ("ghn", "viettelpost")[i % 2]
            order.area_codes = _fixture_codes(order, i)
            if not MOBILE.match(order.buyer_phone or ""):  # demo buyers' numbers are random
                digits = "".join(c for c in (order.buyer_phone or "") if c.isdigit())
                order.buyer_phone = "09" + digits[-8:].rjust(8, "1")
            session.commit()
            try:
                form = shipments.default_form(session, order, carrier)
                draft = shipments.prepare_shipment(session, order_id, form)
                shipments.book_shipment(session, draft.id, pool.get(draft.provider_account))
                booked += 1
            except (DomainError, IntegrationError):
                session.rollback()
                skipped.append(order_id)
                # The demo goes on with the order shipped by hand, as the lifecycle allows.
                orders.record_shipment_moves(session, order_id)
    return {"booked": booked, "skipped": len(skipped)}
