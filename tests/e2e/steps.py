"""What a person does in OrderHub's pages, step by step, for the browser tests.

Each step works the page the way a clerk does (typing, picking from search results, pressing the
buttons the page offers) and checks what the page then says.
"""
from __future__ import annotations

import re
import time

from tests.e2e.conftest import shot

# A Hà Nội address that both carriers' address books know: (what is typed, what is chosen).
ADDRESS = {"street": "12 Lý Thường Kiệt", "province": ("ha noi", "Thành phố Hà Nội"),
           "ward": ("cua nam", "Phường Cửa Nam")}


def choose(page, select_id: str, typed: str, choice: str) -> None:
    """Pick from a search-as-you-type select (province, ward …): open it, type, click the hit."""
    page.click(f"#{select_id} + .select2-container .select2-selection")
    page.fill(".select2-container--open .select2-search__field", typed)
    page.locator(".select2-container--open .select2-results__option",
                 has_text=choice).first.click()
    assert page.locator(f"#{select_id}").input_value() == choice


def choose_address(page, address=ADDRESS) -> None:
    choose(page, "province", *address["province"])
    choose(page, "ward", *address["ward"])
    page.fill("#street", address["street"])


def order_id_of(page) -> int:
    return int(re.search(r"/orderview/show/(\d+)", page.url).group(1))


def press(page, step: str) -> None:
    """Press one of the order page's next-step buttons ("confirm", "pack", ...), answering its
    question with yes; the button must be offered (only allowed steps are)."""
    button = page.locator(f"form.oh-step button[data-step='{step}']")
    assert button.count() == 1, f"no '{step}' button; the page offers " + ", ".join(
        page.locator("form.oh-step button").all_inner_texts())
    page.once("dialog", lambda d: d.accept())
    mark_page(page)
    button.click()
    until_next_page(page)


def wait_for(page, url: str, condition, seconds: float = 20) -> None:
    """Reload ``url`` until ``condition()`` holds (a job or a carrier callback is doing the work)."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if condition():
            return
        assert time.monotonic() < deadline, f"{url} did not get there: {flashes(page)}"
        time.sleep(0.5)


def mark_page(page) -> None:
    """Remember the document now shown, for ``until_next_page``."""
    page.evaluate("window.__ohSeen = true")


def until_next_page(page, seconds: float = 20) -> None:
    """Wait until another document has loaded (the answer to a form a script sent); the action
    links' own href "#" does not count, and the next page may have the same address."""
    from playwright.sync_api import Error as PlaywrightError
    deadline = time.monotonic() + seconds
    while True:
        try:
            if page.evaluate("window.__ohSeen !== true && document.readyState === 'complete'"):
                break
        except PlaywrightError:  # between two documents
            pass
        assert time.monotonic() < deadline, f"no new page after {seconds} s at {page.url}"
        time.sleep(0.1)
    page.wait_for_load_state("networkidle")


def run_record_action(page, label: str, *, asks: bool = True) -> None:
    """Press an action button on a generated record page (and say OK when it asks first)."""
    mark_page(page)
    page.locator("a.btn", has_text=label).first.click()  # its link is "#": a script sends the form
    if asks:
        page.locator("#modal-confirm-ok:visible").click()
    until_next_page(page)


def flashes(page) -> str:
    return " ".join(page.locator(".alert").all_inner_texts())


def take_manual_order(page, t, name: str, phone: str, lines: list[tuple]) -> int:
    """Quick order: a new customer typed in, lines picked by SKU search (Enter adds the hit);
    a line is (sku, quantity) or (sku, quantity, price as the clerk types it)."""
    page.goto("/quick-order/")
    page.fill("#name", name)
    page.fill("#phone", phone)
    choose_address(page)
    for sku, qty, *price in lines:
        page.fill("#variant_search", sku)
        page.wait_for_selector(f".variant-hit:has-text('{sku} —')")
        page.press("#variant_search", "Enter")
        row = page.locator("#lines tbody tr").last
        row.locator("input[name=line_qty]").fill(str(qty))
        if price:
            row.locator("input[name=line_price]").fill(price[0])
    page.select_option("#payment_method", "cod")
    page.check("input[name=invoice_requested]")
    shot(page, f"quick-order-{t.locale}")
    submit(page, "#take_order")
    assert "/orderview/show/" in page.url, flashes(page)
    return order_id_of(page)


def run_bulk_action(page, name: str, *, asks: bool = True) -> None:
    """Choose a bulk action from a list's Actions menu for the ticked rows."""
    item = page.locator(f"a.{name}_menu_item")
    mark_page(page)
    item.locator("xpath=ancestor::div[contains(@class,'btn-group')][1]/button").click()
    item.click()  # its link is "#": the page itself stays until the form is sent
    if asks:
        page.locator("#modal-confirm-ok:visible").click()
    until_next_page(page)


def follow_job(page, seconds: float = 90) -> tuple[str, list[int]]:
    """On a job's page, watch the progress bar (the page follows the job by itself and reloads
    when it ends): returns the final status and every "done" count seen on the way."""
    from playwright.sync_api import Error as PlaywrightError
    page.wait_for_url("**/jobview/show/**")
    seen: list[int] = []
    deadline = time.monotonic() + seconds
    while True:
        try:
            box = page.locator(".oh-job")
            status = box.get_attribute("data-status")
            seen.append(int(box.get_attribute("data-done") or 0))
        except PlaywrightError:  # the page reloading itself as the job ends
            time.sleep(0.2)
            continue
        if status not in ("queued", "started"):
            return status, seen
        assert time.monotonic() < deadline, f"the job is still {status} after {seconds} s"
        time.sleep(0.3)


def submit(page, selector: str) -> None:
    """Click a button that sends its form, and wait for the page that answers."""
    mark_page(page)
    page.click(selector)
    until_next_page(page)


def add_order_line(page, sku: str, quantity: int, price: str | None = None) -> None:
    """On the order page: pick the variant in "Add line" (its price fills in), the quantity, a
    price typed over it if given, and add."""
    form = page.locator("form.oh-add-line")
    form.locator(".select2-selection").click()
    page.fill(".select2-search__field", sku)
    page.wait_for_selector(f".select2-results__option:has-text('{sku} —')")
    page.keyboard.press("Enter")
    assert form.locator("input[name=unit_price]").input_value(), "the variant's price is shown"
    form.locator("input[name=quantity]").fill(str(quantity))
    if price is not None:
        form.locator("input[name=unit_price]").fill(price)
    submit(page, "form.oh-add-line button[type=submit]")


def remove_order_line(page, sku: str) -> None:
    """On the order page: the line's remove button, answering its question with yes."""
    page.once("dialog", lambda d: d.accept())
    submit(page, f"tr.oh-line[data-sku='{sku}'] form.oh-line-remove button")
