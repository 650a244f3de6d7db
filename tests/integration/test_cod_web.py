"""COD from the panel: a statement starts from the carrier's file (or the shipments picked), "+"
never leaves an empty statement, and a COD order is paid by hand only by a supervisor who gives
the amount received and its reference — a clerk's "Mark paid" stays for the other orders."""
from __future__ import annotations

import io

import sqlalchemy as sa

from app.extensions import db
from app.models import CodReconciliation, Order, OrderStatus, PaymentStatus
from app.services import orders, tracking
from tests.conftest import api_token, login
from tests.integration.test_shipping import CS, _update, book
from tests.integration.test_shipping_web import live  # noqa: F401  (fixture)
from tests.support import seed
from tests.support.cod_statements import GHN_HEADER, as_csv, ghn_rows
from tests.support.panel import text
from tests.support.shipping import packed_orders


def _delivered(app, n):
    from app.models import ProviderAccount
    with app.app_context():
        accs = {a.provider: a for a in db.session.scalars(sa.select(ProviderAccount))}
        made = packed_orders(db.session, n, shipping_fee=20000)
        out = []
        for order in made:
            s = book(db.session, order, "ghn", accs)
            tracking.apply_update(db.session, s.id, _update(s, CS.DELIVERED, "delivered", 9))
            out.append((order.id, s.tracking_number, s.client_reference, int(s.cod_amount)))
        return out


def test_a_supervisor_reconciles_cod_from_the_carriers_statement_file(live):
    app, _ = live
    (o1, t1, r1, cod1), (o2, t2, r2, cod2) = _delivered(app, 2)
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    resp = supervisor.get("/codreconciliationview/add")
    assert resp.status_code == 302 and "/codreconciliationview/build/" in resp.headers["Location"]
    page = text(supervisor.get("/codreconciliationview/build/?carrier=ghn"))
    assert 'name="file"' in page and "onchange=" not in page
    content = as_csv(GHN_HEADER, ghn_rows([(t1, r1, cod1, 20000, None),
                                           (t2, r2, cod2, 20000, cod2 - 25000),
                                           ("GHNZZZ01", "SO-9", 99000, 20000, None)]))
    clerk = app.test_client()
    login(clerk, "clerk")
    refused = clerk.post("/codreconciliationview/import/", data={
        "carrier": "ghn", "file": (io.BytesIO(content), "doi-soat.csv")},
        content_type="multipart/form-data")
    assert refused.status_code in (302, 403) and "/enter/" not in refused.headers.get("Location", "")
    resp = supervisor.post("/codreconciliationview/import/", data={
        "carrier": "ghn", "statement_ref": "GHN-0512", "file": (io.BytesIO(content), "doi-soat.csv")},
        content_type="multipart/form-data")
    assert resp.status_code == 302 and "/codreconciliationview/enter/" in resp.headers["Location"], \
        text(supervisor.get("/"))[-3000:]
    page = text(supervisor.get(resp.headers["Location"]))
    assert "2 parcels matched, 1 with amounts that differ, 1 rows not taken" in page
    assert "GHNZZZ01: no parcel of ours has this tracking number" in page
    assert "differ from the COD" in page and t2 in page
    rec_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    resp = supervisor.post(f"/codreconciliationview/enter/{rec_id}", data={"confirm": "1"})
    assert resp.status_code == 302
    with app.app_context():
        rec = db.session.get(CodReconciliation, rec_id)
        assert rec.status.value == "confirmed" and int(rec.difference) == -5000
        for oid in (o1, o2):
            order = db.session.get(Order, oid)
            assert (order.status, order.payment_status) == (OrderStatus.COMPLETED, PaymentStatus.PAID)
    # The same file again: every parcel is now in a statement, and the page says so.
    again = supervisor.post("/codreconciliationview/import/", data={
        "carrier": "ghn", "file": (io.BytesIO(content), "doi-soat.csv")},
        content_type="multipart/form-data")
    shown = text(supervisor.get(again.headers["Location"]))
    assert "0 parcels matched" in shown and "already in statement" in shown


def test_a_statement_made_with_plus_gets_its_shipments_from_its_page(live):
    app, _ = live
    ((oid, tracking_number, _, _),) = _delivered(app, 1)
    with app.app_context():
        from app.models import ReconciliationStatus
        rec = CodReconciliation(carrier="ghn", status=ReconciliationStatus.DRAFT)
        db.session.add(rec)
        db.session.commit()
        rec_id = rec.id
        shipment_id = db.session.scalar(sa.text("SELECT id FROM shipment WHERE order_id = :o"),
                                        {"o": oid})
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    page = text(supervisor.get(f"/codreconciliationview/enter/{rec_id}"))
    assert f"/codreconciliationview/build/?statement={rec_id}" in page
    page = text(supervisor.get(f"/codreconciliationview/build/?statement={rec_id}"))
    assert tracking_number in page and "Add to the statement" in page
    resp = supervisor.post("/codreconciliationview/build/", data={"statement": rec_id,
                                                                  "shipment_id": [shipment_id]})
    assert resp.status_code == 302 and f"/enter/{rec_id}" in resp.headers["Location"]
    assert tracking_number in text(supervisor.get(resp.headers["Location"]))
    # What the carrier paid, typed the way the statement prints it.
    with app.app_context():
        line_id = db.session.get(CodReconciliation, rec_id).lines[0].id
    supervisor.get("/lang/vi")
    page = text(supervisor.post(f"/codreconciliationview/enter/{rec_id}",
                                data={f"received_{line_id}": "500k", f"fee_{line_id}": "20.000"}))
    assert 'value="500.000"' in page and 'value="20.000"' in page
    page = text(supervisor.post(f"/codreconciliationview/enter/{rec_id}",
                                data={f"received_{line_id}": "1,5", f"fee_{line_id}": "20.000"}))
    assert "“1,5” không rõ nghĩa" in page
    with app.app_context():
        line = db.session.get(CodReconciliation, rec_id).lines[0]
        assert (int(line.cod_received), int(line.fee)) == (500_000, 20_000)


def _cod_order(app, method="cod", confirm=True):
    with app.app_context():
        wh, variants = seed.shop(db.session)
        order = seed.order(db.session, wh, variants, {"AO-M": 1}, payment_method=method)
        if confirm:
            orders.confirm_order(db.session, order.id)
        db.session.refresh(order)
        return order.id, int(order.total), order.number


def test_mark_paid_on_a_cod_order_is_a_supervisors_step_with_the_amount(web_app):
    order_id, total, number = _cod_order(web_app)
    clerk = web_app.test_client()
    login(clerk, "clerk")
    page = text(clerk.get(f"/orderview/show/{order_id}"))
    assert 'data-step="pay"' not in page and 'data-step="pay_cod"' not in page
    resp = clerk.post(f"/orderview/action/pay/{order_id}")
    assert f"{number} is a COD order" in text(clerk.get(resp.headers["Location"]))
    assert clerk.get(f"/orderview/pay_cod/{order_id}").status_code in (302, 403)
    token = api_token(clerk, "clerk")
    assert clerk.post(f"/api/v1/order/{order_id}/pay", headers=token, json={}).status_code == 403
    supervisor = web_app.test_client()
    login(supervisor, "supervisor")
    page = text(supervisor.get(f"/orderview/show/{order_id}"))
    assert 'data-step="pay_cod"' in page and 'data-step="pay"' not in page
    form = text(supervisor.get(f"/orderview/pay_cod/{order_id}"))
    assert f'value="{total:,}"' in form  # what is due, grouped the reader's way
    missing = supervisor.post(f"/orderview/pay_cod/{order_id}", data={"amount": "1.5",
                                                                      "reference": "x"})
    assert "is ambiguous" in text(missing)
    missing = supervisor.post(f"/orderview/pay_cod/{order_id}", data={"amount": f"{total:,}",
                                                                      "reference": ""})
    assert "Give the reference of the payment" in text(missing)
    resp = supervisor.post(f"/orderview/pay_cod/{order_id}",
                           data={"amount": f"{total:,}".replace(",", "."),
                                 "reference": "CK Vietcombank 0512"})
    assert resp.status_code == 302
    with web_app.app_context():
        order = db.session.get(Order, order_id)
        assert (order.payment_status, int(order.paid_amount), order.payment_reference) == \
            (PaymentStatus.PAID, total, "CK Vietcombank 0512")


def test_the_apis_pay_follows_the_same_rule(web_app):
    with web_app.app_context():
        wh, variants = seed.shop(db.session)
        cod_order = seed.order(db.session, wh, variants, {"AO-M": 1}, payment_method="cod")
        transfer = seed.order(db.session, wh, variants, {"AO-M": 1}, payment_method="bank_transfer")
        cod_id, transfer_id, total = cod_order.id, transfer.id, int(cod_order.total)
    client = web_app.test_client()
    clerk = api_token(client, "clerk")
    resp = client.post(f"/api/v1/order/{transfer_id}/pay", headers=clerk, json={})
    assert resp.status_code == 200 and resp.json["payment_status"] == "paid"  # as the matrix says
    resp = client.post(f"/api/v1/order/{cod_id}/pay", headers=clerk, json={"amount": total})
    assert resp.status_code == 403 and "is a COD order" in resp.json["message"]
    supervisor = api_token(client, "supervisor")
    resp = client.post(f"/api/v1/order/{cod_id}/pay", headers=supervisor, json={"amount": total})
    assert resp.status_code == 422 and "reference" in resp.json["errors"]
    resp = client.post(f"/api/v1/order/{cod_id}/pay", headers=supervisor,
                       json={"amount": "289.000.000", "reference": "GHN-1"})
    assert resp.status_code == 422 and "amount" in resp.json["errors"]  # more than the total
    resp = client.post(f"/api/v1/order/{cod_id}/pay", headers=supervisor,
                       json={"amount": f"{total:,}", "reference": "GHN-1"})
    assert resp.status_code == 200 and resp.json["payment_status"] == "paid"


def test_the_statement_file_imports_over_the_api_for_a_supervisor(live):
    app, _ = live
    ((_, t1, r1, cod1),) = _delivered(app, 1)
    from app.sandbox.viettelpost import DEMO_CREDENTIALS  # noqa: F401  (the sandboxes are up)
    from tests.support.cod_statements import as_xlsx
    content = as_xlsx(GHN_HEADER, ghn_rows([(t1, r1, cod1, 20000, None),
                                            ("GHNZZZ02", "SO-9", 99000, 20000, None)]))
    client = app.test_client()
    clerk = api_token(client, "clerk")
    refused = client.post("/api/v1/cod_reconciliation/import", headers=clerk,
                          data={"carrier": "ghn", "file": (io.BytesIO(content), "cod.xlsx")},
                          content_type="multipart/form-data")
    assert refused.status_code == 403
    supervisor = api_token(client, "supervisor")
    resp = client.post("/api/v1/cod_reconciliation/import", headers=supervisor,
                       data={"carrier": "ghn", "statement_ref": "API-1",
                             "file": (io.BytesIO(content), "cod.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 201, resp.json
    assert resp.json["number"].startswith("COD-")
    assert [u["tracking"] for u in resp.json["report"]["unknown"]] == ["GHNZZZ02"]
    bad = client.post("/api/v1/cod_reconciliation/import", headers=supervisor,
                      data={"carrier": "ghn", "file": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422 and "No header row" in bad.json["message"]
