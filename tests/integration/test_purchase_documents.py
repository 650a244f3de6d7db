"""Purchase orders, goods receipts and stock count lines written by hand: a draft may change, an
approved PO / posted receipt / finished count may not — through the panel and the REST API alike;
and Inventory → Low stock drafts purchase orders for ticked rows."""
import sqlalchemy as sa

from app.extensions import db
from app.models import (GoodsReceipt, Order, ProductVariant, PurchaseOrder, PurchaseOrderLine,
                        StockCountLine, Supplier)
from app.services import orders, purchasing, stock_counts
from tests.conftest import api_token, login
from tests.integration.test_purchasing_actions import _shop_with_supplier
from tests.support import seed
from tests.support.panel import text


def _draft_po(app, quantities):
    wh_id, ids, supplier_id = _shop_with_supplier(app, {"AO-M": 0, "AO-L": 0})
    with app.app_context():
        po = PurchaseOrder(supplier_id=supplier_id, warehouse_id=wh_id, lines=[
            PurchaseOrderLine(variant_id=ids[sku], quantity=q, unit_price=90000)
            for sku, q in quantities.items()])
        db.session.add(po)
        db.session.commit()
        return po.id, [ln.id for ln in po.lines], wh_id, supplier_id


def _po(app, po_id):
    with app.app_context():
        db.session.expire_all()
        po = db.session.get(PurchaseOrder, po_id)
        return po.status.value, int(po.total), sorted(ln.quantity for ln in po.lines)


def test_a_draft_po_changes_its_total_an_approved_one_refuses_changes(web_app):
    po_id, line_ids, wh_id, supplier_id = _draft_po(web_app, {"AO-M": 2})
    clerk = web_app.test_client()
    login(clerk, "clerk")
    clerk.post(f"/purchaseorderlineview/edit/{line_ids[0]}",
               data={"quantity": "4", "unit_price": "90000"})
    assert _po(web_app, po_id) == ("draft", 360000, [4])
    sup = web_app.test_client()
    login(sup, "supervisor")
    sup.post(f"/purchaseorderview/action/approve/{po_id}")
    resp = clerk.post(f"/purchaseorderlineview/edit/{line_ids[0]}",
                      data={"quantity": "99", "unit_price": "1"}, follow_redirects=True)
    assert "it is confirmed" in text(resp)
    resp = clerk.get(f"/purchaseorderlineview/delete/{line_ids[0]}", follow_redirects=True)
    assert _po(web_app, po_id) == ("confirmed", 360000, [4])
    api = api_token(clerk, "clerk")
    with web_app.app_context():
        other = Supplier(name="Xưởng khác")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    resp = clerk.put(f"/api/v1/purchase_order/{po_id}", headers=api, json={"supplier": other_id})
    assert resp.status_code == 409 and "it is confirmed" in resp.json["message"]
    resp = clerk.put(f"/api/v1/purchase_order/{po_id}", headers=api, json={"note": "Giao sáng"})
    assert resp.status_code == 200, resp.json
    resp = clerk.put(f"/api/v1/purchase_order/{po_id}", headers=api,
                     json={"expected_date": "ngày mai"})
    assert resp.status_code == 422 and "expected_date" in resp.json["errors"]
    with web_app.app_context():
        po = db.session.get(PurchaseOrder, po_id)
        assert (po.supplier_id, po.note) == (supplier_id, "Giao sáng")


def test_a_posted_receipt_and_its_lines_stay_as_posted(web_app):
    po_id, line_ids, wh_id, _ = _draft_po(web_app, {"AO-M": 3})
    with web_app.app_context():
        purchasing.approve_purchase_order(db.session, po_id)
        receipt = purchasing.receive_goods(db.session, po_id, {line_ids[0]: 2})
        receipt_id, receipt_line_id = receipt.id, receipt.lines[0].id
    clerk = web_app.test_client()
    login(clerk, "clerk")
    resp = clerk.post(f"/goodsreceiptlineview/edit/{receipt_line_id}",
                      data={"quantity": "50", "unit_cost": "0"}, follow_redirects=True)
    assert "it is posted" in text(resp)
    api = api_token(clerk, "clerk")
    resp = clerk.put(f"/api/v1/goods_receipt/{receipt_id}", headers=api, json={"note": "sửa"})
    assert resp.status_code == 409 and "posted" in resp.json["message"]
    with web_app.app_context():
        assert db.session.get(GoodsReceipt, receipt_id).lines[0].quantity == 2


def test_a_counted_or_posted_count_line_cannot_be_changed(web_app):
    with web_app.app_context():
        wh, variants = seed.shop(db.session, {"AO-M": 5, "AO-L": 1})
        count = stock_counts.create_stock_count(db.session, wh.id)
        stock_counts.enter_counts(db.session, count.id, {v.id: 5 for v in variants.values()})
        stock_counts.finish_count(db.session, count.id)
        stock_counts.post_stock_count(db.session, count.id)
        line_id, wh_id = count.lines[0].id, wh.id
    clerk = web_app.test_client()
    login(clerk, "clerk")
    resp = clerk.post(f"/stockcountlineview/edit/{line_id}", data={"counted_quantity": "99"},
                      follow_redirects=True)
    assert "Cannot enter counts on this stock count: it is posted." in text(resp)
    with web_app.app_context():
        assert db.session.get(StockCountLine, line_id).counted_quantity == 5
    api = api_token(clerk, "clerk")
    resp = clerk.post("/api/v1/stock_count/", headers=api, json={"warehouse": wh_id})
    assert resp.status_code == 201, resp.json
    with web_app.app_context():
        assert len(db.session.get(type(count), resp.json["id"]).lines) == 2  # with its snapshot


def test_low_stock_page_drafts_for_ticked_rows_and_counts_what_is_on_order(web_app):
    wh_id, ids, supplier_id = _shop_with_supplier(web_app, {"AO-M": 1, "AO-L": 1},
                                                  preferred=False)
    with web_app.app_context():
        for v in db.session.scalars(sa.select(ProductVariant)):
            v.reorder_point = 4
        db.session.commit()
    clerk = web_app.test_client()
    login(clerk, "clerk")
    page = text(clerk.get("/low-stock/"))
    assert "AO-M" in page and "AO-L" in page and "Low stock" in page
    resp = clerk.post("/low-stock/draft", data={"warehouse_id": wh_id, "variant_id": [ids["AO-M"]]})
    assert "AO-M has no preferred supplier" in text(resp)
    resp = clerk.post("/low-stock/draft", data={"warehouse_id": wh_id, "variant_id": [ids["AO-M"]],
                                                f"supplier_{ids['AO-M']}": str(supplier_id)})
    assert resp.status_code == 302
    with web_app.app_context():
        [po] = db.session.scalars(sa.select(PurchaseOrder)).all()
        assert [(ln.variant_id, ln.quantity) for ln in po.lines] == [(ids["AO-M"], 7)]  # 2×4 − 1
        assert db.session.get(ProductVariant, ids["AO-M"]).preferred_supplier_id == supplier_id
    page = text(clerk.get("/low-stock/"))
    assert "covered by what is on order" in page


def test_shortage_of_a_new_order_is_not_drafted_and_free_stock_is_not_bought(web_app):
    _, ids, _ = _shop_with_supplier(web_app, {"AO-M": 10, "AO-L": 0})
    with web_app.app_context():
        wh_variants = {v.sku: v for v in db.session.scalars(sa.select(ProductVariant))}
        wh = wh_variants["AO-M"].stock_levels[0].warehouse
        new = seed.order(db.session, wh, wh_variants, {"AO-M": 4})
        new_id = new.id
    clerk = web_app.test_client()
    login(clerk, "clerk")
    page = text(clerk.get(f"/orderview/shortage/{new_id}"))
    assert "Cannot draft a purchase order for this order: it is new." in page
    with web_app.app_context():
        orders.confirm_order(db.session, new_id)
        assert db.session.get(Order, new_id).status.value == "processing"
    page = text(clerk.get(f"/orderview/shortage/{new_id}"))
    assert "Nothing to buy" in page
    with web_app.app_context():
        assert db.session.query(PurchaseOrder).count() == 0
