"""Printing many invoices at once: one combined PDF of the selected stored invoices, made by a job that
several workers can share.

A print run (``InvoicePrint``) lists the invoices in the order chosen and is cut into parts of
``PART_SIZE``. Any worker working on the run claims the next pending part with one conditional UPDATE
(so two workers never render the same part), renders each invoice of it — the provider's signed PDF
when it has been stored, else OrderHub's own rendering — stores the part, and claims the next. The job
that started the run merges the parts in order once all are done. A part claimed by a worker that died
is claimed again after ``STALE_AFTER``. Running any of it twice changes nothing: stored parts are kept,
a finished run returns its PDF.
"""
from __future__ import annotations

import io
import time
from datetime import timedelta

import sqlalchemy as sa
from pypdf import PdfReader, PdfWriter
from sqlalchemy.orm import Session, joinedload, selectinload, undefer

from app.models import Invoice, InvoicePrint, InvoicePrintPart, PrintPartStatus
from app.models.base import utcnow
from app.services.errors import N_, DomainError, NotFound, ValidationError
from app.services.invoicing import local_pdfs

PART_SIZE = 20
MAX_INVOICES = 2000
STALE_AFTER = timedelta(minutes=2)


def prepare_print(session: Session, job_id: int, invoice_ids: list[int]) -> tuple[InvoicePrint, bool]:
    """The job's print run, cut into parts (created once); returns (run, created now)."""
    run = session.scalar(sa.select(InvoicePrint).where(InvoicePrint.job_id == job_id))
    if run is not None:
        return run, False
    ids = list(dict.fromkeys(int(i) for i in invoice_ids))
    if not ids:
        raise ValidationError("invoice_ids", N_("Choose at least one invoice to print."))
    if len(ids) > MAX_INVOICES:
        raise ValidationError("invoice_ids", N_("At most %(max)s invoices are printed at once."), max=MAX_INVOICES)
    found = set(session.scalars(sa.select(Invoice.id).where(Invoice.id.in_(ids))))
    ids = [i for i in ids if i in found]
    if not ids:
        raise NotFound(N_("None of the selected invoices exists."))
    run = InvoicePrint(job_id=job_id, invoice_ids=ids, pages=0)
    run.parts = [InvoicePrintPart(position=n, invoice_ids=ids[start:start + PART_SIZE], pages=0)
                 for n, start in enumerate(range(0, len(ids), PART_SIZE))]
    session.add(run)
    session.commit()
    return run, True


def _claim(session: Session, print_id: int, worker: str) -> InvoicePrintPart | None:
    """Take the next part nobody is rendering (or whose worker went silent), or None."""
    table = InvoicePrintPart.__table__
    while True:
        now = utcnow()
        free = sa.or_(table.c.status == PrintPartStatus.PENDING.value,
                      sa.and_(table.c.status == PrintPartStatus.RENDERING.value,
                              table.c.claimed_at < now - STALE_AFTER))
        part_id = session.scalar(sa.select(table.c.id).where(table.c.print_id == print_id, free)
                                 .order_by(table.c.position).limit(1))
        if part_id is None:
            session.commit()
            return None
        taken = session.execute(sa.update(table).where(table.c.id == part_id, free).values(
            status=PrintPartStatus.RENDERING.value, claimed_at=now, claimed_by=worker[:80]))
        session.commit()
        if taken.rowcount == 1:
            return session.get(InvoicePrintPart, part_id, populate_existing=True)


def _documents(invoices: list[Invoice]):
    """What is printed, in order: the provider's signed PDF of an invoice where it is stored, else our
    rendering — consecutive ones rendered together, so the font is embedded once per run of them."""
    waiting: list[Invoice] = []
    for invoice in invoices:
        if invoice.pdf:
            if waiting:
                yield local_pdfs(waiting)
                waiting = []
            yield invoice.pdf
        else:
            waiting.append(invoice)
    if waiting:
        yield local_pdfs(waiting)


def _merge(documents) -> tuple[bytes, int]:
    writer = PdfWriter()
    for data in documents:
        writer.append(PdfReader(io.BytesIO(data)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def _render(session: Session, part: InvoicePrintPart) -> None:
    ids = list(part.invoice_ids)
    invoices = {i.id: i for i in session.scalars(
        sa.select(Invoice).where(Invoice.id.in_(ids)).options(
            undefer(Invoice.pdf), selectinload(Invoice.lines), joinedload(Invoice.provider_account),
            joinedload(Invoice.order), joinedload(Invoice.original_invoice)))}
    pdf, pages = _merge(_documents([invoices[i] for i in ids if i in invoices]))
    table = InvoicePrintPart.__table__
    session.execute(sa.update(table).where(table.c.id == part.id).values(
        status=PrintPartStatus.DONE.value, pdf=pdf, pages=pages, updated_at=utcnow()))
    session.commit()


def work_on(session: Session, print_id: int, worker: str, on_part=None) -> int:
    """Render parts of the run until none is left to claim; returns how many this worker rendered."""
    rendered = 0
    while (part := _claim(session, print_id, worker)) is not None:
        _render(session, part)
        rendered += 1
        if on_part is not None:
            on_part()
    return rendered


def progress(session: Session, print_id: int) -> tuple[int, int]:
    """(invoices rendered, invoices in the run)."""
    rows = session.execute(sa.select(InvoicePrintPart.status, InvoicePrintPart.invoice_ids)
                           .where(InvoicePrintPart.print_id == print_id)).all()
    session.commit()
    done = sum(len(ids) for status, ids in rows if status == PrintPartStatus.DONE)
    return done, sum(len(ids) for _, ids in rows)


def finish_print(session: Session, print_id: int, worker: str, *, timeout: float = 1800,
                 on_wait=None) -> InvoicePrint:
    """Wait until every part is rendered (rendering any left over itself), then merge them in order."""
    run = session.get(InvoicePrint, print_id)
    if run.finished_at is not None:
        return run
    deadline = time.monotonic() + timeout
    while True:
        work_on(session, print_id, worker, on_part=on_wait)
        done, total = progress(session, print_id)
        if done == total:
            break
        if time.monotonic() > deadline:
            raise DomainError(N_("Printing stopped: %(done)s of %(total)s invoices were rendered in time."),
                              done=done, total=total)
        if on_wait is not None:
            on_wait()
        time.sleep(0.2)
    parts = session.scalars(sa.select(InvoicePrintPart).where(InvoicePrintPart.print_id == print_id)
                            .options(undefer(InvoicePrintPart.pdf)).order_by(InvoicePrintPart.position)).all()
    run = session.get(InvoicePrint, print_id, populate_existing=True)
    run.pdf, run.pages = _merge(p.pdf for p in parts)
    run.finished_at = utcnow()
    for part in parts:          # the combined PDF is what is kept
        part.pdf = None
    session.commit()
    return run


def print_pdf(session: Session, job_id: int) -> tuple[bytes, str]:
    """(combined PDF, file name) of a finished print run."""
    run = session.scalar(sa.select(InvoicePrint).where(InvoicePrint.job_id == job_id)
                         .options(undefer(InvoicePrint.pdf)))
    if run is None:
        raise NotFound(N_("Job #%(id)s printed no invoices."), id=job_id)
    if run.finished_at is None or not run.pdf:
        raise DomainError(N_("The invoices of job #%(id)s are still being printed."), id=job_id)
    return run.pdf, f"invoices-job-{job_id}.pdf"
