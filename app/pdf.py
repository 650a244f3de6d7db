"""Turn an HTML template from ``templates/`` into PDF bytes with xhtml2pdf.

The one place that knows about fonts: DejaVu Sans ships with the repository (``app/static/fonts``)
because xhtml2pdf's built-in fonts draw Vietnamese letters (ơ, ư, ă, đ, ạ, ₫ …) as black boxes, and a
fresh machine may not have a system font. xhtml2pdf only reads files under the current directory
unless the font folder is allowed explicitly, so the resource policy names it.
"""
from __future__ import annotations

import io
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from xhtml2pdf import pisa
from xhtml2pdf.files import ResourceAccessPolicy

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIR = ROOT / "templates"
FONT_DIR = Path(__file__).resolve().parent / "static" / "fonts"

FONT_CSS = f"""
@font-face {{ font-family: DejaVu; src: url("{(FONT_DIR / 'DejaVuSans.ttf').as_posix()}"); }}
@font-face {{ font-family: DejaVu; font-weight: bold;
              src: url("{(FONT_DIR / 'DejaVuSans-Bold.ttf').as_posix()}"); }}
html, body {{ font-family: DejaVu; }}
"""


class PdfRenderError(Exception):
    """The PDF could not be produced (template or layout error)."""


_env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)),
                   autoescape=select_autoescape(["html", "xml"]))


def _format_vnd(value) -> str:
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return ""


_env.filters.setdefault("vnd", _format_vnd)


def render_html(template_name: str, **context) -> str:
    return _env.get_template(template_name).render(font_css=Markup(FONT_CSS), **context)


def html_to_pdf(html: str) -> bytes:
    out = io.BytesIO()
    policy = ResourceAccessPolicy(extra_roots=(FONT_DIR,))
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=policy)
    if result.err:
        raise PdfRenderError(f"PDF rendering failed with {result.err} error(s)")
    return out.getvalue()


def render_pdf(template_name: str, **context) -> bytes:
    """Render ``templates/<template_name>`` with ``context`` and return the PDF bytes.

    Templates put ``<style>{{ font_css }}</style>`` in their head to get the Vietnamese-capable font.
    """
    return html_to_pdf(render_html(template_name, **context))
