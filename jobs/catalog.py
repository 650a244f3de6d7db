"""Catalogue jobs: a large catalogue file checked (dry run) or imported in the background.

The file waits in the media storage (``imports/<token>/<name>``) so a worker on any machine can
read it. The import is one transaction, so its progress is written beside it, on a connection of
its own, where the database allows two writers (PostgreSQL); SQLite, which allows one, shows the
rows checked and then the end. Running the job twice is safe: the import changes only what differs.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.models import Job
from app.services.catalog.importing import CatalogueRejected, Upload, import_catalogue


def _progress_writer(job_id: int, session, dry_run: bool):
    engine = session.get_bind()
    # On SQLite the import's first write takes the only write lock until its commit.
    one_writer = engine.dialect.name == "sqlite" and not dry_run

    def report(done: int, total: int) -> None:
        if one_writer and done > total // 2:
            return
        with engine.begin() as conn:
            conn.execute(sa.update(Job.__table__).where(Job.__table__.c.id == job_id)
                         .values(progress_done=min(done, total), progress_total=total))
    return report


def problem_rows(exc: CatalogueRejected) -> list[dict]:
    """The problems as stored on the job: English text plus what translating it needs."""
    return [{"line": p.line, "column": p.column, "message": str(p.message),
             "template": p.message.template, "details": p.message.details}
            for p in exc.problems]


def import_file(ctx) -> dict:
    from app.web.media import storage
    params = ctx.params
    dry_run = bool(params.get("dry_run"))
    data = storage().load(params["key"])
    try:
        report = import_catalogue(ctx.session, Upload(params.get("filename") or "", data),
                                  dry_run=dry_run,
                                  progress=_progress_writer(ctx.job.id, ctx.session, dry_run))
    except CatalogueRejected as exc:
        ctx.session.rollback()
        job = ctx.session.get(Job, ctx.job.id)
        job.result = {"dry_run": dry_run, "errors": problem_rows(exc)}
        ctx.session.commit()
        raise
    if dry_run:
        ctx.session.rollback()
    else:
        ctx.session.commit()
        storage().delete(params["key"])
    return report.as_dict()
