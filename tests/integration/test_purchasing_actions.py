"""Buying when stock runs short, through the panel and the REST API: an order's shortage → draft
purchase order → approve (a supervisor's) → partial receipt → received → the waiting order reserved;
drafting from the low-stock list of a warehouse or of selected variants; bulk approve as a job."""
import sqlalchemy as sa

from app.extensions import db
from app.models import (GoodsReceipt, GoodsReceiptLine, Job, JobStatus, MoveKind, Order,
                        OrderLine, ProductVariant, PurchaseOrder, PurchaseOrderStatus, StockMove,
                        Supplier, Warehouse)
from tests.conftest import api_token, login
from tests.integration.test_jobs import _wait_for
from tests.support import seed
from tests.support.panel import assert_ledger_clean, level, text
from tests.support.web_backends import any_web_app  # noqa: F401  (fixture)


def _shop_with_supplier(app, stock=None, preferred=True):
    with app.app_context():
        wh, variants = seed.shop(db.session, stock)
        supplier = Supplier(name="Công ty May Việt Tiến", tax_code="0300401524")
        db.session.add(supplier)
        db.session.flush()
        if preferred:
            for v in variants.values():
                v.preferred_supplier_id = supplier.id
        db.session.commit()
        return wh.id, {sku: v.id for sku, v in variants.items()}, supplier.id


def _po(app, po_id):
    with app.app_context():
        db.session.expire_all()
        po = db.session.get(PurchaseOrder, po_id)
        return po.status, {ln.variant.sku: (ln.quantity, ln.received_quantity) for ln in po.lines}


def _line_short(app, order_id, sku):
    with app.app_context():
        db.session.expire_all()
        line = db.session.scalar(sa.select(OrderLine).where(OrderLine.order_id == order_id,
                                                            OrderLine.sku == sku))
        return line.short_by


def _redirect_id(resp):
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_shortage_to_purchase_order_to_receipt_reserves_the_waiting_order(any_web_app):
    app = any_web_app
    _, ids, supplier_id = _shop_with_supplier(app, {"AO-M": 5, "AO-L": 1})
    with app.app_context():
        wh = db.session.scalar(sa.select(Warehouse))
        variants = {v.sku: v for v in db.session.scalars(sa.select(ProductVariant))}
        order_id = seed.order(db.session, wh, variants, {"AO-L": 4}).id
    clerk = app.test_client()
    login(clerk, "clerk")
    resp = clerk.post(f"/orderview/action/confirm/{order_id}", follow_redirects=True)
    assert "AO-L: short by 3" in text(resp)

    resp = clerk.post(f"/orderview/action/draft_purchase_order/{order_id}")
    assert resp.headers["Location"].endswith(f"/orderview/shortage/{order_id}")
    page = text(clerk.get(resp.headers["Location"]))
    assert "AO-L" in page and "Công ty May Việt Tiến" in page  # the remembered supplier
    resp = clerk.post(f"/orderview/shortage/{order_id}",
                      data={f"supplier_{ids['AO-L']}": str(supplier_id)})
    assert resp.status_code == 302 and "/purchaseorderview/show/" in resp.headers["Location"]
    po_id = _redirect_id(resp)
    # A second click drafts nothing more: the shortage is on order now.
    again = clerk.post(f"/orderview/shortage/{order_id}",
                       data={f"supplier_{ids['AO-L']}": str(supplier_id)}, follow_redirects=True)
    assert "already on open purchase orders" in text(again)
    with app.app_context():
        assert db.session.query(PurchaseOrder).count() == 1
    assert _po(app, po_id) == (PurchaseOrderStatus.DRAFT, {"AO-L": (3, 0)})
    with app.app_context():
        line_id = db.session.get(PurchaseOrder, po_id).lines[0].id

    # Receiving a draft is refused, naming its state; approving is a supervisor's.
    assert "it is draft" in text(clerk.get(f"/purchaseorderview/receive/{po_id}"))
    resp = clerk.post(f"/purchaseorderview/receive/{po_id}", data={f"qty_{line_id}": "1"},
                      follow_redirects=True)
    assert "Cannot receive goods for this purchase order: it is draft." in text(resp)
    clerk.post(f"/purchaseorderview/action/approve/{po_id}")
    assert _po(app, po_id)[0] == PurchaseOrderStatus.DRAFT
    assert clerk.post(f"/api/v1/purchase_order/{po_id}/approve", json={},
                      headers=api_token(clerk, "clerk")).status_code == 403
    sup = app.test_client()
    login(sup, "supervisor")
    resp = sup.post(f"/purchaseorderview/action/approve/{po_id}", follow_redirects=True)
    assert "approved" in text(resp)
    assert _po(app, po_id)[0] == PurchaseOrderStatus.CONFIRMED
    resp = sup.post(f"/purchaseorderview/action/approve/{po_id}", follow_redirects=True)
    assert "Cannot approve this purchase order: it is confirmed." in text(resp)

    # Partial receipt in the panel: the form lists the outstanding line; the waiting order gets 1.
    page = text(clerk.get(f"/purchaseorderview/receive/{po_id}"))
    assert "AO-L" in page and "Outstanding" in page
    resp = clerk.post(f"/purchaseorderview/receive/{po_id}",
                      data={f"qty_{line_id}": "5"}, follow_redirects=True)
    assert "AO-L: 5 received but only 3 of 3 still expected" in text(resp)
    resp = clerk.post(f"/purchaseorderview/receive/{po_id}",
                      data={f"qty_{line_id}": "một"}, follow_redirects=True)
    assert "AO-L quantity: “một” is not a whole number" in text(resp)
    resp = clerk.post(f"/purchaseorderview/receive/{po_id}",
                      data={f"qty_{line_id}": "1", "note": "Phiếu giao 0012",
                            "reserve_waiting": "1"}, follow_redirects=True)
    page = text(resp)
    assert "partially received" in page and "still short by 2" in page
    assert _po(app, po_id) == (PurchaseOrderStatus.PARTIALLY_RECEIVED, {"AO-L": (3, 1)})
    assert _line_short(app, order_id, "AO-L") == 2
    assert level(app, "AO-L") == (2, 2)

    # The rest over the REST API: the PO is received and the order fully reserved.
    api = api_token(clerk, "clerk")
    bad = clerk.post(f"/api/v1/purchase_order/{po_id}/receive", json={"lines": {"x": 1}},
                     headers=api)
    assert bad.status_code == 422 and "lines[x]" in bad.json["errors"]
    resp = clerk.post(f"/api/v1/purchase_order/{po_id}/receive",
                      json={"lines": {str(line_id): 2}}, headers=api)
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "received" and resp.json["reserved_orders"] == [order_id]
    assert _po(app, po_id) == (PurchaseOrderStatus.RECEIVED, {"AO-L": (3, 3)})
    assert _line_short(app, order_id, "AO-L") == 0
    again = clerk.post(f"/api/v1/purchase_order/{po_id}/receive",
                       json={"lines": {str(line_id): 1}}, headers=api)
    assert again.status_code in (409, 422) and "received" in again.json["message"]
    resp = clerk.post(f"/orderview/action/pack/{order_id}", follow_redirects=True)
    with app.app_context():
        assert db.session.get(Order, order_id).status.value == "packed"
        receipts = db.session.scalars(sa.select(StockMove).where(
            StockMove.kind == MoveKind.RECEIPT)).all()
        assert sorted(m.quantity for m in receipts) == [1, 2]
    assert_ledger_clean(app)


def test_draft_goods_receipt_posted_then_waiting_orders_reserved(any_web_app):
    app = any_web_app
    wh_id, variant_ids, supplier_id = _shop_with_supplier(app, {"AO-M": 0, "AO-L": 0})
    with app.app_context():
        wh = db.session.get(Warehouse, wh_id)
        variants = {v.sku: v for v in db.session.scalars(sa.select(ProductVariant))}
        order_id = seed.order(db.session, wh, variants, {"AO-M": 2}).id
        receipt = GoodsReceipt(supplier_id=supplier_id, warehouse_id=wh_id,
                               lines=[GoodsReceiptLine(variant_id=variant_ids["AO-M"],
                                                       quantity=2)])
        db.session.add(receipt)
        db.session.commit()
        receipt_id = receipt.id
    clerk = app.test_client()
    login(clerk, "clerk")
    clerk.post(f"/orderview/action/confirm/{order_id}")
    assert _line_short(app, order_id, "AO-M") == 2
    resp = clerk.post(f"/goodsreceiptview/action/post_receipt/{receipt_id}", follow_redirects=True)
    assert "posted into stock" in text(resp)
    assert level(app, "AO-M") == (2, 0)
    resp = clerk.post(f"/goodsreceiptview/action/post_receipt/{receipt_id}", follow_redirects=True)
    assert "Cannot post this goods receipt: it is posted." in text(resp)
    resp = clerk.post(f"/goodsreceiptview/action/reserve_waiting_orders/{receipt_id}",
                      follow_redirects=True)
    assert "fully reserved" in text(resp)
    assert level(app, "AO-M") == (2, 2) and _line_short(app, order_id, "AO-M") == 0
    resp = clerk.post(f"/goodsreceiptview/action/reserve_waiting_orders/{receipt_id}",
                      follow_redirects=True)
    assert "No order was waiting for these goods." in text(resp)
    assert_ledger_clean(app)


def test_low_stock_list_drafts_purchase_orders(any_web_app):
    app = any_web_app
    wh_id, variant_ids, supplier_id = _shop_with_supplier(app, {"AO-M": 5, "AO-L": 1})
    with app.app_context():
        db.session.get(ProductVariant, variant_ids["AO-M"]).reorder_point = 10
        product = db.session.get(ProductVariant, variant_ids["AO-M"]).product
        new = ProductVariant(product=product, sku="AO-S", value_1="S", reorder_point=3)
        other = Supplier(name="Xưởng dệt Thành Công")
        db.session.add_all([new, other])
        db.session.commit()
        new_id, other_id = new.id, other.id
    clerk = app.test_client()
    login(clerk, "clerk")
    page = text(clerk.get(f"/warehouseview/low_stock/{wh_id}"))
    assert "AO-M" in page and "AO-S" in page and "AO-L" not in page
    # AO-S has no remembered supplier: refused naming the field, nothing drafted.
    resp = clerk.post(f"/warehouseview/low_stock/{wh_id}", data={"supplier_id": ""},
                      follow_redirects=True)
    assert "supplier_id: AO-S has no preferred supplier" in text(resp)
    with app.app_context():
        assert db.session.query(PurchaseOrder).count() == 0
    resp = clerk.post(f"/warehouseview/low_stock/{wh_id}", data={"supplier_id": str(other_id)})
    po_id = _redirect_id(resp)
    # Bought up to twice the reorder point: AO-M 2×10 − 5, AO-S 2×3 − 0.
    assert _po(app, po_id) == (PurchaseOrderStatus.DRAFT, {"AO-M": (15, 0), "AO-S": (6, 0)})
    with app.app_context():
        assert db.session.get(ProductVariant, new_id).preferred_supplier_id == other_id
        assert db.session.get(ProductVariant, variant_ids["AO-M"]).preferred_supplier_id \
            == supplier_id

    # Selected variants: a clerk may not do several at once; a supervisor may. What is already on
    # order is not bought twice.
    ids = [variant_ids["AO-M"], variant_ids["AO-L"]]
    resp = clerk.post("/productvariantview/action_post",
                      data={"action": "bulk_draft_purchase_order", "rowid": ids})
    assert resp.status_code == 302
    assert "not allowed" in text(clerk.get("/productvariantview/list/"))
    resp = clerk.get(f"/productvariantview/draft_purchase_order?ids={ids[0]},{ids[1]}",
                     follow_redirects=True)
    assert "Drafting for several variants at once is a supervisor's action." in text(resp)
    sup = app.test_client()
    login(sup, "supervisor")
    resp = sup.post("/productvariantview/action_post",
                    data={"action": "bulk_draft_purchase_order", "rowid": ids})
    assert "/productvariantview/draft_purchase_order" in resp.headers["Location"]
    page = text(sup.get(resp.headers["Location"]))
    assert "AO-M" in page and "— not low" in page
    resp = sup.post("/productvariantview/draft_purchase_order",
                    data={"ids": ",".join(map(str, ids)), "warehouse_id": str(wh_id),
                          "supplier_id": "", "draft": "1"}, follow_redirects=True)
    assert "variant_ids: Nothing is below its reorder point." in text(resp)
    with app.app_context():
        db.session.get(ProductVariant, variant_ids["AO-L"]).reorder_point = 4
        db.session.commit()
    resp = sup.post("/productvariantview/draft_purchase_order",
                    data={"ids": ",".join(map(str, ids)), "warehouse_id": str(wh_id),
                          "supplier_id": "", "draft": "1"})
    assert _po(app, _redirect_id(resp)) == (PurchaseOrderStatus.DRAFT, {"AO-L": (7, 0)})


def test_bulk_approve_runs_as_a_job_for_supervisors(any_web_app):
    app = any_web_app
    _, variant_ids, supplier_id = _shop_with_supplier(app, {"AO-M": 0, "AO-L": 0})
    with app.app_context():
        for v in variant_ids.values():
            db.session.get(ProductVariant, v).reorder_point = 2
        db.session.commit()
        wh_id = db.session.scalar(sa.select(Warehouse.id))
    sup = app.test_client()
    login(sup, "supervisor")
    sup.post(f"/warehouseview/low_stock/{wh_id}", data={"supplier_id": ""})
    with app.app_context():
        po_ids = list(db.session.scalars(sa.select(PurchaseOrder.id)))
        cancelled = PurchaseOrder(supplier_id=supplier_id, warehouse_id=wh_id,
                                  status=PurchaseOrderStatus.CANCELLED)
        db.session.add(cancelled)
        db.session.commit()
        po_ids.append(cancelled.id)
    clerk = app.test_client()
    login(clerk, "clerk")
    clerk.post("/purchaseorderview/action_post", data={"action": "bulk_approve", "rowid": po_ids})
    with app.app_context():
        assert db.session.query(Job).count() == 0
    resp = sup.post("/purchaseorderview/action_post",
                    data={"action": "bulk_approve", "rowid": po_ids})
    job = _wait_for(app, _redirect_id(resp))
    assert job.status == JobStatus.FINISHED and job.result == {"done": 1, "skipped": 1}
    assert any("it is cancelled" in m["text"] for m in job.messages)
    assert _po(app, po_ids[0])[0] == PurchaseOrderStatus.CONFIRMED
