"""What a page of OrderHub must never do, watched in the browser: open a dialog nobody asked for
(an injected ``alert``), log a console error (a Content-Security-Policy violation is one) or throw.

``PageWatch(page)`` listens from the moment it is made; ``check()`` fails with everything it saw.
``markup_problems(page)`` reads the DOM for what escaping must prevent: ``on*=`` attributes,
``javascript:`` links, and inline scripts.
"""
from __future__ import annotations

# Issue 15 lists the missing favicon separately; its 404 is not a page's script failing.
IGNORED_URLS = ("/favicon.ico",)


class PageWatch:
    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))

    def _dialog(self, dialog) -> None:
        self.problems.append(f"{self.page.url}: a {dialog.type} dialog opened: {dialog.message!r}")
        dialog.dismiss()

    def _console(self, message) -> None:
        if message.type != "error":
            return
        source = (message.location or {}).get("url") or ""
        if source.endswith(IGNORED_URLS):
            return
        self.problems.append(f"{self.page.url}: console error: {message.text}")

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems)


MARKUP_PROBE = """() => {
  const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href", "data"]);
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) found.push(`<${el.localName} ${attr.name}="${attr.value}">`);
      if (URL_ATTRS.has(attr.name) && /^\\s*javascript:/i.test(attr.value)) found.push(`<${el.localName} ${attr.name}="${attr.value}">`);
    }
  }
  for (const s of document.querySelectorAll("script")) {
    if (!s.src && s.type !== "application/json") found.push(`inline <script>${s.textContent.slice(0, 80)}`);
  }
  return found;
}"""


def markup_problems(page) -> list[str]:
    """Event-handler attributes, javascript: addresses and inline scripts in the page's DOM."""
    return page.evaluate(MARKUP_PROBE)
