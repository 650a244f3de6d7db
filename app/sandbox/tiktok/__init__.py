"""TikTok Shop (API version 202309) sandbox: API paths, the auth host's token paths, envelopes.

Mount with ``url_prefix="/sandbox/tiktok"``; the client's ``base_url`` and ``auth_base_url`` are
then ``http://host:port/sandbox/tiktok``. Each API call is checked like TikTok does: app_key,
a 10-digit timestamp in [now−300 s, now+30 s], the lowercase-hex sign over secret + path + sorted
query (minus sign and access_token) + raw body + secret (106001, HTTP 401, on mismatch), a JSON
content type for bodies, the ``x-tts-access-token`` header (105002 when expired) and the
``shop_cipher`` rules (required on shop APIs: 106013; refused on ``/authorization/*``).
Answers use ``{"code","message","request_id","data"}``. Controls: see ``control.py``.
"""
from __future__ import annotations

import time
from functools import wraps

from flask import Blueprint, request

from app.sandbox.faults import FaultInjector, register_control
from app.sandbox.shop_clock import ShopLife, simulated
from app.sandbox.catalogue import CATALOGUE  # noqa: F401  (same goods on every marketplace)
from app.sandbox.tiktok.signing import TikTokRefusal, check_call, envelope_error
from app.sandbox.tiktok.state import TikTokShop

DEMO_CREDENTIALS = {
    "app_key": "6d1f2a3b4c5e7",
    "app_secret": "9b8e7f6a5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a",
    "shop_id": "7494012345678901234",
    "shop_cipher": "ROW_dGVzdC1zaG9wLWNpcGhlci12bg",
    "shop_code": "VNLCDEMO01",
    "shop_name": "OrderHub Demo Shop",
}


def create_blueprint(*, webhook_url: str | None = None, seed: int = 1, products: int = 60,
                     simulate_every: float = 0) -> Blueprint:
    """``simulate_every``: seconds between two steps of the shop's own life (0: only on request)."""
    bp = Blueprint("sandbox_tiktok", __name__)
    shop = TikTokShop(app_key=DEMO_CREDENTIALS["app_key"], app_secret=DEMO_CREDENTIALS["app_secret"],
                      shop_id=DEMO_CREDENTIALS["shop_id"], shop_cipher=DEMO_CREDENTIALS["shop_cipher"],
                      seed=seed, products=products)
    faults = FaultInjector()
    apps = {shop.app_key: shop.app_secret}
    prefixes: list[str] = []
    bp.record(lambda setup: prefixes.append(setup.url_prefix or ""))
    bp.shop = bp.sandbox_state = shop

    def api_path() -> str:
        prefix = next((p for p in prefixes if request.path.startswith(p)), "")
        return request.path[len(prefix):]

    def api(shop_api: bool = True):
        """Faults, then TikTok's gateway checks; the handler runs only for a valid call."""
        def decorate(handler):
            @wraps(handler)
            def wrapper(*args, **kwargs):
                path = api_path()
                fault = faults.take(path)
                early = faults.before(fault, {"code": 36009002 if fault and fault.mode == "429" else 36009001,
                                              "message": "Too many requests" if fault and fault.mode == "429"
                                              else "Service unavailable, please try again later",
                                              "request_id": "fault", "data": None})
                if early is not None:
                    return early
                try:
                    body = request.get_data()
                    content_type = request.headers.get("content-type", "")
                    check_call(request.args, path, body, content_type, apps)
                    if body and not content_type.startswith(("application/json", "multipart/form-data")):
                        raise TikTokRefusal(36009022, "Request body must be JSON or multipart/form-data")
                    _check_token()
                    _check_cipher(shop_api)
                    response = handler(*args, **kwargs)
                except TikTokRefusal as refusal:
                    response = refusal.response()
                faults.after(fault)
                return response
            return wrapper
        return decorate

    def _check_token() -> None:
        token = request.headers.get("x-tts-access-token")
        with shop.lock:
            expires_at = shop.access_tokens.get(token or "")
        if expires_at is None:
            raise TikTokRefusal(36009004, "Invalid credentials: x-tts-access-token is missing or invalid")
        if expires_at < time.time():
            raise TikTokRefusal(105002, "Access token is expired, please refresh it")

    def _check_cipher(shop_api: bool) -> None:
        cipher = request.args.get("shop_cipher")
        if not shop_api and cipher:
            raise TikTokRefusal(36009004, "Unexpected identifier: shop_cipher")
        if shop_api and not cipher:
            raise TikTokRefusal(106013, "shop_cipher is required")
        if shop_api and cipher != shop.shop_cipher:
            raise TikTokRefusal(36009004, "Invalid shop_cipher")

    from app.sandbox.tiktok import auth, control, orders, products as product_routes
    auth.register(bp, shop, api)
    product_routes.register(bp, shop, api)
    orders.register(bp, shop, api)
    control.register(bp, shop, webhook_url)
    register_control(bp, faults, reset_state=shop.reset)
    life = ShopLife(
        new_statuses=["UNPAID", "AWAITING_SHIPMENT", "AWAITING_SHIPMENT"],
        moves={"UNPAID": "AWAITING_SHIPMENT", "AWAITING_SHIPMENT": "AWAITING_COLLECTION",
               "AWAITING_COLLECTION": "IN_TRANSIT", "IN_TRANSIT": "DELIVERED", "DELIVERED": "COMPLETED"},
        cancellable={"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"}, cancelled="CANCELLED",
        new_order=lambda status: shop.new_order(status)["id"],
        set_status=shop.set_status, orders_in=shop.orders_in,
        push=lambda order_id, url: control.send_push(shop, url, shop.orders[order_id]), webhook_url=webhook_url)
    simulated(bp, life, seed=seed, name="sandbox-tiktok-life", every=simulate_every)

    @bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "DELETE"])
    def invalid_path(unknown):
        return envelope_error(36009009, f"Invalid path: /{unknown}", 404)

    return bp
