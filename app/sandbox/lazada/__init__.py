"""Lazada Open Platform sandbox: ``/rest/...`` APIs, the ``/oauth/authorize`` page, LazOP envelopes.

Mount with ``url_prefix="/sandbox/lazada"``; the client's ``base_url`` (and ``auth_base_url``) is
then ``http://host:port/sandbox/lazada``. Every call is checked as LazOP does: system parameters,
millisecond timestamp within ±2 h, UPPERCASE-hex HMAC-SHA256 over the API path and the sorted
query + form parameters, and for seller APIs a live access token; a refusal is
``{"code": ..., "type": "ISV", "message": ..., "request_id": ...}``. Controls: see ``control.py``.
"""
from __future__ import annotations

import time
from functools import wraps

from flask import Blueprint, request

from app.sandbox.faults import FaultInjector, register_control
from app.sandbox.shop_clock import ShopLife, simulated
from app.sandbox.lazada.signing import LazadaRefusal, check_call
from app.sandbox.lazada.state import LazadaSeller
from app.sandbox.catalogue import CATALOGUE  # noqa: F401  (same goods on every marketplace)

DEMO_CREDENTIALS = {
    "app_key": "112233",
    "app_secret": "LzDemoS3cretVn0rderHubQ9x7Kp2m4N",
    "seller_id": 200166789,
    "shop_id": 200166789,  # Lazada names the shop by its seller id
    "short_code": "VN1A2B3C",
    "account": "demo-seller@orderhub.vn",
}


def create_blueprint(*, webhook_url: str | None = None, seed: int = 1, products: int = 60,
                     simulate_every: float = 0) -> Blueprint:
    """``simulate_every``: seconds between two steps of the shop's own life (0: only on request)."""
    bp = Blueprint("sandbox_lazada", __name__)
    seller = LazadaSeller(app_key=DEMO_CREDENTIALS["app_key"], app_secret=DEMO_CREDENTIALS["app_secret"],
                          seller_id=DEMO_CREDENTIALS["seller_id"], seed=seed, products=products)
    faults = FaultInjector()
    apps = {seller.app_key: seller.app_secret}
    bp.seller = bp.sandbox_state = seller

    def api(seller_api: bool = True):
        """Faults, then LazOP's checks; the handler gets the merged, verified parameters."""
        def decorate(handler):
            @wraps(handler)
            def wrapper(*args, **kwargs):
                api_path = request.path[request.path.index("/rest/") + len("/rest"):]
                fault = faults.take(api_path)
                message = ("Api access frequency exceeds the limit. this ban will last 1 seconds"
                           if fault and fault.mode == "429" else "The service is temporarily unavailable")
                early = faults.before(fault, {"code": "ApiCallLimit" if fault and fault.mode == "429"
                                              else "ServiceUnavailable", "type": "SYSTEM",
                                              "message": message, "request_id": "fault"})
                if early is not None:
                    return early
                params = {**request.args.to_dict(), **request.form.to_dict()}
                try:
                    params = check_call(params, api_path, apps)
                    if seller_api:
                        token = params.get("access_token")
                        if not token:
                            raise LazadaRefusal("MissingParameter", 'The input parameter "access_token" that '
                                                "is mandatory for processing this request is not supplied")
                        with seller.lock:
                            expires_at = seller.access_tokens.get(token)
                        if expires_at is None or expires_at < time.time():
                            raise LazadaRefusal("IllegalAccessToken",
                                                "The specified access token is invalid or expired")
                    response = handler(params, *args, **kwargs)
                except LazadaRefusal as refusal:
                    response = refusal.response()
                faults.after(fault)
                return response
            return wrapper
        return decorate

    from app.sandbox.lazada import auth, control, orders, products as product_routes
    auth.register(bp, seller, api)
    product_routes.register(bp, seller, api)
    orders.register(bp, seller, api)
    control.register(bp, seller, webhook_url)
    register_control(bp, faults, reset_state=seller.reset)
    life = ShopLife(
        new_statuses=["unpaid", "pending", "pending"],
        moves={"unpaid": "pending", "pending": "packed", "packed": "ready_to_ship",
               "ready_to_ship": "shipped", "shipped": "delivered", "delivered": "confirmed"},
        cancellable={"unpaid", "pending"}, cancelled="canceled",
        new_order=lambda status: seller.new_order(status)["order_id"],
        set_status=seller.set_status, orders_in=seller.orders_in,
        push=lambda order_id, url: control.send_push(seller, url, seller.orders[order_id]), webhook_url=webhook_url)
    simulated(bp, life, seed=seed, name="sandbox-lazada-life", every=simulate_every)
    return bp
