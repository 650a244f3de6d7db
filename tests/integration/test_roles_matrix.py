"""Every registered OrderHub view and API endpoint, for each role and for an anonymous visitor,
answers as the declared permission matrix says, and never with a 500."""
import pytest
from flask_appbuilder import ModelView

from app.security.roles import ALL_RESOURCES, METHOD_PERMISSIONS, is_allowed
from tests.conftest import api_token, login

ROLES = ["Admin", "Supervisor", "Clerk", None]


def _our_views(app):
    for view in app.appbuilder.baseviews:
        if getattr(view, "class_permission_name", None) in ALL_RESOURCES:
            yield view


def _expected(role, resource, method):
    if role is None:
        return False
    return is_allowed(role, resource, f"can_{METHOD_PERMISSIONS[method]}")


def _view_urls(view):
    base = view.route_base
    urls = [("list", f"{base}/list/"), ("export_csv", f"{base}/export_csv")]
    if "can_write" in (view.base_permissions or []):
        urls.append(("add", f"{base}/add"))
    return urls


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_views_answer_as_the_matrix_says(web_app, role):
    client = web_app.test_client()
    if role:
        login(client, role.lower())
    checked = 0
    for view in _our_views(web_app):
        if not isinstance(view, ModelView):
            continue
        for method, url in _view_urls(view):
            resp = client.get(url)
            assert resp.status_code < 500, f"{role} {url} → {resp.status_code}"
            allowed = _expected(role, view.class_permission_name, method)
            if allowed:
                assert resp.status_code == 200, f"{role} should reach {url}: {resp.status_code}"
            else:
                assert resp.status_code in (302, 401, 403), f"{role} should not reach {url}"
                if resp.status_code == 302:
                    assert "/login" in resp.headers["Location"]
            checked += 1
    assert checked > 60


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_apis_answer_as_the_matrix_says(web_app, role):
    client = web_app.test_client()
    headers = api_token(client, role.lower()) if role else {}
    checked = 0
    for api in _our_views(web_app):
        if not hasattr(api, "resource_name"):
            continue
        base = f"/api/v1/{api.resource_name}"
        calls = [("get_list", "GET", f"{base}/"), ("info", "GET", f"{base}/_info")]
        if api.include_route_methods is None or "post" in api.include_route_methods:
            calls.append(("post", "POST", f"{base}/"))
        for method, verb, url in calls:
            resp = client.open(url, method=verb, json={} if verb == "POST" else None,
                               headers=headers)
            assert resp.status_code < 500, f"{role} {verb} {url} → {resp.status_code}"
            if _expected(role, api.class_permission_name, method):
                assert resp.status_code in (200, 400, 422), \
                    f"{role} {verb} {url} should be allowed: {resp.status_code} {resp.json}"
            else:
                assert resp.status_code in (401, 403), f"{role} {verb} {url}: {resp.status_code}"
            checked += 1
    assert checked >= 24 * 2


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
