"""What both e-invoice sandboxes (S-Invoice, MISA) keep alike: the register of issued invoices per
(template, series), numbered without gaps, and the PDF a provider hands back for an issued invoice.
Each sandbox keeps its own request checks and envelopes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7))


def now_vn() -> datetime:
    return datetime.now(VN_TZ).replace(microsecond=0)


def from_epoch_ms(value) -> datetime | None:
    """S-Invoice sends dates as epoch milliseconds."""
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value) / 1000, tz=VN_TZ)


def to_epoch_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)
