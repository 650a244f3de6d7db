"""A supervisor's stock corrections from a stock level: adjust up or down with a reason, write off
damaged goods, transfer to another warehouse. Clerks are refused; refusals name the field or the
figure; the ledger sums to the stock levels afterwards."""
import sqlalchemy as sa

from app.extensions import db
from app.models import MoveKind, ProductVariant, StockLevel, StockMove, Warehouse
from tests.conftest import login
from tests.support import seed
from tests.support.panel import assert_ledger_clean, level, text
from tests.support.web_backends import any_web_app  # noqa: F401  (fixture)


def _setup(app):
    with app.app_context():
        wh, variants = seed.shop(db.session, {"AO-M": 5, "AO-L": 1})
        hn = Warehouse(code="HN", name="Kho Hà Nội")
        db.session.add(hn)
        db.session.commit()
        # One unit of AO-M is held by an open order: it cannot be written off or transferred.
        orders_wh = db.session.get(Warehouse, wh.id)
        order = seed.order(db.session, orders_wh, variants, {"AO-M": 1})
        from app.services.orders import confirm_order
        confirm_order(db.session, order.id)
        level_id = db.session.scalar(sa.select(StockLevel.id).join(ProductVariant).where(
            ProductVariant.sku == "AO-M", StockLevel.warehouse_id == wh.id))
        return level_id, hn.id


def _moves(app, kind):
    with app.app_context():
        return [(m.warehouse.code, m.quantity, m.note) for m in db.session.scalars(
            sa.select(StockMove).where(StockMove.kind == kind).order_by(StockMove.id))]


def test_adjust_and_write_off(any_web_app):
    app = any_web_app
    level_id, _ = _setup(app)
    clerk = app.test_client()
    login(clerk, "clerk")
    assert clerk.get(f"/stocklevelview/adjust/{level_id}").status_code == 403
    clerk.post(f"/stocklevelview/action/adjust/{level_id}")
    assert clerk.post(f"/stocklevelview/adjust/{level_id}",
                      data={"quantity": "3", "reason": "x"}).status_code == 403
    sup = app.test_client()
    login(sup, "supervisor")
    resp = sup.post(f"/stocklevelview/action/adjust/{level_id}")
    assert resp.headers["Location"].endswith(f"/stocklevelview/adjust/{level_id}")
    page = text(sup.get(f"/stocklevelview/adjust/{level_id}"))
    assert "AO-M @ HCM" in page and "Damage write-off" in page

    resp = sup.post(f"/stocklevelview/adjust/{level_id}", data={"quantity": "3", "reason": ""},
                    follow_redirects=True)
    assert "reason: Say why the stock is adjusted." in text(resp)
    resp = sup.post(f"/stocklevelview/adjust/{level_id}", data={"quantity": "ba", "reason": "x"},
                    follow_redirects=True)
    assert "Quantity: “ba” is not a whole number" in text(resp)
    resp = sup.post(f"/stocklevelview/adjust/{level_id}",
                    data={"kind": "adjustment", "quantity": "+3", "reason": "Tìm thấy thêm hàng"},
                    follow_redirects=True)
    assert "Stock adjusted by +3; on hand is now 8." in text(resp)
    resp = sup.post(f"/stocklevelview/adjust/{level_id}",
                    data={"kind": "adjustment", "quantity": "-8", "reason": "Nhập sai"},
                    follow_redirects=True)
    assert "Not enough stock of AO-M in HCM: 8 requested, 7 available." in text(resp)
    assert level(app, "AO-M") == (8, 1)

    resp = sup.post(f"/stocklevelview/adjust/{level_id}",
                    data={"kind": "damage", "quantity": "2", "reason": "Ướt do dột mái"},
                    follow_redirects=True)
    assert "2 unit(s) written off; on hand is now 6." in text(resp)
    resp = sup.post(f"/stocklevelview/adjust/{level_id}",
                    data={"kind": "damage", "quantity": "-2", "reason": "x"},
                    follow_redirects=True)
    assert "quantity: The quantity must be a whole number above zero" in text(resp)
    assert level(app, "AO-M") == (6, 1)
    assert _moves(app, MoveKind.ADJUSTMENT) == [("HCM", 3, "Tìm thấy thêm hàng")]
    assert _moves(app, MoveKind.DAMAGE) == [("HCM", -2, "Ướt do dột mái")]
    assert_ledger_clean(app)


def test_transfer_to_another_warehouse(any_web_app):
    app = any_web_app
    level_id, hn_id = _setup(app)
    clerk = app.test_client()
    login(clerk, "clerk")
    assert clerk.get(f"/stocklevelview/transfer/{level_id}").status_code == 403
    sup = app.test_client()
    login(sup, "supervisor")
    page = text(sup.get(f"/stocklevelview/transfer/{level_id}"))
    assert "Kho Hà Nội" in page and "free to transfer" in page
    resp = sup.post(f"/stocklevelview/transfer/{level_id}", data={"quantity": "2"},
                    follow_redirects=True)
    assert "to_warehouse_id: choose the warehouse the goods go to." in text(resp)
    resp = sup.post(f"/stocklevelview/transfer/{level_id}",
                    data={"to_warehouse_id": str(hn_id), "quantity": "5"}, follow_redirects=True)
    assert "Not enough stock of AO-M in HCM: 5 requested, 4 available." in text(resp)
    with app.app_context():
        here = db.session.get(StockLevel, level_id).warehouse_id
    resp = sup.post(f"/stocklevelview/transfer/{level_id}",
                    data={"to_warehouse_id": str(here), "quantity": "1"}, follow_redirects=True)
    assert "to_warehouse_id: Choose a destination other than the source" in text(resp)
    resp = sup.post(f"/stocklevelview/transfer/{level_id}",
                    data={"to_warehouse_id": str(hn_id), "quantity": "4", "note": "Bổ sung HN"},
                    follow_redirects=True)
    assert "4 unit(s) transferred: 1 left here, 4 now in the destination." in text(resp)
    assert level(app, "AO-M", "HCM") == (1, 1) and level(app, "AO-M", "HN") == (4, 0)
    assert _moves(app, MoveKind.TRANSFER) == [("HCM", -4, "Bổ sung HN"), ("HN", 4, "Bổ sung HN")]
    assert_ledger_clean(app)
