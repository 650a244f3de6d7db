"""Lazada product APIs: ``/products/get`` (``sku_seller_list`` filter too), ``/product/item/get``,
``/image/upload``, ``/product/create`` (checked as Lazada does: a leaf category, images hosted by
Lazada, package weight and size per SKU, unused seller SKUs) and ``/product/price_quantity/update``
(JSON ``payload``; the XML form is not simulated), which refuses SKU by SKU as Lazada does: an
unknown SKU, a negative quantity or one below what a campaign holds (``/_control/campaign``) is
listed in ``detail`` while the others are updated."""
from __future__ import annotations

import copy
import json
import secrets
import time

from flask import jsonify, request

from app.sandbox.lazada.signing import LazadaRefusal, envelope_ok
from app.sandbox.lazada.state import LEAF_CATEGORIES
from app.sandbox.uploads import image_problem

IMAGE_HOST = "https://vn-live.slatic.net/p/"


def _payload(params) -> dict:
    try:
        payload = json.loads(params.get("payload", ""))
        return payload["Request"]["Product"]
    except (ValueError, KeyError, TypeError):
        raise LazadaRefusal("E0501", "Invalid payload: JSON {\"Request\":{\"Product\":...}} expected")


def _skus(product: dict) -> list[dict]:
    skus = (product.get("Skus") or {}).get("Sku") or []
    return skus if isinstance(skus, list) else [skus]


def register(bp, seller, api) -> None:
    @bp.get("/rest/products/get")
    @api()
    def products_get(params):
        try:
            offset, limit = int(params.get("offset", 0)), int(params.get("limit", 10))
        except ValueError:
            raise LazadaRefusal("E019", "Invalid Limit")
        if not 1 <= limit <= 50 or not 0 <= offset <= 10000:
            raise LazadaRefusal("E019", "Invalid Limit")
        try:
            wanted = set(json.loads(params["sku_seller_list"])) if params.get("sku_seller_list") else None
        except (ValueError, TypeError):
            raise LazadaRefusal("E0501", "sku_seller_list must be a JSON array of seller SKUs")
        with seller.lock:
            products = [p for p in seller.products.values()
                        if (params.get("filter", "all") in ("all", "live") or p["status"].lower() == params["filter"])
                        and (wanted is None or wanted & {s["SellerSku"] for s in p["skus"]})]
            page = copy.deepcopy(products[offset:offset + limit])
        return envelope_ok({"total_products": len(products), "products": page})

    @bp.get("/rest/product/item/get")
    @api()
    def item_get(params):
        with seller.lock:
            product = seller.products.get(int(params.get("item_id", "0") or 0)) \
                if str(params.get("item_id", "")).isdigit() else None
            if product is None:
                raise LazadaRefusal("E208", "Item not exist")
            data = copy.deepcopy(product)
        names = {k for s in data["skus"] for k in ("size", "Variation") if k in s}
        data["variation"] = {f"Variation{i + 1}": {"name": n, "options": sorted({s[n] for s in data["skus"] if n in s})}
                             for i, n in enumerate(sorted(names))}
        return envelope_ok(data)

    @bp.post("/rest/image/upload")
    @api()
    def image_upload(_params):
        upload = request.files.get("image")
        problem = image_problem(upload.read() if upload else None)
        if problem:
            raise LazadaRefusal("E0501", problem)
        url = IMAGE_HOST + secrets.token_hex(16) + ".jpg"
        with seller.lock:
            seller.images.add(url)
        return envelope_ok({"image": {"url": url, "hash_code": secrets.token_hex(16)}})

    @bp.post("/rest/product/create")
    @api()
    def create(params):
        product = _payload(params)
        attributes = product.get("Attributes") or {}
        skus = _skus(product)
        if not attributes.get("name") or not product.get("PrimaryCategory") or not skus:
            raise LazadaRefusal("E0501", "Required field missing: name, PrimaryCategory and Skus")
        if str(product["PrimaryCategory"]) not in LEAF_CATEGORIES:
            raise LazadaRefusal("E0501", "PrimaryCategory is not a leaf category")
        images = (product.get("Images") or {}).get("Image") or []
        images = images if isinstance(images, list) else [images]
        if not images or any(i not in seller.images for i in images):
            raise LazadaRefusal("E0501", "Images: at least one image uploaded to Lazada is required")
        for sku in skus:
            for name in ("package_weight", "package_length", "package_width", "package_height"):
                try:
                    ok = float(sku.get(name) or 0) > 0
                except (TypeError, ValueError):
                    ok = False
                if not ok:
                    raise LazadaRefusal("E0501", f"{name} of SellerSku {sku.get('SellerSku')!r} must be above 0")
        seen = set()
        with seller.lock:
            existing = {s["SellerSku"] for p in seller.products.values() for s in p["skus"]}
            for sku in skus:
                if not sku.get("SellerSku") or sku["SellerSku"] in existing | seen:
                    raise LazadaRefusal("E0501", f'SellerSku {sku.get("SellerSku")!r} is empty or already used')
                seen.add(sku["SellerSku"])
                try:
                    int(str(sku.get("price")))
                except ValueError:
                    raise LazadaRefusal("E0501", "price must be an integer amount of VND")
            created = seller.add_product(attributes["name"], attributes.get("description", ""),
                                         product["PrimaryCategory"], skus)
            created["images"] = list(images)
        return envelope_ok({"item_id": created["item_id"], "item_status": "Active",
                            "sku_list": [{"seller_sku": s["SellerSku"], "shop_sku": s["ShopSku"],
                                          "sku_id": s["SkuId"]} for s in created["skus"]]})

    @bp.post("/rest/product/price_quantity/update")
    @api()
    def price_quantity(params):
        skus = _skus(_payload(params))
        if not 1 <= len(skus) <= 50:
            raise LazadaRefusal("E204", "Too many SKU in one request")
        detail = []
        with seller.lock:
            for entry in skus:
                problem = _sku_problem(seller, entry)
                if problem:
                    detail.append(problem)
                    continue
                sku = seller.find_sku(entry.get("ItemId"), entry.get("SkuId"))
                if "Quantity" in entry:
                    sku["quantity"] = sku["Available"] = int(entry["Quantity"])
                    sku["multiWarehouseInventories"][0].update(quantity=int(entry["Quantity"]),
                                                               sellableQuantity=int(entry["Quantity"]))
                if "Price" in entry:
                    sku["price"] = int(entry["Price"])
                seller.products[int(entry["ItemId"])]["updated_time"] = str(int(time.time() * 1000))
        # LazOP's batch answer: each refused SKU in ``detail`` as {field, seller_sku, message};
        # code "0" when some went through, an error code when none did.
        if detail and len(detail) == len(skus):
            body = {"code": "501", "type": "ISV", "message": "E501: Update price quantity failed",
                    "detail": detail, "request_id": secrets.token_hex(13)}
            return jsonify(body)
        return envelope_ok(detail=detail) if detail else envelope_ok()


def _sku_problem(seller, entry: dict) -> dict | None:
    """Why Lazada refuses this SKU of the batch (its ``detail`` entry), or None."""
    sku = seller.find_sku(entry.get("ItemId"), entry.get("SkuId"))
    seller_sku = entry.get("SellerSku") or (sku or {}).get("SellerSku", "")

    def refused(field: str, message: str) -> dict:
        return {"field": field, "seller_sku": seller_sku, "message": message}

    if sku is None or (entry.get("SellerSku") and entry["SellerSku"] != sku["SellerSku"]):
        return refused("SellerSku", "SELLER_SKU_NOT_FOUND")
    if "Quantity" in entry:
        if not str(entry["Quantity"]).isdigit():
            return refused("Quantity", "Negative numbers cannot be used")
        locked = int(seller.campaign_locks.get(sku["SellerSku"], 0))
        if int(entry["Quantity"]) < locked:
            return refused("Quantity", f"The quantity must be at least the {locked} locked by campaigns "
                                       "(channelInventories)")
    if "Price" in entry and (not str(entry["Price"]).isdigit() or int(entry["Price"]) < 1000):
        return refused("Price", "Price is invalid")
    return None
