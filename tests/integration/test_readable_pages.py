"""What a person reads on the panel's pages: jobs in their language naming orders by number, no
Python repr, only the buttons the record's state allows, the carriers' codes as labels."""
from __future__ import annotations

import logging

import sqlalchemy as sa

from app.extensions import db
from tests.conftest import login
from tests.support import panel, seed


def _vi_client(app, role: str):
    client = app.test_client()
    login(client, role)
    client.get("/lang/vi")
    return client


def test_a_job_reads_in_vietnamese_and_names_orders_by_number(web_app):
    from app.models import Job
    from app.services.errors import InvalidTransition
    from app.services.jobs import message_entry, reason_of, set_error, start_job
    from app.views.order_actions import BULK_TITLES
    with web_app.app_context():
        wh, variants = seed.shop(db.session)
        order = seed.order(db.session, wh, variants, {"AO-M": 1})
        job = start_job(db.session, "orders.bulk_action", BULK_TITLES["pack"], target_type="order",
                        target_ids=[order.id], title_params={"count": 1})
        job.messages = [message_entry("2026-12-01T08:00:00", "warning", "%(target)s: %(reason)s",
                                      {"target": order.number,
                                       "reason": reason_of(InvalidTransition("pack", "new"))})]
        set_error(job, "%(reason)s — will try again", {"reason": "GHN is busy"})
        old = Job(kind="orders.bulk_action", title="Confirm 3 orders")  # written before templates
        db.session.add(old)
        db.session.commit()
        job_id, old_id, number = job.id, old.id, order.number
        assert job.title == "Mark 1 orders packed"  # English kept for the API and the logs
    client = _vi_client(web_app, "supervisor")
    page = panel.text(client.get(f"/jobview/show/{job_id}"))
    assert "Đánh dấu đã đóng gói 1 đơn hàng" in page and "Mark 1 orders packed" not in page
    assert f"{number}: Không thể đóng gói đơn hàng này" in page, page
    assert "GHN is busy — sẽ thử lại" in page
    listing = panel.text(client.get("/jobview/list/"))
    assert "Đánh dấu đã đóng gói 1 đơn hàng" in listing
    assert "Confirm 3 orders" in panel.text(client.get(f"/jobview/show/{old_id}"))  # as written


def test_pages_show_records_and_documents_not_python(web_app):
    from app.models import Channel, Invoice, Order
    with web_app.app_context():
        wh, variants = seed.shop(db.session)
        channel = Channel(platform="manual", name="Điện thoại", shop_id="phone")
        channel.fulfilling_warehouses = [wh]
        order = seed.order(db.session, wh, variants, {"AO-M": 1})
        invoice = Invoice(order=order, provider="sinvoice", kind="original", template="1",
                          series="C26TAA", status="draft", transaction_key="k-1",
                          buyer_name="Nguyễn Thị Hoa", vat_breakdown=[
                              {"rate": "10", "amount": 150000, "tax": 15000}])
        db.session.add_all([channel, invoice])
        db.session.commit()
        ids = {"channel": channel.id, "invoice": invoice.id, "order": order.id}
        assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 1
    client = _vi_client(web_app, "admin")
    pages = {"channel": panel.text(client.get(f"/channelview/show/{ids['channel']}")),
             "invoice": panel.text(client.get(f"/invoiceview/show/{ids['invoice']}")),
             "roles": panel.text(client.get("/roles/list/")),
             "audit": panel.text(client.get("/auditlogview/list/")),
             "order form": panel.text(client.get("/orderview/add"))}
    for name, page in pages.items():
        for python in ("object at 0x", "{'", "[<", ">__None<"):
            assert python not in page, (name, python)
    assert "HCM — Kho Hồ Chí Minh" in pages["channel"]
    assert 'class="table table-condensed oh-vat-breakdown"' in pages["invoice"]
    assert "10 %" in pages["invoice"] and "150.000 ₫" in pages["invoice"]
    assert "Đơn hàng: " in pages["roles"] and "^(" not in pages["roles"]
    assert "(không có)" in pages["order form"]
    assert client.get("/favicon.ico").status_code == 200


def test_record_pages_offer_only_what_the_state_allows(web_app):
    from app.models import PurchaseOrder, Supplier
    from app.services import purchase_documents, purchasing
    with web_app.app_context():
        wh, variants = seed.shop(db.session)
        supplier = Supplier(name="Xưởng may Tân Bình")
        db.session.add(supplier)
        db.session.commit()
        pos = []
        for approve in (False, True):
            po = purchase_documents.create_purchase_order(db.session, supplier_id=supplier.id,
                                                          warehouse_id=wh.id)
            db.session.commit()
            purchase_documents.add_po_line(db.session, po.id, variant_id=variants["AO-M"].id,
                                           quantity=5)
            db.session.commit()
            if approve:
                purchasing.approve_purchase_order(db.session, po.id)
                db.session.commit()
            pos.append(po.id)
        assert db.session.get(PurchaseOrder, pos[1]).status.value == "confirmed"
    client = web_app.test_client()
    login(client, "clerk")
    draft = client.get(f"/purchaseorderview/show/{pos[0]}").get_data(as_text=True)
    approved = client.get(f"/purchaseorderview/show/{pos[1]}").get_data(as_text=True)
    assert "action-PurchaseOrderView.action-receive" not in draft  # Receive goods on a draft
    assert "action-PurchaseOrderView.action-receive" in approved


def test_parcels_show_their_state_with_the_carriers_code_in_small_print(web_app):
    from app.models import Shipment, TrackingEvent
    with web_app.app_context():
        wh, variants = seed.shop(db.session)
        order = seed.order(db.session, wh, variants, {"AO-M": 1})
        shipment = Shipment(order=order, carrier="viettelpost", service="fast",
                            client_reference="SO-1-1", tracking_number="VTP123",
                            status="created", carrier_status="-100")
        shipment.events.append(TrackingEvent(event_time=order.created_at, carrier_status="-100",
                                             status="created", source="webhook"))
        db.session.add(shipment)
        db.session.commit()
        shipment_id = shipment.id
    client = _vi_client(web_app, "clerk")
    page = client.get(f"/shipmentview/show/{shipment_id}").get_data(as_text=True)
    assert 'đã tạo <small class="text-muted oh-carrier-code">-100</small>' in page
    assert "<td>-100</td>" not in page


def test_the_console_leaves_out_the_sandboxes_requests_unless_asked(web_app):
    logger = logging.getLogger("werkzeug")
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '127.0.0.1 - - "POST /sandbox/ghn/shiip/public-api/v2 HTTP/1.1" 200 -',
                               None, None)
    page = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                             '127.0.0.1 - - "GET /orderview/list/ HTTP/1.1" 200 -', None, None)
    assert not logger.filter(record) and logger.filter(page)
