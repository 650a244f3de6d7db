"""In a real browser, in each language: an admin opens the demo's S-Invoice account, sees every
setting labelled (secrets only as set), edits it on its one form — a wrong tax code is refused on
its field, in the page's language, and nothing is saved — saves, and tests the connection against
the demo's sandbox. A clerk and a supervisor reach none of it. No console error on the way."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import ProviderAccount
from tests.e2e.conftest import shot
from tests.e2e.steps import flashes, mark_page, until_next_page

ACCOUNT = "Viettel S-Invoice (sandbox)"


def _account_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(ProviderAccount.id).where(ProviderAccount.name == ACCOUNT))


def _watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def _click(page, locator) -> None:
    mark_page(page)
    locator.click()
    until_next_page(page)


def test_an_admin_edits_saves_and_tests_an_account(page_for, site, t):
    app, _ = site
    account_id = _account_id(app)
    page = page_for("admin", t.locale)
    errors = _watch_console(page)
    page.goto("/provideraccountview/list/")
    assert ACCOUNT in page.content()
    page.goto(f"/provideraccountview/show/{account_id}")
    shot(page, f"provider-account-{t.locale}")
    shown = page.inner_text(".oh-connection-summary")
    for label in ("Seller tax code", "Seller legal name", "Series of VAT invoices", "Password",
                  "Template code of VAT invoices", "Quiet period after an unanswered request (seconds)"):
        assert t(label) in shown, label
    assert "0318123451" in shown and t("set") in shown
    assert "SInvoice@2026" not in page.content() and "{'" not in page.content()

    _click(page, page.locator("a", has_text=t("Edit settings")))
    assert "/provideraccountview/credentials/" in page.url
    assert page.input_value("[name='credentials.password']") == ""
    page.fill("[name='settings.seller.tax_code']", "0318123452")
    page.fill("[name='settings.seller.address']", "99 Lê Lợi, Phường Sài Gòn, TP. Hồ Chí Minh")
    _click(page, page.locator("button[value=show]"))
    shot(page, f"provider-account-refused-{t.locale}")
    error = page.inner_text("[data-field='settings.seller.tax_code'] .oh-field-error")
    assert error == t("%(name)s: tax code %(code)s has a wrong check digit: the 10th digit should be %(expected)s.",
                      name=t("Seller tax code"), code="0318123452", expected=1)
    assert t("Nothing was saved: correct the fields marked below.") in page.inner_text(".oh-form-refused")
    assert page.input_value("[name='settings.seller.address']").startswith("99 Lê Lợi")  # what was typed

    page.fill("[name='settings.seller.tax_code']", "0318123451")
    _click(page, page.locator("button[value=test]"))
    shot(page, f"provider-account-saved-{t.locale}")
    said = flashes(page)
    assert t("Settings saved: %(fields)s.", fields=t("Seller address")) in said
    assert t("%(provider)s accepted the connection: %(what)s", provider="Viettel S-Invoice",
             what=t("credentials and tax code accepted")) in said
    assert "99 Lê Lợi" in page.inner_text(".oh-connection-summary")

    _click(page, page.locator(".oh-test-connection button"))
    assert t("%(provider)s accepted the connection: %(what)s", provider="Viettel S-Invoice",
             what=t("credentials and tax code accepted")) in flashes(page)
    assert errors == []


def test_a_clerk_and_a_supervisor_cannot_reach_the_accounts(page_for, site, t):
    app, _ = site
    account_id = _account_id(app)
    for who in ("clerk", "supervisor"):
        page = page_for(who, t.locale)
        assert t("Carrier & e-invoice accounts") not in page.inner_text(".navbar")
        for url in ("/provideraccountview/list/", f"/provideraccountview/show/{account_id}",
                    f"/provideraccountview/credentials/{account_id}", "/provideraccountview/new?provider=ghn"):
            response = page.goto(url)
            assert response.status in (403, 404) or t("Access is Denied") in page.content() \
                or "/login" in page.url, (who, url)
            assert "0318123451" not in page.content() and "SInvoice@2026" not in page.content()
        shot(page, f"provider-account-{who}-refused-{t.locale}")
