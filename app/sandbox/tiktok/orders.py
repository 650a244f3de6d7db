"""TikTok Shop order APIs (202309): ``POST /orders/search`` and ``GET /orders?ids=``."""
from __future__ import annotations

import copy
import json

from flask import request

from app.sandbox.tiktok import pages
from app.sandbox.tiktok.signing import TikTokRefusal, envelope_ok

HIDDEN_ADDRESS = {"UNPAID", "ON_HOLD"}


def _view(order: dict) -> dict:
    view = copy.deepcopy(order)
    if order["status"] in HIDDEN_ADDRESS:
        view["recipient_address"] = {}
    return view


def register(bp, shop, api) -> None:
    @bp.post("/order/202309/orders/search")
    @api()
    def orders_search():
        size, offset = pages.page_size(request.args.get("page_size")), pages.decode(request.args.get("page_token"))
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            raise TikTokRefusal(36009022, "Request body is not valid JSON")
        field = request.args.get("sort_field", "create_time")
        if field not in ("create_time", "update_time"):
            raise TikTokRefusal(36009006, "Invalid parameter: sort_field")

        def within(order) -> bool:
            for name in ("create_time", "update_time"):
                if f"{name}_ge" in body and order[name] < int(body[f"{name}_ge"]):
                    return False
                if f"{name}_lt" in body and order[name] >= int(body[f"{name}_lt"]):
                    return False
            return not body.get("order_status") or order["status"] == body["order_status"]

        shop.tick()
        with shop.lock:
            found = sorted((o for o in shop.orders.values() if within(o)), key=lambda o: (o[field], o["id"]),
                           reverse=request.args.get("sort_order", "DESC") == "DESC")
            page = [_view(o) for o in found[offset:offset + size]]
        more = offset + size < len(found)
        return envelope_ok({"orders": page, "total_count": len(found),
                            "next_page_token": pages.encode(offset + size) if more else ""})

    @bp.get("/order/202309/orders")
    @api()
    def orders_detail():
        ids = [i for i in request.args.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 50:
            raise TikTokRefusal(36009006, "Invalid parameter: ids must hold 1 to 50 order ids")
        shop.tick()
        with shop.lock:
            return envelope_ok({"orders": [_view(shop.orders[i]) for i in ids if i in shop.orders]})
