"""Lazada order APIs: ``/orders/get`` (ISO time filters, offset/limit), ``/order/get``,
``/orders/items/get`` and ``/order/items/get``."""
from __future__ import annotations

import copy
import json
from datetime import datetime

from app.sandbox.lazada.signing import LazadaRefusal, envelope_ok


def _iso(params, name) -> int | None:
    raw = params.get(name)
    if not raw:
        return None
    try:
        return int(datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp())
    except ValueError:
        raise LazadaRefusal("E017", f"Invalid Date Format: {name}")


def _head(order: dict) -> dict:
    return {k: copy.deepcopy(v) for k, v in order.items() if k not in ("items", "created_ts", "updated_ts")}


def register(bp, seller, api) -> None:
    @bp.get("/rest/orders/get")
    @api()
    def orders_get(params):
        created_after, update_after = _iso(params, "created_after"), _iso(params, "update_after")
        if created_after is None and update_after is None:
            raise LazadaRefusal("MissingParameter", "Either created_after or update_after is mandatory")
        created_before, update_before = _iso(params, "created_before"), _iso(params, "update_before")
        try:
            offset, limit = int(params.get("offset", 0)), int(params.get("limit", 100))
        except ValueError:
            raise LazadaRefusal("E019", "Invalid Limit")
        if not 1 <= limit <= 100 or not 0 <= offset <= 5000:
            raise LazadaRefusal("E019", "Invalid Limit")
        sort_key = "updated_ts" if params.get("sort_by", "created_at") == "updated_at" else "created_ts"
        status = params.get("status")
        seller.tick()
        with seller.lock:
            found = [o for o in seller.orders.values()
                     if (created_after is None or o["created_ts"] >= created_after)
                     and (created_before is None or o["created_ts"] < created_before)
                     and (update_after is None or o["updated_ts"] >= update_after)
                     and (update_before is None or o["updated_ts"] < update_before)
                     and (not status or status in o["statuses"])]
            found.sort(key=lambda o: (o[sort_key], o["order_id"]), reverse=params.get("sort_direction") == "DESC")
            page = [_head(o) for o in found[offset:offset + limit]]
        return envelope_ok({"count": len(page), "countTotal": len(found), "orders": page})

    def _order(raw) -> dict:
        order = seller.orders.get(int(raw)) if str(raw).isdigit() else None
        if order is None:
            raise LazadaRefusal("E016", "Invalid Order ID")
        return order

    @bp.get("/rest/order/get")
    @api()
    def order_get(params):
        seller.tick()
        with seller.lock:
            return envelope_ok(_head(_order(params.get("order_id"))))

    @bp.get("/rest/order/items/get")
    @api()
    def order_items(params):
        with seller.lock:
            return envelope_ok(copy.deepcopy(_order(params.get("order_id"))["items"]))

    @bp.get("/rest/orders/items/get")
    @api()
    def orders_items(params):
        try:
            ids = json.loads(params.get("order_ids", ""))
            assert isinstance(ids, list) and 1 <= len(ids) <= 50
        except (ValueError, AssertionError):
            raise LazadaRefusal("E0501", "order_ids must be a JSON array of 1 to 50 order ids")
        with seller.lock:
            return envelope_ok([{"order_id": o["order_id"], "order_number": o["order_number"],
                                 "order_items": copy.deepcopy(o["items"])} for o in map(_order, ids)])
