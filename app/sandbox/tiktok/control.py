"""Controls for tests and the demo (not TikTok APIs), under ``/_control``:

- ``POST /_control/orders`` ``{"count": 3, "status": "AWAITING_SHIPMENT", "age": 0}`` → new orders, placed ``age`` s ago;
- ``POST /_control/cancel`` ``{"order_id": ..., "reason": ..., "push": true, "url": optional}``;
- ``POST /_control/status`` ``{"order_id": ..., "status": "IN_TRANSIT", "push": false}``;
- ``POST /_control/push`` ``{"order_id": ..., "url": optional}`` → signed type-1 webhook (a path such
  as ``/webhooks/tiktok`` means this same server);
- ``POST /_control/tokens`` ``{"expire": "access"|"refresh"|"all", "token": optional}``;
- ``GET /_control/state``;
- ``GET /_control/stock?sku=...`` → inventory per seller_sku (all, or those named).
"""
from __future__ import annotations

import json
import secrets
import time

from flask import jsonify, request

from app.sandbox.pushes import deliver, target
from app.sandbox.tiktok.signing import push_signature

STATUSES = {"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION", "IN_TRANSIT",
            "DELIVERED", "COMPLETED", "CANCELLED"}


def send_push(shop, url: str | None, order: dict) -> dict:
    """A signed type-1 webhook: ``Authorization`` = HMAC(app secret, app key + body)."""
    body = {"type": 1, "tts_notification_id": str(secrets.randbelow(10 ** 19)), "shop_id": shop.shop_id,
            "timestamp": int(time.time()),
            "data": {"order_id": order["id"], "order_status": order["status"], "is_on_hold_order": False,
                     "update_time": order["update_time"]}}
    raw = json.dumps(body, separators=(",", ":")).encode()
    return deliver(url, raw, push_signature(shop.app_key, shop.app_secret, raw))


def register(bp, shop, webhook_url: str | None) -> None:
    def send_push_now(order: dict, url: str | None):
        url = target(url, webhook_url, request.host_url)
        return send_push(shop, url, order)

    def _order(data) -> dict | None:
        with shop.lock:
            order_id = data.get("order_id")
            if order_id is None and shop.orders:
                order_id = max(shop.orders.values(), key=lambda o: o["create_time"])["id"]
            return shop.orders.get(str(order_id))

    @bp.post("/_control/orders")
    def make_orders():
        data = request.get_json(silent=True) or {}
        status = data.get("status", "AWAITING_SHIPMENT")
        if status not in STATUSES:
            return jsonify({"error": f"status must be one of {sorted(STATUSES)}"}), 400
        # "age": seconds ago the order was placed — an order the marketplace indexes late
        at = int(time.time()) - max(int(data.get("age", 0)), 0)
        orders = [shop.new_order(status, at=at) for _ in range(min(int(data.get("count", 1)), 200))]
        return jsonify({"order_ids": [o["id"] for o in orders]})

    @bp.post("/_control/cancel")
    def cancel():
        data = request.get_json(silent=True) or {}
        order = _order(data)
        if order is None:
            return jsonify({"error": "no such order"}), 404
        order = shop.set_status(order["id"], "CANCELLED", data.get("reason", ""))
        push = send_push_now(order, data.get("url")) if data.get("push", True) else None
        return jsonify({"order_id": order["id"], "status": "CANCELLED", "push": push})

    @bp.post("/_control/status")
    def set_status():
        data = request.get_json(silent=True) or {}
        order = _order(data)
        if order is None or data.get("status") not in STATUSES:
            return jsonify({"error": "unknown order or status"}), 400
        order = shop.set_status(order["id"], data["status"])
        push = send_push_now(order, data.get("url")) if data.get("push") else None
        return jsonify({"order_id": order["id"], "status": order["status"], "push": push})

    @bp.post("/_control/push")
    def push():
        data = request.get_json(silent=True) or {}
        order = _order(data)
        if order is None:
            return jsonify({"error": "no such order"}), 404
        result = send_push_now(order, data.get("url"))
        return jsonify(result), (200 if result.get("sent") else 400)

    @bp.post("/_control/tokens")
    def tokens():
        data = request.get_json(silent=True) or {}
        which = data.get("expire", "access")
        if which not in ("access", "refresh", "all"):
            return jsonify({"error": "expire must be access, refresh or all"}), 400
        return jsonify({"expired": shop.expire_tokens(which, data.get("token"))})

    @bp.get("/_control/state")
    def state():
        with shop.lock:
            return jsonify({"products": len(shop.products), "orders": len(shop.orders),
                            "access_tokens": len(shop.access_tokens), "shop_id": shop.shop_id})

    @bp.get("/_control/stock")
    def stock():
        wanted = set(request.args.getlist("sku"))
        with shop.lock:
            found = {sku["seller_sku"]: sum(int(i["quantity"]) for i in sku["inventory"])
                     for product in shop.products.values() for sku in product["skus"]
                     if not wanted or sku["seller_sku"] in wanted}
        return jsonify({"stock": found})
