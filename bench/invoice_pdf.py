"""How fast are invoice PDFs: one 20-line invoice, and "print selected invoices" for 500 stored invoices
shared by real worker processes.

Run:

    REDIS_URL=redis://127.0.0.1:6379/6 [BENCH_DATABASE_URL=postgresql://…/scratch] \
        .venv/bin/python bench/invoice_pdf.py [--runs 30] [--invoices 500] [--workers 2] [--no-compare]

BENCH_DATABASE_URL is a database the bench may wipe (default: a fresh SQLite file); on Redis it uses
queues of its own prefix and deletes them afterwards.

1. single: the median time to render one 20-line VAT invoice from templates/invoice.html (target
   ≤ 150 ms on this machine), after one warm-up render (fonts and templates load once per process).
   Wall time and CPU time are both printed: on a shared machine the wall time includes waiting for a
   core, the CPU time is what the render costs.
2. bulk: N stored, issued invoices (1–20 lines each, all four VAT rates, no provider PDF stored, so
   every one is rendered) are printed by the app's own "print selected invoices" job
   (``invoicing.print_invoices``) on Redis, with W real worker processes (``python run.py worker``)
   sharing the run part by part; the time runs from enqueueing the job to the combined PDF being
   stored. Without ``--no-compare`` the same is done with 1 worker for comparison.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOODS = ["Áo thun cổ tròn", "Quần jean ống đứng", "Váy đầm công sở", "Giày thể thao", "Túi xách da",
         "Nước mắm Phú Quốc", "Cà phê rang xay Buôn Ma Thuột", "Bình giữ nhiệt inox", "Ốp lưng điện thoại",
         "Khẩu trang vải kháng khuẩn", "Sách giáo khoa Tiếng Việt"]
RATES = ["8", "10", "5", "KCT"]
TODAY = date.today()
SERIES = f"C{TODAY.year % 100}TAA"
SELLER = {"name": "Công ty TNHH Thương mại Điện tử Sen Việt", "tax_code": "0318123451",
          "address": "12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh", "phone": "02838123456",
          "bank_account": "0071001234567", "bank_name": "Vietcombank"}


def draft(i: int, lines: int):
    from app.services.invoice_rules import Buyer, InvoiceDraft, InvoiceLineDraft
    rng = random.Random(i)
    buyer = (Buyer(name="Trần Văn Bình", legal_name=f"Công ty Cổ phần Thương mại Hòa Bình số {i}",
                   tax_code="0101248141", address="Số 10 Phạm Văn Bạch, Cầu Giấy, Hà Nội")
             if i % 3 else Buyer())
    return InvoiceDraft(
        buyer=buyer, series=SERIES, issue_date=TODAY, payment_method="TM/CK", note=f"Đơn hàng SO-{i:06d}",
        lines=[InvoiceLineDraft(f"{rng.choice(GOODS)} mẫu {n + 1}", "Cái", rng.randint(1, 5),
                                rng.randrange(20_000, 2_000_000, 500), discount=rng.choice([0, 0, 1000]),
                                vat_rate=rng.choice(RATES), code=f"SKU-{i}-{n}") for n in range(lines)])


# ------------------------------------------------------------------------------------------- single

def single(runs: int) -> tuple[float, float]:
    from app.services.invoice_pdf import InvoicePdfMeta, render_invoice_pdf
    from app.services.invoice_rules import Seller, compute_invoice
    invoice, seller = compute_invoice(draft(1, 20)), Seller(**SELLER)
    meta = InvoicePdfMeta(number=1, lookup_code="LK00000001", order_code="SO-000001")
    render_invoice_pdf(invoice, seller, meta)  # warm-up: fonts, templates
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        pdf = render_invoice_pdf(invoice, seller, meta)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    assert pdf.startswith(b"%PDF")
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


# --------------------------------------------------------------------------------------------- bulk

def _environment(tmp: Path) -> dict:
    from cryptography.fernet import Fernet
    env = dict(os.environ)
    env["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    env.update({"ORDERHUB_INSTANCE": str(tmp), "CREDENTIALS_KEY": Fernet.generate_key().decode(),
                "SECRET_KEY": "bench-secret-key-that-is-long-enough-for-jwt-0123456789",
                "RQ_QUEUE_PREFIX": f"bench{os.getpid()}", "SCHEDULER_ENABLED": "false",
                "MAIL_OUTBOX": str(tmp / "mail"), "PYTHONUNBUFFERED": "1"})
    return env


def _fresh_schema(url: str) -> None:
    import sqlalchemy as sa
    from app.db_rules import install_database_rules
    from app.models.base import Model
    import app.models  # noqa: F401  (every table)
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    Model.metadata.create_all(engine)
    install_database_rules(engine)
    engine.dispose()


def _store_invoices(session, count: int) -> list[int]:
    """``count`` issued invoices, saved as drafts then numbered (as issuing does), no provider PDF."""
    from app.models import Invoice, InvoiceStatus, ProviderAccount, ProviderKind
    from app.models.base import utcnow
    from app.services.invoice_rules import compute_invoice
    from app.services.invoicing import fill_invoice
    account = ProviderAccount(kind=ProviderKind.EINVOICE, provider="sinvoice", name="S-Invoice (bench)",
                              base_url="http://127.0.0.1:9/sandbox/sinvoice", credentials={},
                              settings={"seller": SELLER, "template_codes": {"1": "1/001"}})
    session.add(account)
    session.flush()
    invoices = [fill_invoice(Invoice(transaction_key=f"bench-{i}", status=InvoiceStatus.DRAFT), account,
                             compute_invoice(draft(i, 1 + i % 20))) for i in range(count)]
    session.add_all(invoices)
    session.commit()
    for n, invoice in enumerate(invoices, start=1):
        invoice.status, invoice.number, invoice.issued_at = InvoiceStatus.ISSUED, n, utcnow()
        invoice.lookup_code = f"LK{n:08d}"
    session.commit()
    return [i.id for i in invoices]


def _workers_ready(queue, count: int, log: str, timeout: float = 120) -> None:
    from rq import Worker
    deadline = time.monotonic() + timeout
    while len(Worker.all(queue=queue)) < count:
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not start:\n" + Path(log).read_text()[-3000:])
        time.sleep(0.2)


def bulk(app, env: dict, ids: list[int], workers: int) -> dict:
    from rq import Worker
    from app.extensions import db
    from app.models import InvoicePrint, InvoicePrintPart, Job, JobStatus
    from app.services.jobs import start_job
    from jobs.queue import enqueue_after_commit, runtime
    queue = runtime(app).queue("bulk")                 # this run's own queue (its own prefix)
    for worker in Worker.all(queue=queue):            # leftovers of an interrupted run of this bench
        worker.register_death()
    log = open(Path(env["ORDERHUB_INSTANCE"]) / f"workers-{workers}.log", "ab")
    procs = [subprocess.Popen([sys.executable, "run.py", "worker"], cwd=ROOT, env=env, stdout=log, stderr=log)
             for _ in range(workers)]
    try:
        _workers_ready(queue, workers, log.name)
        with app.app_context():
            job = start_job(db.session, "invoicing.print_invoices", f"Print {len(ids)} invoices",
                            target_type="invoice", target_ids=ids, queue="bulk", enqueue=enqueue_after_commit)
            db.session.commit()
            job_id = job.id
        started = time.perf_counter()
        while True:
            with app.app_context():
                job = db.session.get(Job, job_id)
                if job.status in (JobStatus.FINISHED, JobStatus.FAILED):
                    elapsed = time.perf_counter() - started
                    assert job.status == JobStatus.FINISHED, job.error
                    run = db.session.query(InvoicePrint).filter_by(job_id=job_id).one()
                    size = len(run.pdf)
                    by_worker = {}
                    for part in db.session.query(InvoicePrintPart).filter_by(print_id=run.id):
                        by_worker[part.claimed_by] = by_worker.get(part.claimed_by, 0) + 1
                    return {"elapsed": elapsed, "pages": run.pages, "size": size, "parts": by_worker}
            time.sleep(0.25)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--invoices", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-compare", action="store_true", help="skip the 1-worker comparison")
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    wall, cpu = single(args.runs)
    verdict = lambda ms: "OK" if ms <= 150 else "MISSED"  # noqa: E731
    print(f"single 20-line invoice: median {wall:.1f} ms wall, {cpu:.1f} ms CPU over {args.runs} renders "
          f"(target ≤ 150 ms: CPU {verdict(cpu)}, wall {verdict(wall)} — wall time includes waiting for a "
          f"core when the machine is loaded)")
    if not os.environ.get("REDIS_URL"):
        print("bulk: skipped (set REDIS_URL to a Redis database the bench may use)")
        return
    with tempfile.TemporaryDirectory(prefix="orderhub-bench-") as folder:
        env = _environment(Path(folder))
        os.environ.update(env)
        _fresh_schema(env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
                      if env["DATABASE_URL"].startswith("postgresql://") else env["DATABASE_URL"])
        from app import create_app
        app = create_app(EMBEDDED_WORKER=False, SANDBOX_ENABLED=False)
        from app.extensions import db
        with app.app_context():
            ids = _store_invoices(db.session, args.invoices)
        backend = env["DATABASE_URL"].split(":", 1)[0]
        for workers in [args.workers] + ([] if args.no_compare or args.workers == 1 else [1]):
            result = bulk(app, env, ids, workers)
            print(f"bulk print: {args.invoices} stored invoices in one job with {workers} worker process(es) "
                  f"({backend}): {result['elapsed']:.1f} s ({args.invoices / result['elapsed']:.1f} invoices/s), "
                  f"{result['pages']} pages, {result['size'] / 1e6:.1f} MB; parts rendered per job: "
                  f"{dict(sorted(result['parts'].items()))}")
        from jobs.queue import runtime
        connection = runtime(app).connection
        for key in connection.scan_iter(f"rq:*{env['RQ_QUEUE_PREFIX']}*"):
            connection.delete(key)


if __name__ == "__main__":
    main()
