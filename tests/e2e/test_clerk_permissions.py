"""In a real browser: what a clerk can and cannot reach."""
from tests.e2e.conftest import shot


def test_clerk_cannot_see_users_roles_credentials_or_bulk_actions(page_for):
    page = page_for("clerk")
    menu = page.inner_text(".navbar")
    assert "Sales" in menu and "Security" not in menu
    assert "Carrier & e-invoice accounts" not in page.content()
    page.goto("/users/list/")
    assert "/users/list" not in page.url or "Access is Denied" in page.content() \
        or page.locator("text=Forbidden").count()
    page.goto("/orderview/list/")
    shot(page, "clerk-orders")
    # No bulk action is offered to a clerk, so the list has no selection boxes at all.
    assert page.locator("input.action_check").count() == 0
    assert "Confirm selected" not in page.content()
    page.goto("/channelview/list/")
    assert "api_secret" not in page.content() and "demo-website-secret" not in page.content()


def test_supervisor_sees_bulk_actions(page_for):
    page = page_for("supervisor")
    page.goto("/orderview/list/")
    page.locator("input.action_check").first.check()
    assert "Confirm selected" in page.content()
    shot(page, "supervisor-orders")
