"""The stock ledger: every change to on hand is a move written with its level, and verify finds drift."""
import pytest
import sqlalchemy as sa

from app.services.stock_verify import verify_stock
from app.models import MoveKind, Product, ProductVariant, StockLevel, StockMove, Warehouse
from app.services import ledger
from app.services.actor import acting_as
from app.services.errors import InsufficientStock, ValidationError


@pytest.fixture
def stock(session):
    hn = Warehouse(code="HN", name="Kho Hà Nội")
    hcm = Warehouse(code="HCM", name="Kho Hồ Chí Minh")
    product = Product(name="Áo thun", sku="AT", selling_price=150000, cost_price=90000)
    variant = ProductVariant(product=product, sku="AT-M")
    session.add_all([hn, hcm, product, variant])
    session.commit()
    return session, variant.id, hn.id, hcm.id


def level(session, variant_id, warehouse_id):
    session.expire_all()
    return session.scalars(sa.select(StockLevel).where(
        StockLevel.variant_id == variant_id, StockLevel.warehouse_id == warehouse_id)).one()


def test_opening_stock_creates_the_level_and_a_move_with_balance(stock):
    session, v, hn, _ = stock
    ledger.record_opening_stock(session, v, hn, 10)
    move = ledger.record_receipt(session, v, hn, 5,
                                 reference=ledger.MoveReference("goods_receipt", 7, "GR-000007"))
    assert level(session, v, hn).on_hand == 15
    assert move.balance_after == 15 and move.kind == MoveKind.RECEIPT
    assert (move.reference_type, move.reference_id, move.reference) == \
        ("goods_receipt", 7, "GR-000007")
    assert verify_stock(session) == []


def test_moves_record_the_acting_user(stock):
    session, v, hn, _ = stock
    session.execute(sa.text("INSERT INTO ab_user (id, first_name, last_name, username, email, "
                            "active) VALUES (5, 'Lan', 'Nguyễn', 'lan', 'lan@x.vn', true)"))
    session.commit()
    with acting_as(5, "lan"):
        move = ledger.record_opening_stock(session, v, hn, 3)
    assert move.user_id == 5


def test_damage_and_adjustment_need_a_reason_and_cannot_take_reserved_goods(stock):
    session, v, hn, _ = stock
    ledger.record_opening_stock(session, v, hn, 5)
    with pytest.raises(ValidationError) as err:
        ledger.record_damage(session, v, hn, 1, reason=" ")
    assert err.value.field == "reason"
    ledger.record_damage(session, v, hn, 2, reason="Rách khi kiểm hàng")
    ledger.record_adjustment(session, v, hn, -1, reason="Miscounted opening")
    assert level(session, v, hn).on_hand == 2
    session.execute(sa.update(StockLevel).values(reserved=2))  # two units promised to orders
    session.commit()
    with pytest.raises(InsufficientStock) as err:
        ledger.record_damage(session, v, hn, 1, reason="broken")
    assert "0 available" in str(err.value)
    assert level(session, v, hn).on_hand == 2
    assert session.scalar(sa.select(sa.func.count()).select_from(StockMove)) == 3


def test_transfer_writes_a_move_out_and_a_move_in(stock):
    session, v, hn, hcm = stock
    ledger.record_opening_stock(session, v, hn, 8)
    out, into = ledger.transfer_stock(session, v, hn, hcm, 3)
    assert (out.quantity, out.balance_after, into.quantity, into.balance_after) == (-3, 5, 3, 3)
    assert out.reference == "Transfer HN → HCM"
    with pytest.raises(InsufficientStock):
        ledger.transfer_stock(session, v, hn, hcm, 6)
    with pytest.raises(ValidationError):
        ledger.transfer_stock(session, v, hn, hn, 1)
    assert (level(session, v, hn).on_hand, level(session, v, hcm).on_hand) == (5, 3)
    assert verify_stock(session) == []


def test_quantities_must_be_whole_and_positive(stock):
    session, v, hn, _ = stock
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValidationError):
            ledger.record_opening_stock(session, v, hn, bad)
    with pytest.raises(ValidationError):
        ledger.record_adjustment(session, v, hn, 0, reason="x")


def test_a_refused_use_case_leaves_nothing_behind(stock):
    session, v, hn, hcm = stock
    ledger.record_opening_stock(session, v, hn, 2)
    with pytest.raises(InsufficientStock):
        ledger.transfer_stock(session, v, hn, hcm, 3)
    assert session.scalar(sa.select(sa.func.count()).select_from(StockMove)) == 1


def test_commit_false_lets_the_caller_compose_and_roll_back(stock):
    session, v, hn, hcm = stock
    ledger.record_opening_stock(session, v, hn, 4, commit=False)
    ledger.transfer_stock(session, v, hn, hcm, 1, commit=False)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(StockMove)) == 0


def test_verify_reports_a_level_that_drifted_from_the_ledger(stock):
    session, v, hn, _ = stock
    ledger.record_opening_stock(session, v, hn, 4)
    session.execute(sa.update(StockLevel).values(on_hand=6, reserved=1))
    session.commit()
    found = {(d.field, d.recorded, d.expected) for d in verify_stock(session)}
    assert found == {("on_hand", 6, 4), ("reserved", 1, 0)}
    assert "AT-M @ HN: on_hand is 6, the ledger give 4" in str(verify_stock(session)[0])
