"""Money and quantities typed the way sellers type them, on every kind of form: the generated
product, variant and purchase forms, the stock pages, the REST API. ``289.000`` is 289 000 ₫ in
English as in Vietnamese, ``289k`` and ``1tr2`` are read, the ambiguous is refused with the rule
in the reader's language, and amounts are shown back without decimals."""
from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.models import Product, ProductVariant, PurchaseOrder, PurchaseOrderLine, StockLevel, Supplier
from tests.conftest import api_token, login
from tests.support import seed
from tests.support.panel import level, text

PRODUCT = {"sku": "AO-POLO", "name": "Áo polo", "vat_rate": "10", "active": "y"}


def _product(app, sku):
    with app.app_context():
        db.session.expire_all()
        p = db.session.scalars(sa.select(Product).where(Product.sku == sku)).first()
        return None if p is None else (int(p.cost_price), int(p.selling_price))


def test_product_prices_typed_the_vietnamese_way_in_english(web_app):
    clerk = web_app.test_client()
    login(clerk, "clerk")
    resp = clerk.post("/productview/add", data={**PRODUCT, "cost_price": "149k",
                                                "selling_price": "289.000"})
    assert resp.status_code == 302, text(resp)[-2000:]
    assert _product(web_app, "AO-POLO") == (149_000, 289_000)  # not 289 ₫, not −51803 % margin
    listed = text(clerk.get("/productview/list/"))
    assert "289,000 ₫" in listed and "289.000" not in listed and "289,000.00" not in listed
    with web_app.app_context():
        pk = db.session.scalar(sa.select(Product.id).where(Product.sku == "AO-POLO"))
    form = text(clerk.get(f"/productview/edit/{pk}"))
    assert 'value="289,000"' in form and 'value="149,000"' in form and ".00" not in form
    resp = clerk.post("/productview/add", data={**PRODUCT, "sku": "AO-2", "cost_price": "1.5",
                                                "selling_price": "1,50"})
    page = text(resp)
    assert resp.status_code == 200 and _product(web_app, "AO-2") is None
    assert "“1.5” is ambiguous" in page and "“1,50” is ambiguous" in page
    assert "Not a valid decimal value" not in page


def test_product_prices_in_vietnamese(web_app):
    clerk = web_app.test_client()
    login(clerk, "clerk")
    clerk.get("/lang/vi")
    resp = clerk.post("/productview/add", data={**PRODUCT, "cost_price": "150.000",
                                                "selling_price": "1.500.000"})
    assert resp.status_code == 302, text(resp)[-2000:]
    assert _product(web_app, "AO-POLO") == (150_000, 1_500_000)
    resp = clerk.post("/productview/add", data={**PRODUCT, "sku": "AO-3", "cost_price": "1tr2",
                                                "selling_price": "1,5tr"})
    assert resp.status_code == 302 and _product(web_app, "AO-3") == (1_200_000, 1_500_000)
    resp = clerk.post("/productview/add", data={**PRODUCT, "sku": "AO-4", "cost_price": "1,5",
                                                "selling_price": "12345678901234567890"})
    page = text(resp)
    assert "“1,5” không rõ nghĩa" in page and "quá lớn" in page
    assert "Not a valid decimal value" not in page and "is ambiguous" not in page
    with web_app.app_context():
        pk = db.session.scalar(sa.select(Product.id).where(Product.sku == "AO-POLO"))
    assert 'value="1.500.000"' in text(clerk.get(f"/productview/edit/{pk}"))


def test_variant_measures_and_purchase_lines_take_grouped_figures(web_app):
    with web_app.app_context():
        wh, variants = seed.shop(db.session)
        supplier = Supplier(name="Xưởng may")
        db.session.add(supplier)
        db.session.commit()
        po = PurchaseOrder(supplier_id=supplier.id, warehouse_id=wh.id)
        db.session.add(po)
        db.session.commit()
        po_id, variant_id = po.id, variants["AO-M"].id
    clerk = web_app.test_client()
    login(clerk, "clerk")
    resp = clerk.post(f"/productvariantview/edit/{variant_id}", data={
        "product": "1", "sku": "AO-M", "value_1": "M", "weight_g": "1.200", "length_cm": "30",
        "width_cm": "20", "height_cm": "2", "reorder_point": "1,000", "selling_price": "199k",
        "active": "y", "version_seen": "1"})
    assert resp.status_code == 302, text(resp)[-2000:]
    with web_app.app_context():
        v = db.session.get(ProductVariant, variant_id)
        assert (v.weight_g, v.reorder_point, int(v.selling_price)) == (1200, 1000, 199_000)
    resp = clerk.post("/purchaseorderlineview/add", data={
        "purchase_order": str(po_id), "variant": str(variant_id), "quantity": "1.000",
        "unit_price": "85.000"})
    assert resp.status_code == 302, text(resp)[-2000:]
    with web_app.app_context():
        line = db.session.scalars(sa.select(PurchaseOrderLine)).one()
        assert (line.quantity, int(line.unit_price)) == (1000, 85_000)
    resp = clerk.post("/purchaseorderlineview/add", data={
        "purchase_order": str(po_id), "variant": str(variant_id), "quantity": "2,5",
        "unit_price": "85.000"})
    assert "“2,5” is not a whole number: a quantity has no decimals." in text(resp)


def test_stock_pages_read_grouped_quantities_and_refuse_fractions(web_app):
    with web_app.app_context():
        seed.shop(db.session, {"AO-M": 5})
        level_id = db.session.scalar(sa.select(StockLevel.id))
    sup = web_app.test_client()
    login(sup, "supervisor")
    resp = sup.post(f"/stocklevelview/adjust/{level_id}",
                    data={"kind": "adjustment", "quantity": "1.000", "reason": "Nhập kho lẻ"},
                    follow_redirects=True)
    assert "on hand is now 1005" in text(resp) and level(web_app, "AO-M") == (1005, 0)
    resp = sup.post(f"/stocklevelview/adjust/{level_id}",
                    data={"kind": "adjustment", "quantity": "1.5", "reason": "x"},
                    follow_redirects=True)
    assert "Quantity: “1.5” is not a whole number" in text(resp)
    assert level(web_app, "AO-M") == (1005, 0)


def test_the_api_reads_amounts_sent_as_strings(web_app):
    client = web_app.test_client()
    clerk = api_token(client, "clerk")
    resp = client.post("/api/v1/product/", headers=clerk, json={
        "sku": "AO-API", "name": "Áo", "vat_rate": "10", "cost_price": "150.000",
        "selling_price": "289,000"})
    assert resp.status_code == 201, resp.json
    assert _product(web_app, "AO-API") == (150_000, 289_000)
    resp = client.post("/api/v1/product/", headers=clerk, json={
        "sku": "AO-API2", "name": "Áo", "vat_rate": "10", "cost_price": 150000,
        "selling_price": "1.5"})
    assert resp.status_code == 422 and "selling_price" in str(resp.json)
    assert re.search(r"ambiguous", str(resp.json)) and _product(web_app, "AO-API2") is None
