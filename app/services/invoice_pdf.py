"""The local PDF of an invoice: the preview before issuing, and a fallback copy after.

It prints everything ND254 Art.10 requires (research E.4) from a ``ComputedInvoice``, so what the clerk
previews is exactly what will be sent. Before issuing there is no number: the PDF says "chưa cấp số" (not
yet numbered). The provider's own PDF (with its signature) remains the legal copy once issued.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.pdf import render_pdf
from app.services.invoice_rules import ComputedInvoice, Seller, reference_text


@dataclass
class InvoicePdfMeta:
    number: int | None = None               # None → preview, printed "chưa cấp số"
    tax_authority_code: str | None = None   # mã của cơ quan thuế (C series)
    lookup_code: str | None = None          # mã tra cứu
    lookup_url: str | None = None           # where the buyer looks the invoice up
    signed_at: datetime | None = None
    provider_name: str = ""                 # e-invoice service provider (printed, E.4)
    provider_tax_code: str = ""
    order_code: str = ""


def _document(computed_invoice: ComputedInvoice, seller: Seller, meta: InvoicePdfMeta | dict | None) -> dict:
    if meta is None:
        meta = InvoicePdfMeta()
    elif isinstance(meta, dict):
        meta = InvoicePdfMeta(**meta)
    inv = computed_invoice
    return {"inv": inv, "seller": seller, "meta": meta, "preview": meta.number is None,
            "reference_line": reference_text(inv.reference) if inv.reference else ""}


def render_invoice_pdf(computed_invoice: ComputedInvoice, seller: Seller,
                       meta: InvoicePdfMeta | dict | None = None) -> bytes:
    """PDF bytes of ``computed_invoice`` issued by ``seller``; ``meta`` carries what the provider assigned."""
    return render_invoices_pdf([(computed_invoice, seller, meta)])


def render_invoices_pdf(items) -> bytes:
    """One PDF of several invoices (``(computed, seller, meta)`` each), each from a new page: one
    rendering, so the font and styles are loaded and embedded once rather than once per invoice."""
    return render_pdf("invoice.html", documents=[_document(*item) for item in items])
