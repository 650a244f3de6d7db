"""Controls for tests and the demo (not part of Shopee's API), under ``/_control``:

- ``POST /_control/orders`` ``{"count": 3, "status": "READY_TO_SHIP", "age": 0}`` → new orders, placed ``age`` s ago;
- ``POST /_control/cancel`` ``{"order_sn": ..., "reason": ..., "push": true}`` → buyer cancels;
- ``POST /_control/status`` ``{"order_sn": ..., "status": "SHIPPED"}`` → any status change;
- ``POST /_control/push`` ``{"order_sn": ..., "code": 3, "url": optional}`` → a signed push to the
  webhook URL; answers with what the receiver said;
- ``POST /_control/tokens`` ``{"expire": "access"|"refresh"|"all", "token": optional}`` → make tokens expire;
- ``GET /_control/state`` → counts, for a quick look;
- ``GET /_control/stock?sku=...`` → the sellable stock the shop shows per seller SKU (all, or those named).
"""
from __future__ import annotations

import json
import time

from flask import jsonify, request

from app.sandbox.pushes import deliver, target
from app.sandbox.shopee.signing import push_signature

STATUSES = {"UNPAID", "READY_TO_SHIP", "PROCESSED", "RETRY_SHIP", "SHIPPED", "TO_CONFIRM_RECEIVE",
            "IN_CANCEL", "CANCELLED", "TO_RETURN", "COMPLETED"}


def send_push(shop, url: str | None, code: int, order: dict | None = None) -> dict:
    """A signed push as Shopee sends it: ``Authorization`` = HMAC(partner key, url|body)."""
    body = {"data": {}, "shop_id": shop.shop_id, "code": code, "timestamp": int(time.time())}
    if order is not None:
        body["data"] = {"items": [], "ordersn": order["order_sn"], "status": order["order_status"],
                        "completed_scenario": "", "update_time": order["update_time"]}
    raw = json.dumps(body, separators=(",", ":")).encode()
    return deliver(url, raw, push_signature(shop.partner_key, url, raw))


def register(bp, shop, webhook_url: str | None) -> None:
    def send_push_now(order: dict | None, code: int, url: str | None):
        url = target(url, webhook_url, request.host_url)
        return send_push(shop, url, code, order)

    def _order(data) -> dict | None:
        sn = data.get("order_sn")
        with shop.lock:
            if sn is None and shop.orders:
                sn = max(shop.orders.values(), key=lambda o: o["create_time"])["order_sn"]
            return shop.orders.get(sn)

    @bp.post("/_control/orders")
    def make_orders():
        data = request.get_json(silent=True) or {}
        status = data.get("status", "READY_TO_SHIP")
        if status not in STATUSES:
            return jsonify({"error": f"status must be one of {sorted(STATUSES)}"}), 400
        # "age": seconds ago the order was placed — an order the marketplace indexes late
        at = int(time.time()) - max(int(data.get("age", 0)), 0)
        orders = [shop.new_order(status=status, at=at) for _ in range(min(int(data.get("count", 1)), 200))]
        return jsonify({"order_sn_list": [o["order_sn"] for o in orders]})

    @bp.post("/_control/cancel")
    def cancel():
        data = request.get_json(silent=True) or {}
        order = _order(data)
        if order is None:
            return jsonify({"error": "no such order"}), 404
        order = shop.set_status(order["order_sn"], "CANCELLED", data.get("reason", ""))
        push = send_push_now(order, 3, data.get("url")) if data.get("push", True) else None
        return jsonify({"order_sn": order["order_sn"], "order_status": "CANCELLED", "push": push})

    @bp.post("/_control/status")
    def set_status():
        data = request.get_json(silent=True) or {}
        order = _order(data)
        if order is None or data.get("status") not in STATUSES:
            return jsonify({"error": "unknown order or status"}), 400
        order = shop.set_status(order["order_sn"], data["status"])
        push = send_push_now(order, 3, data.get("url")) if data.get("push") else None
        return jsonify({"order_sn": order["order_sn"], "order_status": order["order_status"], "push": push})

    @bp.post("/_control/push")
    def push():
        data = request.get_json(silent=True) or {}
        code = int(data.get("code", 3))
        order = _order(data) if code == 3 else None
        if code == 3 and order is None:
            return jsonify({"error": "no such order"}), 404
        result = send_push_now(order, code, data.get("url"))
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
            return jsonify({"items": len(shop.items), "orders": len(shop.orders),
                            "access_tokens": len(shop.access_tokens), "shop_id": shop.shop_id})

    @bp.get("/_control/stock")
    def stock():
        wanted = set(request.args.getlist("sku"))
        with shop.lock:
            found = {}
            for item, model in shop.variants():
                sku = model["model_sku"] if model else item["item_sku"]
                if sku and (not wanted or sku in wanted):
                    found[sku] = (model or item)["stock"]
        return jsonify({"stock": found})
