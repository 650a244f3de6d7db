"""Walking every page a person can reach, as the walk test does: what is read on each page, and
what counts as a defect there (a 5xx, a script error, Python's repr, English on a Vietnamese page,
a button that refuses what it offered)."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
# Links a walk does not follow: signing out, switching language.
NOT_WALKED = ("/logout", "/login", "/lang/")
REPR = ("object at 0x", "{'", "[<")
WORD = re.compile(r"[A-Za-z][a-z]{2,}")
URL = re.compile(r"\S*[/@]\S*")  # a plain-ASCII word; SKUs and codes (COD, 0x1F) are not
# Words of both languages, or names that stay as they are in Vietnamese.
SHARED = {"orderhub", "email", "shopee", "lazada", "tiktok", "shop", "website", "facebook",
          "zalo", "viettel", "post", "misa", "meinvoice", "sinvoice", "online", "logo", "admin",
          "excel", "csv", "pdf", "api", "json", "swagger", "barcode", "http", "https", "www",
          "english", "tiếng", "việt", "giao", "hàng", "nhanh", "demo", "ghn", "sku", "vat", "cod",
          "id", "url", "token", "oauth", "code", "app", "key", "webhook", "tracking", "ok",
          "zip", "xlsx", "html", "sandbox", "orderhub-demo"}
# English words a forgotten gettext leaves behind that the catalogue may not hold as such.
PLAIN_ENGLISH = {"the", "and", "for", "with", "this", "that", "from", "none", "true", "false",
                 "short", "reserved", "shipped", "unknown", "queued", "started", "finished",
                 "failed", "order", "orders", "invoice", "job", "jobs", "pushed", "refused",
                 "pulled", "created", "updated", "stock", "products", "product"}


class EnglishWords:
    """Which words on a Vietnamese page are English left untranslated: words of the catalogue's
    English messages (and a few plain English words) that no Vietnamese message uses, that are
    not names kept in both languages, and that the shop's own data (product names, customers,
    addresses) does not contain."""

    def __init__(self, data_words: set[str]):
        from babel.messages.pofile import read_po
        with open(ROOT / "app/translations/vi/LC_MESSAGES/messages.po", "rb") as f:
            catalogue = read_po(f, locale="vi")
        english, vietnamese = set(), set()
        for message in catalogue:
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in ids:
                english |= self._words(re.sub(r"%\(\w+\)[sdif]", " ", text))
            for text in strings:
                vietnamese |= self._words(text)
        self.suspects = (english | PLAIN_ENGLISH) - vietnamese - SHARED - data_words

    @staticmethod
    def _words(text: str) -> set[str]:
        return {w.lower() for w in WORD.findall(text)}

    def left_in(self, text: str) -> list[str]:
        found = []
        for line in text.splitlines():
            # Addresses, e-mail and file names are data, whatever words they hold.
            hits = sorted(self._words(URL.sub(" ", line)) & self.suspects)
            if hits:
                found.append(f"{line.strip()[:120]!r} ({', '.join(hits)})")
        return found


@dataclass
class Finding:
    kind: str      # http, console, repr, english, refused, dead
    role: str
    lang: str
    url: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.role}/{self.lang} {self.url}: {self.detail}"


@dataclass
class Walk:
    """One person's walk (a role, a language) in one browser page."""

    page: object
    role: str
    lang: str
    english: EnglishWords | None
    findings: list[Finding] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    downloads: int = 0

    def __post_init__(self):
        page = self.page
        page.on("response", self._on_response)
        page.on("console", lambda m: m.type == "error" and self.add("console", m.text))
        page.on("pageerror", lambda e: self.add("console", str(e)))
        page.on("dialog", lambda d: d.accept())
        page.on("download", lambda d: self._downloaded(d))

    def _downloaded(self, download):
        self.downloads += 1
        download.cancel()

    def _on_response(self, response):
        if response.status >= 500:
            self.add("http", f"{response.request.method} {response.url} → {response.status}")

    def add(self, kind: str, detail: str) -> None:
        self.findings.append(Finding(kind, self.role, self.lang, self.path(), detail))

    def path(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    # --- pages --------------------------------------------------------------------------------
    def visit(self, url: str) -> bool:
        """Open ``url`` and read it; False when it is not a page to read further (an error,
        a file, a page of another site)."""
        from playwright.sync_api import Error as PlaywrightError
        try:
            response = self.page.goto(url, wait_until="load")
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                return False
            self.add("http", f"{url}: {exc}")
            return False
        if response is not None and response.status >= 400 and response.status != 404:
            self.add("http", f"GET {url} → {response.status}")
        if self.path().startswith("/login"):
            self.add("denied", f"{url} is offered but sends to the sign-in page")
            return False
        self.read()
        return response is not None and response.status < 400

    def read(self) -> None:
        """Check what the page shows (once per address)."""
        key = self.path()
        if key in self.seen:
            return
        self.seen.add(key)
        try:
            text = self.page.inner_text("body")
        except Exception:  # a PDF or an image shown by the browser itself
            return
        for marker in REPR:
            if marker in text:
                at = text.index(marker)
                self.add("repr", repr(text[max(0, at - 60):at + 60]))
        if self.lang == "vi" and self.english is not None:
            for line in self.english.left_in(text):
                self.add("english", line)

    def links(self, selector: str) -> list[str]:
        hrefs = self.page.eval_on_selector_all(
            selector, "els => els.map(e => e.getAttribute('href')).filter(h => h)")
        out = []
        for href in hrefs:
            if href.startswith(("#", "javascript:", "mailto:", "http") + NOT_WALKED) or \
                    href in out:
                continue
            out.append(href)
        return out

    # --- buttons ------------------------------------------------------------------------------
    def action_buttons(self) -> list[tuple[str, str]]:
        """(kind, selector) of each action button the record page offers."""
        out = []
        for name in self.page.eval_on_selector_all(
                "form.oh-step button[data-step]", "els => els.map(e => e.dataset.step)"):
            out.append((name, f"form.oh-step button[data-step='{name}']"))
        for ident in self.page.eval_on_selector_all("a[id^='btn-action-']",
                                                     "els => els.map(e => e.id)"):
            out.append((ident.rsplit("-", 1)[-1], f"a[id='{ident}']"))
        return out

    def press(self, selector: str, seconds: float = 25) -> str:
        """Press a button (saying yes to its question) and wait for what it leads to:
        "page" (another document), "download" (a file), or "nothing" (a dead button)."""
        from playwright.sync_api import Error as PlaywrightError
        page = self.page
        page.evaluate("window.__walkSeen = true")
        downloads = self.downloads
        page.locator(selector).first.click()
        modal = page.locator("#modal-confirm-ok:visible")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.downloads > downloads:
                return "download"
            try:
                if modal.count():
                    modal.first.click()
                if page.evaluate("window.__walkSeen !== true && "
                                 "document.readyState === 'complete'"):
                    return "page"
            except PlaywrightError:  # between two documents
                pass
            time.sleep(0.1)
        return "nothing"

    def refusals(self, cannot: str) -> list[str]:
        """The flash messages that refuse: every error, and warnings saying "Cannot …"."""
        danger = self.page.locator(".alert-danger").all_inner_texts()
        warning = self.page.locator(".alert-warning").all_inner_texts()
        return [t.strip(" ×\n") for t in danger + [w for w in warning if cannot in w]]
