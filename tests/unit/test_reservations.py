"""Reserving never takes more than is free; partial reservations take exactly what is free."""
import pytest
import sqlalchemy as sa

from app.models import Order, OrderLine, Product, ProductVariant, StockLevel, Warehouse
from app.services import ledger, reservations
from app.services.errors import DomainError, InsufficientStock


@pytest.fixture
def stock(session):
    wh = Warehouse(code="HN", name="Kho")
    variant = ProductVariant(product=Product(name="Áo", sku="AT"), sku="AT-M")
    session.add_all([wh, variant])
    session.commit()
    ledger.record_opening_stock(session, variant.id, wh.id, 5)
    return session, variant.id, wh.id


def figures(session, v, w):
    return session.execute(sa.select(StockLevel.on_hand, StockLevel.reserved,
                                     StockLevel.available)).one()


def test_reserve_all_or_nothing_names_the_sku_and_what_is_free(stock):
    session, v, w = stock
    assert reservations.reserve(session, v, w, 3) == 3
    with pytest.raises(InsufficientStock) as err:
        reservations.reserve(session, v, w, 3)
    assert "AT-M" in str(err.value) and "2 available" in str(err.value)
    session.commit()
    assert tuple(figures(session, v, w)) == (5, 3, 2)


def test_partial_reserve_takes_what_is_free_and_nothing_when_empty(stock):
    session, v, w = stock
    assert reservations.reserve(session, v, w, 4, partial=True) == 4
    assert reservations.reserve(session, v, w, 4, partial=True) == 1
    assert reservations.reserve(session, v, w, 4, partial=True) == 0
    session.commit()
    assert tuple(figures(session, v, w)) == (5, 5, 0)


def test_a_variant_never_stocked_here_has_nothing_to_reserve(stock):
    session, v, _ = stock
    other = Warehouse(code="HCM", name="Kho 2")
    session.add(other)
    session.commit()
    assert reservations.reserve(session, v, other.id, 1, partial=True) == 0
    with pytest.raises(InsufficientStock):
        reservations.reserve(session, v, other.id, 1)


def test_release_gives_back_and_refuses_more_than_is_reserved(stock):
    session, v, w = stock
    reservations.reserve(session, v, w, 2)
    reservations.release(session, v, w, 1)
    with pytest.raises(DomainError, match="fewer are reserved"):
        reservations.release(session, v, w, 2)
    session.commit()
    assert tuple(figures(session, v, w)) == (5, 1, 4)


def test_a_loaded_level_is_refreshed_after_a_reservation(stock):
    session, v, w = stock
    level = session.scalars(sa.select(StockLevel)).one()
    assert level.available == 5
    reservations.reserve(session, v, w, 2)
    assert (level.reserved, level.available) == (2, 3)


def test_lines_are_topped_up_and_report_their_shortfall(stock):
    session, v, w = stock
    order = Order(buyer_name="A", warehouse_id=w, lines=[
        OrderLine(variant_id=v, sku="AT-M", name="Áo", quantity=4),
        OrderLine(variant_id=None, sku="??", name="?", quantity=1),
        OrderLine(variant_id=v, sku="AT-M", name="Áo", quantity=3)])
    session.add(order)
    session.commit()
    results = reservations.reserve_lines(session, order.lines, w)
    assert [(r.reserved, r.status) for r in results] == \
        [(4, "reserved"), (0, "short by 1"), (1, "short by 2")]
    assert [ln.reserved_quantity for ln in order.lines] == [4, 0, 1]
    assert reservations.release_line(session, order.lines[0], w, 10) == 4
    session.commit()
    assert tuple(figures(session, v, w)) == (5, 1, 4)
