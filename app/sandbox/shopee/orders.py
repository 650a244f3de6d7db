"""Shopee order endpoints: ``get_order_list`` (15-day window, cursor) and ``get_order_detail``."""
from __future__ import annotations

from flask import request

from app.sandbox.shopee.signing import ShopeeRefusal, envelope_ok

WINDOW_LIMIT = 15 * 86400
_ALWAYS = ("order_sn", "region", "currency", "cod", "total_amount", "order_status", "create_time",
           "update_time", "days_to_ship", "ship_by_date", "message_to_seller")


def register(bp, shop, api) -> None:
    @bp.get("/api/v2/order/get_order_list")
    @api()
    def order_list(_common):
        args = request.args
        field = args.get("time_range_field", "")
        if field not in ("create_time", "update_time"):
            raise ShopeeRefusal("error_param", "time_range_field should be create_time or update_time.")
        try:
            time_from, time_to = int(args["time_from"]), int(args["time_to"])
            page_size = int(args.get("page_size", 20))
            offset = int(args.get("cursor") or 0)
        except (KeyError, ValueError):
            raise ShopeeRefusal("error_param", "time_from, time_to, page_size and cursor must be integers.")
        if time_to < time_from or time_to - time_from > WINDOW_LIMIT:
            raise ShopeeRefusal("error_param", "The time range should be within 15 days.")
        if not 1 <= page_size <= 100:
            raise ShopeeRefusal("error_param", "page_size should be between 1 and 100.")
        status = args.get("order_status")
        shop.tick()
        with shop.lock:
            found = sorted((o for o in shop.orders.values()
                            if time_from <= o[field] <= time_to and (not status or o["order_status"] == status)),
                           key=lambda o: (o[field], o["order_sn"]))
            page = found[offset:offset + page_size]
            more = offset + page_size < len(found)
            with_status = "order_status" in args.get("response_optional_fields", "")
            return envelope_ok({
                "more": more, "next_cursor": str(offset + page_size) if more else "",
                "order_list": [{"order_sn": o["order_sn"], **({"order_status": o["order_status"]}
                                                              if with_status else {})} for o in page]})

    @bp.get("/api/v2/order/get_order_detail")
    @api()
    def order_detail(_common):
        raw = request.args.get("order_sn_list", "").strip().strip("[]")
        order_sns = [sn.strip().strip('"') for sn in raw.split(",") if sn.strip()]
        if not 1 <= len(order_sns) <= 50:
            raise ShopeeRefusal("error_param", "order_sn_list should contain 1 to 50 orders.")
        wanted = set(_ALWAYS) | {f.strip() for f in request.args.get("response_optional_fields", "").split(",")}
        shop.tick()
        with shop.lock:
            missing = [sn for sn in order_sns if sn not in shop.orders]
            if missing:
                raise ShopeeRefusal("error_not_found", f"Order {missing[0]} not found.", 404)
            orders = [{k: v for k, v in shop.orders[sn].items() if k in wanted} for sn in order_sns]
        return envelope_ok({"order_list": orders})
