"""TikTok Shop product APIs (202309): search, get, create, inventory and price updates, and the
shop's warehouses (needed to address inventory)."""
from __future__ import annotations

import copy
import json
import secrets
import time

from flask import request

from app.sandbox.tiktok import pages
from app.sandbox.tiktok.signing import TikTokRefusal, envelope_ok
from app.sandbox.tiktok.state import LEAF_CATEGORIES, WAREHOUSE_ID
from app.sandbox.uploads import image_problem


def _body() -> dict:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        raise TikTokRefusal(36009022, "Request body is not valid JSON")
    if not isinstance(body, dict):
        raise TikTokRefusal(36009022, "Request body must be a JSON object")
    return body


def _search_view(product: dict) -> dict:
    return {"id": product["id"], "title": product["title"], "status": product["status"],
            "create_time": product["create_time"], "update_time": product["update_time"],
            "skus": [{k: copy.deepcopy(s[k]) for k in ("id", "seller_sku", "price", "inventory")}
                     for s in product["skus"]]}


def register(bp, shop, api) -> None:
    def _product(product_id: str) -> dict:
        product = shop.products.get(product_id)
        if product is None:
            raise TikTokRefusal(12052048, f"Product {product_id} does not exist", 404)
        return product

    @bp.get("/logistics/202309/warehouses")
    @api()
    def warehouses():
        return envelope_ok({"warehouses": [{"id": WAREHOUSE_ID, "name": "Kho Quận 7", "effect_status": "ENABLED",
                                            "type": "SALES_WAREHOUSE", "sub_type": "DOMESTIC_WAREHOUSE",
                                            "is_default": True, "address": {"region_code": "VN"}}]})

    @bp.post("/product/202309/products/search")
    @api()
    def products_search():
        size, offset = pages.page_size(request.args.get("page_size")), pages.decode(request.args.get("page_token"))
        body = _body()
        status = body.get("status", "ALL")
        wanted_skus = set(body.get("seller_skus") or [])
        with shop.lock:
            found = [p for p in shop.products.values() if status == "ALL" or p["status"] == status
                     if not wanted_skus or wanted_skus & {s["seller_sku"] for s in p["skus"]}]
            page = [_search_view(p) for p in found[offset:offset + size]]
        more = offset + size < len(found)
        return envelope_ok({"products": page, "total_count": len(found),
                            "next_page_token": pages.encode(offset + size) if more else ""})

    @bp.get("/product/202309/products/<product_id>")
    @api()
    def get_product(product_id):
        with shop.lock:
            return envelope_ok(copy.deepcopy(_product(product_id)))

    @bp.post("/product/202309/products")
    @api()
    def products_create():
        body = _body()
        skus = body.get("skus") or []
        if not body.get("title") or not body.get("category_id") or not skus:
            raise TikTokRefusal(12052001, "title, category_id and skus are required")
        if str(body["category_id"]) not in LEAF_CATEGORIES:
            raise TikTokRefusal(12052002, "category_id is not a leaf category")
        uris = [i.get("uri") for i in body.get("main_images") or [] if isinstance(i, dict)]
        if not 1 <= len(uris) <= 9 or any(u not in shop.images for u in uris):
            raise TikTokRefusal(12052003, "main_images: 1 to 9 images uploaded with images/upload")
        try:
            weight = float((body.get("package_weight") or {}).get("value") or 0)
        except (TypeError, ValueError):
            weight = 0
        if weight <= 0:
            raise TikTokRefusal(12052005, "package_weight.value must be above 0")
        rows = []
        with shop.lock:
            taken = {s["seller_sku"] for p in shop.products.values() for s in p["skus"]}
            for sku in skus:
                price = (sku.get("price") or {}).get("amount", "")
                if not isinstance(price, str) or not price.isdigit():
                    raise TikTokRefusal(12052001, "price.amount must be a string of whole VND")
                if sku.get("seller_sku") in taken:
                    raise TikTokRefusal(12052230, f'seller_sku {sku.get("seller_sku")} already exists')
                inventory = sku.get("inventory") or []
                if any(i.get("warehouse_id") != WAREHOUSE_ID for i in inventory):
                    raise TikTokRefusal(12052004, "warehouse_id does not belong to the shop")
                attribute = (sku.get("sales_attributes") or [{}])[0]
                rows.append((sku.get("seller_sku", ""), attribute.get("name", ""), attribute.get("value_name", ""),
                             int(price), sum(int(i.get("quantity", 0)) for i in inventory)))
            product = shop.add_product(body["title"], body.get("description", ""), body["category_id"], rows)
        return envelope_ok({"product_id": product["id"], "warnings": [],
                            "skus": [{"id": s["id"], "seller_sku": s["seller_sku"],
                                      "sales_attributes": s["sales_attributes"]} for s in product["skus"]]})

    @bp.post("/product/202309/images/upload")
    @api(shop_api=False)
    def images_upload():
        upload = request.files.get("data")
        problem = image_problem(upload.read() if upload else None)
        if problem:
            raise TikTokRefusal(12052006, problem)
        uri = "tos-maliva-i-o3syd03w52-us/" + secrets.token_hex(16)
        with shop.lock:
            shop.images.add(uri)
        return envelope_ok({"uri": uri, "url": f"https://p16-oec-va.ibyteimg.com/{uri}~tplv.jpeg",
                            "width": 800, "height": 800, "use_case": request.form.get("use_case", "MAIN_IMAGE")})

    @bp.post("/product/202309/products/<product_id>/inventory/update")
    @api()
    def inventory(product_id):
        errors = []
        with shop.lock:
            product = _product(product_id)
            if product["status"] != "ACTIVATE":
                raise TikTokRefusal(12019003, "Product is not active")
            by_id = {s["id"]: s for s in product["skus"]}
            for entry in _body().get("skus") or []:
                sku = by_id.get(str(entry.get("id")))
                inventory = entry.get("inventory") or []
                if sku is None or not inventory or any(i.get("warehouse_id") != WAREHOUSE_ID
                                                       or not isinstance(i.get("quantity"), int)
                                                       or i["quantity"] < 0 for i in inventory):
                    errors.append({"code": 12019052, "message": "SKU or inventory is invalid",
                                   "detail": {"sku_id": str(entry.get("id")), "extra_errors": []}})
                    continue
                sku["inventory"] = [{"warehouse_id": WAREHOUSE_ID, "quantity": inventory[0]["quantity"]}]
            product["update_time"] = int(time.time())
        return envelope_ok({"errors": errors} if errors else {})

    @bp.post("/product/202309/products/<product_id>/prices/update")
    @api()
    def prices(product_id):
        with shop.lock:
            product = _product(product_id)
            by_id = {s["id"]: s for s in product["skus"]}
            entries = _body().get("skus") or []
            for entry in entries:
                amount = (entry.get("price") or {}).get("amount", "")
                if str(entry.get("id")) not in by_id or not isinstance(amount, str) or not amount.isdigit():
                    raise TikTokRefusal(12052001, f'Invalid sku id or price for sku {entry.get("id")}')
            for entry in entries:
                amount = entry["price"]["amount"]
                by_id[str(entry["id"])]["price"].update(sale_price=amount, tax_exclusive_price=amount)
            product["update_time"] = int(time.time())
        return envelope_ok({})
