"""A legal invoice number belongs to one seller: (seller tax code, template, series, number).

A provider may still issue an invoice under a number OrderHub already records for the seller — an
account pointed at another address of the provider, a register reset, two accounts of one seller.
That invoice exists at the provider and the tax authority: it is recorded all the same, pointing at
the invoice that holds the number (``Invoice.number_clash_of_id``), and shown on the invoice, its
order and the dashboard until a person has checked it.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Invoice
from app.models.base import utcnow
from app.services.errors import N_, DomainError


def mark_number_checked(session: Session, invoice: Invoice) -> Invoice:
    """A person has checked the clash with the provider (which invoice holds the number)."""
    if invoice.number_clash_of_id is None:
        raise DomainError(N_("Invoice %(invoice)s has no number to check: no other invoice holds its number."),
                          invoice=invoice.display_number)
    if invoice.clash_checked_at is None:
        invoice.clash_checked_at = utcnow()
        session.commit()
    return invoice
