"""Shopee Open Platform v2 sandbox: the real ``/api/v2/...`` paths, signatures and envelopes.

Mount with ``app.register_blueprint(create_blueprint(), url_prefix="/sandbox/shopee")``; the
client's base URL is then ``http://host:port/sandbox/shopee``. Every call is checked the way
Shopee does it (partner id, 5-minute timestamp in seconds, lowercase-hex sign over
``partner_id+path+timestamp[+access_token+shop_id]``, token validity) and refused with Shopee's
``{"error","message","request_id"}`` envelope. Control endpoints: see ``control.py``.
"""
from __future__ import annotations

import time
from functools import wraps

from flask import Blueprint, request

from app.sandbox.faults import FaultInjector, register_control
from app.sandbox.shop_clock import ShopLife, simulated
from app.sandbox.catalogue import CATALOGUE  # noqa: F401  (re-exported for the demo loader)
from app.sandbox.shopee.signing import ShopeeRefusal, check_common
from app.sandbox.shopee.state import ShopeeShop

DEMO_CREDENTIALS = {
    "partner_id": 2001887,
    "partner_key": "shpk4c6f7a2b9e0d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f",
    "shop_id": 820015511,
    "shop_name": "OrderHub Demo Shop",
}


def create_blueprint(*, webhook_url: str | None = None, seed: int = 1, products: int = 60,
                     simulate_every: float = 0) -> Blueprint:
    """``simulate_every``: seconds between two steps of the shop's own life (0: only on request)."""
    bp = Blueprint("sandbox_shopee", __name__)
    shop = ShopeeShop(partner_id=DEMO_CREDENTIALS["partner_id"],
                      partner_key=DEMO_CREDENTIALS["partner_key"],
                      shop_id=DEMO_CREDENTIALS["shop_id"], seed=seed, products=products)
    faults = FaultInjector()
    partners = {str(shop.partner_id): shop.partner_key}
    bp.shop = bp.sandbox_state = shop  # for tests and the demo loader that want to peek

    def api(shop_api: bool = True):
        """Apply faults, then Shopee's checks, then the handler (which gets the checked params)."""
        def decorate(handler):
            @wraps(handler)
            def wrapper(*args, **kwargs):
                api_path = request.path[request.path.index("/api/v2/"):]
                fault = faults.take(api_path)
                message = ("Too many requests, please try again later" if fault and fault.mode == "429"
                           else "Service temporarily unavailable")
                early = faults.before(fault, {"error": "error_server", "message": message,
                                              "request_id": "fault"})
                if early is not None:
                    return early
                try:
                    common = check_common(request.args, api_path, partners, shop_api)
                    if shop_api:
                        _check_token(common)
                    response = handler(common, *args, **kwargs)
                except ShopeeRefusal as refusal:
                    response = refusal.response()
                faults.after(fault)
                return response
            return wrapper
        return decorate

    def _check_token(common: dict) -> None:
        with shop.lock:
            entry = shop.access_tokens.get(common["access_token"])
        if entry is None or entry["expires_at"] < time.time():
            raise ShopeeRefusal("error_auth", "Invalid access_token.", 403)
        if str(entry["shop_id"]) != common["shop_id"]:
            raise ShopeeRefusal("error_shop", "shopid is invalid", 403)

    from app.sandbox.shopee import auth, control, orders, products as product_routes
    auth.register(bp, shop, api)
    product_routes.register(bp, shop, api)
    orders.register(bp, shop, api)
    control.register(bp, shop, webhook_url)
    register_control(bp, faults, reset_state=shop.reset)
    life = ShopLife(
        new_statuses=["UNPAID", "READY_TO_SHIP", "READY_TO_SHIP"],
        moves={"UNPAID": "READY_TO_SHIP", "READY_TO_SHIP": "PROCESSED", "PROCESSED": "SHIPPED",
               "SHIPPED": "TO_CONFIRM_RECEIVE", "TO_CONFIRM_RECEIVE": "COMPLETED"},
        cancellable={"UNPAID", "READY_TO_SHIP"}, cancelled="CANCELLED",
        new_order=lambda status: shop.new_order(status=status)["order_sn"],
        set_status=shop.set_status, orders_in=shop.orders_in,
        push=lambda sn, url: control.send_push(shop, url, 3, shop.orders[sn]), webhook_url=webhook_url)
    simulated(bp, life, seed=seed, name="sandbox-shopee-life", every=simulate_every)
    return bp
