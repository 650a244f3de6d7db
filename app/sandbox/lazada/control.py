"""Controls for tests and the demo (not Lazada APIs), under ``/_control``:

- ``POST /_control/orders`` ``{"count": 3, "status": "pending"}`` → new orders now;
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

import httpx
from flask import jsonify, request

from app.sandbox.lazada.signing import push_signature

STATUSES = {"unpaid", "pending", "packed", "ready_to_ship", "shipped", "delivered", "confirmed", "canceled",
            "returned", "failed", "lost"}


def register(bp, seller, webhook_url: str | None) -> None:
    def send_push(order: dict, url: str | None):
        url = url or webhook_url
        if url and url.startswith("/"):  # a path on the app serving the sandbox (the demo's own webhook)
            url = request.host_url.rstrip("/") + url
        if not url:
            return {"sent": False, "reason": "no webhook_url configured"}
        item = order["items"][0]
        body = {"seller_id": str(seller.seller_id), "message_type": 0,
                "data": {"order_status": item["status"], "trade_order_id": str(order["order_id"]),
                         "trade_order_line_id": str(item["order_item_id"]),
                         "status_update_time": order["updated_ts"]},
                "timestamp": int(time.time() * 1000), "site": "lazada_vn"}
        raw = json.dumps(body, separators=(",", ":")).encode()
        headers = {"Authorization": push_signature(seller.app_key, seller.app_secret, raw),
                   "Content-Type": "application/json"}
        try:
            answer = httpx.post(url, content=raw, headers=headers, timeout=5)
        except httpx.HTTPError as exc:
            return {"sent": True, "url": url, "error": str(exc)}
        return {"sent": True, "url": url, "status": answer.status_code, "body": answer.text[:500]}

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
        orders = [seller.new_order(status) for _ in range(min(int(data.get("count", 1)), 200))]
        return jsonify({"order_ids": [str(o["order_id"]) for o in orders]})

    @bp.post("/_control/cancel")
    def cancel():
        data = request.get_json(silent=True) or {}
        order = _order(data)
        if order is None:
            return jsonify({"error": "no such order"}), 404
        order = seller.set_status(order["order_id"], "canceled", data.get("reason", ""))
        push = send_push(order, data.get("url")) if data.get("push", True) else None
        return jsonify({"order_id": str(order["order_id"]), "status": "canceled", "push": push})

    @bp.post("/_control/status")
    def set_status():
        data = request.get_json(silent=True) or {}
        order = _order(data)
        if order is None or data.get("status") not in STATUSES:
            return jsonify({"error": "unknown order or status"}), 400
        order = seller.set_status(order["order_id"], data["status"])
        push = send_push(order, data.get("url")) if data.get("push") else None
        return jsonify({"order_id": str(order["order_id"]), "status": data["status"], "push": push})

    @bp.post("/_control/push")
    def push():
        data = request.get_json(silent=True) or {}
        order = _order(data)
        if order is None:
            return jsonify({"error": "no such order"}), 404
        result = send_push(order, data.get("url"))
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

    @bp.get("/_control/stock")
    def stock():
        wanted = set(request.args.getlist("sku"))
        with seller.lock:
            found = {sku["SellerSku"]: sku["quantity"] for product in seller.products.values()
                     for sku in product["skus"] if not wanted or sku["SellerSku"] in wanted}
        return jsonify({"stock": found})
