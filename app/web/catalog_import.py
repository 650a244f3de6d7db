"""What the Import page and the REST endpoint share around ``import_catalogue``: a small file is
imported in the request (one transaction: committed, or rolled back for a dry run or a refusal);
a large one waits in the media storage and a job imports it with progress. A checked file also
waits there between the dry run and the person's confirmation."""
from __future__ import annotations

import re
import secrets

from flask import current_app

from app.extensions import db
from app.services.catalog.importing import ImportReport, Upload, import_catalogue
from app.services.catalog.reading import Table, read_upload
from app.services.errors import N_, fill
from app.web.media import storage

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
JOB_KIND = "catalog.import_file"
CHECK_TITLE = N_("Check the catalogue file %(file)s")
IMPORT_TITLE = N_("Import the catalogue file %(file)s")


def stash(upload: Upload) -> str:
    """Keep the uploaded bytes for a later step; returns the token naming them."""
    token = secrets.token_hex(16)
    storage().save(f"imports/{token}", upload.data, "application/octet-stream")
    return token


def unstash(token: str, filename: str) -> Upload | None:
    if not _TOKEN.match(token or ""):
        return None
    key = f"imports/{token}"
    if not storage().exists(key):
        return None
    return Upload(filename or "", storage().load(key))


def drop(token: str) -> None:
    if _TOKEN.match(token or ""):
        storage().delete(f"imports/{token}")


def is_large(table: Table) -> bool:
    return len(table) > int(current_app.config.get("CATALOG_IMPORT_INLINE_ROWS", 1000))


def import_now(table: Table, *, dry_run: bool) -> ImportReport:
    """Import in this request: the one place the inline import's transaction ends."""
    try:
        report = import_catalogue(db.session, table, dry_run=dry_run)
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report


def start_job(token: str, filename: str, *, dry_run: bool, rows: int):
    """A background import of the stashed file; committed here, enqueued after the commit."""
    from app.services.jobs import start_job as start
    from jobs.queue import enqueue_after_commit
    title = fill(CHECK_TITLE if dry_run else IMPORT_TITLE, {"file": filename})
    job = start(db.session, JOB_KIND, title[:255], params={
        "key": f"imports/{token}", "token": token, "filename": filename, "dry_run": dry_run},
        queue="bulk", enqueue=enqueue_after_commit)
    job.progress_total = rows * (1 if dry_run else 2)
    db.session.commit()
    return job


def run(upload: Upload, *, dry_run: bool, token: str | None = None):
    """A small file imported (or checked) now, a large one by a job: (report, None) or (None, job).
    ``token`` names the file when it already waits in the storage."""
    table = read_upload(upload)
    if is_large(table):
        token = token or stash(upload)
        return None, start_job(token, upload.filename, dry_run=dry_run, rows=len(table))
    return import_now(table, dry_run=dry_run), None
