"""In a real browser, in each language: a supervisor ships twenty orders at once and watches the
job's progress bar follow the booking to the end."""
from __future__ import annotations

from tests.e2e.conftest import shot
from tests.e2e.steps import flashes, follow_job, run_bulk_action, submit

LIST = "/orderview/list/?_flt_0_status={}&psize_OrderView=100"


def orders_in(app, ids, status: str) -> int:
    from app.extensions import db
    from app.models import Order
    with app.app_context():
        return db.session.query(Order).filter(Order.id.in_(ids), Order.status == status).count()


def test_supervisor_ships_twenty_orders_and_watches_the_job(page_for, site, t):
    app, _ = site
    page = page_for("supervisor", t.locale)

    # More orders ready to go: the processing ones packed in one action (the short ones stay).
    page.goto(LIST.format("processing"))
    page.check("#check_all")
    run_bulk_action(page, "bulk_pack")
    assert follow_job(page)[0] == "finished"

    page.goto(LIST.format("packed"))
    boxes = page.locator("input.action_check")
    assert boxes.count() >= 20, f"only {boxes.count()} packed orders"
    ids = []
    for box in boxes.all()[:20]:
        box.check()
        ids.append(int(box.get_attribute("value")))
    shot(page, f"bulk-ship-selection-{t.locale}")
    run_bulk_action(page, "bulk_ship", asks=False)

    # The form: one carrier and service for all, each order's own COD, the first ones quoted.
    assert "/orderview/bulk_ship/" in page.url, page.url
    assert page.locator("#bulk-ship-orders tbody tr").count() == 20
    page.select_option("#carrier", "ghn")
    page.select_option("#service", "economy")
    shot(page, f"bulk-ship-form-{t.locale}")
    submit(page, "#bulk-ship-form button.btn-primary[type=submit]")

    # The job page follows the job by itself: the bar moves and the page settles on the outcome.
    shot(page, f"bulk-ship-job-{t.locale}")
    status, seen = follow_job(page)
    assert seen == sorted(seen), f"progress went backwards: {seen}"
    assert status == "finished", page.inner_text(".oh-job")
    assert page.get_attribute(".oh-job", "data-total") == "20"
    assert page.get_attribute(".oh-job", "data-done") == "20"
    assert "20 / 20" in page.inner_text(".oh-job-count")
    assert page.inner_text(".oh-job-status").strip() == t("finished")
    shot(page, f"bulk-ship-job-done-{t.locale}")
    assert orders_in(app, ids, "shipped") == 20, page.inner_text("body")[-3000:]
