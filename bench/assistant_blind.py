"""The sales assistant graded on the held-out set in tests/assistant/blind/ (SPEC §11, §12).

Run:  .venv/bin/python bench/assistant_blind.py            # build a shop, drive every case, print
      .venv/bin/python bench/assistant_blind.py --check    # only check the set itself (no app)
      options: --messages-only, --conversations-only, --limit N, --failures N, --json FILE

A scratch app (SQLite in a temporary folder, the tests' settings) gets the blind shop through the
public contracts only: the warehouses through /api/v1/warehouse/, catalogue.csv through
POST /api/v1/catalog/import, the size chart and the policies through /api/v1/size_chart/ and
/api/v1/shop_policy/, the existing orders through /api/v1/customer/, /api/v1/order/,
/api/v1/order_line/ and the order actions. Every case then goes through
POST /api/v1/assistant/reply as the clerk, each single message in a conversation of its own.

The set is for measuring how the assistant generalises: whoever works on the assistant does not
read it or tune on it (tests/assistant/blind/README.md).
"""
from __future__ import annotations

import argparse
import collections
import csv
import io
import json
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLIND = ROOT / "tests" / "assistant" / "blind"
sys.path.insert(0, str(ROOT))

INTENTS = ["greeting", "availability", "price", "size_advice", "shipping", "place_order",
           "confirm", "cancel", "order_status", "payment_info", "return_policy", "handover",
           "out_of_scope"]
ENTITY_KEYS = ["size", "color", "quantity", "phone", "order_number", "height_cm", "weight_kg",
               "budget"]
PRODUCT_INTENTS = {"availability", "price", "place_order", "size_advice"}
CATALOGUE_COLUMNS = ["product_sku", "product_name", "category", "brand", "description", "vat_rate",
                     "attribute1_name", "attribute1_value", "attribute2_name", "attribute2_value",
                     "attribute3_name", "attribute3_value", "variant_sku", "cost_price",
                     "selling_price", "weight_g", "length_cm", "width_cm", "height_cm", "barcode",
                     "warehouse_code", "opening_stock", "aliases"]
SIZE_CHART_KEYS = {"category", "product_sku", "size", "height_min_cm", "height_max_cm",
                   "weight_min_kg", "weight_max_kg"}
POLICY_TOPICS = {"payment", "returns", "shipping", "warranty", "hours"}
FINAL_STATES = {"confirmed", "abandoned", "collecting", "awaiting_confirmation", "handover", None}
COLOUR_ATTR, SIZE_ATTR = "Màu", "Size"
# What a reply says when it has not got the thing asked for (matched on folded text).
NOT_FOUND_WORDS = ["khong co", "chua co", "khong ban", "khong kinh doanh", "khong tim thay",
                   "het hang", "tam het", "da het", "khong con", "chi co", "ngung ban",
                   "not found", "don t have", "do not have", "don t sell", "do not sell",
                   "couldn t find", "could not find", "can t find", "out of stock", "sold out",
                   "not available", "unavailable", "only have", "only comes", "only come",
                   "no longer", "don t carry", "do not carry"]
OUT_OF_STOCK_WORDS = ["het hang", "tam het", "da het", "het size", "het mau", "khong con",
                      "chua co hang", "out of stock", "sold out", "not available",
                      "unavailable", "het roi"]


class Unavailable(Exception):
    """An endpoint the set needs is not there (yet)."""


# --- reading the set ----------------------------------------------------------------------------
def fold(text) -> str:
    """Lower case, no diacritics, đ → d, punctuation to spaces (for comparing what people type)."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^0-9a-z/]+", " ", text).split())


def contains_phrase(haystack: str, needle: str) -> bool:
    """Whether folded ``needle`` occurs in folded ``haystack`` as whole words."""
    return bool(needle) and re.search(rf"(?<![0-9a-z]){re.escape(needle)}(?![0-9a-z])",
                                      haystack) is not None


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path.name} line {n}: not JSON ({exc})") from None
    return rows


class BlindSet:
    def __init__(self, folder: Path = BLIND):
        self.folder = folder
        with open(folder / "catalogue.csv", encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            self.columns = reader.fieldnames
            self.rows = list(reader)
        self.setup = json.loads((folder / "setup.json").read_text(encoding="utf-8"))
        self.messages = read_jsonl(folder / "messages.jsonl")
        self.conversations = read_jsonl(folder / "conversations.jsonl")
        self.variants = {r["variant_sku"]: r for r in self.rows}
        self.products: dict[str, list[dict]] = collections.defaultdict(list)
        for r in self.rows:
            self.products[r["product_sku"]].append(r)
        self.colours = {v for r in self.rows for k in (1, 2, 3)
                        if r[f"attribute{k}_name"] == COLOUR_ATTR
                        for v in [r[f"attribute{k}_value"]]}
        self.orders = {o["number"]: o for o in self.setup["orders"]}
        self.reserved = collections.Counter()
        for o in self.setup["orders"]:
            if o["state"] in ("processing", "packed"):
                for line in o["lines"]:
                    self.reserved[line["sku"]] += line["quantity"]

    def attr(self, sku: str, name: str) -> str | None:
        row = self.variants.get(sku)
        if row is None:
            return None
        for k in (1, 2, 3):
            if row[f"attribute{k}_name"] == name:
                return row[f"attribute{k}_value"]
        return None

    def product_of(self, sku: str) -> str | None:
        row = self.variants.get(sku)
        return row["product_sku"] if row else None

    def price(self, sku: str) -> int:
        return int(self.variants[sku]["selling_price"])

    def available(self, sku: str) -> int:
        return int(self.variants[sku]["opening_stock"] or 0) - self.reserved[sku]

    def chart_sizes(self, product: str, height, weight) -> set[str]:
        """The sizes the size chart gives (product rows win over the category's)."""
        rows = [r for r in self.setup["size_chart"] if r["product_sku"] == product]
        if not rows:
            category = self.products[product][0]["category"]
            rows = [r for r in self.setup["size_chart"] if r["category"] == category
                    and r["product_sku"] is None]
        return {r["size"] for r in rows
                if (height is None or r["height_min_cm"] <= height <= r["height_max_cm"])
                and (weight is None or r["weight_min_kg"] <= weight <= r["weight_max_kg"])}


# --- --check: the set is well formed and agrees with its catalogue -----------------------------
def check_set(bs: BlindSet) -> list[str]:
    problems: list[str] = []
    problems += _check_catalogue(bs)
    problems += _check_setup(bs)
    problems += _check_messages(bs)
    problems += _check_conversations(bs)
    return problems


def _check_catalogue(bs: BlindSet) -> list[str]:
    out = []
    if bs.columns != CATALOGUE_COLUMNS:
        out.append(f"catalogue.csv: header is not SPEC §12's: {bs.columns}")
    if len(bs.variants) != len(bs.rows):
        out.append("catalogue.csv: a variant_sku is repeated")
    codes = {w["code"] for w in bs.setup["warehouses"]}
    for n, r in enumerate(bs.rows, 2):
        for col in ("cost_price", "selling_price", "weight_g", "length_cm", "width_cm",
                    "height_cm", "opening_stock"):
            if not re.fullmatch(r"\d+", r[col]):
                out.append(f"catalogue.csv line {n}: {col} {r[col]!r} is not a whole number")
        if r["vat_rate"] not in ("0", "5", "8", "10", "KCT", "KKKNT"):
            out.append(f"catalogue.csv line {n}: vat_rate {r['vat_rate']!r}")
        if r["warehouse_code"] not in codes:
            out.append(f"catalogue.csv line {n}: warehouse {r['warehouse_code']} is not in setup")
        if r["variant_sku"] in bs.products and r["variant_sku"] != r["product_sku"]:
            out.append(f"catalogue.csv line {n}: variant SKU equals another product's SKU")
    for sku, rows in bs.products.items():
        for col in ("product_name", "category", "brand", "description", "vat_rate", "aliases",
                    "attribute1_name", "attribute2_name", "attribute3_name"):
            if len({r[col] for r in rows}) > 1:
                out.append(f"catalogue.csv: product {sku} has different {col} on its rows")
        combos = [tuple(r[f"attribute{k}_value"] for k in (1, 2, 3)) for r in rows]
        if len(set(combos)) != len(combos):
            out.append(f"catalogue.csv: product {sku} repeats an attribute combination")
    return out


def _check_setup(bs: BlindSet) -> list[str]:
    out = []
    categories = {r["category"] for r in bs.rows}
    charts = collections.defaultdict(list)
    for row in bs.setup["size_chart"]:
        if set(row) != SIZE_CHART_KEYS:
            out.append(f"setup.json size_chart row has keys {sorted(row)}")
        if (row["category"] is None) == (row["product_sku"] is None):
            out.append(f"setup.json size_chart row {row}: give a category or a product")
        if row["category"] is not None and row["category"] not in categories:
            out.append(f"setup.json size_chart: unknown category {row['category']}")
        if row["product_sku"] is not None and row["product_sku"] not in bs.products:
            out.append(f"setup.json size_chart: unknown product {row['product_sku']}")
        charts[(row["category"], row["product_sku"])].append(row)
    for key, rows in charts.items():
        rows = sorted(rows, key=lambda r: r["height_min_cm"])
        for a, b in zip(rows, rows[1:]):
            if b["height_min_cm"] <= a["height_max_cm"] or b["weight_min_kg"] <= a["weight_max_kg"]:
                out.append(f"setup.json size_chart {key}: {a['size']} and {b['size']} overlap")
        if key[1]:
            sizes = {bs.attr(r["variant_sku"], SIZE_ATTR) for r in bs.products[key[1]]}
            for r in rows:
                if r["size"] not in sizes:
                    out.append(f"setup.json size_chart: {key[1]} has no size {r['size']}")
    seen = set()
    for p in bs.setup["shop_policy"]:
        if set(p) != {"topic", "language", "text"} or p["topic"] not in POLICY_TOPICS \
                or p["language"] not in ("vi", "en") or not p["text"].strip():
            out.append(f"setup.json shop_policy row {p}")
        seen.add((p["topic"], p["language"]))
    if len(seen) != 10:
        out.append("setup.json shop_policy: every topic in vi and en")
    for n, o in enumerate(bs.setup["orders"], 1):
        if o["number"] != f"SO-{n:06d}":
            out.append(f"setup.json order {o['number']}: numbers follow creation order")
        if not re.fullmatch(r"0\d{9}", o["buyer_phone"]):
            out.append(f"setup.json order {o['number']}: phone {o['buyer_phone']}")
        if o["state"] not in ("new", "processing", "packed", "cancelled"):
            out.append(f"setup.json order {o['number']}: state {o['state']} is not reachable")
        for line in o["lines"]:
            if line["sku"] not in bs.variants:
                out.append(f"setup.json order {o['number']}: unknown SKU {line['sku']}")
            elif bs.variants[line["sku"]]["warehouse_code"] != o["warehouse_code"]:
                out.append(f"setup.json order {o['number']}: {line['sku']} is not stocked in "
                           f"{o['warehouse_code']}")
    for sku in bs.reserved:
        if sku in bs.variants and bs.available(sku) < 0:
            out.append(f"setup.json: orders reserve more {sku} than its opening stock")
    return out


def _check_entities(bs: BlindSet, where: str, ents: dict) -> list[str]:
    out = []
    for key, value in ents.items():
        if key not in ENTITY_KEYS:
            out.append(f"{where}: unknown entity {key}")
        elif value is None:
            out.append(f"{where}: entity {key} is null (list only what should be found)")
        elif key == "phone" and not re.fullmatch(r"0\d{9}", value):
            out.append(f"{where}: phone {value!r} is not 0XXXXXXXXX")
        elif key == "size" and value != value.upper():
            out.append(f"{where}: size {value!r} is not upper-case")
        elif key == "color" and value not in bs.colours:
            out.append(f"{where}: colour {value!r} is not a catalogue value")
        elif key == "order_number" and not re.fullmatch(r"SO-\d{6}", value):
            out.append(f"{where}: order number {value!r}")
        elif key in ("quantity", "height_cm", "weight_kg", "budget") and \
                not isinstance(value, int):
            out.append(f"{where}: {key} {value!r} is not an integer")
    return out


def _each(rows: list[dict], file: str, out: list[str]):
    """(where, case) for each case of ``file``, noting repeated ids in ``out``."""
    seen = set()
    for c in rows:
        where = f"{file} {c.get('id')}"
        if c.get("id") in seen:
            out.append(f"{where}: repeated id")
        seen.add(c.get("id"))
        yield where, c


def _check_messages(bs: BlindSet) -> list[str]:
    out = []
    for w, c in _each(bs.messages, "messages.jsonl", out):
        missing = {"id", "text", "intent", "entities", "variant", "product", "not_found", "lang",
                   "notes"} - set(c)
        if missing:
            out.append(f"{w}: missing {sorted(missing)}")
            continue
        if c["intent"] not in INTENTS or any(a not in INTENTS for a in c.get("also", ())):
            out.append(f"{w}: intent {c['intent']} / {c.get('also')}")
        if c["lang"] not in ("vi", "en"):
            out.append(f"{w}: lang {c['lang']}")
        out += _check_entities(bs, w, c["entities"])
        for key in c.get("entities_ignore", ()):
            if key not in ENTITY_KEYS or key in c["entities"]:
                out.append(f"{w}: entities_ignore {key}")
        v, p = c["variant"], c["product"]
        if v is not None:
            if v not in bs.variants:
                out.append(f"{w}: unknown variant {v}")
                continue
            if p != bs.product_of(v):
                out.append(f"{w}: variant {v} is not of product {p}")
            if c["not_found"]:
                out.append(f"{w}: a not-found case names a variant")
            colour, size = c["entities"].get("color"), c["entities"].get("size")
            if colour and bs.attr(v, COLOUR_ATTR) != colour:
                out.append(f"{w}: variant {v} is not {colour}")
            if size and bs.attr(v, SIZE_ATTR) != size and "advised_size" not in c:
                out.append(f"{w}: variant {v} is not size {size}")
            sold_out = bs.available(v) <= 0
            if bool(c.get("sold_out")) != sold_out:
                out.append(f"{w}: {v} has {bs.available(v)} available but sold_out is "
                           f"{c.get('sold_out', False)}")
        elif c.get("sold_out"):
            out.append(f"{w}: sold_out without a variant")
        if p is not None and p not in bs.products:
            out.append(f"{w}: unknown product {p}")
        if c["not_found"] and p is not None:
            colour, size = c["entities"].get("color"), c["entities"].get("size")
            if colour is None and size is None and p not in ("MAY-OPLUNG", "MAY-CHAO", "MAY-BINHGN",
                                                           "MAY-CAOGOT"):
                out.append(f"{w}: not found for an existing product without colour or size")
            for r in bs.products.get(p, ()):
                if (colour is None or bs.attr(r["variant_sku"], COLOUR_ATTR) == colour) and \
                        (size is None or bs.attr(r["variant_sku"], SIZE_ATTR) == size) and \
                        (colour or size):
                    out.append(f"{w}: {r['variant_sku']} has what the not-found case asks for")
        adv = c.get("advised_size")
        if adv:
            if p is None:
                out.append(f"{w}: advised size without a product")
            elif v is not None and bs.attr(v, SIZE_ATTR) != adv:
                out.append(f"{w}: variant {v} is not the advised size {adv}")
            h, wt = c["entities"].get("height_cm"), c["entities"].get("weight_kg")
            if p is not None and (h or wt):
                sizes = bs.chart_sizes(p, h, wt)
                if sizes != {adv}:
                    out.append(f"{w}: the size chart gives {sorted(sizes)}, not {adv}")
        out += _check_privacy_state(bs, w, c.get("privacy"), c.get("order_state", "-"),
                                    c["entities"].get("order_number"))
    if sum(c.get("not_found", False) for c in bs.messages) < 40:
        out.append("messages.jsonl: fewer than 40 not-found cases")
    if {c["intent"] for c in bs.messages} != set(INTENTS):
        out.append("messages.jsonl: not every intent has cases")
    return out


def _check_privacy_state(bs, where, privacy, state, number) -> list[str]:
    out = []
    if privacy:
        order = bs.orders.get(privacy.get("order"))
        if order is None:
            out.append(f"{where}: privacy names an unknown order")
    if state != "-" and number is not None:
        expected = bs.orders[number]["state"] if number in bs.orders else None
        if state != expected:
            out.append(f"{where}: order_state {state} but {number} is {expected}")
    return out


def _check_conversations(bs: BlindSet) -> list[str]:
    out = []
    for w, c in _each(bs.conversations, "conversations.jsonl", out):
        turns, expect = c.get("turns"), c.get("expect") or {}
        if not turns or not all(isinstance(t, str) and t.strip() for t in turns) or len(turns) > 8:
            out.append(f"{w}: 1 to 8 non-empty turns")
        if expect.get("final_state", "?") not in FINAL_STATES:
            out.append(f"{w}: final_state {expect.get('final_state')}")
        order = expect.get("order")
        if expect.get("final_state") in ("confirmed", "awaiting_confirmation") and not order:
            out.append(f"{w}: a confirmed or awaiting sale needs its order")
        if order:
            for line in order["lines"]:
                sku = line["sku"]
                if sku not in bs.variants:
                    out.append(f"{w}: unknown SKU {sku}")
                elif bs.available(sku) < line["quantity"]:
                    out.append(f"{w}: only {bs.available(sku)} {sku} available")
            if not re.fullmatch(r"0\d{9}", order.get("phone") or ""):
                out.append(f"{w}: phone {order.get('phone')}")
            if not order.get("name") or not order.get("address_contains"):
                out.append(f"{w}: name and address_contains")
            said = fold(" ".join(turns))
            for part in order.get("address_contains", []) + [order.get("name") or ""]:
                if fold(part) not in said:
                    out.append(f"{w}: {part!r} is not in what the shopper wrote")
        for sku in expect.get("forbidden_skus", ()):
            if sku not in bs.variants or bs.available(sku) > 0:
                out.append(f"{w}: forbidden SKU {sku} is not a sold-out variant")
        privacy = expect.get("privacy")
        if privacy:
            given = privacy.get("phone_given_at")
            if given is not None and not 1 <= given <= len(turns):
                out.append(f"{w}: phone_given_at {given}")
            if given is not None and privacy.get("order") in bs.orders:
                phone = bs.orders[privacy["order"]]["buyer_phone"]
                if phone[1:] not in re.sub(r"\D", "", turns[given - 1]):
                    out.append(f"{w}: turn {given} does not give the order's phone")
        numbers = re.findall(r"SO-?\s?\d{6}", " ".join(turns), flags=re.I)
        number = ("SO-" + re.sub(r"\D", "", numbers[0])) if numbers else None
        out += _check_privacy_state(bs, w, privacy, expect.get("order_state", "-"), number)
    return out


def describe(bs: BlindSet) -> dict:
    """Counts per intent and per feature (for the README and --check)."""
    feats = collections.Counter()
    teencode = re.compile(r"(?<![\w])(ko|k|hok|hk|khum|bn|sz|sdt|sđt|dc|đc|ib|mk|r|j|z|v|e|a|c|"
                          r"oke|oki|lun|nhiu|nhiêu|ktra|stk|ck|tk|sl|gh|ad|ng|vs|t7|cn|kcn|srm)"
                          r"(?![\w])", re.I)
    for c in bs.messages:
        text = c["text"]
        if c["lang"] == "vi":
            feats["vi: with diacritics" if fold(text) != text.lower() else
                  "vi: without diacritics"] += 1
        else:
            feats["English"] += 1
        if c["lang"] == "vi" and teencode.search(text):
            feats["teencode/abbreviation"] += 1
        for tag in c.get("tags", ()):
            feats[f"tag {tag}"] += 1
        if c.get("sold_out"):
            feats["sold-out variant asked"] += 1
        if c.get("privacy"):
            feats["privacy: " + ("own order (number + phone)" if c["privacy"]["allowed"]
                                 else "no matching phone / other's order")] += 1
        if c.get("advised_size"):
            feats["size advice with a right size"] += 1
        for key in c["entities"]:
            feats[f"entity {key}"] += 1
        if re.search(r"\d+\s*k\b|\dtr\d|\bnghìn\b|\btriệu\b", text, re.I):
            feats["money written 150k / 1tr2 / nghìn"] += 1
        if "height_cm" in c["entities"] and re.search(r"\b1m\d|\bm\d\d\b|\d\s?cm\b|mét",
                                                      text, re.I):
            feats["height written 1m6 / m65 / 160cm"] += 1
        if "phone" in c["entities"] and re.search(r"\d[ .]\d|\+84|\b84\d", text):
            feats["phone with spaces / dots / +84"] += 1
    conv = collections.Counter()
    for c in bs.conversations:
        conv[f"final {c['expect']['final_state']}"] += 1
        for tag in c.get("tags", ()):
            conv[f"tag {tag}"] += 1
        conv[f"{len(c['turns'])} turns"] += 1
    return {"messages": len(bs.messages),
            "intents": collections.Counter(c["intent"] for c in bs.messages),
            "languages": collections.Counter(c["lang"] for c in bs.messages),
            "not_found": sum(c["not_found"] for c in bs.messages),
            "features": feats, "conversations": len(bs.conversations), "conversation": conv,
            "products": len(bs.products), "variants": len(bs.variants),
            "sold_out_variants": sum(bs.available(s) <= 0 for s in bs.variants)}


def print_description(d: dict) -> None:
    print(f"catalogue: {d['products']} products, {d['variants']} variants "
          f"({d['sold_out_variants']} with nothing available)")
    print(f"messages: {d['messages']} ({dict(d['languages'])}), not found: {d['not_found']}")
    for intent in INTENTS:
        print(f"  {intent:<15}{d['intents'][intent]:>5}")
    print("message features:")
    for k, n in sorted(d["features"].items()):
        print(f"  {k:<45}{n:>5}")
    print(f"conversations: {d['conversations']}")
    for k, n in sorted(d["conversation"].items()):
        print(f"  {k:<45}{n:>5}")


# --- the scratch shop -------------------------------------------------------------------------
class Shop:
    """The app, its test client and the clerk's and the admin's tokens."""

    def __init__(self):
        from tests.conftest import DEMO_PASSWORD, make_app
        self.folder = Path(tempfile.mkdtemp(prefix="orderhub-blind-"))
        self.app = make_app(self.folder)
        self.client = self.app.test_client()
        self.password = DEMO_PASSWORD
        self.admin = self.token("admin")
        self.clerk = self.token("clerk")

    def token(self, user: str) -> dict:
        resp = self.client.post("/api/v1/security/login", json={
            "username": user, "password": self.password, "provider": "db"})
        if resp.status_code != 200:
            raise SystemExit(f"login of {user} failed: {resp.status_code}")
        return {"Authorization": f"Bearer {resp.json['access_token']}"}

    def call(self, method: str, url: str, what: str, *, ok=(200, 201), headers=None, **kw):
        resp = self.client.open(url, method=method, headers=headers or self.admin, **kw)
        if resp.status_code == 404 and "<html" in resp.get_data(as_text=True)[:200].lower():
            raise Unavailable(f"{method} {url} answers 404: {what} is not there yet.")
        if resp.status_code not in ok:
            body = resp.get_data(as_text=True)[:1500]
            raise SystemExit(f"{what}: {method} {url} answered {resp.status_code}: {body}")
        return resp.json if resp.is_json else {}

    def ids(self, resource: str, key: str, columns: str) -> dict:
        out, page = {}, 0
        while True:
            data = self.call("GET", f"/api/v1/{resource}/?q=(columns:!({columns}),page:{page},"
                             "page_size:500)", f"the {resource} list")
            for row in data["result"]:
                out[row[key]] = row
            if len(data["result"]) < 500:
                return out
            page += 1

    def order_count(self) -> int:
        return self.call("GET", "/api/v1/order/?q=(page_size:1,columns:!(id))", "orders")["count"]


def set_up(shop: Shop, bs: BlindSet) -> dict:
    """The blind shop through the REST contracts; returns {expected number: actual number}."""
    warehouses = {}
    for w in bs.setup["warehouses"]:
        warehouses[w["code"]] = shop.call("POST", "/api/v1/warehouse/", "a warehouse", json=w)["id"]
    data = (bs.folder / "catalogue.csv").read_bytes()
    result = shop.call("POST", "/api/v1/catalog/import", "the catalogue import (SPEC §12)",
                       ok=(200, 201, 202), data={"file": (io.BytesIO(data), "catalogue.csv")},
                       content_type="multipart/form-data")
    if result.get("job_id"):
        _wait_for_job(shop, result["job_id"])
    variants = shop.ids("variant", "sku", "id,sku")
    missing = set(bs.variants) - set(variants)
    if missing:
        raise SystemExit(f"the import did not create {len(missing)} variants, e.g. "
                         f"{sorted(missing)[:5]}")
    _check_stock(shop, bs, variants)
    for row in bs.setup["size_chart"]:
        shop.call("POST", "/api/v1/size_chart/", "the size_chart resource (SPEC §11)", json=row)
    for row in bs.setup["shop_policy"]:
        shop.call("POST", "/api/v1/shop_policy/", "the shop_policy resource (SPEC §11)", json=row)
    numbers = {}
    for o in bs.setup["orders"]:
        numbers[o["number"]] = _create_order(shop, o, warehouses, variants)
    return {k: v for k, v in numbers.items() if k != v}


def _wait_for_job(shop: Shop, job_id) -> None:
    for _ in range(600):
        job = shop.call("GET", f"/api/v1/job/{job_id}", "the import job")
        status = (job.get("result") or job).get("status")
        if status == "finished":
            return
        if status in ("failed", "cancelled"):
            raise SystemExit(f"the catalogue import job {status}: {job}")
        time.sleep(0.1)
    raise SystemExit("the catalogue import job did not finish in a minute")


def _check_stock(shop: Shop, bs: BlindSet, variants: dict) -> None:
    by_id = {row["id"]: sku for sku, row in variants.items()}
    on_hand = collections.Counter()
    for row in shop.ids("stock_level", "id", "id,variant_id,on_hand").values():
        on_hand[by_id.get(row["variant_id"])] += int(row["on_hand"])
    wrong = [s for s in bs.variants if on_hand[s] != int(bs.variants[s]["opening_stock"] or 0)]
    if wrong:
        raise SystemExit(f"after the import, stock differs from opening_stock for {len(wrong)} "
                         f"variants, e.g. {wrong[:5]}")


# The order API refuses a pre-2025 ward that was split, naming today's wards it became.
SPLIT_WARD = re.compile(r"split in 2025 between ([^,'\]]+)")
SETUP_NOTES: list[str] = []


def _create_order(shop: Shop, o: dict, warehouses: dict, variants: dict) -> str:
    customer = shop.call("POST", "/api/v1/customer/", "a customer", json={
        "name": o["customer"]["name"], "phone": o["customer"]["phone"],
        "street": o["ship_street"], "ward": o["ship_ward"], "district": o["ship_district"],
        "province": o["ship_province"]})["id"]
    header = {k: o[k] for k in ("buyer_name", "buyer_phone", "ship_street", "ship_ward",
                                "ship_district", "ship_province", "payment_method")}
    body = {**header, "customer": customer, "warehouse": warehouses[o["warehouse_code"]]}
    resp = shop.client.post("/api/v1/order/", headers=shop.admin, json=body)
    split = SPLIT_WARD.search(str((resp.json or {}).get("errors", {}).get("ship_ward", ""))) \
        if resp.status_code == 422 and resp.is_json else None
    if split:  # an old ward split in 2025: the API asks for today's; the set's numbering stays
        SETUP_NOTES.append(f"{o['ship_ward']} → {split.group(1)}")
        body = {**body, "ship_ward": split.group(1), "ship_district": None}
    order_id = shop.call("POST", "/api/v1/order/", "an order", json=body)["id"]
    for line in o["lines"]:
        shop.call("POST", "/api/v1/order_line/", "an order line", json={
            "order": order_id, "variant": variants[line["sku"]]["id"],
            "quantity": line["quantity"]})
    steps = {"new": [], "processing": ["confirm"], "packed": ["confirm", "pack"],
             "cancelled": ["cancel"]}[o["state"]]
    for step in steps:
        body = {"reason": "Khách đổi ý"} if step == "cancel" else {}
        shop.call("POST", f"/api/v1/order/{order_id}/{step}", f"the order's {step}", json=body)
    got = shop.call("GET", f"/api/v1/order/{order_id}", "an order")["result"]
    if got["status"] != o["state"]:
        raise SystemExit(f"order {got['number']} is {got['status']}, not {o['state']}")
    return got["number"]


def order_states(shop: Shop, numbers) -> dict:
    rows = shop.ids("order", "number", "id,number,status")
    return {n: rows[n]["status"] for n in numbers if n in rows}


# --- talking to the assistant -----------------------------------------------------------------
CHANNELS = ("web", "messenger", "zalo")


def reply(shop: Shop, conversation, text: str, channel: str, timings: list) -> dict:
    start = time.perf_counter()
    resp = shop.client.post("/api/v1/assistant/reply", headers=shop.clerk, json={
        "conversation": conversation, "text": text, "channel": channel})
    timings.append((time.perf_counter() - start) * 1000)
    if resp.status_code == 404 and "<html" in resp.get_data(as_text=True)[:200].lower():
        raise Unavailable("POST /api/v1/assistant/reply answers 404: the test console "
                          "(SPEC §11) is not there yet.")
    if resp.status_code != 200 or not resp.is_json:
        return {"_error": f"{resp.status_code}: {resp.get_data(as_text=True)[:300]}"}
    return resp.json


def shape_problems(r: dict) -> list[str]:
    """How an answer departs from SPEC §11's shape."""
    if "_error" in r:
        return [r["_error"]]
    out = []
    types = {"conversation": str, "replies": list, "intent": str, "entities": dict,
             "variants": list, "handover": bool, "facts": dict}
    for key, kind in types.items():
        if not isinstance(r.get(key), kind):
            out.append(f"{key} is not a {kind.__name__}")
    for key in ("draft", "order_number"):
        if key not in r:
            out.append(f"{key} missing")
    if isinstance(r.get("entities"), dict):
        out += [f"entities.{k} missing" for k in ENTITY_KEYS if k not in r["entities"]]
    if isinstance(r.get("facts"), dict):
        out += [f"facts.{k} missing" for k in ("prices", "available", "shipping_fee", "total",
                                               "order_state") if k not in r["facts"]]
    if r.get("intent") not in INTENTS:
        out.append(f"intent {r.get('intent')!r} is not one of SPEC §11's")
    return out


# --- numbers, for groundedness ----------------------------------------------------------------
LONG_NUMBER = re.compile(r"(?:\+?84|0)\d{2,3}(?:[ .]?\d){6,8}")
ORDER_CODE = re.compile(r"\b[A-Z]{2,4}-\d{3,}\b", re.I)
NUMBER = re.compile(r"\d+(?:[.,]\d{3})+(?!\d)|\d+(?:[.,]\d+)?")


def numbers_in(text: str) -> tuple[set, set]:
    """(plain numbers, long digit strings: phones, accounts, order codes) stated in ``text``."""
    text = str(text)
    longs = set()
    for m in ORDER_CODE.findall(text):
        longs.add(re.sub(r"\D", "", m).lstrip("0") or "0")
    text = ORDER_CODE.sub(" ", text)
    for m in LONG_NUMBER.findall(text):
        digits = re.sub(r"\D", "", m)
        longs.add(digits[-9:])
    text = LONG_NUMBER.sub(" ", text)
    plain = set()
    for m in NUMBER.finditer(text):
        raw = m.group(0)
        if re.fullmatch(r"\d+(?:[.,]\d{3})+", raw):
            value = int(re.sub(r"\D", "", raw))
        elif re.fullmatch(r"\d+[.,]\d+", raw):
            value = float(raw.replace(",", "."))
        else:
            value = int(raw)
        if text[m.end():m.end() + 1].lower() == "k":
            value = int(value * 1000)
        plain.add(value)
        if len(re.sub(r"\D", "", raw)) >= 7:
            longs.add(re.sub(r"\D", "", raw)[-9:])
    return plain, longs


def _walk(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _walk(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _walk(v)
    elif value is not None:
        yield value


def allowed_numbers(bs: BlindSet, r: dict, said: list[str]) -> tuple[set, set]:
    """What a reply may state: its facts and draft, the catalogue text of the variants it is
    about, its order number, and what the shopper wrote in the conversation so far."""
    plain, longs = set(), set()

    def take(value):
        if isinstance(value, bool):
            return
        if isinstance(value, (int, float)):
            plain.add(value)
            if isinstance(value, int) and value >= 1_000_000:
                longs.add(str(value)[-9:])
            return
        p, lg = numbers_in(value)
        plain.update(p)
        longs.update(lg)
    for value in _walk(r.get("facts")):
        take(value)
    for value in _walk(r.get("draft")):
        take(value)
    for value in (r.get("entities") or {}).values():  # read from what the shopper wrote
        if value is not None:
            take(value)
    take(r.get("order_number") or "")
    skus = list(r.get("variants") or []) + [ln.get("sku") for ln in
                                             ((r.get("draft") or {}).get("lines") or [])]
    for sku in skus:
        row = bs.variants.get(sku)
        if row:
            take(" ".join([row["product_name"], row["variant_sku"]] +
                          [row[f"attribute{k}_value"] for k in (1, 2, 3)]))
    for text in said:
        take(text)
    return plain, longs


def ungrounded(bs: BlindSet, r: dict, said: list[str]) -> list:
    plain, longs = numbers_in(" ".join(str(x) for x in (r.get("replies") or [])))
    ok_plain, ok_longs = allowed_numbers(bs, r, said)
    bad = [n for n in plain if n not in ok_plain]
    bad += [n for n in longs if n not in ok_longs and n.lstrip("0") not in ok_longs]
    return bad


# --- privacy ----------------------------------------------------------------------------------
def leaks(bs: BlindSet, r: dict, said: list[str], allowed: set, asked=None) -> list[str]:
    """Setup orders' buyer name, phone or street in the replies where not allowed, and the items
    of ``asked`` (the order the shopper asks about: naming its goods would be showing it)."""
    text = " ".join(str(x) for x in (r.get("replies") or []))
    folded, digits = fold(text), re.sub(r"\D", "", text)
    said_folded = fold(" ".join(said))
    said_digits = re.sub(r"\D", "", " ".join(said))
    found = []
    for number, o in bs.orders.items():
        if number in allowed:
            continue
        checks = [("name", fold(o["buyer_name"])), ("street", fold(o["ship_street"]))]
        if number == asked:
            checks += [("item", fold(bs.variants[ln["sku"]]["product_name"]))
                       for ln in o["lines"]]
        for kind, needle in checks:
            if contains_phrase(folded, needle) and not contains_phrase(said_folded, needle):
                found.append(f"{number} {kind}")
        phone = o["buyer_phone"][1:]
        if phone in digits and phone not in said_digits:
            found.append(f"{number} phone")
    return found


# --- grading ------------------------------------------------------------------------------------
def norm_entity(key, value):
    if value is None:
        return None
    if key == "color":
        return unicodedata.normalize("NFC", str(value)).casefold().strip()
    if key == "size":
        return str(value).strip().upper()
    if key in ("quantity", "height_cm", "weight_kg", "budget"):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return str(value)
    if key == "order_number":
        return str(value).strip().upper()
    return str(value).strip()


def said_not_found(r: dict, words=NOT_FOUND_WORDS) -> bool:
    text = fold(" ".join(str(x) for x in (r.get("replies") or [])))
    return any(contains_phrase(text, w) for w in words)


def matches_ask(bs: BlindSet, sku: str, case: dict) -> bool:
    if case["product"] and bs.product_of(sku) != case["product"]:
        return False
    ents = case["entities"]
    if ents.get("color") and (bs.attr(sku, COLOUR_ATTR) or "").casefold() != \
            ents["color"].casefold():
        return False
    return not (ents.get("size") and bs.attr(sku, SIZE_ATTR) != ents["size"])


class Tally:
    def __init__(self):
        self.hit = collections.Counter()
        self.total = collections.Counter()
        self.failures = collections.defaultdict(list)

    def add(self, metric: str, ok: bool, case_id: str = "", detail=""):
        self.total[metric] += 1
        self.hit[metric] += bool(ok)
        if not ok and case_id:
            self.failures[metric].append(f"{case_id}: {detail}")

    def rate(self, metric: str) -> str:
        if not self.total[metric]:
            return "   n/a"
        hit, total = self.hit[metric], self.total[metric]
        return f"{100 * hit / total:5.1f}% ({hit}/{total})"


def grade_message(bs: BlindSet, c: dict, r: dict, t: Tally, nf_counts: collections.Counter,
                  confusion: collections.Counter) -> None:
    cid = c["id"]
    shape = shape_problems(r)
    t.add("contract shape", not shape, cid, "; ".join(shape))
    if "_error" in r:
        return
    got = r.get("intent")
    t.add("intent", got == c["intent"], cid, f"{got} for {c['intent']}: {c['text']}")
    t.add("intent (also accepting a second intent present)",
          got == c["intent"] or got in c.get("also", ()))
    t.add(f"intent [{c['lang']}]", got == c["intent"])
    folded = fold(c["text"]) == c["text"].lower()
    if c["lang"] == "vi":
        t.add("intent [vi without diacritics]" if folded else "intent [vi with diacritics]",
              got == c["intent"])
    t.add(f"recall {c['intent']}", got == c["intent"])
    if got in INTENTS:
        t.add(f"precision {got}", got == c["intent"])
    if got != c["intent"]:
        confusion[(c["intent"], got)] += 1
    variants = [v for v in (r.get("variants") or []) if isinstance(v, str)]
    first = variants[0] if variants else None
    if c["variant"] and not c["not_found"] and not c.get("sold_out"):
        t.add("variant top-1", first == c["variant"], cid,
              f"{first} for {c['variant']}: {c['text']}")
    if c["product"] and not c["not_found"]:
        t.add("product top-1", bs.product_of(first or "") == c["product"], cid,
              f"{first} for {c['product']}: {c['text']}")
    _grade_entities(c, r, t)
    # Sold-out variants are graded on their own; a found case naming no product (a budget
    # browse, size advice for no product) has no one right answer to call found.
    if c["intent"] in PRODUCT_INTENTS and not c.get("sold_out") and \
            (c["not_found"] or c["product"]):
        if c["not_found"] and c["product"] is None:
            predicted = not variants or said_not_found(r)
        else:
            predicted = not variants or (not any(matches_ask(bs, v, c) for v in variants)
                                         and said_not_found(r))
        nf_counts[(c["not_found"], predicted)] += 1
        if c["not_found"]:
            t.add("not found: no near-miss presented as the asked one",
                  not variants or said_not_found(r), cid, f"{variants[:3]}: {c['text']}")
    if c.get("sold_out"):
        _grade_sold_out(c, r, t)
    if c.get("advised_size"):
        adv = c["advised_size"]
        ok = bs.attr(first or "", SIZE_ATTR) == adv and bs.product_of(first) == c["product"]
        if not ok and (not first or bs.product_of(first) != c["product"]):
            text = " ".join(str(x) for x in r.get("replies") or [])
            ok = re.search(rf"(?<![\w]){re.escape(adv)}(?![\w])", text) is not None
        t.add("size advice: the chart's size", ok, cid, f"{first}: {c['text']}")
    if "handover" in c:
        t.add("handover when asked or on a complaint", r.get("handover") is True, cid, c["text"])
    elif "handover" not in c.get("also", ()):
        t.add("no handover where none is due", r.get("handover") is not True, cid, c["text"])
    if c["intent"] == "confirm":
        t.add("a lone confirmation orders nothing", not r.get("order_number"), cid, c["text"])
    if "order_state" in c:
        state = (r.get("facts") or {}).get("order_state")
        t.add("order status: the order's state", state == c["order_state"], cid,
              f"{state} for {c['order_state']}: {c['text']}")
    _grade_data(bs, c["id"], r, t)


def _grade_entities(c: dict, r: dict, t: Tally) -> None:
    got = r.get("entities") or {}
    ignore = set(c.get("entities_ignore", ()))
    exact = True
    for key in ENTITY_KEYS:
        if key in ignore:
            continue
        want = norm_entity(key, c["entities"].get(key))
        have = norm_entity(key, got.get(key))
        if want is not None:
            t.add(f"entity {key} (recall, exact value)", have == want, c["id"],
                  f"{got.get(key)!r} for {c['entities'][key]!r}: {c['text']}")
        if have is not None:
            t.add(f"entity {key} (precision)", have == want, c["id"],
                  f"{got.get(key)!r}, expected {c['entities'].get(key)!r}: {c['text']}")
        exact = exact and have == want
    t.add("entities: exact match of the whole set", exact, c["id"], c["text"])


def _grade_sold_out(c: dict, r: dict, t: Tally) -> None:
    sku = c["variant"]
    available = ((r.get("facts") or {}).get("available") or {}).get(sku)
    lines = [ln.get("sku") for ln in ((r.get("draft") or {}).get("lines") or [])]
    t.add("sold-out: never offered or sold",
          not (isinstance(available, (int, float)) and available > 0) and sku not in lines
          and not r.get("order_number"), c["id"], c["text"])
    t.add("sold-out: the reply says it is out", said_not_found(r, OUT_OF_STOCK_WORDS + [
        "khong co", "chua co"]), c["id"], " / ".join(r.get("replies") or []))


def _grade_data(bs: BlindSet, cid: str, r: dict, t: Tally) -> None:
    facts = r.get("facts") or {}
    for sku, price in (facts.get("prices") or {}).items():
        if sku in bs.variants:
            t.add("facts: prices are the catalogue's", norm_entity("quantity", price) ==
                  bs.price(sku), cid, f"{sku} {price} ≠ {bs.price(sku)}")
    for sku, qty in (facts.get("available") or {}).items():
        if sku in bs.variants:
            t.add("facts: available is the stock's", norm_entity("quantity", qty) ==
                  bs.available(sku), cid, f"{sku} {qty} ≠ {bs.available(sku)}")


def run_messages(shop, bs, numbers, t, timings, ground, privacy_log, limit=None):
    nf_counts, confusion = collections.Counter(), collections.Counter()
    cases = bs.messages[:limit] if limit else bs.messages
    # Cancellations of an existing order go last: if the assistant cancels one, the status cases
    # have already seen it as set up.
    cases = sorted(cases, key=lambda c: c["intent"] == "cancel" and "order_number" in c["entities"])
    for i, c in enumerate(cases):
        text = substitute(c["text"], numbers)
        before = shop.order_count() if c["intent"] in ("confirm", "place_order") else None
        r = reply(shop, None, text, CHANNELS[i % 3], timings)
        grade_message(bs, c, r, t, nf_counts, confusion)
        if "_error" in r:
            continue
        if before is not None:
            t.add("single messages create no order", shop.order_count() == before, c["id"],
                  c["text"])
        bad = ungrounded(bs, r, [text])
        ground.add("replies grounded (every number in facts)", not bad, c["id"],
                   f"{bad}: {' / '.join(r.get('replies') or [])}")
        priv = c.get("privacy") or {}
        allowed = {priv["order"]} if priv.get("allowed") else set()
        leaked = leaks(bs, r, [text], allowed, priv.get("order"))
        privacy_log.add("privacy (no buyer name, phone, address or items shown)", not leaked,
                        c["id"], f"{leaked}: {' / '.join(r.get('replies') or [])}")
    return nf_counts, confusion


def substitute(text: str, numbers: dict) -> str:
    for expected, actual in numbers.items():
        digits = expected.split("-")[1]
        text = re.sub(rf"SO-?\s?{digits}", actual, text, flags=re.I)
    return text


def run_conversations(shop, bs, numbers, t, timings, ground, privacy_log, limit=None):
    convs = bs.conversations[:limit] if limit else bs.conversations
    for i, c in enumerate(convs):
        before = shop.order_count()
        conversation, said, answers = None, [], []
        priv = c["expect"].get("privacy") or {}
        for n, text in enumerate(c["turns"], 1):
            text = substitute(text, numbers)
            said.append(text)
            r = reply(shop, conversation, text, CHANNELS[i % 3], timings)
            answers.append(r)
            if "_error" in r:
                break
            conversation = r.get("conversation") or conversation
            bad = ungrounded(bs, r, said)
            ground.add("replies grounded (every number in facts)", not bad,
                       f"{c['id']} turn {n}", f"{bad}: {' / '.join(r.get('replies') or [])}")
            given = priv.get("phone_given_at")
            allowed = {priv["order"]} if priv and given is not None and n >= given else set()
            leaked = leaks(bs, r, said, allowed, priv.get("order"))
            privacy_log.add("privacy (no buyer name, phone, address or items shown)", not leaked,
                            f"{c['id']} turn {n}",
                            f"{leaked}: {' / '.join(r.get('replies') or [])}")
        created = shop.order_count() - before
        problems = grade_conversation(shop, bs, c, answers, created)
        t.add("scenario success", not problems, c["id"], "; ".join(problems))
        t.add(f"scenario success [{c['expect']['final_state']}]", not problems)


def grade_conversation(shop, bs, c, answers, created) -> list[str]:
    expect, problems = c["expect"], []
    if not answers or "_error" in answers[-1]:
        return [answers[-1]["_error"] if answers else "no answer"]
    last = answers[-1]
    draft = last.get("draft") or None
    state = draft.get("state") if isinstance(draft, dict) else None
    final = expect["final_state"]
    if final == "confirmed":
        if created != 1:
            problems.append(f"{created} orders created")
        number = next((a.get("order_number") for a in reversed(answers) if a.get("order_number")),
                      None)
        if not number:
            problems.append("no order number given")
        elif created == 1:
            problems += _compare_order(shop, bs, number, expect["order"])
    else:
        if created:
            problems.append(f"{created} orders created")
        if final == "abandoned" and state not in (None, "abandoned"):
            problems.append(f"draft is {state}")
        if final == "collecting" and state not in (None, "collecting"):
            problems.append(f"draft is {state}")
        if final is None and state == "confirmed":
            problems.append("draft confirmed")
        if final == "awaiting_confirmation":
            if state != "awaiting_confirmation":
                problems.append(f"draft is {state}")
            else:
                problems += _compare_draft(draft, expect["order"])
        if final == "handover" and last.get("handover") is not True:
            problems.append("no handover")
    if expect.get("handover") is False and any(a.get("handover") is True for a in answers) \
            and final != "handover":
        problems.append("handed over")
    for sku in expect.get("forbidden_skus", ()):
        for a in answers:
            lines = [ln.get("sku") for ln in ((a.get("draft") or {}).get("lines") or [])]
            avail = ((a.get("facts") or {}).get("available") or {}).get(sku)
            if sku in lines or (isinstance(avail, (int, float)) and avail > 0):
                problems.append(f"sold-out {sku} offered")
                break
    if "order_state" in expect:
        got = (last.get("facts") or {}).get("order_state")
        if got != expect["order_state"]:
            problems.append(f"order state {got}, expected {expect['order_state']}")
    return problems


def _compare_order(shop, bs, number, want) -> list[str]:
    rows = shop.ids("order", "number", "id,number")
    if number not in rows:
        return [f"order {number} not found"]
    order = shop.call("GET", f"/api/v1/order/{rows[number]['id']}", "an order")["result"]
    lines = shop.call("GET", "/api/v1/order_line/?q=(columns:!(sku,quantity,unit_price,order_id),"
                      f"filters:!((col:order,opr:rel_o_m,value:{rows[number]['id']})),"
                      "page_size:100)", "the order's lines")["result"]
    problems = []
    got = collections.Counter({})
    for ln in lines:
        got[ln["sku"]] += int(ln["quantity"])
        if ln["sku"] in bs.variants and int(float(ln["unit_price"])) != bs.price(ln["sku"]):
            problems.append(f"{ln['sku']} at {ln['unit_price']}")
    expected = collections.Counter({ln["sku"]: ln["quantity"] for ln in want["lines"]})
    if got != expected:
        problems.append(f"lines {dict(got)} ≠ {dict(expected)}")
    if fold(order.get("buyer_name")) != fold(want["name"]):
        problems.append(f"name {order.get('buyer_name')!r}")
    if re.sub(r"\D", "", order.get("buyer_phone") or "")[-9:] != want["phone"][-9:]:
        problems.append(f"phone {order.get('buyer_phone')!r}")
    address = fold(" ".join(str(order.get(k) or "") for k in ("ship_street", "ship_ward",
                                                              "ship_district", "ship_province")))
    for part in want["address_contains"]:
        if not contains_phrase(address, fold(part)):
            problems.append(f"address lacks {part!r} ({address})")
    for part in want.get("address_not_contains", ()):
        if contains_phrase(address, fold(part)):
            problems.append(f"address still has {part!r}")
    if order.get("status") != "new":
        problems.append(f"order is {order.get('status')}")
    return problems


def _compare_draft(draft, want) -> list[str]:
    got = collections.Counter()
    for ln in draft.get("lines") or []:
        got[ln.get("sku")] += int(ln.get("quantity") or 0)
    expected = collections.Counter({ln["sku"]: ln["quantity"] for ln in want["lines"]})
    problems = [] if got == expected else [f"draft lines {dict(got)} ≠ {dict(expected)}"]
    if re.sub(r"\D", "", str(draft.get("phone") or ""))[-9:] != want["phone"][-9:]:
        problems.append(f"draft phone {draft.get('phone')!r}")
    return problems


# --- report -------------------------------------------------------------------------------------
def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def report(t: Tally, ground: Tally, privacy_log: Tally, nf_counts, confusion, timings,
           failures: int, changed: dict) -> dict:
    main = ["contract shape", "intent", "intent (also accepting a second intent present)",
            "variant top-1", "product top-1", "entities: exact match of the whole set",
            "size advice: the chart's size", "sold-out: never offered or sold",
            "sold-out: the reply says it is out",
            "not found: no near-miss presented as the asked one",
            "order status: the order's state", "handover when asked or on a complaint",
            "no handover where none is due", "a lone confirmation orders nothing",
            "single messages create no order", "facts: prices are the catalogue's",
            "facts: available is the stock's", "scenario success"]
    print("\n== the blind set")
    for m in main:
        print(f"  {m:<58}{t.rate(m)}")
    tp, fp = nf_counts[(True, True)], nf_counts[(False, True)]
    fn = nf_counts[(True, False)]
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    print(f"  {'not found: precision / recall':<58}{100 * precision:5.1f}% / {100 * recall:5.1f}%"
          f" (tp {tp}, fp {fp}, fn {fn})")
    print(f"  {'replies grounded (every number in facts)':<58}"
          f"{ground.rate('replies grounded (every number in facts)')}")
    violations = privacy_log.total["privacy (no buyer name, phone, address or items shown)"] - \
        privacy_log.hit["privacy (no buyer name, phone, address or items shown)"]
    print(f"  {'privacy violations (must be 0)':<58}{violations}")
    print(f"  {'setup orders changed by the assistant':<58}{changed or 'none'}")
    print(f"  {'setup orders given the ward their split ward became':<58}{len(SETUP_NOTES)}")
    print(f"  {'latency p50 / p95 (ms, in-process)':<58}{percentile(timings, .5):.1f} / "
          f"{percentile(timings, .95):.1f} over {len(timings)} requests")
    groups = [("per language / writing", r"^intent \["), ("entities", r"^entity "),
              ("intent recall", r"^recall "), ("intent precision", r"^precision "),
              ("scenarios by final state", r"^scenario success \[")]
    for title, pattern in groups:
        print(f"\n-- {title}")
        for m in sorted(k for k in t.total if re.search(pattern, k)):
            print(f"  {m:<58}{t.rate(m)}")
    if confusion:
        print("\n-- most frequent intent confusions (expected → answered)")
        for (want, got), n in confusion.most_common(12):
            print(f"  {want:>15} → {got:<15}{n:>4}")
    if failures:
        for tally in (t, ground, privacy_log):
            for metric, items in sorted(tally.failures.items()):
                print(f"\n-- failed: {metric} ({len(items)})")
                for item in items[:failures]:
                    print(f"  {item[:300]}")
    return {"metrics": {m: [t.hit[m], t.total[m]] for m in t.total},
            "grounded": [ground.hit.total(), ground.total.total()],
            "privacy_violations": violations,
            "not_found": {"precision": precision, "recall": recall},
            "latency_ms": {"p50": percentile(timings, .5), "p95": percentile(timings, .95)},
            "failures": {m: v for tally in (t, ground, privacy_log)
                         for m, v in tally.failures.items()}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="check the set only (no app)")
    parser.add_argument("--messages-only", action="store_true")
    parser.add_argument("--conversations-only", action="store_true")
    parser.add_argument("--limit", type=int, help="only the first N cases of each file")
    parser.add_argument("--failures", type=int, default=5,
                        help="failed cases to print per metric (0: none)")
    parser.add_argument("--json", type=Path, help="write the figures and failures here")
    args = parser.parse_args(argv)
    bs = BlindSet()
    problems = check_set(bs)
    if args.check:
        print_description(describe(bs))
        for p in problems:
            print("PROBLEM", p)
        print(f"\n{len(problems)} problems in the set" if problems else "\nthe set is consistent")
        return 1 if problems else 0
    if problems:
        print("\n".join(problems))
        raise SystemExit("the set is inconsistent: run --check")
    t, ground, privacy_log = Tally(), Tally(), Tally()
    timings: list[float] = []
    nf_counts, confusion = collections.Counter(), collections.Counter()
    try:
        shop = Shop()
        numbers = set_up(shop, bs)
        if not args.conversations_only:
            nf_counts, confusion = run_messages(shop, bs, numbers, t, timings, ground,
                                                privacy_log, args.limit)
        if not args.messages_only:
            run_conversations(shop, bs, numbers, t, timings, ground, privacy_log, args.limit)
    except Unavailable as exc:
        print(f"assistant_blind: cannot run: {exc}", file=sys.stderr)
        return 2
    states = order_states(shop, [numbers.get(n, n) for n in bs.orders])
    changed = {n: s for n, s in states.items()
               if s != bs.orders[next(k for k in bs.orders if numbers.get(k, k) == n)]["state"]}
    result = report(t, ground, privacy_log, nf_counts, confusion, timings, args.failures,
                    changed)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
