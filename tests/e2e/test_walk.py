"""A walk through the whole panel as each role, in English and in Vietnamese, in a real browser.

On the demo shop (with a purchase order in each early state, a stock count and a return added),
each person visits every menu page, a sample of the records of each list (their pages, their edit
forms and the list's add form), clicks a couple of sort headers per list and every filter link
found, and presses every action button a record page offers (saying yes to its question).

The walk fails on any HTTP 5xx, browser console error, Python repr in a page (``object at 0x``,
``{'``, ``[<``), English left on a Vietnamese page (words of the catalogue's English messages that
no Vietnamese message and no shop data uses), a button that does nothing, and a button offered
that then refuses because of the record's state.

One server per language (the demo loads once); the three people walk it in turn, so later walks
meet records the earlier ones moved on.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.conftest import DEMO_PASSWORD, make_app
from tests.e2e.walking import EnglishWords, Walk
from tests.support.demo_site import demo_site

LANGS = ("en", "vi")
ROLES = ("clerk", "supervisor", "admin")
SORTS_PER_LIST = 1  # every column of every list is sorted by tests/integration/test_list_sorting.py
FILTER_LINKS = 15
CANNOT = {"en": "Cannot", "vi": "Không thể"}
# Pages that are not the panel's own (a marketplace's authorization page in its sandbox).
ELSEWHERE = ("/sandbox/",)

# Defects owned by work done alongside (inline scripts under the coming Content-Security-Policy,
# adding an order line, provider account forms, addresses). Each entry is (kind, text found in
# the finding); the list goes when that work is merged.
OTHER_WORK: list[tuple[str, str]] = []  # defects of other work in flight (none now)
# Flask-AppBuilder's role and group forms list permissions by their code names ("can add on
# RoleModelView"): identifiers, not words to translate.
CODE_NAMES = ("/roles/add", "/roles/edit/", "/groups/add", "/groups/edit/")


@pytest.fixture(scope="module", params=LANGS)
def shop(request, tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp(f"walk-{request.param}"))
    with demo_site(app) as base:
        with app.app_context():
            _documents_in_every_early_state()
            english = EnglishWords(_shop_words())
        yield request.param, base, english
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _documents_in_every_early_state() -> None:
    """What the demo has none of: purchase orders (draft, approved), a stock count, a return."""
    from app.models import Order, OrderStatus, ProductVariant, Supplier, Warehouse
    from app.services import purchase_documents, purchasing, returns, stock_counts
    session = db.session
    warehouse = session.scalars(sa.select(Warehouse).order_by(Warehouse.id)).first()
    supplier = session.scalars(sa.select(Supplier).order_by(Supplier.id)).first()
    variants = session.scalars(sa.select(ProductVariant).order_by(ProductVariant.id).limit(4)).all()
    for approve in (False, True):
        po = purchase_documents.create_purchase_order(session, supplier_id=supplier.id,
                                                      warehouse_id=warehouse.id)
        session.commit()
        for variant in variants[:2]:
            purchase_documents.add_po_line(session, po.id, variant_id=variant.id, quantity=10)
        session.commit()
        if approve:
            purchasing.approve_purchase_order(session, po.id)
            session.commit()
    stock_counts.create_stock_count(session, warehouse.id, sku_prefix=variants[0].sku[:3])
    session.commit()
    done = session.scalars(sa.select(Order).where(Order.status == OrderStatus.COMPLETED)
                           .order_by(Order.id)).first()
    if done is not None:
        returns.create_return(session, done.id, [(done.lines[0].id, 1, "good")],
                              reason="Không vừa size")
        session.commit()


def _shop_words() -> set[str]:
    """Words of the shop's own data (names, addresses, notes): not ours to translate."""
    from app.models.base import Model
    words: set[str] = set()
    for table in Model.metadata.sorted_tables:
        if table.name.startswith("ab_"):
            continue
        texts = [c for c in table.columns if isinstance(c.type, sa.String)
                 and not isinstance(c.type, sa.Enum)]
        if not texts:
            continue
        for row in db.session.execute(sa.select(*texts).limit(500)):
            for value in row:
                if value:
                    words |= EnglishWords._words(str(value))
    return words


def _known_elsewhere(finding) -> bool:
    return any(kind == finding.kind and text in str(finding) for kind, text in OTHER_WORK)


def _code_names(finding) -> bool:
    return finding.kind == "english" and finding.url.startswith(CODE_NAMES)


@pytest.mark.parametrize("role", ROLES)
def test_walk_every_page_as_each_role(browser, shop, role):
    lang, base, english = shop
    context = browser.new_context(base_url=base, locale=lang, accept_downloads=True,
                                  viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        walk = _signed_in(page, role, lang, english)
        _walk_everything(walk)
    finally:
        context.close()
    walk.findings = [f for f in walk.findings if not _code_names(f)]
    found = [f for f in walk.findings if not _known_elsewhere(f)]
    known = [f for f in walk.findings if _known_elsewhere(f)]
    assert not found, f"{len(found)} defects ({len(walk.seen)} pages):\n" + \
        "\n".join(map(str, found))
    if known:
        pytest.xfail("only defects owned by work in progress:\n" + "\n".join(map(str, known)))


def _signed_in(page, role, lang, english) -> Walk:
    page.goto("/login/")
    page.fill("#username", role)
    page.fill("#password", DEMO_PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("load")
    assert "/login" not in page.url, f"{role} could not sign in"
    if lang != "en":
        page.goto(f"/lang/{lang}")
    return Walk(page, role, lang, english)


def _walk_everything(walk: Walk) -> None:
    walk.visit("/")
    menu = walk.links(".navbar a") + [h for h in walk.links("a") if "_flt_" in h]
    filters: list[str] = []
    records: list[str] = []
    forms: list[str] = []
    for url in dict.fromkeys(menu):
        if "_flt_" in url:
            filters.append(url)
            continue
        if not walk.visit(url):
            continue
        rows = [h for h in walk.links("table a[href*='/show/']") if "/show/" in h]
        records += rows[:1]  # the newest (or first) record of each list
        forms += [h for h in walk.links("a[href*='/add']") if re.search(r"/add/?(\?|$)", h)][:1]
        filters += [h for h in walk.links("a[href*='_flt_']")]
        for sort in walk.links("th a[href*='_oc_']")[:SORTS_PER_LIST]:
            walk.visit(sort)
    for url in list(dict.fromkeys(filters))[:FILTER_LINKS]:
        walk.visit(url)
    for url in dict.fromkeys(forms):
        walk.visit(url)
    for url in dict.fromkeys(records):
        _walk_record(walk, url)


def _walk_record(walk: Walk, url: str) -> None:
    """A record's page, its edit form, and each action button it offers, pressed in turn."""
    if not walk.visit(url):
        return
    for edit in walk.links("a[href*='/edit/']")[:1]:
        walk.visit(edit)
    pressed: set[str] = set()
    while True:
        if not walk.visit(url):
            return
        buttons = [(name, sel) for name, sel in walk.action_buttons() if name not in pressed]
        if not buttons:
            return
        name, selector = buttons[0]
        pressed.add(name)
        outcome = walk.press(selector)
        if outcome == "nothing":
            walk.add("dead", f"{url}: the {name!r} button did nothing")
            continue
        if outcome == "download" or walk.path().startswith(ELSEWHERE):
            continue
        walk.read()
        for message in walk.refusals(CANNOT[walk.lang]):
            walk.add("refused", f"{url}: {name!r} was offered, then: {message}")
