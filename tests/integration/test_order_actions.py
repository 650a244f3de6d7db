"""The order lifecycle through the REST actions and the admin panel's buttons."""
import sqlalchemy as sa

from app.extensions import db
from app.models import Job, JobStatus, Order, OrderStatus, StockLevel
from tests.conftest import api_token, login
from tests.integration.test_jobs import _wait_for
from tests.support import seed


def _setup(app, quantities):
    with app.app_context():
        wh, variants = seed.shop(db.session)
        return seed.order(db.session, wh, variants, quantities).id


def _status(app, order_id):
    with app.app_context():
        db.session.expire_all()
        return db.session.get(Order, order_id).status


def test_rest_lifecycle_and_refusals_name_the_state(web_app):
    order_id = _setup(web_app, {"AO-M": 2, "AO-L": 3})
    client = web_app.test_client()
    clerk = api_token(client, "clerk")
    resp = client.post(f"/api/v1/order/{order_id}/confirm", json={}, headers=clerk)
    assert resp.status_code == 200
    lines = {line["sku"]: line for line in resp.json["lines"]}
    assert lines["AO-M"]["status"] == "reserved" and lines["AO-L"]["short_by"] == 2
    again = client.post(f"/api/v1/order/{order_id}/confirm", json={}, headers=clerk)
    assert again.status_code == 409 and "processing" in again.json["message"]
    packed = client.post(f"/api/v1/order/{order_id}/pack", json={}, headers=clerk)
    assert packed.status_code in (409, 422) and packed.json["message"]
    assert client.post(f"/api/v1/order/{order_id}/cancel", json={"reason": "x"},
                       headers=clerk).status_code == 403
    sup = api_token(client, "supervisor")
    resp = client.post(f"/api/v1/order/{order_id}/cancel", json={"reason": "Khách đổi ý"},
                       headers=sup)
    assert resp.status_code == 200 and resp.json["status"] == "cancelled"
    with web_app.app_context():
        assert sum(db.session.scalars(sa.select(StockLevel.reserved))) == 0
    refused = client.post(f"/api/v1/order/{order_id}/pay", json={}, headers=sup)
    assert refused.status_code == 409 and "cancelled" in refused.json["message"]


def test_stale_version_is_refused(web_app):
    order_id = _setup(web_app, {"AO-M": 1})
    client = web_app.test_client()
    clerk = api_token(client, "clerk")
    resp = client.post(f"/api/v1/order/{order_id}/confirm", json={"version": 99}, headers=clerk)
    assert resp.status_code == 409 and "changed by someone else" in resp.json["message"]
    assert _status(web_app, order_id) == OrderStatus.NEW


def test_buttons_in_the_panel(web_app):
    order_id = _setup(web_app, {"AO-M": 2})
    clerk = web_app.test_client()
    login(clerk, "clerk")
    resp = clerk.post(f"/orderview/action/confirm/{order_id}", follow_redirects=True)
    assert "AO-M: reserved" in resp.get_data(as_text=True)
    clerk.post(f"/orderview/action/pack/{order_id}")
    assert _status(web_app, order_id) == OrderStatus.PACKED
    resp = clerk.post(f"/orderview/action/confirm/{order_id}", follow_redirects=True)
    assert "Cannot confirm this order: it is packed." in resp.get_data(as_text=True)
    assert clerk.get(f"/orderview/cancel/{order_id}").status_code == 403
    sup = web_app.test_client()
    login(sup, "supervisor")
    resp = sup.post(f"/orderview/cancel/{order_id}", data={"reason": ""}, follow_redirects=True)
    assert "reason:" in resp.get_data(as_text=True)
    sup.post(f"/orderview/cancel/{order_id}", data={"reason": "Hết hàng"})
    assert _status(web_app, order_id) == OrderStatus.CANCELLED


def test_bulk_confirm_runs_as_a_job_with_progress(web_app):
    with web_app.app_context():
        wh, variants = seed.shop(db.session, {"AO-M": 3, "AO-L": 0})
        ids = [seed.order(db.session, wh, variants, {"AO-M": 1}).id for _ in range(4)]
    sup = web_app.test_client()
    login(sup, "supervisor")
    resp = sup.post("/orderview/action_post", data={"action": "bulk_confirm", "rowid": ids})
    job_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    job = _wait_for(web_app, job_id)
    assert job.status == JobStatus.FINISHED and (job.progress_done, job.progress_total) == (4, 4)
    assert job.result == {"done": 4, "skipped": 0}
    with web_app.app_context():
        assert {db.session.get(Order, i).status for i in ids} == {OrderStatus.PROCESSING}
        assert sum(db.session.scalars(sa.select(StockLevel.reserved))) == 3  # 4 wanted, 3 on hand
        assert db.session.query(Job).count() == 1


def test_order_page_shows_lines_jobs_and_audit_trail(web_app):
    order_id = _setup(web_app, {"AO-M": 1})
    sup = web_app.test_client()
    login(sup, "supervisor")
    resp = sup.post("/orderview/action_post", data={"action": "bulk_confirm", "rowid": [order_id]})
    _wait_for(web_app, int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1]))
    page = sup.get(f"/orderview/show/{order_id}").get_data(as_text=True)
    assert "Confirm 1 orders" in page  # the job, listed on the order it worked on
    assert "Audit trail" in page and "status" in page and "processing" in page
    assert "AO-M" in page  # the lines tab


def test_a_clerk_assigned_to_a_warehouse_sees_only_its_records(web_app):
    from app.models import User, Warehouse
    with web_app.app_context():
        wh, variants = seed.shop(db.session)
        other = Warehouse(code="HN", name="Kho Hà Nội")
        db.session.add(other)
        db.session.commit()
        mine = seed.order(db.session, wh, variants, {"AO-M": 1}).id
        theirs = seed.order(db.session, other, variants, {"AO-M": 1}).id
        clerk = db.session.scalars(sa.select(User).where(User.username == "clerk")).one()
        wh.assigned_users.append(clerk)
        db.session.commit()
    client = web_app.test_client()
    login(client, "clerk")
    listing = client.get("/orderview/list/").get_data(as_text=True)
    with web_app.app_context():
        mine_no, theirs_no = (db.session.get(Order, i).number for i in (mine, theirs))
    assert mine_no in listing and theirs_no not in listing
    assert client.get(f"/orderview/show/{theirs}").status_code == 404
    assert client.get(f"/orderview/edit/{theirs}").status_code in (302, 404)
    assert client.post(f"/orderview/action/confirm/{theirs}").status_code == 404
    headers = api_token(client, "clerk")
    assert client.get(f"/api/v1/order/{theirs}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/order/{mine}", headers=headers).status_code == 200
    assert client.post(f"/api/v1/order/{theirs}/confirm", json={}, headers=headers).status_code == 404
    ids = client.get("/api/v1/order/", headers=headers).json["ids"]
    assert mine in ids and theirs not in ids
    assert _status(web_app, theirs) == OrderStatus.NEW
    sup = web_app.test_client()
    login(sup, "supervisor")
    assert sup.get(f"/orderview/show/{theirs}").status_code == 200
