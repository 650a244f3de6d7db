"""How well the sales assistant understands shoppers, offline, over the frozen dev set.

    python bench/assistant.py [--variants 5000] [--show-failures] [--split dev|holdout|all]

Builds a catalogue of ``--variants`` rows (the dev-set shop of tests/assistant/devset/catalogue.csv
plus generated products around it, see tests/assistant/shop.py), then reads every message of
tests/assistant/devset/messages.jsonl and plays every sale of sales.jsonl, and prints, for the
``dev`` part (what the rules were tuned on), the ``holdout`` part (never looked at while tuning)
and both:

- intent accuracy (primary intent);
- variant top-1 (messages naming a full variant: is it first?) and product top-1 (messages naming a
  product or a variant: is the product right, with nothing near-miss put first); "not found"
  (messages asking for goods the shop does not sell: nothing offered as the asked one) and
  category/ambiguity (several products named alike are offered as candidates, not one of them);
- entity exact match (the eight entities of the test console, all equal), and name/address;
- sales ending in exactly the expected order (lines, name, phone, address; or no order);
- latency p50/p95 of understanding one message.

``--show-failures`` prints the dev part's failures only: the hold-out part stays unseen.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.services.assistant.catalogue import Catalogue  # noqa: E402
from app.services.assistant.intents import Context, default_rules  # noqa: E402
from app.services.assistant.sale import Sale, advance  # noqa: E402
from app.services.assistant.understanding import understand  # noqa: E402
from app.services.search_text import fold  # noqa: E402
from tests.assistant.shop import big_catalogue_rows, read_rows  # noqa: E402

DEVSET = ROOT / "tests" / "assistant" / "devset"
ENTITY_KEYS = ("size", "color", "quantity", "phone", "order_number", "height_cm", "weight_kg", "budget")


def load(name: str) -> list[dict]:
    with open(DEVSET / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def context_of(item: dict) -> Context:
    state = item.get("context")
    return Context(awaiting_confirmation=state == "awaiting_confirmation", collecting=state == "collecting")


def check_message(item: dict, got) -> dict:
    """Which checks apply to this message, and whether each passed."""
    res = got.resolution
    checks = {"intent": got.intent == item["intent"]}
    if item.get("variant"):
        checks["variant"] = bool(got.variants) and got.variants[0] == item["variant"] and res.product is not None
    expected_product = item.get("product") or _product_of(item)
    if expected_product:
        checks["product"] = res.product is not None and res.product.sku == expected_product
    if item.get("not_found"):
        checks["not_found"] = got.not_found and res.product is None
    if item.get("category"):
        checks["category"] = res.category == item["category"] and res.product is None
    if item.get("candidates"):
        checks["ambiguous"] = res.ambiguous and {c.product.sku for c in res.candidates} >= set(item["candidates"])
    expected = {k: item.get("entities", {}).get(k) for k in ENTITY_KEYS}
    checks["entities"] = got.entities.public() == expected
    for key in ("name", "address"):
        if item.get(key):
            checks[key] = fold(getattr(got.entities, key) or "") == fold(item[key])
    return checks


_VARIANT_PRODUCT: dict[str, str] = {}


def _product_of(item: dict) -> str | None:
    return _VARIANT_PRODUCT.get(item.get("variant") or "")


def play(sale_item: dict, catalogue: Catalogue, timings: list[float]) -> tuple[bool, dict]:
    sale = Sale()
    for turn in sale_item["turns"]:
        got = understand(turn, catalogue, sale.context())
        timings.append(got.elapsed_ms)
        advance(sale, got, catalogue)
    expected = sale_item["order"]
    if expected is None:
        return sale.state != "confirmed", sale.order()
    order = sale.order()
    ok = (sale.state == "confirmed"
          and sorted((l["sku"], l["quantity"]) for l in order["lines"])
          == sorted((l["sku"], l["quantity"]) for l in expected["lines"])
          and fold(order["name"] or "") == fold(expected["name"]) and order["phone"] == expected["phone"]
          and fold(order["address"] or "") == fold(expected["address"]))
    return ok, order


def percent(passed: int, total: int) -> str:
    return f"{100 * passed / total:5.1f} % ({passed}/{total})" if total else "   n/a"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", type=int, default=5000)
    parser.add_argument("--show-failures", action="store_true", help="print the dev part's failures")
    args = parser.parse_args(argv)

    rows = big_catalogue_rows(args.variants) if args.variants > len(read_rows()) else read_rows()
    started = time.perf_counter()
    catalogue = Catalogue.from_rows(rows)
    build_ms = (time.perf_counter() - started) * 1000
    _VARIANT_PRODUCT.update({v.sku: p.sku for p in catalogue.products for v in p.variants})
    default_rules()
    messages, sales = load("messages.jsonl"), load("sales.jsonl")
    understand("chào shop", catalogue)  # warm the caches as a running server would have them

    timings: list[float] = []
    results = {"dev": {}, "holdout": {}}
    failures = []
    for item in messages:
        got = understand(item["text"], catalogue, context_of(item))
        timings.append(got.elapsed_ms)
        for check, ok in check_message(item, got).items():
            tally = results[item["split"]].setdefault(check, [0, 0])
            tally[0] += ok
            tally[1] += 1
            if not ok and item["split"] == "dev":
                failures.append((item, check, got))
    sale_failures = []
    for sale_item in sales:
        ok, order = play(sale_item, catalogue, timings)
        tally = results[sale_item["split"]].setdefault("sale", [0, 0])
        tally[0] += ok
        tally[1] += 1
        if not ok and sale_item["split"] == "dev":
            sale_failures.append((sale_item, order))

    print(f"catalogue: {len(catalogue.products)} products, {sum(len(p.variants) for p in catalogue.products)} "
          f"variants (index built in {build_ms:.0f} ms); {len(messages)} messages, {len(sales)} sales")
    labels = [("intent", "intent accuracy"), ("variant", "variant top-1"), ("product", "product top-1"),
              ("not_found", "not found said"), ("category", "category named"), ("ambiguous", "alike products"),
              ("entities", "entity exact match"), ("name", "buyer name"), ("address", "buyer address"),
              ("sale", "sales ending in the right order")]
    print(f"{'':34}{'dev':>22}{'holdout':>22}{'all':>22}")
    for key, label in labels:
        dev, hold = results["dev"].get(key, [0, 0]), results["holdout"].get(key, [0, 0])
        print(f"{label:34}{percent(*dev):>22}{percent(*hold):>22}"
              f"{percent(dev[0] + hold[0], dev[1] + hold[1]):>22}")
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    print(f"understanding one message: p50 {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, "
          f"max {timings[-1]:.2f} ms over {len(timings)} messages")
    if args.show_failures:
        for item, check, got in failures:
            print(f"[{item['id']} {check}] {item['text']!r}\n    expected {item.get('intent')} "
                  f"{item.get('variant') or item.get('product')} {item.get('entities')} "
                  f"{item.get('name', '')} {item.get('address', '')}\n    got      {got.as_dict()}")
        for sale_item, order in sale_failures:
            print(f"[{sale_item['id']} sale] expected {sale_item['order']}\n    got {order}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
