"""In a real browser, in English and Vietnamese: a clerk chooses the province, then one of its
wards, by typing (without diacritics), and the order shows the address as a person writes it."""
from __future__ import annotations

import pytest

from tests.conftest import DEMO_PASSWORD, make_app
from tests.e2e.conftest import shot
from tests.e2e.steps import choose, flashes, order_id_of, submit
from tests.support import seed
from tests.support.live_server import serve


@pytest.fixture
def shop_site(tmp_path):
    """The app with a warehouse and two variants (no demo: this test needs only the forms)."""
    app = make_app(tmp_path)
    with app.app_context():
        from app.extensions import db
        seed.shop(db.session, {"AO-M": 5, "AO-L": 2})
    with serve(app) as base:
        yield app, base


@pytest.fixture
def clerk_page(browser, shop_site, t):
    _, base = shop_site
    ctx = browser.new_context(base_url=base, locale=t.locale, viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(15000)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    # (The favicon's 404 is the walk test's business, not this page's.)
    page.on("console", lambda m: problems.append(f"{m.text} {m.location.get('url')}")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto("/login/")
    page.fill("#username", "clerk")
    page.fill("#password", DEMO_PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"/lang/{t.locale}")
    page.wait_for_load_state("networkidle")
    yield page, problems
    ctx.close()


def options(page) -> list[str]:
    page.wait_for_selector(".select2-container--open .select2-results__option:not(.loading-results)")
    return page.locator(".select2-container--open .select2-results__option").all_inner_texts()


def test_cascading_province_and_ward_selects_on_the_quick_order(clerk_page, t):
    page, problems = clerk_page
    page.goto("/quick-order/")
    assert t("Choose the province") in page.inner_text("#quick-order")
    # The ward list waits for a province.
    page.click("#ward + .select2-container .select2-selection")
    assert options(page) == [t("Choose the province first")]
    page.keyboard.press("Escape")

    choose(page, "province", "ho chi", "Thành phố Hồ Chí Minh")
    page.click("#ward + .select2-container .select2-selection")
    page.fill(".select2-container--open .select2-search__field", "ben th")
    page.wait_for_function("() => document.querySelectorAll('.select2-results__option').length === 1 "
                           "&& !document.querySelector('.loading-results')")
    assert options(page) == ["Phường Bến Thành"]  # a ward of Hồ Chí Minh only
    page.fill(".select2-container--open .select2-search__field", "cua nam")  # Hà Nội's
    page.wait_for_function("() => [...document.querySelectorAll('.select2-results__option')]"
                           f".some(o => o.textContent === {t('No match')!r})")
    page.keyboard.press("Escape")
    choose(page, "ward", "ben th", "Phường Bến Thành")
    shot(page, f"address-selects-hcm-{t.locale}")

    # Another province clears the ward: it belonged to the first one.
    choose(page, "province", "ha noi", "Thành phố Hà Nội")
    assert page.locator("#ward").input_value() == ""
    choose(page, "ward", "cua nam", "Phường Cửa Nam")
    page.fill("#street", "12 Lý Thường Kiệt")
    page.fill("#name", "Đỗ Thu Hà")
    page.fill("#phone", "0903123456")
    page.fill("#variant_search", "AO-M")
    page.wait_for_selector(".variant-hit:has-text('AO-M —')")
    page.press("#variant_search", "Enter")
    shot(page, f"address-selects-quick-order-{t.locale}")
    submit(page, "#take_order")
    assert "/orderview/show/" in page.url, flashes(page)
    buyer = page.inner_text(".oh-buyer")
    assert "12 Lý Thường Kiệt, Phường Cửa Nam, Thành phố Hà Nội" in buyer
    assert "None" not in buyer
    shot(page, f"address-selects-order-{t.locale}")

    # The order's edit form shows the chosen units in the same selects.
    page.goto(f"/orderview/edit/{order_id_of(page)}")
    assert page.locator("#ship_province").input_value() == "Thành phố Hà Nội"
    assert page.locator("#ship_ward").input_value() == "Phường Cửa Nam"
    choose(page, "ship_ward", "hoan kiem", "Phường Hoàn Kiếm")
    shot(page, f"address-selects-order-edit-{t.locale}")
    assert problems == [], problems
