"""Legal e-invoices. An issued invoice is immutable: corrections are replacement or adjustment
invoices that reference it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, Money, StrEnum, TimestampMixin, VersionedMixin, enum_column
from app.models.catalog import VatRate


class InvoiceProvider(StrEnum):
    SINVOICE = "sinvoice"
    MISA = "misa"


class InvoiceKind(StrEnum):
    ORIGINAL = "original"
    REPLACEMENT = "replacement"
    ADJUSTMENT = "adjustment"


class InvoiceTemplate(StrEnum):
    VAT = "1"    # hóa đơn giá trị gia tăng
    SALES = "2"  # hóa đơn bán hàng


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    ISSUED = "issued"
    FAILED = "failed"
    REPLACED = "replaced"
    ADJUSTED = "adjusted"


ISSUED_STATES = (InvoiceStatus.ISSUED, InvoiceStatus.REPLACED, InvoiceStatus.ADJUSTED)


class InvoiceSeries(TimestampMixin, Model):
    """A registered (template, series) of a provider account. Its row is locked while an invoice of
    the series is being issued, so invoices of one series go out one at a time."""

    __tablename__ = "invoice_series"
    provider_account_id: Mapped[int] = mapped_column(
        sa.ForeignKey("provider_account.id", ondelete="CASCADE"), nullable=False)
    template: Mapped[InvoiceTemplate] = mapped_column(
        enum_column(InvoiceTemplate, "ck_invoice_series_template"), nullable=False)
    series: Mapped[str] = mapped_column(sa.String(6), nullable=False)
    last_number: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    provider_account = relationship("ProviderAccount")
    __table_args__ = (sa.UniqueConstraint("provider_account_id", "template", "series",
                                          name="uq_invoice_series"),)

    def __str__(self) -> str:
        return f"{self.template.value}{self.series}"


class Invoice(TimestampMixin, VersionedMixin, Model):
    __tablename__ = "invoice"
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sales_order.id", ondelete="RESTRICT"),
                                                 index=True)
    provider: Mapped[InvoiceProvider] = mapped_column(
        enum_column(InvoiceProvider, "ck_invoice_provider"), nullable=False)
    provider_account_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("provider_account.id", ondelete="SET NULL"))
    kind: Mapped[InvoiceKind] = mapped_column(enum_column(InvoiceKind, "ck_invoice_kind"),
                                              nullable=False, default=InvoiceKind.ORIGINAL)
    template: Mapped[InvoiceTemplate] = mapped_column(
        enum_column(InvoiceTemplate, "ck_invoice_template"), nullable=False,
        default=InvoiceTemplate.VAT)
    series: Mapped[str] = mapped_column(sa.String(6), nullable=False)
    number: Mapped[int | None] = mapped_column(sa.Integer)
    # The seller the provider issued it for: (seller tax code, template, series, number) names one
    # legal invoice, whichever account or provider address it came through.
    seller_tax_code: Mapped[str | None] = mapped_column(sa.String(14))
    # Issued under a number OrderHub already held for that seller (another account, a provider
    # re-pointed or reset): recorded all the same, pointing at the invoice holding the number,
    # until a person has checked it (``clash_checked_at``).
    number_clash_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoice.id", ondelete="RESTRICT"))
    clash_checked_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    # Sent as S-Invoice transactionUuid / MISA RefID: the provider issues at most one invoice per key.
    transaction_key: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    status: Mapped[InvoiceStatus] = mapped_column(enum_column(InvoiceStatus, "ck_invoice_status"),
                                                  nullable=False, default=InvoiceStatus.DRAFT,
                                                  index=True)
    buyer_name: Mapped[str | None] = mapped_column(sa.String(255))
    buyer_company: Mapped[str | None] = mapped_column(sa.String(255))
    buyer_tax_code: Mapped[str | None] = mapped_column(sa.String(14))
    buyer_address: Mapped[str | None] = mapped_column(sa.String(500))
    buyer_email: Mapped[str | None] = mapped_column(sa.String(255))
    buyer_phone: Mapped[str | None] = mapped_column(sa.String(20))
    # 12-digit CCCD of an individual buyer who asks for it on the invoice (ND70, research D.3/C.3).
    buyer_id_number: Mapped[str | None] = mapped_column(sa.String(12))
    payment_method: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="TM/CK")
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False, default="VND")
    vat_breakdown: Mapped[list | None] = mapped_column(sa.JSON)  # [{"rate": "10", "amount": .., "tax": ..}]
    subtotal: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    vat_total: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    total: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    amount_in_words: Mapped[str | None] = mapped_column(sa.String(500))
    tax_authority_code: Mapped[str | None] = mapped_column(sa.String(40))
    lookup_code: Mapped[str | None] = mapped_column(sa.String(60))
    issued_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    error_message: Mapped[str | None] = mapped_column(sa.String(1000))
    emailed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    original_invoice_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invoice.id", ondelete="RESTRICT"), index=True)
    adjustment_direction: Mapped[str | None] = mapped_column(sa.String(10))  # increase / decrease
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    agreement_reference: Mapped[str | None] = mapped_column(sa.String(120))
    agreement_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    # When our last issue request went out (UTC): from then on the provider may hold the invoice, and
    # S-Invoice wants a quiet period before it is asked again (research C.3).
    last_sent_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)

    order = relationship("Order", back_populates="invoices")
    provider_account = relationship("ProviderAccount")
    original_invoice = relationship("Invoice", remote_side="Invoice.id", foreign_keys=[original_invoice_id])
    number_clash_of = relationship("Invoice", remote_side="Invoice.id", foreign_keys=[number_clash_of_id])
    # The invoices correcting this one (replacements, adjustments), for "replaced by" on its page.
    corrections = relationship("Invoice", viewonly=True, order_by="Invoice.id",
                               foreign_keys=[original_invoice_id])
    lines = relationship("InvoiceLine", back_populates="invoice", cascade="all, delete-orphan",
                         order_by="InvoiceLine.position")
    __table_args__ = (
        # One legal number per seller; an invoice issued under a number already held is kept
        # too, flagged (number_clash_of_id), never lost.
        sa.Index("uq_invoice_seller_number", "seller_tax_code", "template", "series", "number",
                 unique=True, sqlite_where=sa.text("number_clash_of_id IS NULL"),
                 postgresql_where=sa.text("number_clash_of_id IS NULL")),
        sa.CheckConstraint("kind = 'original' OR original_invoice_id IS NOT NULL",
                           name="ck_invoice_correction_has_original"),
        sa.CheckConstraint("status NOT IN ('issued', 'replaced', 'adjusted') OR number IS NOT NULL",
                           name="ck_invoice_issued_has_number"),
    )

    @property
    def needs_checking(self) -> bool:
        """Issued under a number already recorded for its seller, and nobody has checked it yet."""
        return self.number_clash_of_id is not None and self.clash_checked_at is None

    @property
    def display_number(self) -> str:
        number = f"{self.number:08d}" if self.number else "—"
        return f"{getattr(self.template, 'value', self.template) or ''}{self.series} № {number}"

    @property
    def replaced_by(self) -> str:
        """The issued invoice that replaced this one ("" when not replaced)."""
        return ", ".join(c.display_number for c in self.corrections
                         if c.kind == InvoiceKind.REPLACEMENT and c.status in ISSUED_STATES)

    @property
    def corrected_by(self) -> str:
        """Every correction of this invoice with its state."""
        return ", ".join(f"{c.kind.value} {c.display_number} ({c.status.value})" for c in self.corrections)

    def __str__(self) -> str:
        return self.display_number


class InvoiceLine(TimestampMixin, Model):
    __tablename__ = "invoice_line"
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoice.id", ondelete="CASCADE"),
                                            nullable=False, index=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    sku: Mapped[str | None] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(500), nullable=False)
    unit: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="cái")
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(18, 3), nullable=False)
    unit_price: Mapped[Decimal] = mapped_column(Money, nullable=False)
    discount: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    vat_rate: Mapped[VatRate] = mapped_column(enum_column(VatRate, "ck_invoice_line_vat_rate"),
                                              nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    vat_amount: Mapped[Decimal] = mapped_column(Money, nullable=False, default=0)
    # Adjustment invoices only: this line lowers the original (amounts stored negative).
    is_decrease: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False,
                                              server_default=sa.false())
    invoice = relationship("Invoice", back_populates="lines")

    def __str__(self) -> str:
        return self.name


class PrintPartStatus(StrEnum):
    PENDING = "pending"
    RENDERING = "rendering"
    DONE = "done"


class InvoicePrint(TimestampMixin, Model):
    """One "print selected invoices" run: the invoices in order, and once every part is rendered,
    the combined PDF the seller downloads."""

    __tablename__ = "invoice_print"
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("job.id", ondelete="CASCADE"), nullable=False,
                                        unique=True)
    invoice_ids: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    pages: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    parts = relationship("InvoicePrintPart", back_populates="print_run", cascade="all, delete-orphan",
                         order_by="InvoicePrintPart.position")


class InvoicePrintPart(TimestampMixin, Model):
    """A slice of a print run that one worker claims (a conditional UPDATE), renders and stores, so
    several workers share one run."""

    __tablename__ = "invoice_print_part"
    print_id: Mapped[int] = mapped_column(sa.ForeignKey("invoice_print.id", ondelete="CASCADE"),
                                          nullable=False, index=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    invoice_ids: Mapped[list] = mapped_column(sa.JSON, nullable=False)
    status: Mapped[PrintPartStatus] = mapped_column(enum_column(PrintPartStatus, "ck_print_part_status"),
                                                    nullable=False, default=PrintPartStatus.PENDING)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(sa.DateTime)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    pages: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    print_run = relationship("InvoicePrint", back_populates="parts")
    __table_args__ = (sa.UniqueConstraint("print_id", "position", name="uq_invoice_print_part"),)
