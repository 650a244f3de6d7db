"""A worker process killed after the provider created the invoice and before OrderHub stored it.

The issue job runs in its own OS process (what an RQ worker is) against the same database; the provider's
sandbox creates the invoice and holds its answer; once the sandbox's register shows the invoice, the
process gets SIGKILL. Retrying the job must leave exactly one invoice at the provider — the retry first
waits out the provider's quiet period, then looks the invoice up by its key (transactionUuid / RefID)
before any second create — and our invoice gets the provider's number.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.extensions import db
from app.integrations.base import RetryableError
from app.models import Invoice, InvoiceStatus, Job, JobStatus
from app.services.invoicing import create_invoice_draft, prefill_from_order
from app.services.jobs import start_job
from tests.conftest import make_app
from tests.support.einvoice import account, business_order, provider_calls, provider_invoices
from tests.support.live_server import serve

ROOT = Path(__file__).resolve().parents[2]
QUIET = 2.0


@pytest.fixture
def live(tmp_path):
    app = make_app(tmp_path)
    with serve(app) as url:
        yield app, url, app.config["SQLALCHEMY_DATABASE_URI"]
        for provider in ("sinvoice", "misa"):
            httpx.post(f"{url}/sandbox/{provider}/_control/reset", json={"state": True})
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("provider", ["sinvoice", "misa"])
def test_worker_killed_after_the_provider_issued_then_the_retry_looks_it_up(live, provider):
    app, url, database_url = live
    with app.app_context():
        account(db.session, provider, url, timeout=60, quiet=QUIET)
        order = business_order(db.session)
        invoice = create_invoice_draft(db.session, order.id, prefill_from_order(db.session, order.id))
        key = invoice.transaction_key
        job = start_job(db.session, "invoicing.issue_invoices", "Issue invoice", target_type="order",
                        target_ids=[order.id], params={"invoice_id": invoice.id}, queue="integrations")
        db.session.commit()
        invoice_id, job_id = invoice.id, job.id
    httpx.post(f"{url}/sandbox/{provider}/_control/hold", json={"operation": "create", "seconds": 120})

    worker = subprocess.Popen([sys.executable, "-m", "tests.support.run_job", database_url, str(job_id)],
                              cwd=ROOT, env={**os.environ, "CREDENTIALS_KEY": app.config["CREDENTIALS_KEY"]},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _until(lambda: provider_invoices(url, provider) or worker.poll() is not None, 60,
               "the provider to create the invoice")
        assert worker.poll() is None, worker.stderr.read().decode()[-2000:]
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(10) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
        httpx.post(f"{url}/sandbox/{provider}/_control/release")
    [created] = provider_invoices(url, provider)
    assert provider_calls(url, provider, key) == [("create", [key])]

    from jobs import runner
    with app.app_context():
        db.session.expire_all()
        stored = db.session.get(Invoice, invoice_id)
        assert stored.status == InvoiceStatus.PENDING and stored.number is None and stored.last_sent_at
        assert db.session.get(Job, job_id).status == JobStatus.STARTED   # left by the dead worker
    # RQ delivers the job again (or it is retried): within the quiet period the provider is left alone.
    with pytest.raises(RetryableError, match="looks it up by its key"):
        runner.run(job_id)
    assert provider_calls(url, provider, key) == [("create", [key])]
    time.sleep(QUIET)
    runner.run(job_id)

    operations = [op for op, _ in provider_calls(url, provider, key)]
    assert operations[:2] == ["create", "lookup"] and operations.count("create") == 1, operations
    assert len(provider_invoices(url, provider)) == 1
    with app.app_context():
        db.session.expire_all()
        stored = db.session.get(Invoice, invoice_id)
        job = db.session.get(Job, job_id)
        assert job.status == JobStatus.FINISHED, job.error
        number = int(created["invoiceNo"][6:]) if provider == "sinvoice" else int(created["InvNo"])
        assert stored.status == InvoiceStatus.ISSUED and stored.number == number == 1
        assert stored.lookup_code and stored.pdf
