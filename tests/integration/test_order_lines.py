"""Lines added to and removed from an existing order, from its page, the line form and the REST API:
while it is new or processing, with the SKU, name and price taken from the variant and the
reservations following; refused in any other state with a message naming it."""
import re

from app.extensions import db
from app.models import Order, OrderLine
from app.services import orders
from tests.conftest import api_token, login
from tests.support import seed
from tests.support.panel import assert_ledger_clean, level, text
from tests.support.web_backends import any_web_app  # noqa: F401  (fixture)


def _order(app, quantities, *, confirm=False, stock=None):
    with app.app_context():
        wh, variants = seed.shop(db.session, stock)
        order = seed.order(db.session, wh, variants, quantities)
        if confirm:
            orders.confirm_order(db.session, order.id)
        return order.id, {k: v.id for k, v in variants.items()}


def _lines(app, order_id) -> dict:
    with app.app_context():
        db.session.expire_all()
        order = db.session.get(Order, order_id)
        return {ln.sku: (ln.quantity, int(ln.unit_price), ln.reserved_quantity, ln.name)
                for ln in order.lines}


def test_rest_adds_a_line_to_a_new_order_with_the_variants_snapshot(any_web_app):
    app = any_web_app
    order_id, variants = _order(app, {"AO-M": 1})
    client = app.test_client()
    clerk = api_token(client, "clerk")
    resp = client.post("/api/v1/order_line/", headers=clerk,
                       json={"order": order_id, "variant": variants["AO-L"], "quantity": 2})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.json["result"]["sku"] == "AO-L" and resp.json["result"]["name"] == "Áo thun cotton (L)"
    # Typed the Vietnamese way, as a string: 1.000 units at 289.000 ₫.
    resp = client.post("/api/v1/order_line/", headers=clerk,
                       json={"order": order_id, "variant": variants["AO-M"], "quantity": "1.000",
                             "unit_price": "289.000"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    bad = client.post("/api/v1/order_line/", headers=clerk,
                      json={"order": order_id, "variant": variants["AO-M"], "quantity": "1.5"})
    assert bad.status_code == 422 and "quantity" in str(bad.json["errors"])
    assert "not a whole number" in bad.json["message"]
    huge = client.post("/api/v1/order_line/", headers=clerk,
                       json={"order": order_id, "variant": "9" * 22, "quantity": 1})
    assert huge.status_code == 422 and "variant" in str(huge.json["errors"])
    with app.app_context():
        lines = db.session.query(OrderLine).filter_by(order_id=order_id).order_by(OrderLine.id).all()
        assert [(ln.sku, ln.quantity, int(ln.unit_price)) for ln in lines] == \
            [("AO-M", 1, 150000), ("AO-L", 2, 150000), ("AO-M", 1000, 289000)]
        assert int(db.session.get(Order, order_id).subtotal) == 150000 * 3 + 289_000_000


def test_rest_lines_on_a_processing_order_reserve_and_release(any_web_app):
    app = any_web_app
    order_id, variants = _order(app, {"AO-M": 2}, confirm=True, stock={"AO-M": 5, "AO-L": 1})
    client = app.test_client()
    clerk = api_token(client, "clerk")
    added = client.post("/api/v1/order_line/", headers=clerk,
                        json={"order": order_id, "variant": variants["AO-L"], "quantity": 3})
    assert added.status_code == 201, added.get_data(as_text=True)
    assert level(app, "AO-L") == (1, 1)  # what was free is reserved, the rest shown short
    assert _lines(app, order_id)["AO-L"][2] == 1
    removed = client.delete(f"/api/v1/order_line/{added.json['id']}", headers=clerk)
    assert removed.status_code == 200, removed.json
    assert level(app, "AO-L") == (1, 0)
    with app.app_context():
        orders.pack_order(db.session, order_id)
    refused = client.post("/api/v1/order_line/", headers=clerk,
                          json={"order": order_id, "variant": variants["AO-L"], "quantity": 1})
    assert refused.status_code == 409 and "it is packed" in refused.json["message"]
    assert_ledger_clean(app)


def test_the_line_form_adds_to_a_new_order_at_the_variants_price(web_app):
    order_id, variants = _order(web_app, {"AO-M": 1})
    clerk = web_app.test_client()
    login(clerk, "clerk")
    page = text(clerk.get("/orderlineview/add"))
    assert 'name="unit_price"' in page and 'value="0.00"' not in page
    resp = clerk.post("/orderlineview/add", data={"order": str(order_id),
                                                  "variant": str(variants["AO-L"]),
                                                  "quantity": "2", "unit_price": "",
                                                  "discount": "", "vat_rate": "10"})
    assert resp.status_code == 302, text(resp)[:2000]
    assert resp.headers["Location"].endswith(f"/orderview/show/{order_id}#lines")
    assert _lines(web_app, order_id)["AO-L"][:3] == (2, 150000, 0)


def _add_on_page(client, order_id, variant_id, quantity="1", price="", version=None):
    page = text(client.get(f"/orderview/show/{order_id}"))
    if version is None:
        version = re.search(r'name="version"[^>]*value="(\d+)"', page)
        version = version.group(1) if version else ""
    return client.post(f"/orderview/lines/{order_id}/add",
                       data={"variant": str(variant_id), "quantity": quantity,
                             "unit_price": price, "version": version})


def test_the_order_page_adds_and_removes_lines_while_the_order_allows(web_app):
    order_id, variants = _order(web_app, {"AO-M": 1}, confirm=True, stock={"AO-M": 5, "AO-L": 1})
    clerk = web_app.test_client()
    login(clerk, "clerk")
    page = text(clerk.get(f"/orderview/show/{order_id}"))
    assert 'class="oh-add-line' in page and "js/order_lines.js" in page
    assert "<script>" not in page.split('class="oh-add-line')[1].split("</form>")[0]
    assert "oh-line-remove" not in page  # the only line cannot go: cancel the order instead
    resp = _add_on_page(clerk, order_id, variants["AO-L"], quantity="2", price="289.000")
    assert resp.status_code == 302
    shown = text(clerk.get(resp.headers["Location"]))
    assert "AO-L × 2 added: short by 1" in shown
    assert _lines(web_app, order_id)["AO-L"][:3] == (2, 289000, 1)
    assert level(web_app, "AO-L") == (1, 1)
    # Ambiguous money and fractional quantities are refused on the page, naming the field.
    resp = _add_on_page(clerk, order_id, variants["AO-M"], quantity="1.5")
    assert "not a whole number" in text(clerk.get(resp.headers["Location"]))
    resp = _add_on_page(clerk, order_id, variants["AO-M"], price="1.5")
    assert "is ambiguous" in text(clerk.get(resp.headers["Location"]))
    stale = _add_on_page(clerk, order_id, variants["AO-M"], version="1")
    assert "changed by someone else" in text(clerk.get(stale.headers["Location"]))
    with web_app.app_context():
        line_id = db.session.query(OrderLine.id).filter_by(order_id=order_id, sku="AO-L").scalar()
        version = db.session.get(Order, order_id).version
    page = text(clerk.get(f"/orderview/show/{order_id}"))
    assert f"/orderview/lines/{order_id}/remove/{line_id}" in page
    resp = clerk.post(f"/orderview/lines/{order_id}/remove/{line_id}", data={"version": version})
    assert "AO-L removed from the order." in text(clerk.get(resp.headers["Location"]))
    assert "AO-L" not in _lines(web_app, order_id) and level(web_app, "AO-L") == (1, 0)
    with web_app.app_context():
        orders.pack_order(db.session, order_id)
    page = text(clerk.get(f"/orderview/show/{order_id}"))
    assert "oh-add-line" not in page and "oh-line-remove" not in page
    resp = _add_on_page(clerk, order_id, variants["AO-L"], version="")
    assert "Cannot edit the lines of this order: it is packed." in text(
        clerk.get(resp.headers["Location"]))
    assert_ledger_clean(web_app)


def test_a_new_orders_lines_and_the_refusals_in_vietnamese(web_app):
    order_id, variants = _order(web_app, {"AO-M": 1})
    clerk = web_app.test_client()
    login(clerk, "clerk")
    clerk.get("/lang/vi")
    resp = _add_on_page(clerk, order_id, variants["AO-L"], quantity="1.000", price="150.000")
    assert resp.status_code == 302
    assert _lines(web_app, order_id)["AO-L"][:3] == (1000, 150000, 0)
    resp = _add_on_page(clerk, order_id, variants["AO-M"], price="1.500.000")
    with web_app.app_context():
        assert sorted(int(ln.unit_price) for ln in db.session.get(Order, order_id).lines) == \
            [150000, 150000, 1500000]
    resp = _add_on_page(clerk, order_id, variants["AO-M"], price="1,5")
    shown = text(clerk.get(resp.headers["Location"]))
    assert "Not a valid decimal value" not in shown and "“1,5”" in shown
    assert "is ambiguous" not in shown  # the rule in Vietnamese


def test_a_visitor_who_is_not_signed_in_cannot_add_lines(web_app):
    order_id, variants = _order(web_app, {"AO-M": 1})
    anonymous = web_app.test_client()
    resp = anonymous.post(f"/orderview/lines/{order_id}/add",
                          data={"variant": str(variants["AO-L"]), "quantity": "1"})
    assert resp.status_code in (302, 401, 403)
    assert "AO-L" not in _lines(web_app, order_id)
