"""In a real browser: what users type is shown as text and never runs, and no page of the back office
(ours or Flask-AppBuilder's) breaks under the Content-Security-Policy.

A clerk creates, over the REST API, a customer, a product and variant, and an order whose names,
SKU, street and notes carry script (quotes that close attributes, ``<script>``, ``onerror=``,
``" onmouseover=``, a ``javascript:`` address); the admin names a channel the same way. Every page
that shows them is opened — quick order's search results and lines, the look-ups, the lists,
record pages, the order page, the job pages, the dashboard — and on each: no dialog opens, the DOM
holds no event-handler attribute, ``javascript:`` link or inline script, the text reads exactly as
typed, and the console shows no error (a CSP violation is one).
"""
from __future__ import annotations

import httpx
import pytest

from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import Words, shot, sign_in
from tests.e2e.steps import ADDRESS, choose_address, flashes, mark_page, submit, until_next_page
from tests.e2e.watch import PageWatch, markup_problems

HOSTILE = "Zq' onmouseover=alert(1) x=\"<script>alert('s')</script><img src=x onerror=alert('i')>\" onmouseover=\"alert('q')"
JS_URL = "javascript:alert('u')"
SKU = "HX'\"><svg onload=alert('v')>"
SEARCH = "Zq' onmouse"
QUOTED = "Zq%27"

# Everything the page shows as text, including form values and the server-drawn charts.
SHOWN_TEXT = """() => [document.body.innerText,
  ...[...document.querySelectorAll("input, textarea")].map(e => e.value),
  ...[...document.querySelectorAll("svg text, svg title")].map(e => e.textContent)].join("\\n")"""


def _api_login(base: str, username: str) -> dict:
    answer = httpx.post(f"{base}/api/v1/security/login",
                        json={"username": username, "password": DEMO_PASSWORD, "provider": "db"})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _create(base: str, headers: dict, resource: str, body: dict) -> int:
    answer = httpx.post(f"{base}/api/v1/{resource}/", json=body, headers=headers)
    assert answer.status_code == 201, (resource, answer.status_code, answer.text)
    return answer.json()["id"]


@pytest.fixture(scope="module")
def hostile(shared_site) -> dict:
    """The hostile records, created over the API (the channel by the admin, the rest by a clerk),
    and a failed job whose title, error and messages quote them. Returns their ids."""
    app, base = shared_site
    admin, clerk = _api_login(base, "admin"), _api_login(base, "clerk")
    ids = {"channel": _create(base, admin, "channel", {"name": "Kênh " + HOSTILE, "platform": "manual",
                                                       "active": True})}
    ids["customer"] = _create(base, clerk, "customer", {
        "name": "Chị " + HOSTILE, "phone": "0913 579 246", "street": HOSTILE,
        "notes": f"{JS_URL} {HOSTILE}", **{k: v[1] for k, v in ADDRESS.items() if k != "street"}})
    ids["product"] = _create(base, clerk, "product", {"name": "Áo " + HOSTILE, "sku": "HX-PRODUCT",
                                                      "vat_rate": "10", "selling_price": 150000})
    ids["variant"] = _create(base, clerk, "variant", {"product": ids["product"], "sku": SKU,
                                                      "name": "Biến thể " + HOSTILE,
                                                      "selling_price": 150000})
    ids["order"] = _create(base, clerk, "order", {
        "customer": ids["customer"], "channel": ids["channel"], "buyer_name": "Anh " + HOSTILE,
        "buyer_phone": "0913 579 246", "ship_street": HOSTILE, "payment_method": "cod",
        "notes": f"{JS_URL} {HOSTILE}",
        **{f"ship_{k}": v[1] for k, v in ADDRESS.items() if k != "street"}})
    with app.app_context():
        from app.extensions import db
        from app.models import JobStatus
        from app.services.jobs import start_job
        from jobs.runner import JobContext
        job = start_job(db.session, "orders.bulk_action", "Re-check " + HOSTILE, target_type="order",
                        target_ids=[ids["order"]], params={"action": "recheck"})
        JobContext(db.session, job).message(f"Order #{ids['order']}: {HOSTILE}", level="warning")
        job.status, job.error = JobStatus.FAILED, HOSTILE
        db.session.commit()
        ids["job"] = job.id
    return ids


def _inert(page, watch: PageWatch, *, shows: str | None = HOSTILE) -> None:
    """The page holds the hostile text as text: hovering it runs nothing, the DOM has no handler
    attribute or inline script, and (when given) the text reads as typed."""
    for element in page.get_by_text("Zq'").all()[:8]:
        if element.is_visible():
            element.hover()
    problems = markup_problems(page)
    assert not problems, f"{page.url}: " + "; ".join(problems)
    if shows:
        assert shows in page.evaluate(SHOWN_TEXT), f"{page.url} does not show {shows!r}"
    watch.check()


def _open(page, watch, url: str, **kwargs) -> None:
    answer = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert answer.status < 400, f"{url} answered {answer.status}"
    _inert(page, watch, **kwargs)


@pytest.mark.parametrize("locale", ["en", "vi"])
def test_hostile_names_show_as_text_everywhere(browser, shared_site, hostile, locale):
    _, base = shared_site
    ctx, page = sign_in(browser, base, "clerk", locale)
    watch = PageWatch(page)
    try:
        # Quick order: the customer search hit, chosen; the variant hit, added as a line.
        page.goto("/quick-order/")
        page.fill("#customer_search", SEARCH)
        hit = page.locator(".customer-hit").first
        hit.wait_for()
        hit.hover()
        assert ("Chị " + HOSTILE) in hit.inner_text()
        _inert(page, watch)
        hit.click()
        assert page.input_value("#name") == "Chị " + HOSTILE
        page.fill("#variant_search", "HX'")
        variant_hit = page.locator(".variant-hit").first
        variant_hit.wait_for()
        variant_hit.hover()
        assert SKU in variant_hit.inner_text()
        page.press("#variant_search", "Enter")
        line = page.locator("#lines tbody tr").last
        assert line.locator("td").first.inner_text().strip() == SKU
        assert line.locator("td").nth(1).inner_text().strip() == "Biến thể " + HOSTILE
        line.hover()
        choose_address(page)
        page.fill("#notes", f"{JS_URL} {HOSTILE}")
        _inert(page, watch)
        shot(page, f"hostile-quick-order-{locale}")
        submit(page, "#take_order")
        assert "/orderview/show/" in page.url, flashes(page)
        _inert(page, watch)  # the order just taken: its line, buyer and notes
        assert SKU in page.inner_text(".oh-lines")

        # The order add form's customer look-up (a search-as-you-type select).
        page.goto("/orderview/add")
        page.locator("select#customer + .select2 .select2-selection").click()
        page.locator(".select2-search__field").fill("Zq")
        option = page.locator(".select2-results__option", has_text="Zq'").first
        option.wait_for()
        option.hover()
        _inert(page, watch)

        # Lists, record pages, the order page, the job pages, the dashboard.
        # (Each list filtered on "contains Zq'": the filter's own value carries a quote too.)
        for url in ["/", f"/customerview/list/?_flt_2_name={QUOTED}",
                    f"/customerview/show/{hostile['customer']}",
                    f"/customerview/edit/{hostile['customer']}", f"/orderview/list/?_flt_2_buyer_name={QUOTED}",
                    f"/orderview/show/{hostile['order']}", f"/orderview/edit/{hostile['order']}",
                    f"/productview/list/?_flt_2_name={QUOTED}", f"/productview/show/{hostile['product']}",
                    f"/productvariantview/list/?_flt_2_name={QUOTED}",
                    f"/productvariantview/show/{hostile['variant']}",
                    f"/jobview/list/?_flt_2_title={QUOTED}", f"/jobview/show/{hostile['job']}",
                    f"/channelview/show/{hostile['channel']}", "/low-stock/"]:
            _open(page, watch, url, shows=None if url == "/low-stock/" else HOSTILE)
            if url == "/":
                shot(page, f"hostile-dashboard-{locale}")
            if url.startswith("/orderview/show/"):
                assert JS_URL in page.inner_text(".oh-order")  # the notes, as text
                shot(page, f"hostile-order-page-{locale}")
    finally:
        ctx.close()


@pytest.mark.parametrize("locale", ["en", "vi"])
def test_channel_page_buttons_ask_their_question_then_act(browser, shared_site, locale):
    """Connect and Pull products on a channel's page, in each language: each asks its question
    (the English ones hold an apostrophe), then Pull products starts a job and Connect takes the
    seller to the marketplace's own site (another origin here) and back, connected."""
    from app.extensions import db
    from app.models import Channel, Job
    app, base = shared_site
    t = Words(locale)
    marketplace = base.replace("127.0.0.1", "localhost")  # another origin, as the real one is
    with app.app_context():
        channel = db.session.query(Channel).filter_by(name="Shopee demo shop").one()
        channel.base_url = f"{marketplace}/sandbox/shopee"
        db.session.commit()
        channel_id, old_token = channel.id, channel.credentials["access_token"]
        jobs_before = db.session.query(Job).filter_by(channel_id=channel_id).count()
    ctx, page = sign_in(browser, base, "supervisor", locale)
    watch = PageWatch(page)
    try:
        page.goto(f"/channelview/show/{channel_id}")
        _ask_and_confirm(page, t("Pull products"), t("Pull this shop's products (match by SKU)?"))
        until_next_page(page)
        assert page.url.endswith(f"/channelview/show/{channel_id}"), flashes(page)
        assert "#" in flashes(page)  # "Job #… started"
        with app.app_context():
            assert db.session.query(Job).filter_by(channel_id=channel_id).count() == jobs_before + 1
        shot(page, f"channel-pulled-{locale}")

        _ask_and_confirm(page, t("Connect"), t("Open the marketplace's authorization page for this shop?"))
        page.wait_for_url(f"{marketplace}/sandbox/shopee/**")
        _inert(page, watch, shows=None)
        page.click("#authorize")
        page.wait_for_url(f"**/channelview/show/{channel_id}")
        page.wait_for_load_state("networkidle")
        with app.app_context():
            channel = db.session.get(Channel, channel_id)
            assert channel.connected and channel.credentials["access_token"] != old_token, flashes(page)
        assert t("%(channel)s is connected (shop %(shop)s). Pull products next.",
                 channel=channel.name, shop=channel.shop_id) in flashes(page)
        _inert(page, watch, shows=None)
        shot(page, f"channel-connected-{locale}")
    finally:
        ctx.close()


def _ask_and_confirm(page, button: str, question: str, button_selector: str = "a.btn") -> None:
    mark_page(page)
    page.locator(button_selector, has_text=button).first.click()
    dialog = page.locator("#modal-confirm:visible")
    dialog.wait_for()
    assert dialog.locator(".modal-text").inner_text().strip() == question
    dialog.locator("#modal-confirm-ok").click()


SKIPPED_LINKS = ("/lang/", "/logout")


@pytest.mark.parametrize("username, locale", [("admin", "en"), ("clerk", "vi")])
def test_every_page_runs_its_scripts_within_the_policy(browser, shared_site, username, locale):
    """Every menu page, and the first record's page, edit form and the add form of every list
    (Flask-AppBuilder's own pages included: users, roles, Swagger UI): no inline script or
    handler in the DOM, no console error, no CSP violation, no uncaught error, no 5xx."""
    _, base = shared_site
    ctx, page = sign_in(browser, base, username, locale)
    watch = PageWatch(page)
    markup: list[str] = []
    failures: list[str] = []

    def visit(url: str) -> None:
        answer = page.goto(url)
        page.wait_for_load_state("networkidle")
        if answer.status >= 500:
            failures.append(f"{url} answered {answer.status}")
        # A running job's page follows the job and reloads itself when it ends: read it after.
        page.wait_for_selector(".oh-job[data-status=queued], .oh-job[data-status=started]",
                               state="detached", timeout=60000)
        page.wait_for_load_state("networkidle")
        markup.extend(f"{url}: {p}" for p in markup_problems(page))

    try:
        menu = page.eval_on_selector_all(".navbar a[href]", "els => els.map(e => e.getAttribute('href'))")
        pages = sorted({u for u in menu if u.startswith("/") and not u.startswith(SKIPPED_LINKS)}
                       | {"/", "/swagger/v1"})
        records = set()
        for url in pages:
            visit(url)
            if "/list/" in url:
                for link in ("a[href*='/show/']", "a[href*='/edit/']"):
                    found = page.locator(link).first
                    if found.count():
                        records.add(found.get_attribute("href"))
                if page.locator("a.filter").count():  # start a filter row: the filter script runs
                    page.locator(".panel-heading a", has_text=Words(locale)("Search")).first.click()
                    page.locator("#filter_form button.dropdown-toggle").click()
                    page.locator("a.filter").first.click()
                    page.wait_for_selector("table.filters tr")
        for url in sorted(records):
            visit(url)
        visit("/swagger/v1")
        page.wait_for_selector("#swagger-ui .opblock")  # Swagger UI drew the API's operations
        assert len(pages) + len(records) > 40
        assert not failures, failures
        assert not markup, "\n".join(markup)
        watch.check()
    finally:
        ctx.close()


def test_a_list_row_is_deleted_after_its_question(browser, shared_site):
    """The list's delete button (Flask-AppBuilder's, without its inline script) asks, then deletes."""
    from app.extensions import db
    from app.models import Brand
    app, base = shared_site
    with app.app_context():
        brand = Brand(name="Zq' \"brand\" <to delete>")
        db.session.add(brand)
        db.session.commit()
        brand_id = brand.id
    ctx, page = sign_in(browser, base, "admin")
    watch = PageWatch(page)
    try:
        page.goto(f"/brandview/list/?_flt_2_name={QUOTED}")
        assert page.locator("table.table-bordered").inner_text().count("Zq' \"brand\" <to delete>") == 1
        _ask_and_confirm(page, "", Words("en")("Are you sure you want to delete this item?"),
                         button_selector="a.confirm")
        until_next_page(page)
        with app.app_context():
            db.session.remove()
            assert db.session.get(Brand, brand_id) is None, flashes(page)
        watch.check()
    finally:
        ctx.close()
