"""The catalogue import (SPEC §12): one entry point for the CLI, the API, the Import page and the
job.

``import_catalogue(session, upload)`` reads the file, checks every row, compares it with the
database and — unless it is a dry run — writes what differs, then returns a report of what was
(or would be) created and updated. Any bad row refuses the whole file with ``CatalogueRejected``
listing every problem, before anything is written. It flushes but never commits: the caller
commits (or, for a dry run, simply does not), so the whole file is one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.orm import Session

from app.services.catalog.applying import apply_plan
from app.services.catalog.planning import Plan, make_plan
from app.services.catalog.problems import CatalogueRejected, Problems
from app.services.catalog.reading import Table, Upload, read_upload
from app.services.catalog.rows import check_row, group_rows

__all__ = ["import_catalogue", "ImportReport", "CatalogueRejected", "Upload", "Progress"]

# progress(done, total): how far the import is (checking the rows, then writing them).
Progress = Callable[[int, int], None]
REPORTED = 200  # SKUs listed per kind of change in a report (the counts are always whole)


@dataclass
class ImportReport:
    dry_run: bool
    rows: int
    created: dict = field(default_factory=dict)    # kind → count
    updated: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    opening_skipped: int = 0
    details: dict = field(default_factory=dict)    # lists of what changed (SKUs, fields)

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "rows": self.rows, "changes": self.changes,
                "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "opening_stock_skipped": self.opening_skipped, "details": self.details}


def import_catalogue(session: Session, upload: Upload | Table, *, dry_run: bool = False,
                     progress: Progress | None = None) -> ImportReport:
    """Check ``upload`` and, unless ``dry_run``, write it (flush only). Raises CatalogueRejected."""
    table = upload if isinstance(upload, Table) else read_upload(upload)
    total = len(table) * (1 if dry_run else 2)
    problems = Problems()
    rows = []
    for count, (line, cells) in enumerate(table.rows, start=1):
        row = check_row(line, cells, problems)
        if row is not None:
            rows.append(row)
        if progress and count % 1000 == 0:
            progress(count, total)
    products = group_rows(rows, problems)
    plan = make_plan(session, products, len(table), problems)
    problems.raise_if_any()
    if progress:
        progress(len(table), total)
    report = _report(plan, dry_run)
    if not dry_run:
        written = (lambda n: progress(len(table) + round(n * len(table) / max(len(plan.variants), 1)),
                                      total)) if progress else None
        apply_plan(session, plan, written)
        if progress:
            progress(total, total)
    return report


def _report(plan: Plan, dry_run: bool) -> ImportReport:
    new_products = [p for p in plan.products if p.creates]
    changed_products = [p for p in plan.products if not p.creates]
    new_variants = [v for v in plan.variants if v.creates]
    changed_variants = [v for v in plan.variants if not v.creates]
    report = ImportReport(dry_run=dry_run, rows=plan.rows)
    report.created = {"products": len(new_products), "variants": len(new_variants),
                      "categories": len(plan.categories), "brands": len(plan.brands),
                      "opening_moves": len(plan.opening)}
    report.updated = {"products": len(changed_products), "variants": len(changed_variants)}
    report.unchanged = {"products": plan.product_count - len(plan.products),
                        "variants": plan.variant_count - len(plan.variants)}
    report.opening_skipped = len(plan.opening_skipped)
    report.details = {
        "products_created": [p.sku for p in new_products][:REPORTED],
        "products_updated": [{"sku": p.sku, "fields": sorted(p.values)}
                             for p in changed_products][:REPORTED],
        "variants_created": [v.sku for v in new_variants][:REPORTED],
        "variants_updated": [{"sku": v.sku, "fields": sorted(v.values)}
                             for v in changed_variants][:REPORTED],
        "categories_created": [" > ".join(path) for path, _ in plan.categories][:REPORTED],
        "brands_created": plan.brands[:REPORTED],
        "opening_moves": [{"sku": o.variant_sku, "warehouse": o.warehouse_code,
                           "quantity": o.quantity} for o in plan.opening][:REPORTED],
        "opening_stock_skipped": [{"sku": o.variant_sku, "warehouse": o.warehouse_code,
                                   "line": o.line} for o in plan.opening_skipped][:REPORTED],
    }
    return report
