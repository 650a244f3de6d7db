"""In a real browser, in each language: what a clerk can and cannot reach, and what a supervisor can."""
from tests.e2e.conftest import shot

FORBIDDEN = ["/users/list/", "/roles/list/", "/provideraccountview/list/",
             "/provideraccountview/credentials/1", "/channelview/credentials/1"]


def refused(page, t) -> bool:
    """FAB answers a page the user may not open by sending them elsewhere with "Access is Denied"
    (or a 403/404 for a record page)."""
    return t("Access is Denied") in page.content() or "/login" in page.url \
        or page.locator("text=Forbidden").count() > 0 or page.locator("text=Not Found").count() > 0


def jobs_started(app) -> int:
    from app.extensions import db
    from app.models import Job
    with app.app_context():
        return db.session.query(Job).filter(Job.kind == "orders.bulk_action").count()


def test_clerk_cannot_see_users_roles_credentials_or_bulk_actions(page_for, site, t):
    app, _ = site
    page = page_for("clerk", t.locale)
    menu = page.inner_text(".navbar")
    assert t("Sales") in menu and t("Purchasing") in menu
    assert t("Security") not in menu and t("List Users") not in menu
    assert t("Carrier & e-invoice accounts") not in page.content()
    for url in FORBIDDEN:
        response = page.goto(url)
        assert response.status in (403, 404) or refused(page, t), f"a clerk opened {url}"
        assert "api_secret" not in page.content() and "partner_key" not in page.content()

    page.goto("/orderview/list/")
    shot(page, f"clerk-orders-{t.locale}")
    # No bulk action is offered to a clerk, so the list has no selection boxes at all ...
    assert page.locator("input.action_check").count() == 0
    assert t("Confirm selected") not in page.content()
    assert t("Create shipments for selected") not in page.content()
    # ... and one sent anyway (a hand-made form) is refused by the server.
    first = page.locator("table a[href*='/orderview/show/']").first.get_attribute("href")
    order_id = first.rstrip("/").rsplit("/", 1)[-1]
    before = jobs_started(app)
    page.goto("/quick-order/")  # a form of the clerk's own gives a valid CSRF token
    token = page.get_attribute("input[name=csrf_token]", "value")
    assert token
    answer = page.request.post("/orderview/action_post",
                               form={"action": "bulk_confirm", "rowid": order_id,
                                     "csrf_token": token}, max_redirects=0)
    assert answer.status in (302, 403)
    assert jobs_started(app) == before, "the server ran a bulk action for a clerk"

    page.goto("/channelview/list/")
    shot(page, f"clerk-channels-{t.locale}")
    assert "api_secret" not in page.content() and "demo-website-secret" not in page.content()


def test_supervisor_sees_bulk_actions(page_for, t):
    page = page_for("supervisor", t.locale)
    page.goto("/orderview/list/")
    page.locator("input.action_check").first.check()
    assert t("Confirm selected") in page.content()
    assert t("Create shipments for selected") in page.content()
    shot(page, f"supervisor-orders-{t.locale}")
    assert t("Security") not in page.inner_text(".navbar")  # users and roles stay the admin's
