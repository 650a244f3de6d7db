"""Stock counts: snapshot, count, finish, post (on hand set to the count), and the printed sheet."""
import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.services.stock_verify import verify_stock
from app.models import (Category, MoveKind, Order, OrderLine, Product, ProductVariant, StockLevel,
                        StockMove, Warehouse)
from app.services import ledger, orders, stock_counts
from app.services.errors import InvalidTransition, ValidationError
from tests.support.seed import ADDRESS


@pytest.fixture
def shop(session):
    wh = Warehouse(code="HN", name="Kho Hà Nội")
    shirts = Category(name="Áo")
    tees = Category(name="Áo thun", parent=shirts)
    hats = Category(name="Mũ")
    tee = Product(name="Áo thun cổ tròn", sku="AT", category=tees)
    hat = Product(name="Mũ lưỡi trai", sku="MU", category=hats)
    m, l, cap = (ProductVariant(product=tee, sku="AT-M"), ProductVariant(product=tee, sku="AT-L"),
                 ProductVariant(product=hat, sku="MU-1"))
    session.add_all([wh, shirts, tees, hats, tee, hat, m, l, cap])
    session.commit()
    ledger.record_opening_stock(session, m.id, wh.id, 10)
    ledger.record_opening_stock(session, cap.id, wh.id, 4)
    return session, wh, shirts, (m, l, cap)


def test_a_count_snapshots_all_or_a_filtered_set(shop):
    session, wh, shirts, (m, l, cap) = shop
    every = stock_counts.create_stock_count(session, wh.id)
    assert [(ln.variant_id, ln.system_quantity) for ln in every.lines] == \
        [(l.id, 0), (m.id, 10), (cap.id, 4)]
    by_category = stock_counts.create_stock_count(session, wh.id, category_id=shirts.id)
    assert {ln.variant_id for ln in by_category.lines} == {m.id, l.id}
    by_prefix = stock_counts.create_stock_count(session, wh.id, sku_prefix="MU")
    assert [ln.variant_id for ln in by_prefix.lines] == [cap.id]
    with pytest.raises(ValidationError):
        stock_counts.create_stock_count(session, wh.id, sku_prefix="ZZ")


def test_post_sets_on_hand_to_the_count_and_reports_variances(shop):
    session, wh, _, (m, l, cap) = shop
    count = stock_counts.create_stock_count(session, wh.id)
    stock_counts.enter_counts(session, count.id, {m.id: 8, l.id: 1})
    with pytest.raises(ValidationError, match="MU-1"):
        stock_counts.finish_count(session, count.id)
    stock_counts.enter_counts(session, count.id, {cap.id: 4})
    stock_counts.finish_count(session, count.id)
    with pytest.raises(InvalidTransition, match="counted"):
        stock_counts.enter_counts(session, count.id, {m.id: 1})
    ledger.record_receipt(session, m.id, wh.id, 2)  # arrives after the count was taken
    variances = {v.sku: (v.variance, v.posted, v.moved_since, v.on_hand_after)
                 for v in stock_counts.post_stock_count(session, count.id)}
    # The variance is against the sheet; the 2 received since keep their own move.
    assert variances == {"AT-M": (-2, -2, 2, 10), "AT-L": (1, 1, 0, 1), "MU-1": (0, 0, 0, 4)}
    levels = dict(session.execute(sa.select(StockLevel.variant_id, StockLevel.on_hand)).all())
    assert (levels[m.id], levels[l.id], levels[cap.id]) == (10, 1, 4)
    assert session.scalar(sa.select(sa.func.count()).select_from(StockMove)
                          .where(StockMove.kind == MoveKind.COUNT)) == 2
    with pytest.raises(InvalidTransition, match="posted"):
        stock_counts.post_stock_count(session, count.id)
    assert verify_stock(session) == []


def test_counting_less_than_is_reserved_is_refused_with_the_sku(shop):
    session, wh, _, (m, _, _) = shop
    order = Order(**ADDRESS, buyer_name="A", warehouse_id=wh.id,
                  lines=[OrderLine(variant_id=m.id, sku="AT-M", name="Áo", quantity=6)])
    session.add(order)
    session.commit()
    orders.confirm_order(session, order.id)
    count = stock_counts.create_stock_count(session, wh.id, sku_prefix="AT-M")
    stock_counts.enter_counts(session, count.id, {m.id: 5})
    stock_counts.finish_count(session, count.id)
    with pytest.raises(ValidationError) as err:
        stock_counts.post_stock_count(session, count.id)
    assert "AT-M: counted 5 but 6 are reserved" in err.value.message
    assert session.scalar(sa.select(StockLevel.on_hand).where(StockLevel.variant_id == m.id)) == 10


def test_negative_counts_are_refused_and_counts_can_be_cancelled(shop):
    session, wh, _, (m, _, _) = shop
    count = stock_counts.create_stock_count(session, wh.id)
    with pytest.raises(ValidationError):
        stock_counts.enter_counts(session, count.id, {m.id: -1})
    assert stock_counts.cancel_stock_count(session, count.id).status == "cancelled"


def test_the_count_sheet_prints_vietnamese_names(shop):
    session, wh, _, _ = shop
    count = stock_counts.create_stock_count(session, wh.id)
    pdf = stock_counts.render_count_sheet(count)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert count.number in text and "AT-M" in text and "Kho Hà Nội" in text
    assert "Áo thun cổ tròn" in text and "KIỂM KÊ" in text
