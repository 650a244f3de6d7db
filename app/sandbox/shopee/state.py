"""The Shopee sandbox's shop: listings with models, orders, authorization codes and tokens.

Everything lives in memory behind one lock (the test server is threaded). Orders keep arriving:
each read of the order APIs first generates the orders "due" since the last read (one every
``ORDER_EVERY`` seconds) and moves paid orders on, so a demo left running has fresh work.
"""
from __future__ import annotations

import random
import secrets
import string
import threading
import time
from datetime import datetime, timezone

from app.sandbox.catalogue import build_products, random_buyer

ACCESS_TTL = 4 * 3600
REFRESH_TTL = 30 * 24 * 3600
CODE_TTL = 10 * 60
ORDER_EVERY = 600
HISTORY_ORDERS = 40
# The shop's logistics channels (get_channel_list) and a slice of Shopee VN's category tree.
LOGISTICS = [
    {"logistics_channel_id": 50018, "logistics_channel_name": "SPX Express", "enabled": True,
     "cod_enabled": True, "mask_channel_id": 0, "weight_limit": {"item_max_weight": 30.0}},
    {"logistics_channel_id": 50011, "logistics_channel_name": "Giao Hàng Nhanh", "enabled": True,
     "cod_enabled": True, "mask_channel_id": 0, "weight_limit": {"item_max_weight": 30.0}},
    {"logistics_channel_id": 50021, "logistics_channel_name": "J&T Express", "enabled": False,
     "cod_enabled": True, "mask_channel_id": 0, "weight_limit": {"item_max_weight": 50.0}},
]
CATEGORIES = [  # (id, parent, name, has children)
    (100011, 0, "Thời Trang Nam", True), (100017, 100011, "Áo thun", False),
    (100018, 100011, "Quần jeans", False), (100012, 0, "Thời Trang Nữ", True),
    (100019, 100012, "Váy", False), (100013, 0, "Nhà Cửa & Đời Sống", True),
    (100020, 100013, "Bình giữ nhiệt", False), (100014, 0, "Thực phẩm", True),
    (100021, 100014, "Cà phê", False),
]
LEAF_CATEGORIES = {c[0] for c in CATEGORIES if not c[3]}


class ShopeeShop:
    def __init__(self, *, partner_id: int, partner_key: str, shop_id: int, seed: int = 1,
                 products: int = 60):
        self.partner_id, self.partner_key, self.shop_id = partner_id, partner_key, shop_id
        self.seed, self.product_count = seed, products
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.rng = random.Random(self.seed)
            self.items: dict[int, dict] = {}
            self.orders: dict[str, dict] = {}
            self.codes: dict[str, dict] = {}
            self.access_tokens: dict[str, dict] = {}
            self.refresh_tokens: dict[str, dict] = {}
            self.images: dict[str, int] = {}  # image_id → size of the uploaded file
            self._next_item, self._next_model = 3_000_100_000, 10_000_000_000
            now = int(time.time())
            for product in build_products(self.seed, self.product_count):
                self._add_item(product.name, f"{product.name} chính hãng, giao nhanh toàn quốc.",
                               product.axis, [(v.sku, v.option, v.price, v.stock) for v in product.variants],
                               created=now - 90 * 86400)
            for n in range(HISTORY_ORDERS):
                created = now - 3 * 86400 + n * (3 * 86400 // HISTORY_ORDERS)
                status = self.rng.choice(["READY_TO_SHIP", "PROCESSED", "SHIPPED", "COMPLETED",
                                          "COMPLETED", "CANCELLED", "UNPAID"])
                self.new_order(status=status, at=created)
            self.last_tick = now

    # -- products --------------------------------------------------------------------------
    def _add_item(self, name, description, axis, variants, created=None, category_id=100017,
                  weight=0.3, item_sku=None) -> dict:
        created = created or int(time.time())
        self._next_item += self.rng.randint(1, 9)
        has_model = len(variants) > 1 or bool(variants[0][1] and variants[0][1] != "Freesize")
        item = {"item_id": self._next_item, "item_name": name, "description": description,
                "item_status": "NORMAL", "category_id": category_id, "create_time": created,
                "update_time": created, "has_model": has_model, "weight": weight,
                "item_sku": item_sku if item_sku is not None else ("" if has_model else variants[0][0]),
                "price": variants[0][2], "stock": variants[0][3],
                "tier_variation": [], "models": []}
        if has_model:
            self._set_models(item, axis, variants)
        self.items[item["item_id"]] = item
        return item

    def _set_models(self, item, axis, variants) -> None:
        item["has_model"] = True
        item["tier_variation"] = [{"name": axis, "option_list": [{"option": v[1]} for v in variants]}]
        for index, (sku, _option, price, stock) in enumerate(variants):
            self._next_model += self.rng.randint(1, 9)
            item["models"].append({"model_id": self._next_model, "tier_index": [index],
                                   "model_sku": sku, "price": price, "stock": stock,
                                   "model_status": "MODEL_NORMAL"})

    def variants(self):
        """(item, model or None) for every sellable unit."""
        for item in self.items.values():
            if item["has_model"]:
                for model in item["models"]:
                    yield item, model
            else:
                yield item, None

    # -- orders ----------------------------------------------------------------------------
    def _order_sn(self, at: int) -> str:
        day = datetime.fromtimestamp(at, tz=timezone.utc).strftime("%y%m%d")
        return day + "".join(self.rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))

    def new_order(self, status: str = "READY_TO_SHIP", at: int | None = None) -> dict:
        with self.lock:
            at = at or int(time.time())
            buyer = random_buyer(self.rng)
            sellable = list(self.variants())
            lines = []
            for item, model in self.rng.sample(sellable, self.rng.choice((1, 1, 2, 3))):
                qty = self.rng.choice((1, 1, 1, 2, 3))
                holder = model or item
                holder["stock"] = max(0, holder["stock"] - qty)
                lines.append({"item_id": item["item_id"], "item_name": item["item_name"],
                              "item_sku": item["item_sku"],
                              "model_id": model["model_id"] if model else 0,
                              "model_name": item["tier_variation"][0]["option_list"][model["tier_index"][0]]["option"] if model else "",
                              "model_sku": model["model_sku"] if model else "",
                              "model_quantity_purchased": qty,
                              "model_original_price": holder["price"],
                              "model_discounted_price": holder["price"],
                              "order_item_id": item["item_id"]})
            fee = self.rng.choice((15000, 22000, 30000))
            total = sum(line["model_discounted_price"] * line["model_quantity_purchased"] for line in lines) + fee
            cod = self.rng.random() < 0.6
            sn = self._order_sn(at)
            while sn in self.orders:
                sn = self._order_sn(at)
            order = {
                "order_sn": sn, "region": "VN", "currency": "VND", "cod": cod, "order_status": status,
                "create_time": at, "update_time": at, "days_to_ship": 2, "ship_by_date": at + 2 * 86400,
                "message_to_seller": "", "note": "", "total_amount": total,
                "actual_shipping_fee": fee, "estimated_shipping_fee": fee,
                "buyer_user_id": self.rng.randint(10_000_000, 99_999_999),
                "buyer_username": buyer["name"].split()[-1].lower() + str(self.rng.randint(10, 999)),
                "recipient_address": {"name": buyer["name"], "phone": buyer["phone"], "town": buyer["ward"],
                                      "district": buyer["district"], "city": buyer["district"],
                                      "state": buyer["province"], "region": "VN", "zipcode": "",
                                      "full_address": ", ".join(p for p in (buyer["street"], buyer["ward"], buyer["district"], buyer["province"]) if p)},
                "item_list": lines, "pay_time": None if cod or status == "UNPAID" else at,
                "payment_method": "Cash on Delivery" if cod else "ShopeePay",
                "cancel_reason": "", "cancel_by": "", "shipping_carrier": "SPX Express",
            }
            if status == "CANCELLED":
                order["cancel_reason"], order["cancel_by"] = "Change of mind", "buyer"
            self.orders[sn] = order
            return order

    def tick(self) -> None:
        """Let time pass: due orders appear and unpaid orders older than 15 minutes get paid."""
        with self.lock:
            now = int(time.time())
            due = int((now - self.last_tick) // ORDER_EVERY)
            if due:
                for k in range(min(due, 20)):
                    self.new_order(status=self.rng.choice(["UNPAID", "READY_TO_SHIP", "READY_TO_SHIP"]),
                                   at=now - k)
                self.last_tick += due * ORDER_EVERY
            for order in self.orders.values():
                if order["order_status"] == "UNPAID" and now - order["create_time"] > 900:
                    self.set_status(order["order_sn"], "READY_TO_SHIP")

    def orders_in(self, statuses) -> list[tuple[str, str]]:
        with self.lock:
            return [(sn, o["order_status"]) for sn, o in self.orders.items() if o["order_status"] in statuses]

    def set_status(self, order_sn: str, status: str, cancel_reason: str = "") -> dict:
        with self.lock:
            order = self.orders[order_sn]
            order["order_status"] = status
            order["update_time"] = max(int(time.time()), order["update_time"] + 1)
            if status == "CANCELLED":
                order["cancel_reason"] = cancel_reason or "Buyer cancelled"
                order["cancel_by"] = "buyer"
            return order

    # -- authorization ---------------------------------------------------------------------
    def issue_code(self, shop_id: int) -> str:
        with self.lock:
            code = secrets.token_hex(16)
            self.codes[code] = {"shop_id": shop_id, "expires_at": time.time() + CODE_TTL}
            return code

    def issue_tokens(self, shop_id: int) -> dict:
        with self.lock:
            access, refresh = secrets.token_hex(16), secrets.token_hex(16)
            now = time.time()
            self.access_tokens[access] = {"shop_id": shop_id, "expires_at": now + ACCESS_TTL}
            self.refresh_tokens[refresh] = {"shop_id": shop_id, "expires_at": now + REFRESH_TTL}
            return {"access_token": access, "refresh_token": refresh, "expire_in": ACCESS_TTL}

    def expire_tokens(self, which: str = "access", token: str | None = None) -> int:
        """Make issued tokens expire now (all of a kind, or just ``token``)."""
        with self.lock:
            stores = {"access": [self.access_tokens], "refresh": [self.refresh_tokens],
                      "all": [self.access_tokens, self.refresh_tokens]}[which]
            count = 0
            for store in stores:
                for key, entry in store.items():
                    if token is None or key == token:
                        entry["expires_at"] = time.time() - 1
                        count += 1
            return count
