"""Demo carrier accounts (GHN and Viettel Post on the app's own sandboxes) and shipping demo orders.

``load(app)`` creates the two accounts once; ``ship_orders(app, order_ids, targets=…)`` books a
parcel for each packed order, alternating carriers, and drives it at the carrier to the order's demo
state, synchronously: the demo loader runs before the web server listens, so the clients talk to
the mounted sandboxes through ``httpx.WSGITransport(app=app)``, and the sandboxes' callbacks are
held and carried to our webhooks by the loader itself.
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
from app.services.carrier_clients import ClientPool, using_transport
from app.services.errors import DomainError

WAREHOUSE = {"name": "Shop Demo OrderHub – Kho Tân Bình", "phone": "0987654321",
             "address": "120 Cộng Hòa", "email": "kho@orderhub-demo.vn"}
# The sender's ward: Phường Tân Sơn Hòa, Hồ Chí Minh (GSO 26977; Phường 2, Quận Tân Bình before 2025).
SENDER_WARD = 26977
MOBILE = re.compile(r"^0(3[2-9]|5[25689]|7[06-9]|8[1-9]|9[0-46-9])\d{7}$")
NAMES = {"ghn": "GHN (sandbox)", "viettelpost": "Viettel Post (sandbox)"}


def _book(carrier: str):
    return ghn_sandbox.areas if carrier == "ghn" else vtp_sandbox.areas


def _sender(carrier: str) -> dict:
    """The shop's address as people write it today, with the carrier's own ids for it."""
    from app.services import divisions
    ward, gso = _book(carrier).ward_by_gso(SENDER_WARD), divisions.ward(SENDER_WARD)
    return {**WAREHOUSE, "ward_name": gso.name, "district_name": "",
            "province_name": divisions.province(gso.province_code).name,
            "province_id": ward["province_id"], "district_id": ward["district_id"],
            "ward_code": ward["id"]}


def account_data(carrier: str, base: str) -> tuple[dict, dict]:
    """(credentials, settings) of the sandbox account of ``carrier`` served at ``base``: every
    setting of the account's form filled in."""
    credentials = {"ghn": dict(ghn_sandbox.DEMO_CREDENTIALS),
                   "viettelpost": {**vtp_sandbox.DEMO_CREDENTIALS,
                                   "webhook_token": vtp_sandbox.DEFAULT_WEBHOOK_TOKEN}}[carrier]
    settings = {"sender": _sender(carrier), "default_service": "economy", "default_required_note": "allow_view",
                **({"print_base_url": f"{base}/sandbox/viettelpost"} if carrier == "viettelpost" else {})}
    return credentials, settings


def load(app) -> dict:
    """The two sandbox carrier accounts (idempotent: found by name)."""
    from app.extensions import db
    base = webhook_base(app)
    created = []
    for carrier, name in NAMES.items():
        if db.session.scalar(sa.select(ProviderAccount.id).where(ProviderAccount.name == name)):
            continue
        credentials, settings = account_data(carrier, base)
        db.session.add(ProviderAccount(
            kind=ProviderKind.CARRIER, provider=carrier, name=name,
            base_url=f"{base}/sandbox/{carrier}", credentials=credentials, settings=settings))
        created.append(carrier)
    db.session.commit()
    return {"carrier_accounts_created": created}


def _fixture_codes(order: Order) -> dict:
    """Both carriers' ids for the order's (checked) ward, read from the sandboxes' books (demo
    only: a real shop's orders find them through the carriers' master data)."""
    ghn, vtp = (_book(c).ward_by_gso(order.ship_ward_code) for c in ("ghn", "viettelpost"))
    return {"ghn": {"province_id": ghn["province_id"], "district_id": ghn["district_id"],
                    "ward_code": ghn["id"]},
            "viettelpost": {"province_id": vtp["province_id"], "district_id": vtp["district_id"],
                            "ward_id": vtp["id"]}}


# How far each demo order's parcel goes at its carrier (the sandbox's own status codes).
ROUTES = {
    "ghn": {"shipped": ["picking", "picked", "storing"],
            "delivered": ["picking", "picked", "storing", "transporting", "sorting", "delivering",
                          "delivered"],
            "delivery_failed": ["picking", "picked", "storing", "delivering", "delivery_fail"],
            "returned": ["picking", "picked", "storing", "delivering", "delivery_fail",
                         "waiting_to_return", "return", "returning", "returned"]},
    "viettelpost": {"shipped": [100, 103, 105, 200],
                    "delivered": [100, 103, 105, 200, 300, 400, 500, 501],
                    "delivery_failed": [100, 103, 105, 200, 500, 506],
                    "returned": [100, 103, 105, 200, 500, 506, 515, 502, 504]},
}
ROUTES["ghn"]["completed"] = ROUTES["ghn"]["delivered"]
ROUTES["viettelpost"]["completed"] = ROUTES["viettelpost"]["delivered"]


def ship_orders(app, order_ids, transport: httpx.BaseTransport | None = None,
                targets: dict[str, list[int]] | None = None) -> dict:
    """Book a parcel for each packed order now (GHN and Viettel Post in turn), then drive each to
    its demo state at the carrier (``targets``: state → order ids; shipped, delivered, completed,
    delivery_failed, returned): the sandbox moves the parcel and its callbacks update our
    shipment and order, exactly as in production. Completed COD orders are reconciled on a COD
    statement; delivered ones are left for the clerk to reconcile. Idempotent: an order already
    shipped is skipped, a draft is booked under its own key."""
    from app.extensions import db
    load(app)
    session = db.session
    transport = transport or httpx.WSGITransport(app=app)
    booked, skipped, by_hand = {}, [], []
    with using_transport(transport), ClientPool(session) as pool, \
            httpx.Client(transport=transport, base_url=webhook_base(app), timeout=30) as http:
        _hold_callbacks(http, True)
        for i, order_id in enumerate(order_ids):
            order = session.get(Order, order_id)
            if order is None or order.status != OrderStatus.PACKED:
                skipped.append(order_id)
                continue
            carrier = ("ghn", "viettelpost")[i % 2]
            order.area_codes = _fixture_codes(order)
            if not MOBILE.match(order.buyer_phone or ""):  # demo buyers' numbers are random
                digits = "".join(c for c in (order.buyer_phone or "") if c.isdigit())
                order.buyer_phone = "09" + digits[-8:].rjust(8, "1")
            session.commit()
            try:
                form = shipments.default_form(session, order, carrier)
                draft = shipments.prepare_shipment(session, order_id, form)
                shipment = shipments.book_shipment(session, draft.id, pool.get(draft.provider_account))
                booked[order_id] = (carrier, shipment.id, shipment.tracking_number)
            except (DomainError, IntegrationError):
                session.rollback()
                skipped.append(order_id)
                # The demo goes on with the order shipped by hand, as the lifecycle allows.
                orders.record_shipment_moves(session, order_id)
                by_hand.append(order_id)
        session.commit()
        state_of = {oid: state for state, ids in (targets or {}).items() for oid in ids}
        for order_id, (carrier, _sid, tracking) in booked.items():
            for status in ROUTES[carrier].get(state_of.get(order_id, ""), []):
                key = "order_code" if carrier == "ghn" else "tracking_number"
                http.post(f"/sandbox/{carrier}/_control/advance", json={key: tracking, "status": status})
        _deliver_held_callbacks(http)
        _hold_callbacks(http, False)
        _deliver_held_callbacks(http)
    _settle(session, booked, state_of, by_hand)
    return {"booked": len(booked), "skipped": len(skipped)}


def _hold_callbacks(http: httpx.Client, hold: bool) -> None:
    for carrier in NAMES:
        http.post(f"/sandbox/{carrier}/_control/webhook", json={"hold": hold})


def _deliver_held_callbacks(http: httpx.Client) -> None:
    """Carry the sandboxes' callbacks to our webhooks, in order: the web server is not up yet."""
    for carrier in NAMES:
        for payload in http.post(f"/sandbox/{carrier}/_control/callbacks").json():
            http.post(f"/webhooks/{carrier}", json=payload)


def _settle(session, booked: dict, state_of: dict, by_hand: list) -> None:
    """What the carrier does not do: receive returned parcels back, take payment of completed
    orders (COD through a statement, as the carrier pays it out); orders that could not be booked
    reach their state by hand."""
    from app.models import Shipment, ShipmentStatus
    from app.services import cod, tracking
    session.expire_all()
    statements: dict[str, list[int]] = {}
    for order_id, (carrier, shipment_id, _t) in booked.items():
        state = state_of.get(order_id)
        shipment = session.get(Shipment, shipment_id)
        if state == "returned" and shipment.status == ShipmentStatus.RETURNED:
            tracking.receive_returned_parcel(session, shipment_id)
        elif state == "completed" and shipment.status == ShipmentStatus.DELIVERED:
            if shipment.cod_amount:
                statements.setdefault(carrier, []).append(shipment_id)
            else:
                orders.mark_paid(session, order_id)
    for carrier, ids in statements.items():
        rec = cod.build_reconciliation(session, ids, statement_ref=f"DEMO-{carrier.upper()}-01")
        cod.confirm_reconciliation(session, rec.id)
    for order_id in by_hand:
        state = state_of.get(order_id)
        if state in ("delivered", "completed"):
            orders.mark_delivered(session, order_id)
        if state == "completed":
            orders.mark_paid(session, order_id)
        if state in ("delivery_failed", "returned"):
            orders.mark_delivery_failed(session, order_id, reason="Khách không nghe máy")
        if state == "returned":
            orders.mark_returned(session, order_id)
