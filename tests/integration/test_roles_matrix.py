"""Two of the matrix's consequences a person notices: a clerk's bulk action changes nothing, and
users, roles and credentials stay out of a clerk's reach. (test_role_walk.py walks every endpoint.)"""
from tests.conftest import api_token, login

def test_action_permissions(web_app):
    """Bulk actions are for supervisors; a clerk's attempt changes nothing."""
    from app.extensions import db
    from app.models import Job, Order
    with web_app.app_context():
        db.session.add(Order(buyer_name="Lê Văn C"))
        db.session.commit()
        order_id = db.session.query(Order.id).scalar()
    clerk = web_app.test_client()
    login(clerk, "clerk")
    resp = clerk.post("/orderview/action_post",
                      data={"action": "bulk_recalculate_totals", "rowid": [order_id]})
    assert resp.status_code == 302
    with web_app.app_context():
        assert db.session.query(Job).count() == 0
    sup = web_app.test_client()
    login(sup, "supervisor")
    resp = sup.post("/orderview/action_post",
                    data={"action": "bulk_recalculate_totals", "rowid": [order_id]})
    assert resp.status_code == 302 and "/jobview/show/" in resp.headers["Location"]
    with web_app.app_context():
        assert db.session.query(Job).count() == 1


def test_clerk_cannot_see_users_roles_or_credentials(web_app):
    client = web_app.test_client()
    login(client, "clerk")
    for url in ["/users/list/", "/roles/list/", "/provideraccountview/list/"]:
        assert client.get(url).status_code in (302, 403)
    headers = api_token(client, "clerk")
    assert client.get("/api/v1/security/users/", headers=headers).status_code in (401, 403, 404)
