"""Lazada product APIs: ``/products/get``, ``/product/item/get``, ``/product/create`` and
``/product/price_quantity/update`` (JSON ``payload``; the XML form is not simulated)."""
from __future__ import annotations

import copy
import json
import time

from app.sandbox.lazada.signing import LazadaRefusal, envelope_ok


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
        with seller.lock:
            products = [p for p in seller.products.values()
                        if params.get("filter", "all") in ("all", "live") or p["status"].lower() == params["filter"]]
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

    @bp.post("/rest/product/create")
    @api()
    def create(params):
        product = _payload(params)
        attributes = product.get("Attributes") or {}
        skus = _skus(product)
        if not attributes.get("name") or not product.get("PrimaryCategory") or not skus:
            raise LazadaRefusal("E0501", "Required field missing: name, PrimaryCategory and Skus")
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
                sku = seller.find_sku(entry.get("ItemId"), entry.get("SkuId"))
                if sku is None or (entry.get("SellerSku") and entry["SellerSku"] != sku["SellerSku"]):
                    detail.append({"field": "SkuId", "message": "SKU not found", "seller_sku": entry.get("SellerSku", ""),
                                   "sku_id": entry.get("SkuId")})
                    continue
                if "Quantity" in entry:
                    quantity = entry["Quantity"]
                    if not str(quantity).isdigit():
                        detail.append({"field": "Quantity", "message": "Quantity must be a non-negative integer",
                                       "sku_id": entry.get("SkuId")})
                        continue
                    sku["quantity"] = sku["Available"] = int(quantity)
                    sku["multiWarehouseInventories"][0].update(quantity=int(quantity), sellableQuantity=int(quantity))
                if "Price" in entry:
                    if not str(entry["Price"]).isdigit() or int(entry["Price"]) < 1000:
                        detail.append({"field": "Price", "message": "Price is invalid", "sku_id": entry.get("SkuId")})
                        continue
                    sku["price"] = int(entry["Price"])
                seller.products[int(entry["ItemId"])]["updated_time"] = str(int(time.time() * 1000))
        # Lazada answers code "0" and lists the SKUs it could not update in ``detail``.
        return envelope_ok(detail=detail) if detail else envelope_ok()
