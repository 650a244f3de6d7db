"""Switching the panel between Vietnamese and English with FAB's language menu (/lang/<code>)."""
import json

import pytest

from app.extensions import db
from tests.conftest import login
from tests.support import seed
from tests.support.catalogues import tool as catalogues


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    catalogues.compile_catalogues()  # what `make translations` does, for a bare `pytest` run


def _page(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return resp.get_data(as_text=True)


def test_login_page_menu_and_lists_follow_the_chosen_language(web_app):
    from app.extensions import db
    from tests.support import seed
    with web_app.app_context():  # an order, so the dashboard's charts have something to draw
        wh, variants = seed.shop(db.session)
        seed.order(db.session, wh, variants, {"AO-M": 1})
    client = web_app.test_client()
    assert "Tiếng Việt" in _page(client, "/login/")  # the language menu offers it
    assert client.get("/lang/vi").status_code == 302

    page = _page(client, "/login/")
    for text in ("Đăng nhập", "Tên đăng nhập", "Mật khẩu"):
        assert text in page
    assert "Password" not in page

    login(client, "clerk")
    dashboard = _page(client, "/")
    for text in ("Tổng quan", "Đơn hàng theo kênh và trạng thái", "Doanh thu theo ngày",
                 "Vận đơn theo trạng thái", "Sắp hết hàng", "Tác vụ lỗi",
                 # the chart's legend, menu categories and items, FAB's user menu
                 "đang xử lý", "giao thất bại", "Đơn hôm nay", "Bán hàng", "Kho hàng", "Đơn hàng",
                 "Khách hàng", "Tạo đơn nhanh", "Đăng xuất", "Hồ sơ"):
        assert text in dashboard, text
    assert "Revenue per day" not in dashboard and "Logout" not in dashboard

    listing = _page(client, "/orderview/list/")
    for text in ("Số bản ghi", "Tìm kiếm", "Thêm bộ lọc"):
        assert text in listing, text

    assert client.get("/lang/en").status_code == 302
    dashboard = _page(client, "/")
    for text in ("Dashboard", "Orders by channel and status", "processing", "Sales", "Orders",
                 "Logout"):
        assert text in dashboard, text
    assert "Tổng quan" not in dashboard and "Đăng xuất" not in dashboard
    assert "Record Count" in _page(client, "/orderview/list/")


def test_order_forms_show_statuses_and_choices_in_vietnamese(web_app):
    with web_app.app_context():
        wh, variants = seed.shop(db.session)
        order_id = seed.order(db.session, wh, variants, {"AO-M": 1}).id
    client = web_app.test_client()
    client.get("/lang/vi")
    login(client, "supervisor")

    cancel = _page(client, f"/orderview/cancel/{order_id}")
    assert "Hủy đơn hàng" in cancel and "<b>mới</b>" in cancel and "Quay lại" in cancel

    quick = _page(client, "/quick-order/")
    for text in ("Tạo đơn nhanh", "Địa chỉ giao hàng", "COD (thu hộ)", "chuyển khoản", "Tạo đơn"):
        assert text in quick, text
    # Texts of the search-as-you-type script are JSON string literals (escaped, never broken).
    js_text = "giao thất bại hoặc hoàn"
    assert json.dumps(js_text) in quick or json.dumps(js_text, ensure_ascii=False) in quick

    client.get("/lang/en")
    quick = _page(client, "/quick-order/")
    assert "Shipping address" in quick and "bank transfer" in quick


def test_a_vietnamese_clerk_reads_labels_titles_states_and_refusals_in_vietnamese(web_app):
    from app.extensions import db
    from tests.conftest import login
    from tests.support import panel, seed
    with web_app.app_context():
        wh, variants = seed.shop(db.session)
        order_id = seed.order(db.session, wh, variants, {"AO-M": 1}).id
    client = web_app.test_client()
    login(client, "clerk")
    client.get("/lang/vi")
    listing = panel.text(client.get("/orderview/list/"))
    for vietnamese in ("Danh sách Đơn hàng", "Trạng thái", "Người mua", "mới", "chưa thanh toán"):
        assert vietnamese in listing, vietnamese
    assert "<td>new</td>" not in listing.replace(" ", "").replace("\n", "")
    assert "<td>None</td>" not in listing.replace(" ", "").replace("\n", "")
    page = panel.text(client.get(f"/orderview/show/{order_id}"))
    for vietnamese in ("Người mua", "Đơn giá", "Phí vận chuyển", "Chưa có hóa đơn.", "Quay lại danh sách đơn"):
        assert vietnamese in page, vietnamese
    for english in ("Unit price", "Shipping fee", "No invoice yet.", "Back to orders"):
        assert english not in page, english
    client.post(f"/orderview/action/pack/{order_id}")
    refused = panel.text(client.get(f"/orderview/show/{order_id}"))
    assert "Không thể" in refused and "mới" in refused  # "cannot pack: it is new", in Vietnamese
