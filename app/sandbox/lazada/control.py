"""Controls for tests and the demo (not Lazada APIs), under ``/_control``:

- ``POST /_control/orders`` ``{"count": 3, "status": "pending", "age": 0}`` → new orders, placed ``age`` s ago;
- ``POST /_control/cancel`` ``{"order_id": ..., "reason": ..., "push": true}`` → buyer cancels;
- ``POST /_control/status`` ``{"order_id": ..., "status": "shipped", "push": false}``;
- ``POST /_control/push`` ``{"order_id": ..., "url": optional}`` → signed trade push (message_type 0);
- ``POST /_control/tokens`` ``{"expire": "access"|"refresh"|"all", "token": optional}``;
- ``GET /_control/state``;
- ``GET /_control/stock?sku=...`` → sellable quantity per SellerSku (all, or those named).
"""
from __future__ import annotations

import json
import time

from flask import jsonify, request

from app.sandbox.pushes import deliver, target
from app.sandbox.lazada.signing import push_signature

STATUSES = {"unpaid", "pending", "packed", "ready_to_ship", "shipped", "delivered", "confirmed", "canceled",
            "returned", "failed", "lost"}


def send_push(seller, url: str | None, order: dict) -> dict:
    """A signed trade push (message_type 0): ``Authorization`` = HMAC(app secret, app key + body)."""
    item = order["items"][0]
    body = {"seller_id": str(seller.seller_id), "message_type": 0,
            "data": {"order_status": item["status"], "trade_order_id": str(order["order_id"]),
                     "trade_order_line_id": str(item["order_item_id"]),
                     "status_update_time": order["updated_ts"]},
            "timestamp": int(time.time() * 1000), "site": "lazada_vn"}
    raw = json.dumps(body, separators=(",", ":")).encode()
    return deliver(url, raw, push_signature(seller.app_key, seller.app_secret, raw))


def register(bp, seller, webhook_url: str | None) -> None:
    def send_push_now(order: dict, url: str | None):
        url = target(url, webhook_url, request.host_url)
        return send_push(seller, url, order)

    def _order(data) -> dict | None:
        with seller.lock:
            order_id = data.get("order_id")
            if order_id is None and seller.orders:
                order_id = max(seller.orders.values(), key=lambda o: o["created_ts"])["order_id"]
            return seller.orders.get(int(order_id)) if str(order_id).isdigit() else None

    @bp.post("/_control/orders")
    def make_orders():
        data = request.get_json(silent=True) or {}
        status = data.get("status", "pending")
        if status not in STATUSES:
            return jsonify({"error": f"status must be one of {sorted(STATUSES)}"}), 400
        # "age": seconds ago the order was placed — an order the marketplace indexes late
        at = int(time.time()) - max(int(data.get("age", 0)), 0)
        orders = [seller.new_order(status, at=at) for _ in range(min(int(data.get("count", 1)), 200))]
        return jsonify({"order_ids": [str(o["order_id"]) for o in orders]})

    @bp.post("/_control/cancel")
    def cancel():
        data = request.get_json(silent=True) or {}
        order = _order(data)
        if order is None:
            return jsonify({"error": "no such order"}), 404
        order = seller.set_status(order["order_id"], "canceled", data.get("reason", ""))
        push = send_push_now(order, data.get("url")) if data.get("push", True) else None
        return jsonify({"order_id": str(order["order_id"]), "status": "canceled", "push": push})

    @bp.post("/_control/status")
    def set_status():
        data = request.get_json(silent=True) or {}
        order = _order(data)
        if order is None or data.get("status") not in STATUSES:
            return jsonify({"error": "unknown order or status"}), 400
        order = seller.set_status(order["order_id"], data["status"])
        push = send_push_now(order, data.get("url")) if data.get("push") else None
        return jsonify({"order_id": str(order["order_id"]), "status": data["status"], "push": push})

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
        return jsonify({"expired": seller.expire_tokens(which, data.get("token"))})

    @bp.get("/_control/state")
    def state():
        with seller.lock:
            return jsonify({"products": len(seller.products), "orders": len(seller.orders),
                            "access_tokens": len(seller.access_tokens), "seller_id": seller.seller_id})

    @bp.post("/_control/campaign")
    def campaign():
        """``{"skus": [...] (all when left out), "locked": n}``: a campaign holds n units of each,
        so Lazada refuses a stock figure below n for those SKUs (0 ends the campaign)."""
        data = request.get_json(silent=True) or {}
        locked = max(0, int(data.get("locked", 0)))
        with seller.lock:
            skus = data.get("skus") or [s["SellerSku"] for p in seller.products.values() for s in p["skus"]]
            for sku in skus:
                if locked:
                    seller.campaign_locks[str(sku)] = locked
                else:
                    seller.campaign_locks.pop(str(sku), None)
            return jsonify({"locked": dict(seller.campaign_locks)})

    @bp.get("/_control/stock")
    def stock():
        wanted = set(request.args.getlist("sku"))
        with seller.lock:
            found = {sku["SellerSku"]: sku["quantity"] for product in seller.products.values()
                     for sku in product["skus"] if not wanted or sku["SellerSku"] in wanted}
        return jsonify({"stock": found})
