"""Shopee product endpoints: list, search, base info, models, add item (checked as Shopee checks
it: images uploaded to the media space, a leaf category, a weight, an enabled logistics
channel…), tier variations, stock, price; the media space's image upload; the shop's categories
and logistics channels."""
from __future__ import annotations

import secrets
import time

from flask import request

from app.sandbox.shopee.signing import ShopeeRefusal, envelope_ok
from app.sandbox.shopee.state import CATEGORIES, LEAF_CATEGORIES, LOGISTICS
from app.sandbox.uploads import image_problem


def _ids(raw: str) -> list[int]:
    """``item_id_list`` comes comma-separated; the docs' cURL even shows ``[1,2]``: accept both."""
    raw = raw.strip().strip("[]")
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise ShopeeRefusal("error_param", "item_id_list is invalid.")


def _stock_info(stock: int) -> dict:
    return {"summary_info": {"total_reserved_stock": 0, "total_available_stock": stock},
            "seller_stock": [{"location_id": "VNZ", "stock": stock}]}


def _price_info(price: int) -> list[dict]:
    return [{"currency": "VND", "original_price": price, "current_price": price}]


def _int(name: str, value, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ShopeeRefusal("error_param", f"{name} is invalid.")
    if not low <= number <= high:
        raise ShopeeRefusal("error_param", f"{name} should be between {low} and {high}.")
    return number


def register(bp, shop, api) -> None:
    @bp.get("/api/v2/product/get_item_list")
    @api()
    def item_list(_common):
        offset = _int("offset", request.args.get("offset", 0), 0, 100000)
        page_size = _int("page_size", request.args.get("page_size", 10), 1, 100)
        statuses = request.args.getlist("item_status") or ["NORMAL"]
        with shop.lock:
            items = [i for i in shop.items.values() if i["item_status"] in statuses]
            page = items[offset:offset + page_size]
            more = offset + page_size < len(items)
            return envelope_ok({
                "item": [{"item_id": i["item_id"], "item_status": i["item_status"],
                          "update_time": i["update_time"]} for i in page],
                "total_count": len(items), "has_next_page": more,
                "next_offset": offset + page_size if more else offset + len(page)})

    @bp.get("/api/v2/product/get_item_base_info")
    @api()
    def item_base_info(_common):
        ids = _ids(request.args.get("item_id_list", ""))
        if not 1 <= len(ids) <= 50:
            raise ShopeeRefusal("error_param", "item_id_list should contain 1 to 50 items.")
        with shop.lock:
            result = []
            for item_id in ids:
                item = shop.items.get(item_id)
                if item is None:
                    continue
                entry = {k: item[k] for k in ("item_id", "category_id", "item_name", "description",
                                              "item_sku", "create_time", "update_time", "weight",
                                              "item_status", "has_model")}
                images = item.get("images") or []
                entry["image"] = {"image_id_list": images,
                                  "image_url_list": [f"https://cf.shopee.vn/file/{i}" for i in images]}
                entry["brand"] = {"brand_id": 0, "original_brand_name": "NoBrand"}
                if item["has_model"]:
                    entry["stock_info_v2"] = _stock_info(sum(m["stock"] for m in item["models"]))
                else:
                    entry["price_info"] = _price_info(item["price"])
                    entry["stock_info_v2"] = _stock_info(item["stock"])
                result.append(entry)
        return envelope_ok({"item_list": result})

    @bp.get("/api/v2/product/get_model_list")
    @api()
    def model_list(_common):
        item = _item(request.args.get("item_id"))
        with shop.lock:
            return envelope_ok({"tier_variation": item["tier_variation"], "model": [
                {"model_id": m["model_id"], "tier_index": m["tier_index"], "model_sku": m["model_sku"],
                 "model_status": m["model_status"], "price_info": _price_info(m["price"]),
                 "stock_info_v2": _stock_info(m["stock"])} for m in item["models"]]})

    def _item(raw) -> dict:
        try:
            item = shop.items.get(int(raw))
        except (TypeError, ValueError):
            raise ShopeeRefusal("error_param", "item_id is invalid.")
        if item is None:
            raise ShopeeRefusal("error_item_not_found", "Item not found.", 404)
        return item

    @bp.post("/api/v2/media_space/upload_image")
    @api(shop_api=False)
    def upload_image(_common):
        upload = request.files.get("image")
        problem = image_problem(upload.read() if upload else None)
        if problem:
            raise ShopeeRefusal("error_param", problem)
        image_id = "vn-" + secrets.token_hex(16)
        with shop.lock:
            shop.images[image_id] = upload.content_length or 0
        return envelope_ok({"image_info": {"image_id": image_id, "image_url_list": [
            {"image_url_region": "VN", "image_url": f"https://cf.shopee.vn/file/{image_id}"}]}})

    @bp.get("/api/v2/logistics/get_channel_list")
    @api()
    def channel_list(_common):
        return envelope_ok({"logistics_channel_list": LOGISTICS})

    @bp.get("/api/v2/product/get_category")
    @api()
    def categories(_common):
        return envelope_ok({"category_list": [
            {"category_id": cid, "parent_category_id": parent, "original_category_name": name,
             "display_category_name": name, "has_children": children}
            for cid, parent, name, children in CATEGORIES]})

    @bp.get("/api/v2/product/search_item")
    @api()
    def search_item(_common):
        offset = _int("offset", request.args.get("offset", 0), 0, 100000)
        page_size = _int("page_size", request.args.get("page_size", 10), 1, 100)
        sku = request.args.get("item_sku", "")
        name = request.args.get("item_name", "")
        if not sku and not name:
            raise ShopeeRefusal("error_param", "item_name or item_sku is required.")
        with shop.lock:
            found = [i["item_id"] for i in shop.items.values()
                     if (not sku or i["item_sku"] == sku) and (not name or name in i["item_name"])]
        page = found[offset:offset + page_size]
        more = offset + page_size < len(found)
        return envelope_ok({"item_id_list": page, "total_count": len(found),
                            "next_offset": offset + page_size if more else None})

    def _check_new_item(body: dict) -> None:
        """Shopee's own refusals for add_item, in the order it checks."""
        missing = [f for f in ("item_name", "original_price", "description", "weight", "category_id",
                               "seller_stock", "image", "logistic_info") if body.get(f) in (None, "", [], {})]
        if missing:
            raise ShopeeRefusal("error_param", f"{missing[0]} is required.")
        if not 1 <= len(str(body["item_name"])) <= 120:
            raise ShopeeRefusal("error_param", "item_name should be 1 to 120 characters.")
        if not isinstance(body["original_price"], int) or body["original_price"] < 1000:
            raise ShopeeRefusal("error_param", "original_price is invalid (VND, integer ≥ 1000).")
        if not isinstance(body["weight"], (int, float)) or not 0 < body["weight"] <= 300:
            raise ShopeeRefusal("error_param", "weight should be more than 0 and at most 300 kg.")
        if body["category_id"] not in LEAF_CATEGORIES:
            raise ShopeeRefusal("error_param", "category_id is invalid: choose a leaf category "
                                               "from get_category.")
        images = (body.get("image") or {}).get("image_id_list") or []
        if not 1 <= len(images) <= 9:
            raise ShopeeRefusal("error_param", "image_id_list should contain 1 to 9 images.")
        unknown = [i for i in images if i not in shop.images]
        if unknown:
            raise ShopeeRefusal("error_param", f"image_id {unknown[0]} is invalid: upload it to the "
                                               "media space first.")
        enabled = {c["logistics_channel_id"] for c in LOGISTICS if c["enabled"]}
        chosen = [c for c in body["logistic_info"] if isinstance(c, dict) and c.get("enabled")]
        if not chosen:
            raise ShopeeRefusal("error_param", "logistic_info should enable at least one channel.")
        closed = [c.get("logistic_id") for c in chosen if c.get("logistic_id") not in enabled]
        if closed:
            raise ShopeeRefusal("error_param", f"logistic {closed[0]} is not enabled for this shop.")

    @bp.post("/api/v2/product/add_item")
    @api()
    def add_item(_common):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ShopeeRefusal("error_param", "Request body is not valid JSON.")
        with shop.lock:
            _check_new_item(body)
            stock = sum(int(s.get("stock", 0)) for s in body["seller_stock"])
            item = shop._add_item(body["item_name"], body["description"], "",
                                  [(body.get("item_sku", ""), "", body["original_price"], stock)],
                                  category_id=int(body["category_id"]), weight=body["weight"],
                                  item_sku=body.get("item_sku", ""))
            item["has_model"] = False
            item["images"] = list(body["image"]["image_id_list"])
        return envelope_ok({"item_id": item["item_id"], "item_name": item["item_name"],
                            "item_status": "NORMAL", "price_info": _price_info(item["price"])})

    @bp.post("/api/v2/product/init_tier_variation")
    @api()
    def init_tier_variation(_common):
        body = request.get_json(silent=True) or {}
        item = _item(body.get("item_id"))
        tiers, models = body.get("tier_variation") or [], body.get("model") or []
        if len(tiers) != 1 or not 1 <= len(models) <= 50:
            raise ShopeeRefusal("error_param", "tier_variation must have 1 tier and 1 to 50 models.")
        options = tiers[0].get("option_list") or []
        with shop.lock:
            if item["models"]:
                raise ShopeeRefusal("error_param", "Item already has tier variation.")
            variants = []
            for model in models:
                index = (model.get("tier_index") or [None])[0]
                if index is None or not 0 <= index < len(options):
                    raise ShopeeRefusal("error_param", "tier_index is invalid.")
                variants.append((model.get("model_sku", ""), options[index]["option"],
                                 int(model.get("original_price", 0)),
                                 sum(int(s.get("stock", 0)) for s in model.get("seller_stock") or [])))
            shop._set_models(item, tiers[0].get("name", ""), variants)
            item["update_time"] = int(time.time())
            return envelope_ok({"item_id": item["item_id"], "tier_variation": item["tier_variation"],
                                "model": [{"model_id": m["model_id"], "tier_index": m["tier_index"],
                                           "model_sku": m["model_sku"]} for m in item["models"]]})

    def _per_model(list_name: str, apply):
        body = request.get_json(silent=True) or {}
        item = _item(body.get("item_id"))
        entries = body.get(list_name) or []
        if not 1 <= len(entries) <= 50:
            raise ShopeeRefusal("error_param", f"{list_name} should contain 1 to 50 entries.")
        success, failure = [], []
        with shop.lock:
            for entry in entries:
                model_id = entry.get("model_id", 0)
                if item["has_model"]:
                    target = next((m for m in item["models"] if m["model_id"] == model_id), None)
                else:
                    target = item if model_id == 0 else None
                if target is None:
                    failure.append({"model_id": model_id, "failed_reason": "Model not found."})
                    continue
                reason = apply(target, entry)
                if reason:
                    failure.append({"model_id": model_id, "failed_reason": reason})
                else:
                    success.append({"model_id": model_id, **{k: v for k, v in entry.items() if k != "model_id"}})
            item["update_time"] = int(time.time())
        return envelope_ok({"success_list": success, "failure_list": failure})

    @bp.post("/api/v2/product/update_stock")
    @api()
    def update_stock(_common):
        def apply(target, entry):
            stocks = entry.get("seller_stock") or []
            if not stocks or any(not isinstance(s.get("stock"), int) or s["stock"] < 0 for s in stocks):
                return "Stock should be a non-negative integer."
            target["stock"] = sum(s["stock"] for s in stocks)
        return _per_model("stock_list", apply)

    @bp.post("/api/v2/product/update_price")
    @api()
    def update_price(_common):
        def apply(target, entry):
            price = entry.get("original_price")
            if not isinstance(price, int) or price < 1000:
                return "Price is invalid (VND, integer ≥ 1000)."
            target["price"] = price
        return _per_model("price_list", apply)
