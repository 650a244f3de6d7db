"""The provider's own PDF of an issued invoice, as both e-invoice sandboxes serve it.

Real providers render their registered template; the sandboxes render a plain one from
``provider_invoice.html`` next to this file, with the shared Vietnamese font from ``app.pdf``, so a
downloaded PDF carries the number, series, tax-authority and lookup codes the provider assigned.
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from app.pdf import FONT_CSS, html_to_pdf

_env = Environment(loader=FileSystemLoader(str(Path(__file__).parent)),
                   autoescape=select_autoescape(["html"]))
_env.filters["vnd"] = lambda v: f"{int(v):,}".replace(",", ".") if v not in (None, "") else ""


def render_provider_pdf(invoice, provider_name: str) -> bytes:
    """``invoice`` is a ``LedgerInvoice``; its ``document`` dict holds what the payload said."""
    html = _env.get_template("provider_invoice.html").render(
        font_css=Markup(FONT_CSS), inv=invoice, doc=invoice.document, provider_name=provider_name)
    return html_to_pdf(html)
