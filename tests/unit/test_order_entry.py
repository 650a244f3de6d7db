"""Orders in from every channel: quick entry, channel upserts (idempotent, unknown SKUs kept), and
the quick-entry look-ups."""
import threading

import pytest
import sqlalchemy as sa

from app.models import (Channel, Customer, Order, OrderStatus, Platform, Product, ProductVariant,
                        Warehouse)
from app.services import customer_lookup, ledger, order_editing, order_entry, orders
from app.services.errors import ValidationError
from app.services.order_entry import IncomingLine, IncomingOrder


@pytest.fixture
def shop(session):
    wh = Warehouse(code="HN", name="Kho")
    product = Product(name="Áo thun", sku="AT", selling_price=150000, vat_rate="8")
    m = ProductVariant(product=product, sku="AT-M", value_1="M")
    channel = Channel(platform=Platform.SHOPEE, name="Shopee shop", shop_id="77", order_warehouse=wh)
    session.add_all([wh, product, m, channel])
    session.commit()
    ledger.record_opening_stock(session, m.id, wh.id, 5)
    return session, wh, m, channel


def incoming(external_id="250101ABC", *skus, status="new"):
    return IncomingOrder(external_id=external_id, buyer_name="Trần Thị B", buyer_phone="******78",
                         address="12 Lý Thường Kiệt", ward="Hàng Bài", district="Hoàn Kiếm",
                         province="Hà Nội", status=status, raw_status="READY_TO_SHIP",
                         lines=[IncomingLine(sku=s, quantity=1, unit_price=140000)
                                for s in (skus or ("AT-M",))])


def test_channel_order_is_created_once_and_merged_on_repeat(shop):
    session, wh, m, channel = shop
    first = order_entry.upsert_channel_order(session, channel, incoming())
    assert first.created and first.order.warehouse_id == wh.id
    assert first.order.lines[0].variant_id == m.id and first.order.lines[0].vat_rate == "8"
    again = order_entry.upsert_channel_order(session, channel, incoming())
    assert (again.created, again.order.id) == (False, first.order.id)
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 1


def test_unknown_skus_are_kept_and_the_order_flagged_until_mapped(shop):
    session, _, m, channel = shop
    result = order_entry.upsert_channel_order(session, channel, incoming("X1", "AT-M", "NOPE-1"))
    order = result.order
    assert [ln.variant_id for ln in order.lines] == [m.id, None]
    assert "Unknown SKU: NOPE-1" in order.needs_attention
    results = orders.confirm_order(session, order.id)
    assert results[1].status == "short by 1"
    order_editing.edit_order_lines(session, order.id,
                                 [{"line_id": order.lines[1].id, "variant_id": m.id}])
    assert session.get(Order, order.id).needs_attention is None


def test_a_marketplace_cancellation_cancels_and_releases(shop):
    session, _, _, channel = shop
    order = order_entry.upsert_channel_order(session, channel, incoming()).order
    orders.confirm_order(session, order.id)
    repeat = incoming(status="cancelled")
    repeat.cancel_reason = "Buyer changed mind"
    order_entry.upsert_channel_order(session, channel, repeat)
    order = session.get(Order, order.id)
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "Buyer changed mind")
    assert order.lines[0].reserved_quantity == 0


@pytest.mark.postgres
def test_concurrent_imports_of_the_same_order_make_one_row(shop, session_factory):
    session, _, _, channel = shop
    results, barrier = [], threading.Barrier(6)

    def run():
        with session_factory() as s:
            barrier.wait()
            results.append(order_entry.upsert_channel_order(s, s.get(Channel, channel.id),
                                                            incoming("RACE")))

    threads = [threading.Thread(target=run) for _ in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(r.created for r in results) == [False] * 5 + [True]
    assert len({r.order.id for r in results}) == 1


def test_manual_order_with_a_new_customer_and_default_price(shop):
    session, wh, m, _ = shop
    order = order_entry.create_manual_order(
        session, customer={"name": "Lê Văn C", "phone": "+84 912 345 678"},
        shipping_address={"street": "1 Trần Phú", "ward": "Phường Chợ Quán",
                          "province": "TP HCM"},
        lines=[(m.id, 2), {"variant_id": m.id, "quantity": 1, "unit_price": 120000,
                           "discount": 10000}], payment_method="bank_transfer",
        warehouse_id=wh.id)
    assert order.number.startswith("SO-") and order.status == OrderStatus.NEW
    assert order.customer.phone == "0912345678" and order.buyer_phone == "0912345678"
    assert [ln.unit_price for ln in order.lines] == [150000, 120000]
    again = order_entry.create_manual_order(session, customer={"name": "Lê Văn C",
                                                               "phone": "0912345678"},
                                            lines=[(m.id, 1)], warehouse_id=wh.id)
    assert again.customer_id == order.customer_id  # the phone identifies the buyer
    assert again.ship_street == "1 Trần Phú"       # the customer's address by default
    assert (order.ship_ward, order.ship_province) == ("Phường Chợ Quán", "Thành phố Hồ Chí Minh")
    assert again.ship_ward_code == order.ship_ward_code == 27301


@pytest.mark.parametrize("kwargs,field", [
    ({"customer": {"name": "", "phone": "0912345678"}}, "customer.name"),
    ({"customer": {"name": "A", "phone": "123"}}, "customer.phone"),
    ({"customer_id": 999}, "customer_id"),
    ({"lines": []}, "lines"),
    ({"lines": [(999, 1)]}, "lines[0].variant_id"),
    ({"lines": [("M", 0)]}, "lines[0].quantity"),
    ({"shipping_address": {"street": "x"}}, "shipping_address.province"),
    ({"shipping_address": {"street": "x", "province": "Hồ Chí Minh"}}, "shipping_address.ward"),
    ({"shipping_address": {"street": "x", "province": "Hồ Chí Minh", "ward": "Phường 99"}},
     "shipping_address.ward"),
    ({"shipping_address": {"street": "x", "province": "Bình Dương", "ward": "Phú Cường"}},
     "shipping_address.province"),
    ({"shipping_address": {"street": "", "province": "Hồ Chí Minh", "ward": "Sài Gòn"}},
     "shipping_address.street"),
])
def test_manual_order_errors_name_the_field(shop, kwargs, field):
    session, wh, m, _ = shop
    args = {"customer": {"name": "A", "phone": "0912345678"}, "lines": [(m.id, 1)],
            "shipping_address": {"street": "1", "ward": "Phường Sài Gòn", "province": "Hồ Chí Minh"},
            "warehouse_id": wh.id}
    args.update(kwargs)
    args["lines"] = [(m.id if v == "M" else v, q) for v, q in args["lines"]]
    with pytest.raises(ValidationError) as err:
        order_entry.create_manual_order(session, **args)
    assert err.value.field == field
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_quick_entry_lookups_show_history_and_free_stock(shop):
    session, wh, m, _ = shop
    customer = Customer(name="Phạm Thị D", phone="0987654321")
    session.add(customer)
    session.add_all([Order(buyer_name="D", customer=customer, status=s)
                     for s in ("completed", "returned", "completed", "delivery_failed")])
    session.commit()
    [hit] = customer_lookup.search_customers(session, "765")
    assert (hit.name, hit.order_count, hit.failed_count, hit.failed_rate) == \
        ("Phạm Thị D", 4, 2, 0.5)
    assert customer_lookup.search_customers(session, "phạm")[0].id == customer.id
    [variant] = customer_lookup.search_variants(session, "thun", wh.id)
    assert (variant.sku, variant.available, variant.price) == ("AT-M", 5, 150000)
    assert customer_lookup.search_variants(session, "at-m", None)[0].available == 0
