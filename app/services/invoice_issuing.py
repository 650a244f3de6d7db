"""Issuing a saved invoice through its provider — never twice, one at a time per series.

``issue_invoice`` walks three transactions:

1. draft → pending, committed *before* any call: from then on the provider may hold the invoice, so every
   later attempt looks it up by the transaction key before sending anything;
2. the InvoiceSeries row is locked (``SELECT … FOR UPDATE``) for the rest of the attempt, so invoices of
   one series go out one at a time — the providers refuse overlapping issues
   (``InvoiceNumberNotCotinuous``) and number strictly in order;
3. look up (if an earlier attempt may have reached the provider), else note the send time (durably, in its
   own short transaction) and send; then number, series, tax-authority code, lookup code and the
   provider's issue time are stored and committed with the series' last number.

After a request whose answer never came (a timeout, a 5xx, a worker killed mid-call) the invoice stays
pending and nothing is asked of the provider during its quiet period (S-Invoice 90 s, research C.3:
overlapping duplicates can create two invoices); the job's retry then looks the invoice up by its key
and only sends again if the provider has none. If the process dies between the provider's answer and
our commit, the retry finds the issued invoice by its key and stores it. A refusal (validation, business rule) marks the invoice
failed with the provider's own message; a new invoice can then be made. The provider's PDF and the email
to the buyer come after (``deliver_invoice``), so a slow PDF never risks the number.
"""
from __future__ import annotations

from datetime import timedelta, timezone

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.integrations.base import AuthError, NotFound as ProviderNotFound, PermanentError, RetryableError
from app.integrations.einvoice.common import VN_TZ, IssuedInvoice
from app.models import ISSUED_STATES, Invoice, InvoiceKind, InvoiceSeries, InvoiceStatus, PaymentStatus
from app.models.base import utcnow
from app.services import invoice_mail
from app.services.einvoice_clients import (build_payload, client_for, quiet_seconds, seller_of,
                                           template_code)
from app.services.errors import N_, DomainError, InvalidTransition, NotFound, ValidationError, fill
from app.services.invoicing import (computed_of, create_invoice_draft, local_pdf, open_original,
                                    prefill_from_order, today_vn)


PROVIDER_LABELS = {"sinvoice": "S-Invoice", "misa": "MISA"}


class InvoiceRefused(DomainError):
    """The provider refused the invoice (its message kept); the invoice is marked failed."""


def _load(session: Session, invoice_id: int, *, lock: bool = False) -> Invoice:
    stmt = sa.select(Invoice).where(Invoice.id == invoice_id).execution_options(populate_existing=True)
    if lock:
        stmt = stmt.with_for_update(of=Invoice)
    invoice = session.scalars(stmt).first()
    if invoice is None:
        raise NotFound(N_("Invoice #%(id)s does not exist."), id=invoice_id)
    return invoice


def _lock_series(session: Session, invoice: Invoice) -> InvoiceSeries:
    series = session.scalars(sa.select(InvoiceSeries).where(
        InvoiceSeries.provider_account_id == invoice.provider_account_id,
        InvoiceSeries.template == invoice.template, InvoiceSeries.series == invoice.series)
        .with_for_update()).first()
    if series is None:
        raise ValidationError("series", N_("Series %(series)s is not registered for this account any more."),
                              series=f"{invoice.template.value}{invoice.series}")
    return series


def _mark_failed(session: Session, invoice_id: int, message: str) -> None:
    session.rollback()
    invoice = _load(session, invoice_id)
    if invoice.status not in ISSUED_STATES:
        invoice.status = InvoiceStatus.FAILED
        invoice.error_message = message[:1000]
        session.commit()


def _note_error(session: Session, invoice_id: int, message: str, *, not_sent_since=False) -> None:
    """Keep the last transient problem on the (still pending) invoice for the clerk to see.
    ``not_sent_since``: the provider refused this attempt's request outright (bad credentials), so the
    send time goes back to the previous attempt's (a ``datetime``, or None)."""
    session.rollback()
    invoice = _load(session, invoice_id)
    if invoice.status == InvoiceStatus.PENDING:
        invoice.error_message = message[:1000]
        if not_sent_since is not False:
            invoice.last_sent_at = not_sent_since
        session.commit()


def _utc(moment):
    if moment is None:
        return utcnow()
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def _payload(invoice: Invoice) -> dict:
    account = invoice.provider_account
    computed = computed_of(invoice, today_vn())
    original = invoice.original_invoice
    order = invoice.order
    return build_payload(account, computed, key=invoice.transaction_key,
                         order_code=order.number if order is not None else "",
                         original_template=original.template.value if original is not None else None,
                         paid=order is not None and order.payment_status != PaymentStatus.UNPAID)


def _record_send(session: Session, invoice: Invoice) -> None:
    """Write down, durably and before the request leaves, that the provider may hold the invoice from
    now on. A separate short transaction: this one keeps the series lock until the answer is stored."""
    now = utcnow()
    table = Invoice.__table__
    with session.get_bind().engine.begin() as conn:
        conn.execute(sa.update(table).where(table.c.id == invoice.id).values(last_sent_at=now))
    set_committed_value(invoice, "last_sent_at", now)


def _check_quiet_period(invoice: Invoice) -> None:
    """After a request whose answer never came, leave the provider alone for its quiet period (S-Invoice:
    90 s) — no look-up, no resend: a request overlapping one still in progress can issue a second
    invoice (research C.3). The job's retry comes back later and looks the invoice up first."""
    if invoice.last_sent_at is None:
        return
    until = invoice.last_sent_at + timedelta(seconds=quiet_seconds(invoice.provider_account))
    if utcnow() < until:
        raise RetryableError(f"{PROVIDER_LABELS.get(invoice.provider.value, invoice.provider.value)} may still be "
                             f"issuing this invoice: OrderHub looks it up by its key after "
                             f"{until.replace(tzinfo=timezone.utc).astimezone(VN_TZ):%H:%M:%S}.",
                             provider=invoice.provider.value, code="quiet_period")


NUMBER_CLASH = N_("%(provider)s issued invoice %(invoice)s under a number OrderHub already records for seller "
                  "%(seller)s (invoice #%(other)s): it is recorded all the same. Check with the provider which "
                  "invoice holds that number (was the account pointed at another address, or the provider's "
                  "register reset?).")


def _holder_of_number(session: Session, invoice: Invoice, tax_code: str, series: str, number: int) -> Invoice | None:
    """The invoice already recorded as (seller, template, series, number), other than ``invoice``."""
    with session.no_autoflush:
        return session.scalars(sa.select(Invoice).where(
            Invoice.seller_tax_code == tax_code, Invoice.template == invoice.template,
            Invoice.series == series, Invoice.number == number, Invoice.id != invoice.id,
            Invoice.number_clash_of_id.is_(None))).first()


def _flag_clash(invoice: Invoice, holder: Invoice) -> None:
    """Keep the invoice and say so on it and on its order, for a person (never refuse it: the
    provider has issued it, it is a legal document)."""
    from app.services.marketplace_status import flag
    invoice.number_clash_of_id = holder.id
    invoice.clash_checked_at = None
    if invoice.order is not None:
        flag(invoice.order, fill(NUMBER_CLASH, {
            "provider": PROVIDER_LABELS.get(invoice.provider.value, invoice.provider.value),
            "invoice": invoice.display_number, "seller": invoice.seller_tax_code, "other": holder.id}))


def _apply_result(session: Session, invoice: Invoice, series: InvoiceSeries, result: IssuedInvoice) -> None:
    if result.number is None:  # asynchronous issuance: numbered later, look it up again then
        raise RetryableError("The provider accepted the invoice but has not numbered it yet.",
                             provider=invoice.provider.value, code="not_numbered")
    invoice.seller_tax_code = seller_of(invoice.provider_account).tax_code
    invoice.number = result.number
    invoice.series = result.series or invoice.series
    holder = _holder_of_number(session, invoice, invoice.seller_tax_code, invoice.series, result.number)
    if holder is not None:
        _flag_clash(invoice, holder)
    invoice.tax_authority_code = result.tax_authority_code
    invoice.lookup_code = result.lookup_code
    # The provider's own time (S-Invoice issueDate, MISA PublishedTime); only when it gives none, the
    # moment our request went out — never the moment we happened to store the answer.
    invoice.issued_at = _utc(result.issued_at) if result.issued_at else (invoice.last_sent_at or utcnow())
    invoice.status = InvoiceStatus.ISSUED
    invoice.error_message = None
    series.last_number = max(series.last_number or 0, result.number)
    original = invoice.original_invoice
    if original is not None:
        original.status = (InvoiceStatus.REPLACED if invoice.kind == InvoiceKind.REPLACEMENT
                           else InvoiceStatus.ADJUSTED)


def _check_original_still_correctable(invoice: Invoice) -> None:
    original = invoice.original_invoice
    if original is None:
        return
    if original.status == InvoiceStatus.REPLACED or (
            invoice.kind == InvoiceKind.REPLACEMENT and original.status == InvoiceStatus.ADJUSTED):
        raise ValidationError("original_invoice", N_("Invoice %(invoice)s is already %(state)s; it cannot be "
                                                     "corrected this way."),
                              invoice=original.display_number, state=original.status.value)


def issue_invoice(session: Session, invoice_id: int, *, job_id: int | None = None,
                  transport: httpx.BaseTransport | None = None) -> Invoice:
    """Issue a saved invoice through its provider (see the module text). Safe to call again at any time."""
    invoice = _load(session, invoice_id)
    if invoice.status in ISSUED_STATES:
        return invoice
    if invoice.status == InvoiceStatus.FAILED:
        raise InvalidTransition("issue", "failed", record="invoice")
    maybe_sent = invoice.status == InvoiceStatus.PENDING
    if not maybe_sent:
        invoice.status = InvoiceStatus.PENDING
        session.commit()
    try:
        series = _lock_series(session, invoice)
        invoice = _load(session, invoice_id)       # as it is now, after waiting for the lock
        if invoice.status in ISSUED_STATES:        # another worker issued it meanwhile
            session.commit()
            return invoice
        _check_original_still_correctable(invoice)
    except ValidationError as exc:
        if maybe_sent:
            _note_error(session, invoice_id, exc.message)
        else:
            _mark_failed(session, invoice_id, exc.message)
        raise
    try:
        _check_quiet_period(invoice)
    except RetryableError as exc:
        _note_error(session, invoice_id, exc.message)
        raise
    sent_before = invoice.last_sent_at
    with client_for(invoice.provider_account, session=session, job_id=job_id, transport=transport) as client:
        try:
            result = client.find_by_key(invoice.transaction_key) if maybe_sent else None
            if result is None:
                payload = _payload(invoice)
                _record_send(session, invoice)
                result = client.issue(payload)
        except AuthError as exc:          # fix the account, then retry: the invoice stays pending
            _note_error(session, invoice_id, f"{exc.provider}: {exc.message}", not_sent_since=sent_before)
            raise
        except ProviderNotFound as exc:
            _note_error(session, invoice_id, exc.message)
            raise
        except PermanentError as exc:      # refused: never issued, a new invoice can be made
            _mark_failed(session, invoice_id, f"{exc.provider} refused the invoice: {exc.message}")
            raise InvoiceRefused(N_("%(provider)s refused invoice #%(id)s: %(reason)s"), provider=exc.provider,
                                 id=invoice_id, reason=exc.message) from exc
        except RetryableError as exc:       # it may have been issued: the retry looks it up first
            _note_error(session, invoice_id, f"{exc.message} — will look it up and try again.")
            raise
        except DomainError as exc:         # the stored content no longer passes the rules (e.g. new year)
            _mark_failed(session, invoice_id, exc.message)
            raise
    return _record(session, invoice, series, result)


def _record(session: Session, invoice: Invoice, series: InvoiceSeries, result: IssuedInvoice) -> Invoice:
    """Store what the provider issued. A number another worker recorded for the same seller at this
    very moment fails the unique index: then it is stored again, flagged against that invoice (if
    even that fails the invoice stays pending, and the job's retry finds it at the provider by key)."""
    invoice_id = invoice.id
    for attempt in range(3):
        if attempt:
            session.rollback()
            invoice = _load(session, invoice_id)
            series = _lock_series(session, invoice)
        try:
            _apply_result(session, invoice, series, result)
            session.commit()
            return invoice
        except sa.exc.IntegrityError:
            if attempt == 2:
                session.rollback()
                raise
    raise AssertionError("unreachable")


# ------------------------------------------------------------------------------------- delivery

def fetch_provider_pdf(session: Session, invoice_id: int, *, job_id: int | None = None,
                       transport: httpx.BaseTransport | None = None) -> bytes | None:
    """Store the provider's signed PDF of an issued invoice (once); returns it."""
    invoice = _load(session, invoice_id)
    if invoice.status not in ISSUED_STATES:
        raise InvalidTransition("download the provider's PDF of", invoice.status.value, record="invoice")
    if invoice.pdf:
        return invoice.pdf
    issued = IssuedInvoice(provider=invoice.provider.value, template=invoice.template.value,
                           series=invoice.series, number=invoice.number,
                           transaction_key=invoice.transaction_key, lookup_code=invoice.lookup_code,
                           provider_id=invoice.lookup_code,
                           template_code=template_code(invoice.provider_account, invoice.template.value))
    sent_before = invoice.last_sent_at
    with client_for(invoice.provider_account, session=session, job_id=job_id, transport=transport) as client:
        try:
            pdf = client.pdf(issued)
        except ProviderNotFound as exc:   # S-Invoice makes the file a few seconds after issuing
            raise RetryableError(f"The provider has no PDF yet: {exc.message}", provider=exc.provider,
                                 code="pdf_not_ready") from exc
    invoice.pdf = pdf
    session.commit()
    return pdf


def email_invoice(session: Session, invoice_id: int, mail: invoice_mail.MailSettings, *,
                  force: bool = False) -> str | None:
    """Email the invoice PDF to the buyer once (``force`` sends it again); returns where it went."""
    invoice = _load(session, invoice_id)
    if invoice.status not in ISSUED_STATES:
        raise InvalidTransition("email", invoice.status.value, record="invoice")
    if not invoice.buyer_email:
        if force:
            raise ValidationError("buyer_email", N_("Invoice %(invoice)s has no buyer email."),
                                  invoice=invoice.display_number)
        return None
    if invoice.emailed_at is not None and not force:
        return None
    pdf = invoice.pdf or local_pdf(invoice)
    seller = seller_of(invoice.provider_account)
    label = f"{invoice.template.value}{invoice.series} số {invoice.number:08d}"
    msg = invoice_mail.invoice_message(
        mail, to=invoice.buyer_email, seller_name=seller.name, invoice_label=label,
        total=f"{int(invoice.total):,}".replace(",", "."), lookup_code=invoice.lookup_code, pdf=pdf,
        filename=f"{invoice.template.value}{invoice.series}-{invoice.number:08d}.pdf")
    where = invoice_mail.send(mail, msg)
    invoice.emailed_at = utcnow()
    session.commit()
    return where


def deliver_invoice(session: Session, invoice_id: int, mail: invoice_mail.MailSettings | None, *,
                    job_id: int | None = None, transport: httpx.BaseTransport | None = None) -> None:
    fetch_provider_pdf(session, invoice_id, job_id=job_id, transport=transport)
    if mail is not None:
        email_invoice(session, invoice_id, mail)


def issue_and_deliver(session: Session, invoice_id: int, mail: invoice_mail.MailSettings | None, *,
                      job_id: int | None = None, transport: httpx.BaseTransport | None = None) -> Invoice:
    invoice = issue_invoice(session, invoice_id, job_id=job_id, transport=transport)
    deliver_invoice(session, invoice.id, mail, job_id=job_id, transport=transport)
    return invoice


def issue_for_order(session: Session, order_id: int, mail: invoice_mail.MailSettings | None, *,
                    job_id: int | None = None, transport: httpx.BaseTransport | None = None) -> Invoice:
    """The order's invoice issued: its saved draft or pending one, else one prefilled from the order."""
    invoice = open_original(session, order_id)
    if invoice is None:
        invoice = create_invoice_draft(session, order_id, prefill_from_order(session, order_id))
    return issue_and_deliver(session, invoice.id, mail, job_id=job_id, transport=transport)


__all__ = ["issue_invoice", "fetch_provider_pdf", "email_invoice", "deliver_invoice", "issue_and_deliver",
           "issue_for_order", "InvoiceRefused"]
