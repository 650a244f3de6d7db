"""In a real browser, once in English and once in Vietnamese: a phone order taken to cash and back.

A clerk takes an order for a new customer with one line short, typing a price the Vietnamese way
(289.000); on the order page adds a line and takes it off again; the shortage becomes a purchase
order a supervisor approves; the goods come in and go to that order; it is packed, shipped with GHN
(the label downloads), invoiced through Viettel S-Invoice after a preview; the GHN sandbox delivers
the parcel; the supervisor imports GHN's COD statement file and confirms it, and the order
completes; the buyer returns one unit, which goes back into stock, and the invoice is replaced.
A marketplace order delivered before the shop was connected is returned too.
"""
from __future__ import annotations

import re
import time

from tests.e2e.conftest import shot
from tests.e2e.steps import (add_order_line, flashes, order_id_of, press, remove_order_line,
                             run_record_action, submit, take_manual_order, wait_for)
from tests.support.cod_statements import GHN_HEADER, as_csv, ghn_rows

IN_STOCK = "AO-KHOAC-CONG-SO-XAM-S"
NONE_LEFT = "AO-KHOAC-CONG-SO-XAM-XL"
EXTRA = "AO-THUN-DEN-M"
SUPPLIER = "Xưởng may Tân Bình"


def order_status(page) -> str:
    return page.get_attribute(".oh-order", "data-status")


def line_stock(page, sku: str) -> str:
    return page.get_attribute(f"tr.oh-line[data-sku='{sku}']", "data-stock")


def on_hand(app, sku: str) -> int:
    from app.extensions import db
    from app.models import ProductVariant, StockLevel
    with app.app_context():
        variant = db.session.query(ProductVariant).filter_by(sku=sku).one()
        return sum(level.on_hand for level in db.session.query(StockLevel).filter_by(variant_id=variant.id))


def cod_of(app, tracking: str) -> tuple:
    """(tracking, client reference, COD, fee kept) of our parcel, as GHN's statement lists it."""
    from app.extensions import db
    from app.models import Shipment
    from app.services.cod import expected_fee
    with app.app_context():
        s = db.session.query(Shipment).filter_by(tracking_number=tracking).one()
        return s.tracking_number, s.client_reference, int(s.cod_amount), expected_fee(s)


def delivered_marketplace_order(app) -> tuple[int, str]:
    """A marketplace order the demo's first pull found already completed: (id, a line's SKU)."""
    from app.extensions import db
    from app.models import Channel, Order, OrderStatus, Platform
    with app.app_context():
        order = (db.session.query(Order).join(Channel, Channel.id == Order.channel_id)
                 .filter(Channel.platform.in_([Platform.SHOPEE, Platform.LAZADA, Platform.TIKTOK]),
                         Order.status == OrderStatus.COMPLETED, ~Order.returns.any())
                 .order_by(Order.id).first())
        line = next(ln for ln in order.lines if ln.variant_id)
        return order.id, line.sku


def test_a_phone_order_from_taking_to_cash_and_back(page_for, site, t):
    app, base = site
    clerk = page_for("clerk", t.locale)
    supervisor = page_for("supervisor", t.locale)

    # The landing page after login is the dashboard.
    assert clerk.locator(".oh-dashboard .oh-tile").count() >= 4
    assert clerk.locator(".oh-dashboard svg").count() >= 2  # the charts
    shot(clerk, f"dashboard-{t.locale}")

    # 1. A phone order for a new customer: one line in stock, one with nothing left.
    order_id = take_manual_order(clerk, t, "Chị Đặng Thu Hà", "0987 650 321",
                                 [(IN_STOCK, 1, "289.000"), (NONE_LEFT, 1)])
    assert order_status(clerk) == "new"
    assert "0987650321" in clerk.inner_text(".oh-buyer")  # the phone as normalised
    grouped = "289.000 ₫" if t.locale == "vi" else "289,000 ₫"  # 289 000 ₫, not 289 ₫
    assert grouped in clerk.inner_text(f"tr.oh-line[data-sku='{IN_STOCK}']")

    # 2. Confirm: the page says which line is reserved and which is short.
    press(clerk, "confirm")
    assert order_status(clerk) == "processing"
    assert line_stock(clerk, IN_STOCK) == "reserved"
    assert line_stock(clerk, NONE_LEFT) == "short"
    assert t("short by %(n)s", n=1) in clerk.inner_text(f"tr.oh-line[data-sku='{NONE_LEFT}']")
    assert clerk.locator("button[data-step=pack]").count() == 0  # not while a line is short
    shot(clerk, f"order-confirmed-short-{t.locale}")

    # 2b. The buyer adds a T-shirt on the phone, then changes her mind: the line is reserved as it
    # is added, at the price the clerk types the Vietnamese way, and gives its stock back.
    add_order_line(clerk, EXTRA, 2, "1tr2" if t.locale == "vi" else "120.000")
    assert line_stock(clerk, EXTRA) == "reserved", flashes(clerk)
    price = {"vi": "1.200.000 ₫", "en": "120,000 ₫"}[t.locale]
    assert price in clerk.inner_text(f"tr.oh-line[data-sku='{EXTRA}']")
    shot(clerk, f"order-line-added-{t.locale}")
    remove_order_line(clerk, EXTRA)
    assert clerk.locator(f"tr.oh-line[data-sku='{EXTRA}']").count() == 0, flashes(clerk)
    assert order_status(clerk) == "processing"

    # 3. The shortage becomes a purchase order in one step.
    press(clerk, "draft_purchase_order")
    assert "/orderview/shortage/" in clerk.url
    clerk.locator("select[name^=supplier_]").first.select_option(label=SUPPLIER)
    shot(clerk, f"shortage-{t.locale}")
    submit(clerk, "form button[type=submit]")
    assert "/purchaseorderview/show/" in clerk.url, flashes(clerk)
    po_url = clerk.url
    po_text = clerk.content()  # its lines sit in a tab below the header
    assert NONE_LEFT in po_text and SUPPLIER in po_text

    # 4. A supervisor approves it.
    supervisor.goto(po_url)
    run_record_action(supervisor, t("Approve"))
    assert t("confirmed") in supervisor.inner_text("body")
    shot(supervisor, f"purchase-order-approved-{t.locale}")

    # 5. The goods come in and go to the order they were bought for.
    clerk.goto(po_url)
    run_record_action(clerk, t("Receive goods"), asks=False)
    assert "/purchaseorderview/receive/" in clerk.url
    assert clerk.is_checked("input[name=reserve_waiting]")
    clerk.fill("input[name=note]", "Giao đủ")
    shot(clerk, f"receive-goods-{t.locale}")
    submit(clerk, "form button[type=submit]")
    clerk.goto(f"/orderview/show/{order_id}")
    assert line_stock(clerk, NONE_LEFT) == "reserved", clerk.inner_text(".oh-lines")
    assert line_stock(clerk, IN_STOCK) == "reserved"

    # 6. Packed, then shipped with GHN; the label is a PDF download.
    press(clerk, "pack")
    assert order_status(clerk) == "packed"
    press(clerk, "ship")
    assert "/orderview/ship/" in clerk.url
    clerk.check("input[name=choice][value='ghn|economy']")
    shot(clerk, f"ship-form-{t.locale}")
    submit(clerk, "#ship-form button[type=submit]")
    wait_for(clerk, f"/orderview/show/{order_id}", lambda: order_status(clerk) == "shipped")
    tracking = clerk.get_attribute(".shipment-timeline", "data-tracking")
    assert tracking and re.fullmatch(r"[A-Z0-9]{6,}", tracking), tracking
    with clerk.expect_download() as download:
        clerk.locator("a[download][href*='/shipmentview/label/']").first.click()
    label = download.value
    with open(label.path(), "rb") as fh:
        head = fh.read(600)
        assert head[:5] == b"%PDF-", head
    shot(clerk, f"order-shipped-{t.locale}")

    # 7. A VAT invoice through Viettel S-Invoice: previewed, then issued.
    press(clerk, "invoice")
    assert "/orderview/invoice/" in clerk.url
    assert "C26TAA" in clerk.input_value("input[name=series]")
    shot(clerk, f"invoice-form-{t.locale}")
    with clerk.context.expect_event("response", lambda r: "/invoice_preview/" in r.url) as answer:
        clerk.click("button[value=preview]")  # opens in a tab of its own
    assert answer.value.status == 200
    assert answer.value.header_value("content-type") == "application/pdf"
    # The tab shows it in Chromium's viewer; the same form posted again gives the file itself.
    sent = answer.value.request
    again = clerk.request.post(sent.url, data=sent.post_data_buffer,
                               headers={"content-type": sent.headers["content-type"]})
    assert again.status == 200 and again.body()[:5] == b"%PDF-"
    for other in clerk.context.pages:
        if other is not clerk and other is not supervisor:
            other.close()
    submit(clerk, "button[value=issue]")
    wait_for(clerk, f"/orderview/show/{order_id}",
             lambda: "C26TAA" in clerk.inner_text(".oh-invoices") and t("issued") in clerk.inner_text(".oh-invoices"))
    original_invoice = re.search(r"\S*C26TAA\S*\s*№?\s*\d+", clerk.inner_text(".oh-invoices")).group(0)

    # 8. The carrier delivers: its status callbacks move the order on.
    for _ in range(12):
        state = clerk.request.post(f"{base}/sandbox/ghn/_control/advance",
                                   data={"order_code": tracking, "status": "next"}).json()
        if state.get("status") == "delivered":
            break
    assert state.get("status") == "delivered", state
    wait_for(clerk, f"/orderview/show/{order_id}", lambda: order_status(clerk) == "delivered")
    assert clerk.locator(".tracking-timeline tbody tr").count() >= 3  # the tracking timeline
    shot(clerk, f"order-delivered-{t.locale}")

    # 9. The supervisor imports GHN's COD statement file (our parcel and one GHN lists that is
    # not ours); the page says what it did not take; confirmed, the order is paid and completes.
    statement = as_csv(GHN_HEADER, ghn_rows([(*cod_of(app, tracking), None),
                                             ("GHNX0000", "SO-X", 150000, 20000, None)]))
    supervisor.goto("/codreconciliationview/list/")
    supervisor.goto("/codreconciliationview/add")  # "+" opens the page that makes statements
    assert "/codreconciliationview/build/" in supervisor.url
    supervisor.select_option("#import_carrier", "ghn")
    supervisor.fill("#import_ref", f"GHN-COD-{t.locale}-001")
    supervisor.set_input_files("input[name=file]", files=[{
        "name": "doi-soat-cod.csv", "mimeType": "text/csv", "buffer": statement}])
    shot(supervisor, f"cod-build-{t.locale}")
    submit(supervisor, "form.panel-body button[name=import]")
    assert "/codreconciliationview/enter/" in supervisor.url, flashes(supervisor)
    assert "GHNX0000" in supervisor.inner_text(".oh-cod-report")
    assert supervisor.locator(f"tr[data-tracking='{tracking}']").count() == 1
    shot(supervisor, f"cod-enter-{t.locale}")
    submit(supervisor, "button[name=confirm]")
    clerk.goto(f"/orderview/show/{order_id}")
    assert order_status(clerk) == "completed"
    assert clerk.inner_text(".oh-payment").strip() == t("paid")

    # 10. The buyer sends one unit back: it goes back into stock.
    stock_before = on_hand(app, IN_STOCK)
    press(clerk, "create_return")
    assert "/orderview/return/" in clerk.url
    clerk.locator(f"tr:has-text('{IN_STOCK}') input[name^=qty_]").fill("1")
    clerk.fill("input[name=reason]", "Khách đổi ý")
    shot(clerk, f"create-return-{t.locale}")
    submit(clerk, "form button[type=submit]:not([formaction])")
    assert "/returnrequestview/show/" in clerk.url, flashes(clerk)
    return_url = clerk.url
    run_record_action(clerk, t("Receive goods"), asks=False)
    assert "/returnrequestview/receive/" in clerk.url
    clerk.locator("select[name^=condition_]").first.select_option("good")
    submit(clerk, "form button[type=submit]")
    assert on_hand(app, IN_STOCK) == stock_before + 1
    shot(clerk, f"return-received-{t.locale}")

    # 11. ... and the supervisor replaces the invoice with what the buyer kept.
    supervisor.goto(return_url)
    run_record_action(supervisor, t("Replacement invoice"), asks=False)
    assert "/invoiceview/replace/" in supervisor.url, flashes(supervisor)
    supervisor.fill("input[name=reason]", "Khách trả lại 1 áo")
    supervisor.fill("input[name=agreement_reference]", f"BB-{t.locale}-01")
    shot(supervisor, f"replacement-invoice-form-{t.locale}")
    submit(supervisor, "button[value=issue]")
    assert "/invoiceview/show/" in supervisor.url, flashes(supervisor)
    wait_for(clerk, f"/orderview/show/{order_id}",
             lambda: clerk.locator(".oh-invoices tr").count() == 2
             and t("replacement") in clerk.inner_text(".oh-invoices")
             and t("replaced") in clerk.inner_text(".oh-invoices"))
    shot(clerk, f"order-after-return-{t.locale}")
    assert original_invoice

    # 12. A marketplace order delivered before the shop was connected comes back too.
    market_id, market_sku = delivered_marketplace_order(app)
    clerk.goto(f"/orderview/show/{market_id}")
    press(clerk, "create_return")
    assert "/orderview/return/" in clerk.url, flashes(clerk)
    clerk.locator(f"tr:has-text('{market_sku}') input[name^=qty_]").first.fill("1")
    clerk.fill("input[name=reason]", "Sai kích cỡ")
    submit(clerk, "form button[type=submit]:not([formaction])")
    assert "/returnrequestview/show/" in clerk.url, flashes(clerk)
    shot(clerk, f"marketplace-return-{t.locale}")
