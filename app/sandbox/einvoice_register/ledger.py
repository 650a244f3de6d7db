"""The invoice register an e-invoice provider keeps, shared by the S-Invoice and MISA sandboxes.

It enforces what the real services enforce (research E.3, E.5, H): numbers per (template, series) start at
1 and have no gaps; an issue date is never earlier than the series' last invoice; the same idempotency key
gives back the same invoice; a replacement/adjustment must point at an issued original of this seller; an
invoice already replaced is neither replaced again nor adjusted; an adjusted invoice is corrected again only
by adjustment ("the same method as the first time", E.5). C-series invoices get a tax-authority code.

Two requests that overlap on one series get ``SeriesBusy`` (the providers' ``InvoiceNumberNotCotinuous``):
this is what forces callers to issue one invoice at a time per series. ``processing_delay`` stretches the
"signing" step so tests can make requests overlap.
"""
from __future__ import annotations

import random
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

MAX_NUMBER = 99_999_999


class LedgerError(Exception):
    """A business rule refused the invoice; ``code`` is the provider-style code the sandbox sends."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class SeriesBusy(LedgerError):
    def __init__(self, series: str):
        super().__init__("InvoiceNumberNotCotinuous",
                         f"Số hóa đơn không liên tục: ký hiệu {series} đang được phát hành bởi yêu cầu khác, "
                         "vui lòng thử lại (invoice number not continuous: another request is issuing on "
                         "this series).")


@dataclass
class LedgerInvoice:
    key: str
    template: str
    series: str
    number: int
    issued_at: datetime
    kind: str                      # original | replacement | adjustment
    lookup_code: str
    provider_id: str
    tax_authority_code: str | None
    document: dict                 # what the PDF shows (seller, buyer, lines, totals, words)
    payload: dict                  # the request as received
    reference: tuple | None = None  # (template, series, number) of the corrected invoice
    replaced_by: str | None = None  # invoice no. of the replacement
    adjusted_by: list = field(default_factory=list)
    created: float = field(default_factory=time.time)   # when it was numbered (for lagging status lists)

    @property
    def invoice_no(self) -> str:
        return f"{self.series}{self.number}"


class Ledger:
    def __init__(self, seed: int = 1, processing_delay: float = 0.0):
        self._seed = seed
        self.processing_delay = processing_delay
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with getattr(self, "_lock", threading.Lock()):
            self._random = random.Random(self._seed)
            self.by_key: dict[str, LedgerInvoice] = {}
            self.by_number: dict[tuple, LedgerInvoice] = {}
            self.last: dict[tuple, LedgerInvoice] = {}
            self._busy: set[tuple] = set()
            self._busy_keys: set[str] = set()

    def find(self, key: str) -> LedgerInvoice | None:
        with self._lock:
            return self.by_key.get(key)

    def get(self, template: str, series: str, number: int) -> LedgerInvoice | None:
        with self._lock:
            return self.by_number.get((template, series, number))

    def all(self) -> list[LedgerInvoice]:
        with self._lock:
            return sorted(self.by_number.values(), key=lambda i: (i.template, i.series, i.number))

    def issue(self, *, key: str, template: str, series: str, issued_at: datetime, kind: str,
              reference: tuple | None, document: dict, payload: dict) -> tuple[LedgerInvoice, bool]:
        """Number and store an invoice; returns (invoice, created). A known key returns its invoice."""
        slot = (template, series)
        with self._lock:
            existing = self.by_key.get(key)
            if existing is not None:
                return existing, False
            if slot in self._busy or key in self._busy_keys:
                raise SeriesBusy(series)
            self._check_date(slot, issued_at)
            self._check_reference(kind, reference)
            self._busy.add(slot)
            self._busy_keys.add(key)
        try:
            if self.processing_delay:
                time.sleep(self.processing_delay)      # signing + sending to the tax authority
            with self._lock:
                self._check_date(slot, issued_at)
                original = self._check_reference(kind, reference)
                previous = self.last.get(slot)
                number = previous.number + 1 if previous else 1
                if number > MAX_NUMBER:
                    raise LedgerError("InvalidInvNo", f"Ký hiệu {series} đã hết số (quá 8 chữ số).")
                invoice = LedgerInvoice(
                    key=key, template=template, series=series, number=number, issued_at=issued_at,
                    kind=kind, lookup_code=self._code(15), provider_id=self._digits(18),
                    tax_authority_code=self._tax_authority_code(series, issued_at),
                    document=document, payload=payload, reference=reference)
                if original is not None:
                    if kind == "replacement":
                        original.replaced_by = invoice.invoice_no
                    else:
                        original.adjusted_by.append(invoice.invoice_no)
                self.by_key[key] = invoice
                self.by_number[(template, series, number)] = invoice
                self.last[slot] = invoice
                return invoice, True
        finally:
            with self._lock:
                self._busy.discard(slot)
                self._busy_keys.discard(key)

    # ------------------------------------------------------------------------------- rules

    def _check_date(self, slot: tuple, issued_at: datetime) -> None:
        previous = self.last.get(slot)
        if previous is not None and issued_at < previous.issued_at:
            raise LedgerError(
                "InvoiceIssuedDateInvalid",
                f"Ngày lập hóa đơn {issued_at:%d/%m/%Y %H:%M:%S} nhỏ hơn ngày của hóa đơn số "
                f"{previous.number} ký hiệu {previous.series} đã phát hành ({previous.issued_at:%d/%m/%Y %H:%M:%S}).")

    def _check_reference(self, kind: str, reference: tuple | None) -> LedgerInvoice | None:
        if kind == "original":
            return None
        original = self.by_number.get(reference) if reference else None
        if original is None:
            template, series, number = reference or ("?", "?", "?")
            raise LedgerError("OriginalInvoiceNotExist",
                              f"Không tìm thấy hóa đơn gốc mẫu số {template} ký hiệu {series} số {number} "
                              "(original invoice not found or not issued).")
        if original.replaced_by:
            raise LedgerError("InvoiceAlreadyReplaced",
                              f"Hóa đơn {original.invoice_no} đã bị thay thế bởi hóa đơn {original.replaced_by}; "
                              "không thể thay thế hoặc điều chỉnh lại (already replaced).")
        if kind == "replacement" and original.adjusted_by:
            raise LedgerError("InvoiceAlreadyAdjusted",
                              f"Hóa đơn {original.invoice_no} đã được điều chỉnh; sai sót tiếp theo phải xử lý "
                              "bằng điều chỉnh (already adjusted: correct it again by adjustment).")
        return original

    # ----------------------------------------------------------------------------- generated codes

    def _code(self, length: int) -> str:
        return "".join(self._random.choice(string.ascii_uppercase + string.digits) for _ in range(length))

    def _digits(self, length: int) -> str:
        return "".join(self._random.choice(string.digits) for _ in range(length))

    def _tax_authority_code(self, series: str, issued_at: datetime) -> str | None:
        """C series only. Format unverified (research C.4/H): cash-register style for M, 34 chars otherwise."""
        if not series.startswith("C"):
            return None
        if series[3] == "M":
            return f"M1-{issued_at:%y}-{self._code(5)}-{self._digits(11)}"
        return "00" + self._code(32)
