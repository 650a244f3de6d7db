"""The dialogue's rules (SPEC §11), without Flask or a database: the dev-set shop's catalogue in
memory (with its opening stock as what can be sold), a size chart, policies and one order."""
from __future__ import annotations

import pytest

from app.services.assistant.catalogue import Catalogue
from app.services.assistant.dialogue import Dialogue, OrderFacts, money
from app.services.assistant.shopdata import ChartRow
from tests.assistant.shop import read_rows


class MemoryShop:
    def __init__(self):
        self.catalogue = Catalogue.from_rows(read_rows())
        self.charts = {"Áo thun": [ChartRow("S", 145, 154, 38, 47), ChartRow("M", 155, 165, 48, 58),
                                   ChartRow("L", 166, 175, 59, 68)]}
        self.policies = {("payment", "vi"): "Shop nhận COD hoặc chuyển khoản.",
                         ("returns", "en"): "Returns within 7 days."}
        self.orders = {"SO-000123": OrderFacts("SO-000123", "processing", "0912345678", 7,
                                               [("Áo thun basic cổ tròn (Trắng / M)", 2)],
                                               buyer_name="Nguyễn Thị Lan")}

    def size_chart(self, product):
        return self.charts.get(product.category, [])

    def category_size_chart(self, category):
        return self.charts.get(category, [])

    def policy(self, topic, language):
        return self.policies.get((topic, language)) or self.policies.get((topic, "vi"))

    def order(self, number):
        return self.orders.get(number.upper()) or self.orders.get(f"SO-{int(number[-6:]):06d}"
                                                                   if number[-6:].isdigit() else "")

    def shipping_fee(self, lines, address):
        return 30000


@pytest.fixture(scope="module")
def shop():
    return MemoryShop()


def talk(shop, *texts, customer_id=None):
    dialogue = Dialogue(shop, {}, customer_id=customer_id)
    return [dialogue.reply(t) for t in texts], dialogue


def test_availability_states_the_live_price_and_stock_and_puts_them_in_facts(shop):
    (turn,), _ = talk(shop, "áo thun basic trắng còn size M không")
    _, variant = shop.catalogue.variant_by_sku["AT-BASIC-TRANG-M"]
    assert turn.intent == "availability" and turn.variants[0] == "AT-BASIC-TRANG-M"
    assert turn.facts["prices"]["AT-BASIC-TRANG-M"] == variant.price
    assert turn.facts["available"]["AT-BASIC-TRANG-M"] == variant.available
    assert money(variant.price) in turn.replies[0] and f"còn {variant.available} cái" in turn.replies[0]


def test_a_sold_out_variant_is_said_to_be_out_and_never_offered(shop):
    (turn,), _ = talk(shop, "giày sneaker trắng size 37 còn không")
    assert turn.facts["available"].get("SNEAKER-TRANG-37") == 0
    assert "hết hàng" in turn.replies[0]
    assert "37" not in turn.replies[0].split("Shop còn:")[-1].split(", ")


def test_something_the_shop_does_not_sell_is_not_found(shop):
    (turn,), _ = talk(shop, "shop có bán iphone 15 không")
    assert turn.variants == [] and "không có" in turn.replies[0]


def test_size_advice_comes_from_the_size_chart(shop):
    (turn,), _ = talk(shop, "áo thun basic cao 1m6 nặng 52kg mặc size nào")
    assert turn.intent == "size_advice"
    assert turn.facts["size_chart"]["size"] == "M" and "size M" in turn.replies[0]
    assert turn.variants and turn.variants[0].endswith("-M")


def test_a_sale_is_summarised_and_ordered_only_after_an_explicit_yes(shop):
    turns, dialogue = talk(shop, "áo thun basic trắng size M", "lấy 2 cái",
                           "tên Nguyễn Thị Lan, sđt 0912345678, địa chỉ 12 Nguyễn Huệ, Q1, TP HCM")
    summary = turns[-1]
    assert summary.draft["state"] == "awaiting_confirmation" and not summary.place_order
    assert summary.draft["lines"] == [{"sku": "AT-BASIC-TRANG-M", "quantity": 2, "unit_price": 199000}]
    assert summary.facts["total"] == 2 * 199000 + 30000 and summary.facts["shipping_fee"] == 30000
    assert "428.000đ" in summary.replies[-1] and "398.000đ" in summary.replies[-1]
    yes = dialogue.reply("ok chốt")
    assert yes.intent == "confirm" and yes.place_order and yes.draft["state"] == "confirmed"


def test_a_lone_yes_confirms_nothing(shop):
    (turn,), _ = talk(shop, "đồng ý")
    assert turn.intent == "confirm" and not turn.place_order and turn.draft is None


def test_changing_the_quantity_and_cancelling(shop):
    turns, dialogue = talk(shop, "áo thun basic trắng size M", "lấy 2 cái", "thôi lấy 3 cái",
                           "Nguyễn Thị Lan 0912345678 12 Nguyễn Huệ, Q1, TP HCM")
    assert turns[-1].draft["lines"][0]["quantity"] == 3
    cancelled = dialogue.reply("thôi hủy đơn nhé")
    assert cancelled.intent == "cancel" and cancelled.draft["state"] == "abandoned"
    assert not cancelled.place_order


def test_handover_on_request_and_after_two_failed_clarifications(shop):
    (turn,), _ = talk(shop, "cho mình gặp nhân viên")
    assert turn.intent == "handover" and turn.handover
    turns, _ = talk(shop, "thời tiết hôm nay sao", "kể chuyện cười đi")
    assert not turns[0].handover and turns[1].handover


def test_order_status_shows_only_the_state_to_a_stranger(shop):
    (turn,), _ = talk(shop, "đơn SO-000123 tới đâu rồi")
    text = " ".join(turn.replies)
    assert turn.facts["order_state"] == "processing"
    assert "Áo thun" not in text and "Lan" not in text and "0912345678" not in text


def test_order_status_details_with_the_orders_phone_or_a_linked_identity(shop):
    (turn,), _ = talk(shop, "đơn SO-000123 sđt 0912345678 tới đâu rồi")
    assert "Áo thun basic" in " ".join(turn.replies)
    (turn,), _ = talk(shop, "đơn SO-000123 tới đâu rồi", customer_id=7)
    assert "Áo thun basic" in " ".join(turn.replies)
    (turn,), _ = talk(shop, "đơn SO-000123 sđt 0988888888 tới đâu rồi")
    assert "Áo thun basic" not in " ".join(turn.replies)


def test_policies_are_quoted_in_the_shoppers_language(shop):
    (turn,), _ = talk(shop, "shop có nhận chuyển khoản không")
    assert turn.intent == "payment_info" and turn.replies == ["Shop nhận COD hoặc chuyển khoản."]
    assert turn.facts["policy"]["topic"] == "payment"
    (turn,), _ = talk(shop, "can I return the shirt if it does not fit")
    assert turn.intent == "return_policy" and turn.replies == ["Returns within 7 days."]


def test_english_is_answered_in_english(shop):
    (turn,), _ = talk(shop, "hello")
    assert turn.intent == "greeting" and turn.replies[0].startswith("Hello")


def test_size_advice_for_a_kind_of_goods_uses_its_categorys_chart(shop):
    (turn,), _ = talk(shop, "áo thun cao 1m7 nặng 62kg mặc size nào")
    assert turn.intent == "size_advice"
    assert turn.facts["size_chart"]["size"] == "L" and "size L" in turn.replies[0]
    (turn,), _ = talk(shop, "mình cao 1m6 nặng 52kg mặc size gì")
    assert "size_chart" not in turn.facts
