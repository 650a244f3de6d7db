"""How fast is the local invoice PDF (xhtml2pdf, DejaVu Sans, templates/invoice.html)?

Run: .venv/bin/python bench/invoice_pdf.py [--runs 30] [--invoices 500] [--workers 2]

1. single: the median time to render one 20-line VAT invoice (target ≤ 150 ms on this machine), after
   one warm-up render (fonts and templates load once per process);
2. batch: 500 different invoices (1–20 lines each, business and consumer buyers, all four VAT rates)
   rendered in one job by 2 workers. The workers are two forked processes
   (``concurrent.futures.ProcessPoolExecutor(max_workers=2)``), each rendering every other chunk of 25
   invoices and sending the PDF bytes back to the job, which collects them in order. Processes, not
   threads: xhtml2pdf/reportlab are pure Python, so threads would take turns on the GIL. For comparison
   the same batch is also rendered by 1 worker.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.services.invoice_pdf import InvoicePdfMeta, render_invoice_pdf  # noqa: E402
from app.services.invoice_rules import (Buyer, InvoiceDraft, InvoiceLineDraft, Seller,  # noqa: E402
                                        compute_invoice)

SELLER = Seller(name="Công ty TNHH Thương mại Điện tử Sen Việt", tax_code="0318123451",
                address="12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh", phone="02838123456")
GOODS = ["Áo thun cổ tròn", "Quần jean ống đứng", "Váy đầm công sở", "Giày thể thao", "Túi xách da",
         "Nước mắm Phú Quốc", "Cà phê rang xay Buôn Ma Thuột", "Bình giữ nhiệt inox", "Ốp lưng điện thoại",
         "Khẩu trang vải kháng khuẩn", "Sách giáo khoa Tiếng Việt"]
RATES = ["8", "10", "5", "KCT"]
TODAY = date.today()
SERIES = f"C{TODAY.year % 100}TAA"


def make_invoice(i: int, lines: int):
    rng = random.Random(i)
    business = i % 3 != 0
    buyer = (Buyer(name="Trần Văn Bình", legal_name=f"Công ty Cổ phần Thương mại Hòa Bình số {i}",
                   tax_code="0101248141", address="Số 10 Phạm Văn Bạch, Cầu Giấy, Hà Nội")
             if business else Buyer())
    return compute_invoice(InvoiceDraft(
        buyer=buyer, series=SERIES, issue_date=TODAY, payment_method="TM/CK",
        lines=[InvoiceLineDraft(f"{rng.choice(GOODS)} mẫu {n + 1}", "Cái", rng.randint(1, 5),
                                rng.randrange(20_000, 2_000_000, 500), discount=rng.choice([0, 0, 1000]),
                                vat_rate=rng.choice(RATES), code=f"SKU-{i}-{n}") for n in range(lines)]))


def render(i: int) -> bytes:
    return render_invoice_pdf(make_invoice(i, 1 + i % 20), SELLER,
                              InvoicePdfMeta(number=i + 1, lookup_code=f"LK{i:08d}", order_code=f"SO-{i:06d}"))


def render_chunk(ids: list[int]) -> list[bytes]:
    return [render(i) for i in ids]


def single(runs: int) -> float:
    invoice = make_invoice(1, 20)
    render_invoice_pdf(invoice, SELLER)  # warm-up: fonts, templates
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        pdf = render_invoice_pdf(invoice, SELLER)
        times.append(time.perf_counter() - started)
    assert pdf.startswith(b"%PDF")
    return statistics.median(times) * 1000


def batch(count: int, workers: int, chunk: int = 25) -> tuple[float, int]:
    chunks = [list(range(s, min(s + chunk, count))) for s in range(0, count, chunk)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pdfs = [pdf for part in pool.map(render_chunk, chunks) for pdf in part]
    elapsed = time.perf_counter() - started
    assert len(pdfs) == count and all(p.startswith(b"%PDF") for p in pdfs)
    return elapsed, sum(len(p) for p in pdfs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--invoices", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}")
    median = single(args.runs)
    print(f"single 20-line invoice: median {median:.1f} ms over {args.runs} renders "
          f"(target ≤ 150 ms: {'OK' if median <= 150 else 'MISSED'})")
    for workers in sorted({1, args.workers}):
        elapsed, size = batch(args.invoices, workers)
        print(f"batch: {args.invoices} invoices with {workers} worker process(es): {elapsed:.1f} s "
              f"({args.invoices / elapsed:.1f} invoices/s, {size / 1e6:.1f} MB of PDF)")


if __name__ == "__main__":
    main()
