"""The Lazada sandbox's seller: products with SKUs, orders with one item per unit, codes, tokens.

In memory behind one lock. Orders keep arriving (one due every ``ORDER_EVERY`` seconds, generated
when the order APIs are read) and unpaid ones get paid after 15 minutes.
"""
from __future__ import annotations

import random
import secrets
import threading
import time
from datetime import datetime, timedelta, timezone

from app.sandbox.catalogue import build_products, random_buyer

ACCESS_TTL = 7 * 86400  # app status "Test"; an "Online" app gets 30 days
REFRESH_TTL = 30 * 86400
CODE_TTL = 30 * 60
ORDER_EVERY = 600
HISTORY_ORDERS = 40
VN = timezone(timedelta(hours=7))
# A slice of Lazada VN's category tree: the leaves a product may be created under.
LEAF_CATEGORIES = {"10000": "Áo thun nam", "10002": "Quần jeans", "10003": "Váy đầm",
                   "10004": "Bình giữ nhiệt", "10005": "Cà phê"}


def lazada_time(at: int) -> str:
    return datetime.fromtimestamp(at, tz=VN).strftime("%Y-%m-%d %H:%M:%S %z")


class LazadaSeller:
    def __init__(self, *, app_key: str, app_secret: str, seller_id: int, seed: int = 1, products: int = 60):
        self.app_key, self.app_secret, self.seller_id = app_key, app_secret, seller_id
        self.seed, self.product_count = seed, products
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.rng = random.Random(self.seed + 1000)
            self.products: dict[int, dict] = {}
            self.orders: dict[int, dict] = {}
            self.codes: dict[str, float] = {}
            self.access_tokens: dict[str, float] = {}
            self.refresh_tokens: dict[str, float] = {}
            self.images: set[str] = set()  # URLs of images uploaded to Lazada
            # Stock a running campaign holds per seller SKU: a quantity below it is refused.
            self.campaign_locks: dict[str, int] = {}
            self._next_item, self._next_sku = 2_100_000_000, 11_000_000_000
            self._next_order, self._next_order_item = 600_100_000_000, 600_200_000_000
            now = int(time.time())
            for p in build_products(self.seed, self.product_count):
                self.add_product(p.name, f"<p>{p.name} chính hãng</p>", "10000",
                                 [{"SellerSku": v.sku, "price": v.price, "quantity": v.stock,
                                   ("size" if p.axis == "Size" else "Variation"): v.option} for v in p.variants],
                                 created=now - 90 * 86400)
            for n in range(HISTORY_ORDERS):
                at = now - 3 * 86400 + n * (3 * 86400 // HISTORY_ORDERS)
                self.new_order(self.rng.choice(["pending", "pending", "packed", "ready_to_ship", "shipped",
                                                "delivered", "canceled", "unpaid"]), at=at)
            self.last_tick = now

    def add_product(self, name: str, description: str, category: str, skus: list[dict],
                    created: int | None = None) -> dict:
        with self.lock:
            created_ms = str((created or int(time.time())) * 1000)
            self._next_item += self.rng.randint(1, 9)
            product = {"item_id": self._next_item, "primary_category": int(category),
                       "attributes": {"name": name, "description": description, "brand": "No Brand"},
                       "status": "Active", "created_time": created_ms, "updated_time": created_ms,
                       "images": [], "skus": []}
            for raw in skus:
                self._next_sku += self.rng.randint(1, 9)
                sku = {"SkuId": self._next_sku, "SellerSku": raw["SellerSku"],
                       "ShopSku": f"{self._next_item}_VNAMZ-{self._next_sku}", "Status": "active",
                       "quantity": int(raw.get("quantity", 0)), "price": int(raw["price"]),
                       "special_price": 0, "package_weight": raw.get("package_weight", "0.3"),
                       "package_length": "20", "package_width": "15", "package_height": "5"}
                for key in ("size", "color_family", "Variation"):
                    if raw.get(key):
                        sku[key] = raw[key]
                sku["Available"] = sku["quantity"]
                sku["multiWarehouseInventories"] = [{"warehouseCode": "dropshipping",
                                                     "quantity": sku["quantity"], "sellableQuantity": sku["quantity"]}]
                product["skus"].append(sku)
            self.products[product["item_id"]] = product
            return product

    def find_sku(self, item_id, sku_id) -> dict | None:
        product = self.products.get(int(item_id)) if str(item_id).isdigit() else None
        if product is None:
            return None
        return next((s for s in product["skus"] if str(s["SkuId"]) == str(sku_id)), None)

    def new_order(self, status: str = "pending", at: int | None = None) -> dict:
        with self.lock:
            at = at or int(time.time())
            buyer = random_buyer(self.rng)
            skus = [(p, s) for p in self.products.values() for s in p["skus"]]
            self._next_order += self.rng.randint(1, 99)
            order_id = self._next_order
            items = []
            for product, sku in self.rng.sample(skus, self.rng.choice((1, 1, 2, 3))):
                for _unit in range(self.rng.choice((1, 1, 2))):
                    sku["quantity"] = max(0, sku["quantity"] - 1)
                    sku["Available"] = sku["quantity"]
                    self._next_order_item += 1
                    items.append({"order_item_id": self._next_order_item, "order_id": order_id,
                                  "name": product["attributes"]["name"], "sku": sku["SellerSku"],
                                  "shop_sku": sku["ShopSku"], "sku_id": sku["SkuId"],
                                  "product_id": product["item_id"],
                                  "variation": sku.get("size") or sku.get("Variation", ""),
                                  "item_price": f'{sku["price"]}.00', "paid_price": f'{sku["price"]}.00',
                                  "currency": "VND", "status": status, "reason": "",
                                  "shipping_type": "Dropshipping", "shipment_provider": "LEX VN",
                                  "tracking_code": "", "created_at": lazada_time(at), "updated_at": lazada_time(at)})
            fee = self.rng.choice((15000, 20000, 32000))
            family, *rest = buyer["name"].split()
            head = {"order_id": order_id, "order_number": order_id, "created_at": lazada_time(at),
                    "updated_at": lazada_time(at), "created_ts": at, "updated_ts": at,
                    "price": f'{sum(int(i["item_price"][:-3]) for i in items)}.00', "shipping_fee": f"{fee}.00",
                    "voucher": "0.00", "voucher_platform": "0.00", "voucher_seller": "0.00",
                    "payment_method": "COD" if self.rng.random() < 0.6 else "MIXEDCARD",
                    "items_count": len(items), "statuses": [status], "customer_first_name": buyer["name"],
                    "customer_last_name": "", "remarks": "", "buyer_note": "",
                    "address_shipping": {"first_name": buyer["name"], "last_name": "", "phone": buyer["phone"],
                                         "address1": buyer["street"], "address3": buyer["province"],
                                         "address4": buyer["district"], "address5": buyer["ward"],
                                         "post_code": "", "country": "Vietnam",
                                         "addressDistrict": buyer["district"]},
                    "items": items}
            if status == "canceled":
                for item in items:
                    item["reason"] = "Change of mind"
            self.orders[order_id] = head
            return head

    def orders_in(self, statuses) -> list[tuple[int, str]]:
        with self.lock:
            return [(i, o["statuses"][0]) for i, o in self.orders.items() if o["statuses"][0] in statuses]

    def set_status(self, order_id: int, status: str, reason: str = "") -> dict:
        with self.lock:
            order = self.orders[order_id]
            now = max(int(time.time()), order["updated_ts"] + 1)
            for item in order["items"]:
                item["status"], item["updated_at"] = status, lazada_time(now)
                if status == "canceled":
                    item["reason"] = reason or "Buyer cancelled"
            order["statuses"], order["updated_ts"], order["updated_at"] = [status], now, lazada_time(now)
            return order

    def tick(self) -> None:
        with self.lock:
            now = int(time.time())
            due = int((now - self.last_tick) // ORDER_EVERY)
            if due:
                for k in range(min(due, 20)):
                    self.new_order(self.rng.choice(["unpaid", "pending", "pending"]), at=now - k)
                self.last_tick += due * ORDER_EVERY
            for order in list(self.orders.values()):
                if order["statuses"] == ["unpaid"] and now - order["created_ts"] > 900:
                    self.set_status(order["order_id"], "pending")

    def issue_code(self) -> str:
        with self.lock:
            code = "0_" + secrets.token_hex(4) + "_" + secrets.token_hex(12)
            self.codes[code] = time.time() + CODE_TTL
            return code

    def issue_access_token(self) -> str:
        with self.lock:
            token = "50000" + secrets.token_hex(24)
            self.access_tokens[token] = time.time() + ACCESS_TTL
            return token

    def issue_refresh_token(self) -> str:
        with self.lock:
            token = "50001" + secrets.token_hex(24)
            self.refresh_tokens[token] = time.time() + REFRESH_TTL
            return token

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
