"""What an order's attention note says (``Order.needs_attention``), as ``N_`` templates.

A note is stored filled in English, so exports and searches read the same for everyone; pages read
it back through these templates and show it in the reader's language (``app.web.i18n.note_text``).
Values named ``problem``, ``reason`` or ``error`` are messages themselves and are said too.
"""
from __future__ import annotations

from app.services.errors import N_, fill

ADDRESS = N_("Address: %(problem)s Correct it on the order before confirming.")
UNKNOWN_SKU = N_("Unknown SKU: %(skus)s. Add the variant or choose it on the line before confirming.")
UNDO_FAILED = N_("Carrier parcel %(tracking)s was booked but the order could not ship (%(reason)s); "
                 "cancelling it with the carrier failed: %(error)s. Cancel shipment %(reference)s again.")
COD_SHORT = N_("COD statement %(number)s: %(carrier)s paid %(short)s ₫ less than the COD collected "
               "for parcel %(parcel)s; claim it from %(carrier)s.")
CANCELLED_AFTER_PICKUP = N_("The carrier reports parcel %(parcel)s cancelled (%(raw)s) after the "
                            "courier picked it up: the goods are still with the carrier. Ask for them "
                            "back and receive them on the shipment page when they arrive, or claim "
                            "them as lost.")
RETURNED = N_("Parcel %(parcel)s is back from the carrier: receive it on the shipment page (good or "
              "damaged).")
LOST = N_("The carrier reports parcel %(parcel)s lost or damaged (%(raw)s): claim it with the carrier.")

TEMPLATES = (ADDRESS, UNKNOWN_SKU, UNDO_FAILED, COD_SHORT, CANCELLED_AFTER_PICKUP, RETURNED, LOST)
MESSAGES = ("problem", "reason", "error")  # values that are messages in their own right


def note(template: str, **values) -> str:
    """The note as stored: the English template filled, at most 500 characters (the column)."""
    return fill(template, {k: "" if v is None else v for k, v in values.items()})[:500]
