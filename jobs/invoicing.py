"""E-invoice jobs: issue (one or many), the automatic rule, emailing an invoice again, and printing
many invoices as one PDF (shared between workers).

Every job is safe to run twice: an invoice is issued under its own transaction key, looked up by that key
whenever an earlier attempt may have reached the provider, and an issued one is skipped. In a bulk run each
invoice is its own transaction; a refused one is reported and the others go on; a transient failure (a
timeout, the provider busy) is retried by RQ after the rest are done, and the retry skips what was issued.
"""
from __future__ import annotations

from flask import current_app

from app.integrations.base import IntegrationError, RetryableError
from app.services.errors import N_, DomainError
from app.services.jobs import reason_of
from app.services.invoice_auto import orders_due_for_invoice
from app.services.invoice_issuing import email_invoice, issue_and_deliver, issue_for_order
from app.services.invoice_mail import MailSettings
from jobs.schedule import PeriodicTask

PERIODIC_TASKS = [
    PeriodicTask("invoicing_auto_issue", 300, "invoicing.auto_issue",
                 N_("Issue e-invoices for orders that need one"), queue="integrations"),
]


def _mail() -> MailSettings:
    return MailSettings.from_config(current_app.config)


def _names(ctx, model, ids: list[int], column: str) -> dict[int, str]:
    """How a person names each target: an order's number ("SO-000118"), an invoice's."""
    import sqlalchemy as sa
    rows = ctx.session.scalars(sa.select(model).where(model.id.in_(ids))).all()
    return {row.id: str(getattr(row, column)) for row in rows}


def _run_each(ctx, ids: list[int], issue_one, names: dict[int, str]) -> dict:
    ctx.progress(0, len(ids))
    issued, refused, to_check, retry, last = [], 0, 0, None, None
    for i, target in enumerate(ids, start=1):
        name = names.get(target, f"#{target}")
        try:
            invoice = issue_one(target)
            issued.append(invoice.id)
            ctx.message(N_("%(target)s: invoice %(invoice)s issued."), target=name,
                        invoice=invoice.display_number)
            if invoice.needs_checking:
                to_check += 1
                ctx.message(N_("%(target)s: invoice %(invoice)s was issued under a number already "
                               "recorded for seller %(seller)s (invoice #%(other)s): recorded and "
                               "flagged for a person to check."), "warning", target=name,
                            invoice=invoice.display_number, seller=invoice.seller_tax_code,
                            other=invoice.number_clash_of_id)
        except RetryableError as exc:
            ctx.session.rollback()
            retry = exc
            ctx.message(N_("%(target)s: %(reason)s — will try again."), "warning", target=name,
                        reason=exc.message)
        except (DomainError, IntegrationError) as exc:
            ctx.session.rollback()
            refused, last = refused + 1, exc
            ctx.message(N_("%(target)s: %(reason)s"), "warning", target=name,
                        reason=reason_of(exc))
        ctx.progress(i)
    if retry is not None:
        ctx.session.commit()  # keep the messages; RQ runs the job again and it skips what was issued
        raise retry
    if refused and not issued and len(ids) == 1:
        raise last
    return {"issued": len(issued), "refused": refused, "to check": to_check, "invoice_ids": issued}


def issue_invoices(ctx) -> dict:
    """Issue invoices: for orders (target_type "order": each order's saved invoice, or one prefilled from
    the order) or saved invoices (target_type "invoice": e.g. a replacement or an adjustment)."""
    from app.models import Invoice, Order
    mail, job_id = _mail(), ctx.job.id
    if ctx.job.target_type == "invoice":
        return _run_each(ctx, ctx.target_ids, lambda iid: issue_and_deliver(
            ctx.session, iid, mail, job_id=job_id),
            _names(ctx, Invoice, ctx.target_ids, "display_number"))
    return _run_each(ctx, ctx.target_ids, lambda oid: issue_for_order(
        ctx.session, oid, mail, job_id=job_id), _names(ctx, Order, ctx.target_ids, "number"))


def auto_issue(ctx) -> dict:
    """The automatic rule (periodic): orders due an invoice get one, through the default account."""
    from app.services.einvoice_clients import einvoice_accounts
    if not einvoice_accounts(ctx.session):
        ctx.message(N_("No active e-invoice account: nothing issued."))
        return {"issued": 0, "refused": 0, "invoice_ids": []}
    from app.models import Order
    threshold = int(current_app.config.get("INVOICE_AUTO_THRESHOLD") or 20_000_000)
    ids = orders_due_for_invoice(ctx.session, threshold)
    mail, job_id = _mail(), ctx.job.id
    return _run_each(ctx, ids, lambda oid: issue_for_order(ctx.session, oid, mail, job_id=job_id),
                     _names(ctx, Order, ids, "number"))


def print_invoices(ctx) -> dict:
    """One combined PDF of the selected invoices. The run is cut into parts; this job enqueues helper
    jobs (``INVOICE_PRINT_WORKERS`` − 1) so other workers render parts alongside it, renders parts
    itself, then merges them in order."""
    from app.services import invoice_printing as printing
    from app.services.jobs import start_job
    from jobs.queue import enqueue_after_commit
    run, created = printing.prepare_print(ctx.session, ctx.job.id, ctx.target_ids)
    ctx.progress(0, len(run.invoice_ids))
    if created:
        helpers = min(int(current_app.config.get("INVOICE_PRINT_WORKERS") or 2) - 1, len(run.parts) - 1)
        for n in range(max(0, helpers)):
            start_job(ctx.session, "invoicing.print_invoices_part",
                      N_("Help print invoices (job #%(job)s)"), params={"print_id": run.id},
                      queue=ctx.job.queue, enqueue=enqueue_after_commit,
                      title_params={"job": ctx.job.id})
        ctx.session.commit()

    def report():
        ctx.progress(printing.progress(ctx.session, run.id)[0])

    run = printing.finish_print(ctx.session, run.id, f"job-{ctx.job.id}", on_wait=report)
    ctx.message(N_("%(invoices)s invoices, %(pages)s pages."), invoices=len(run.invoice_ids),
                pages=run.pages)
    return {"print_id": run.id, "invoices": len(run.invoice_ids), "pages": run.pages,
            "download_url": f"/invoiceview/print/{ctx.job.id}"}


def print_invoices_part(ctx) -> dict:
    """A helper of ``print_invoices``: renders parts of its run until none is left."""
    from app.services import invoice_printing as printing
    return {"parts": printing.work_on(ctx.session, int(ctx.params["print_id"]), f"job-{ctx.job.id}")}


def resend_email(ctx) -> dict:
    """Email the selected issued invoices to their buyers again."""
    from app.models import Invoice
    mail = _mail()
    sent, last = 0, None
    names = _names(ctx, Invoice, ctx.target_ids, "display_number")
    ctx.progress(0, len(ctx.target_ids))
    for i, invoice_id in enumerate(ctx.target_ids, start=1):
        name = names.get(invoice_id, f"#{invoice_id}")
        try:
            where = email_invoice(ctx.session, invoice_id, mail, force=True)
            sent += 1
            ctx.message(N_("Invoice %(invoice)s emailed (%(to)s)."), invoice=name, to=where)
        except DomainError as exc:
            ctx.session.rollback()
            last = exc
            ctx.message(N_("%(target)s: %(reason)s"), "warning", target=name,
                        reason=reason_of(exc))
        ctx.progress(i)
    if not sent and len(ctx.target_ids) == 1:
        raise last
    return {"sent": sent}
