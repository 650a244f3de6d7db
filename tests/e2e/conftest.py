"""Browser tests: Playwright driving Debian's Chromium against the app served on loopback.

Screenshots of the pages a person would look at are saved under tests/e2e/screenshots/ (ignored by
git) so the run can be reviewed by eye.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import DEMO_PASSWORD, make_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).parent / "screenshots"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Chromium (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Words:
    """The page's words in the test's language, from the app's own catalogues: ``t("Confirm")``."""

    def __init__(self, locale: str):
        from babel.support import Translations
        self.locale = locale
        self._catalogue = Translations.load(str(ROOT / "app" / "translations"), [locale])

    def __call__(self, text: str, **values) -> str:
        out = self._catalogue.gettext(text)
        return out % values if values else out


@pytest.fixture(params=["en", "vi"])
def t(request):
    """Runs the test once in English and once in Vietnamese: ``t`` gives that language's words."""
    return Words(request.param)


@contextmanager
def demo_served(app):
    """Serve ``app`` on a loopback port and load the demo shop: yields the base URL.

    The server listens before the demo loads, so the demo's shops, carrier and e-invoice accounts
    are registered at the address the browser and the sandboxes' callbacks really use.
    """
    from tests.support.demo_site import demo_site
    with demo_site(app) as base:
        yield base


@pytest.fixture
def site(tmp_path):
    """The app with the demo shop loaded, served on a loopback port: yields (app, base_url)."""
    app = make_app(tmp_path)
    with demo_served(app) as base:
        yield app, base


@pytest.fixture(scope="module")
def shared_site(tmp_path_factory):
    """As ``site``, once for a whole test module (loading the demo costs tens of seconds), for
    tests that only add records of their own."""
    app = make_app(tmp_path_factory.mktemp("shop"))
    with demo_served(app) as base:
        yield app, base


def sign_in(browser, base: str, username: str, locale: str = "en"):
    """A fresh browser context signed in as ``username`` in ``locale``: returns (context, page)."""
    ctx = browser.new_context(base_url=base, locale=locale, viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.goto("/login/")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, f"{username} could not sign in"
    if locale != "en":
        page.goto(f"/lang/{locale}")
        page.wait_for_load_state("networkidle")
    return ctx, page


@pytest.fixture
def page_for(browser, site):
    """page_for("clerk") → a signed-in page (a fresh browser context per user)."""
    _, base = site
    contexts = []

    def make(username: str, locale: str = "en"):
        ctx, page = sign_in(browser, base, username, locale)
        contexts.append(ctx)
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"),
                    full_page=True)
