"""Printing selected invoices as one PDF: the run is cut into parts that several workers share (each
part claimed by exactly one), stored provider PDFs are used as they are, and the parts are merged in the
order chosen."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import InvoicePrintPart, Job, JobStatus, PrintPartStatus
from app.models.base import utcnow
from app.services import invoice_printing as printing
from app.services.invoice_pdf import render_invoice_pdf
from app.services.invoicing import computed_of, pdf_meta
from app.services.einvoice_clients import seller_of
from tests.conftest import login
from tests.integration.test_jobs import _wait_for
from tests.support.einvoice import account, stored_invoice


def _numbers(pdf: bytes) -> list[int]:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return [int(m.group(1)) for p in pages for m in [re.search(r"Số \(No\.\): (\d{8})", p.extract_text())] if m]


def test_workers_share_the_parts_and_the_pdf_keeps_the_chosen_order(session, monkeypatch):
    monkeypatch.setattr(printing, "PART_SIZE", 4)
    acc = account(session, "sinvoice", "http://127.0.0.1:9")
    invoices = [stored_invoice(session, acc, n) for n in range(1, 11)]
    # One invoice has the provider's signed PDF stored: that is what gets printed for it.
    signed = render_invoice_pdf(computed_of(invoices[2]), seller_of(acc), pdf_meta(invoices[2]))
    invoices[2].pdf = signed
    session.commit()
    order = [i.id for i in reversed(invoices)]
    job = Job(kind="invoicing.print_invoices", title="t", queue="bulk", status=JobStatus.STARTED)
    session.add(job)
    session.commit()
    run, created = printing.prepare_print(session, job.id, order + [order[0]])
    assert created and [len(p.invoice_ids) for p in run.parts] == [4, 4, 2]
    assert printing.prepare_print(session, job.id, order)[1] is False      # the job run twice
    first = printing._claim(session, run.id, "worker-a")
    second = printing._claim(session, run.id, "worker-b")
    assert first.position == 0 and second.position == 1                     # never the same part
    printing._render(session, second)
    # worker-a died holding part 0: after STALE_AFTER it is claimed again.
    session.execute(sa.update(InvoicePrintPart.__table__).where(InvoicePrintPart.__table__.c.id == first.id)
                    .values(claimed_at=utcnow() - printing.STALE_AFTER * 2))
    session.commit()
    assert printing.work_on(session, run.id, "worker-b") == 2               # part 0 again, and part 2
    done = printing.finish_print(session, run.id, "job")
    assert done.pages == 10 and _numbers(done.pdf) == list(range(10, 0, -1))
    assert printing.print_pdf(session, job.id)[0] == done.pdf
    assert session.scalar(sa.select(sa.func.count(InvoicePrintPart.id))
                          .where(InvoicePrintPart.status != PrintPartStatus.DONE)) == 0


def test_a_supervisor_prints_selected_invoices_in_a_job_and_downloads_one_pdf(web_app):
    with web_app.app_context():
        acc = account(db.session, "misa", "http://127.0.0.1:9")
        ids = [stored_invoice(db.session, acc, n, lines=n).id for n in range(1, 6)]
    clerk = web_app.test_client()
    login(clerk, "clerk")
    clerk.post("/invoiceview/action_post", data={"action": "bulk_print", "rowid": ids})
    with web_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Job.id)).where(Job.kind == "invoicing.print_invoices")) == 0
    sup = web_app.test_client()
    login(sup, "supervisor")
    resp = sup.post("/invoiceview/action_post", data={"action": "bulk_print", "rowid": ids})
    job = _wait_for(web_app, int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1]))
    assert job.status == JobStatus.FINISHED and job.result["pages"] == 5
    pdf = sup.get(job.result["download_url"])
    assert pdf.status_code == 200 and "attachment" in pdf.headers["Content-Disposition"]
    assert sorted(_numbers(pdf.data)) == [1, 2, 3, 4, 5]
    assert clerk.get(job.result["download_url"]).status_code in (302, 403)
