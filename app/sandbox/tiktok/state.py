"""The TikTok Shop sandbox's shop: products with SKUs, orders (one line item per unit), codes, tokens.

In memory behind one lock; orders keep arriving (one due every ``ORDER_EVERY`` seconds, made when
the order APIs are read) and unpaid ones move on to AWAITING_SHIPMENT after 15 minutes.
"""
from __future__ import annotations

import random
import secrets
import threading
import time

from app.sandbox.catalogue import build_products, random_buyer

ACCESS_TTL = 7 * 86400
REFRESH_TTL = 365 * 86400  # the authorization's duration
CODE_TTL = 30 * 60
ORDER_EVERY = 600
HISTORY_ORDERS = 40
WAREHOUSE_ID = "7300000000000000001"
# A slice of TikTok Shop VN's category tree: the leaves a product may be created under.
LEAF_CATEGORIES = {"600001": "Áo thun", "600002": "Quần jeans", "600003": "Váy",
                   "600004": "Bình giữ nhiệt", "600005": "Cà phê"}


class TikTokShop:
    def __init__(self, *, app_key: str, app_secret: str, shop_id: str, shop_cipher: str, seed: int = 1,
                 products: int = 60):
        self.app_key, self.app_secret = app_key, app_secret
        self.shop_id, self.shop_cipher = shop_id, shop_cipher
        self.seed, self.product_count = seed, products
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.rng = random.Random(self.seed + 2000)
            self.products: dict[str, dict] = {}
            self.orders: dict[str, dict] = {}
            self.codes: dict[str, float] = {}
            self.access_tokens: dict[str, float] = {}
            self.refresh_tokens: dict[str, float] = {}
            self.images: set[str] = set()  # URIs of uploaded images
            self._next_id = 1729_000_000_000_000_000
            now = int(time.time())
            for p in build_products(self.seed, self.product_count):
                self.add_product(p.name, f"<p>{p.name}</p>", "600001",
                                 [(v.sku, p.axis, v.option, v.price, v.stock) for v in p.variants],
                                 created=now - 90 * 86400)
            for n in range(HISTORY_ORDERS):
                at = now - 3 * 86400 + n * (3 * 86400 // HISTORY_ORDERS)
                self.new_order(self.rng.choice(["AWAITING_SHIPMENT", "AWAITING_SHIPMENT", "AWAITING_COLLECTION",
                                                "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED", "UNPAID"]), at=at)
            self.last_tick = now

    def new_id(self) -> str:
        self._next_id += self.rng.randint(1, 999)
        return str(self._next_id)

    def add_product(self, title, description, category_id, skus, created=None) -> dict:
        """``skus`` are (seller_sku, attribute name, value, price VND, quantity)."""
        with self.lock:
            created = created or int(time.time())
            product = {"id": self.new_id(), "title": title, "description": description, "status": "ACTIVATE",
                       "category_id": category_id, "create_time": created, "update_time": created,
                       "is_cod_allowed": True, "skus": []}
            for seller_sku, name, value, price, quantity in skus:
                product["skus"].append({
                    "id": self.new_id(), "seller_sku": seller_sku,
                    "price": {"currency": "VND", "sale_price": str(price), "tax_exclusive_price": str(price)},
                    "inventory": [{"warehouse_id": WAREHOUSE_ID, "quantity": int(quantity)}],
                    "sales_attributes": [{"id": "100000", "name": name, "value_id": self.new_id(),
                                          "value_name": value}] if value else []})
            self.products[product["id"]] = product
            return product

    def new_order(self, status: str = "AWAITING_SHIPMENT", at: int | None = None) -> dict:
        with self.lock:
            at = at or int(time.time())
            buyer = random_buyer(self.rng)
            skus = [(p, s) for p in self.products.values() for s in p["skus"]]
            order_id = "57" + str(self.rng.randint(10 ** 15, 10 ** 16 - 1))
            lines = []
            for product, sku in self.rng.sample(skus, self.rng.choice((1, 1, 2, 3))):
                for _unit in range(self.rng.choice((1, 1, 2))):
                    sku["inventory"][0]["quantity"] = max(0, sku["inventory"][0]["quantity"] - 1)
                    price = sku["price"]["sale_price"]
                    lines.append({"id": self.new_id(), "sku_id": sku["id"], "product_id": product["id"],
                                  "product_name": product["title"],
                                  "sku_name": ", ".join(a["value_name"] for a in sku["sales_attributes"]),
                                  "seller_sku": sku["seller_sku"], "original_price": price, "sale_price": price,
                                  "currency": "VND", "display_status": status, "package_id": "",
                                  "tracking_number": ""})
            fee = self.rng.choice((16500, 22000, 30000))
            subtotal = sum(int(line["sale_price"]) for line in lines)
            cod = self.rng.random() < 0.6
            order = {
                "id": order_id, "status": status, "user_id": str(self.rng.randint(10 ** 17, 10 ** 18)),
                "buyer_email": "", "buyer_message": "", "create_time": at, "update_time": at,
                "paid_time": None if status == "UNPAID" else at, "is_cod": cod,
                "payment_method_name": "Thanh toán khi nhận hàng" if cod else "Ví điện tử",
                "payment": {"currency": "VND", "sub_total": str(subtotal), "shipping_fee": str(fee),
                            "seller_discount": "0", "platform_discount": "0", "total_amount": str(subtotal + fee),
                            "original_total_product_price": str(subtotal), "original_shipping_fee": str(fee),
                            "tax": "0"},
                "recipient_address": {
                    "name": buyer["name"], "phone_number": "(+84)" + buyer["phone"][1:],
                    "full_address": ", ".join(p for p in (buyer["street"], buyer["ward"], buyer["district"], buyer["province"], "Việt Nam") if p),
                    "address_detail": buyer["street"], "postal_code": "", "region_code": "VN",
                    "district_info": [{"address_level_name": "Country", "address_name": "Việt Nam"},
                                      {"address_level_name": "Province", "address_name": buyer["province"]},
                                      *([{"address_level_name": "District", "address_name": buyer["district"]}]
                                        if buyer["district"] else []),
                                      {"address_level_name": "Ward", "address_name": buyer["ward"]}]},
                "line_items": lines, "packages": [], "shipping_provider": "J&T Express", "tracking_number": "",
                "cancel_reason": "Buyer changed mind" if status == "CANCELLED" else ""}
            self.orders[order_id] = order
            return order

    def orders_in(self, statuses) -> list[tuple[str, str]]:
        with self.lock:
            return [(i, o["status"]) for i, o in self.orders.items() if o["status"] in statuses]

    def set_status(self, order_id: str, status: str, reason: str = "") -> dict:
        with self.lock:
            order = self.orders[order_id]
            order["status"] = status
            order["update_time"] = max(int(time.time()), order["update_time"] + 1)
            for line in order["line_items"]:
                line["display_status"] = status
            if status == "CANCELLED":
                order["cancel_reason"] = reason or "Buyer cancelled"
            return order

    def tick(self) -> None:
        with self.lock:
            now = int(time.time())
            due = int((now - self.last_tick) // ORDER_EVERY)
            if due:
                for k in range(min(due, 20)):
                    self.new_order(self.rng.choice(["UNPAID", "AWAITING_SHIPMENT", "AWAITING_SHIPMENT"]), at=now - k)
                self.last_tick += due * ORDER_EVERY
            for order in list(self.orders.values()):
                if order["status"] == "UNPAID" and now - order["create_time"] > 900:
                    self.set_status(order["id"], "AWAITING_SHIPMENT")

    def issue_code(self) -> str:
        with self.lock:
            code = "ROW_" + secrets.token_urlsafe(24)
            self.codes[code] = time.time() + CODE_TTL
            return code

    def issue_tokens(self, refresh: str | None = None) -> dict:
        with self.lock:
            access = "ROW_" + secrets.token_urlsafe(32)
            self.access_tokens[access] = time.time() + ACCESS_TTL
            if refresh is None:
                refresh = "ROW_" + secrets.token_urlsafe(32)
                self.refresh_tokens[refresh] = time.time() + REFRESH_TTL
            return {"access_token": access, "access_token_expire_in": int(self.access_tokens[access]),
                    "refresh_token": refresh, "refresh_token_expire_in": int(self.refresh_tokens[refresh])}

    def expire_tokens(self, which: str = "access", token: str | None = None) -> int:
        with self.lock:
            stores = {"access": [self.access_tokens], "refresh": [self.refresh_tokens],
                      "all": [self.access_tokens, self.refresh_tokens]}[which]
            count = 0
            for store in stores:
                for key in store:
                    if token is None or key == token:
                        store[key] = time.time() - 1
                        count += 1
            return count
