"""What the invoice jobs get back from either provider, so they never read a provider's envelope.

``IssuedInvoice`` is the normalized result of issuing (or of looking an invoice up by its idempotency key
after a timeout). Store ``number``, ``series``, ``template``, ``tax_authority_code``, ``lookup_code``,
``issued_at`` and ``transaction_key``; ``raw`` keeps the provider's own record for the integration log.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7))   # invoice dates are Vietnamese calendar days


@dataclass
class IssuedInvoice:
    provider: str                   # "sinvoice" | "misa"
    template: str                   # mẫu số digit, e.g. "1"
    series: str                     # 6-character ký hiệu, e.g. "C26TAA"
    number: int | None              # None while the provider still assigns it (async issuance)
    transaction_key: str            # our idempotency key: S-Invoice transactionUuid / MISA RefID
    issued_at: datetime | None = None
    tax_authority_code: str | None = None   # mã của cơ quan thuế (C series only)
    lookup_code: str | None = None          # mã tra cứu the buyer types on the provider's site
    provider_id: str | None = None          # provider's own id (S-Invoice transactionID, MISA TransactionID)
    status: str | None = None               # provider's status text/code, as sent
    template_code: str | None = None        # S-Invoice "1/001"
    raw: dict = field(default_factory=dict)

    @property
    def invoice_no(self) -> str:
        """Series + number the way S-Invoice writes it (``C26TAA12``); empty before a number exists."""
        return f"{self.series}{self.number}" if self.number else ""

    @property
    def full_series(self) -> str:
        """Template digit + series, as printed: ``1C26TAA``."""
        return f"{self.template}{self.series}"


def to_epoch_ms(moment: datetime | date) -> int:
    """S-Invoice wants epoch milliseconds; a bare date means midnight in Vietnam."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=VN_TZ)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return int(moment.timestamp() * 1000)


def from_epoch_ms(value) -> datetime | None:
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value) / 1000, tz=VN_TZ)


def split_invoice_no(invoice_no: str) -> tuple[str, int | None]:
    """``"C26TAA12"`` → ("C26TAA", 12). S-Invoice does not zero-pad; an empty number means "not yet"."""
    text = (invoice_no or "").strip()
    series, digits = text[:6], text[6:]
    return series, int(digits) if digits.isdigit() else None
