"""A stock count through the panel and the REST API: create (filtered by SKU prefix) → print the
sheet → enter the counted figures → finish → post (a supervisor's) with the variances shown and on
hand set to what was counted; refusals name the field or the count's state."""
import io

import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import MoveKind, ProductVariant, StockCount, StockCountStatus, StockMove
from tests.conftest import api_token, login
from tests.support import seed
from tests.support.panel import assert_ledger_clean, level, text
from tests.support.web_backends import any_web_app  # noqa: F401  (fixture)


def _setup(app):
    with app.app_context():
        wh, variants = seed.shop(db.session, {"AO-M": 5, "AO-L": 1})
        other = ProductVariant(product=variants["AO-M"].product, sku="QUAN-30", value_1="30",
                               name="Quần jean nữ")
        db.session.add(other)
        db.session.commit()
        return wh.id, {sku: v.id for sku, v in variants.items()}


def _create(client, wh_id, **fields):
    data = {"warehouse_id": str(wh_id), "scope": "sku_prefix", "sku_prefix": "AO-",
            "note": "Kiểm kê tháng 11"}
    data.update(fields)
    resp = client.post("/stockcountview/add", data=data)
    assert resp.status_code == 302, text(resp)
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def _count(app, count_id):
    with app.app_context():
        db.session.expire_all()
        count = db.session.get(StockCount, count_id)
        return count.status, count.version, {ln.variant.sku: ln.counted_quantity
                                             for ln in count.lines}


def test_count_from_sheet_to_posted_variances_in_the_panel(any_web_app):
    app = any_web_app
    wh_id, variants = _setup(app)
    clerk = app.test_client()
    login(clerk, "clerk")
    page = text(clerk.get("/stockcountview/add"))
    assert "SKUs starting with" in page and "HCM" in page
    resp = clerk.post("/stockcountview/add", data={"warehouse_id": str(wh_id),
                                                   "scope": "sku_prefix", "sku_prefix": "ZZ-"},
                      follow_redirects=True)
    assert "sku_prefix: No product variant matches; nothing to count." in text(resp)
    count_id = _create(clerk, wh_id)
    status, version, lines = _count(app, count_id)
    assert status == StockCountStatus.DRAFT and lines == {"AO-M": None, "AO-L": None}

    # The printable sheet: the SKUs, the Vietnamese names and the system figures.
    resp = clerk.get(f"/stockcountview/count_sheet/{count_id}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    sheet = "".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.data)).pages)
    assert "AO-M" in sheet and "AO-L" in sheet and "QUAN-30" not in sheet
    assert "Áo thun cotton" in sheet and "PHIẾU KIỂM KÊ" in sheet

    # Enter counts: the page shows the system quantities; a bad figure names the line.
    page = text(clerk.get(f"/stockcountview/enter/{count_id}"))
    assert 'name="c_%d"' % variants["AO-M"] in page and "Kho Hồ Chí Minh" in page
    resp = clerk.post(f"/stockcountview/enter/{count_id}",
                      data={"version": str(version), f"c_{variants['AO-M']}": "4",
                            f"c_{variants['AO-L']}": "ba"}, follow_redirects=True)
    assert "AO-L counted: “ba” is not a whole number" in text(resp)
    resp = clerk.post(f"/stockcountview/enter/{count_id}",
                      data={"version": str(version), f"c_{variants['AO-M']}": "4"},
                      follow_redirects=True)
    assert "1 count(s) saved; 1 line(s) not counted yet." in text(resp)
    resp = clerk.post(f"/stockcountview/action/finish_count/{count_id}", follow_redirects=True)
    assert "counted_quantity: Not counted yet: AO-L (1 line(s))." in text(resp)
    resp = clerk.post(f"/stockcountview/enter/{count_id}",
                      data={"version": str(version), f"c_{variants['AO-L']}": "3"},
                      follow_redirects=True)
    assert "changed by someone else" in text(resp)
    _, version, _ = _count(app, count_id)
    clerk.post(f"/stockcountview/enter/{count_id}",
               data={"version": str(version), f"c_{variants['AO-L']}": "3"})
    resp = clerk.post(f"/stockcountview/action/finish_count/{count_id}", follow_redirects=True)
    assert "a supervisor can now post it" in text(resp)
    assert _count(app, count_id)[0] == StockCountStatus.COUNTED
    resp = clerk.post(f"/stockcountview/enter/{count_id}",
                      data={f"c_{variants['AO-L']}": "2"}, follow_redirects=True)
    assert "Cannot enter counts on this stock count: it is counted." in text(resp)

    # Posting is a supervisor's; it shows the variances and sets on hand to the counted figures.
    clerk.post(f"/stockcountview/action/post_count/{count_id}")
    assert _count(app, count_id)[0] == StockCountStatus.COUNTED
    sup = app.test_client()
    login(sup, "supervisor")
    resp = sup.post(f"/stockcountview/action/post_count/{count_id}")
    page = text(resp)
    assert resp.status_code == 200 and "2 of 2 line(s) differed" in page
    assert "-1" in page and "+2" in page
    assert level(app, "AO-M") == (4, 0) and level(app, "AO-L") == (3, 0)
    with app.app_context():
        moves = db.session.scalars(sa.select(StockMove.quantity).where(
            StockMove.kind == MoveKind.COUNT).order_by(StockMove.quantity)).all()
        assert moves == [-1, 2]
    resp = sup.post(f"/stockcountview/action/post_count/{count_id}", follow_redirects=True)
    assert "Cannot post this stock count: it is posted." in text(resp)
    resp = sup.post(f"/stockcountview/action/cancel/{count_id}", follow_redirects=True)
    assert "Cannot cancel this stock count: it is posted." in text(resp)
    assert_ledger_clean(app)


def test_count_finished_and_posted_over_the_rest_api(any_web_app):
    app = any_web_app
    wh_id, variants = _setup(app)
    clerk = app.test_client()
    login(clerk, "clerk")
    count_id = _create(clerk, wh_id, scope="all")
    _, version, lines = _count(app, count_id)
    assert set(lines) == {"AO-M", "AO-L", "QUAN-30"}
    clerk.post(f"/stockcountview/enter/{count_id}",
               data={"version": str(version), **{f"c_{v}": "5" for v in variants.values()},
                     f"c_{_variant_id(app, 'QUAN-30')}": "0"})
    api = api_token(clerk, "clerk")
    early = clerk.post(f"/api/v1/stock_count/{count_id}/post", json={}, headers=api)
    assert early.status_code == 403
    resp = clerk.post(f"/api/v1/stock_count/{count_id}/finish", json={}, headers=api)
    assert resp.status_code == 200 and resp.json["status"] == "counted"
    again = clerk.post(f"/api/v1/stock_count/{count_id}/finish", json={}, headers=api)
    assert again.status_code == 409 and "it is counted" in again.json["message"]
    sup = api_token(clerk, "supervisor")
    stale = clerk.post(f"/api/v1/stock_count/{count_id}/post", json={"version": 1}, headers=sup)
    assert stale.status_code == 409 and "changed by someone else" in stale.json["message"]
    resp = clerk.post(f"/api/v1/stock_count/{count_id}/post", json={}, headers=sup)
    assert resp.status_code == 200
    by_sku = {v["sku"]: v for v in resp.json["variances"]}
    assert by_sku["AO-M"]["variance"] == 0 and by_sku["AO-L"]["variance"] == 4
    assert by_sku["AO-L"]["posted"] == 4 and by_sku["QUAN-30"]["variance"] == 0
    assert level(app, "AO-L") == (5, 0)
    assert_ledger_clean(app)


def test_cancel_is_a_supervisors(any_web_app):
    app = any_web_app
    wh_id, _ = _setup(app)
    clerk = app.test_client()
    login(clerk, "clerk")
    count_id = _create(clerk, wh_id)
    clerk.post(f"/stockcountview/action/cancel/{count_id}")
    assert _count(app, count_id)[0] == StockCountStatus.DRAFT
    sup = app.test_client()
    login(sup, "supervisor")
    resp = sup.post(f"/stockcountview/action/cancel/{count_id}", follow_redirects=True)
    assert "cancelled" in text(resp)
    assert _count(app, count_id)[0] == StockCountStatus.CANCELLED
    resp = sup.post(f"/stockcountview/action/finish_count/{count_id}", follow_redirects=True)
    assert "Cannot finish this stock count: it is cancelled." in text(resp)


def _variant_id(app, sku):
    with app.app_context():
        return db.session.scalar(sa.select(ProductVariant.id).where(ProductVariant.sku == sku))
