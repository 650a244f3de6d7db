"""Runs one Job row: the single entry point RQ calls (``jobs.runner.run``).

Safe to run twice (RQ delivers at least once): a finished job is not run again, and job functions
check stored state and use idempotency keys for anything external. A ``RetryableError`` is raised
back to RQ, which retries with backoff (jobs.queue.RETRY_DELAYS); a permanent failure or a refused
business rule marks the job failed with a message a person can act on, and is not retried.
"""
from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
import traceback
from dataclasses import dataclass

from app.integrations.base import IntegrationError, RetryableError
from app.models import Job, JobStatus
from app.models.base import utcnow
from app.services.actor import acting_as
from app.services.errors import N_, DomainError
from app.services.jobs import message_entry, set_error

log = logging.getLogger(__name__)
_app = None

# Job kinds → "module:function". Each function takes a JobContext.
KINDS: dict[str, str] = {
    "orders.recalculate_totals": "jobs.orders:recalculate_totals",
    "system.prune_integration_log": "jobs.system:prune_integration_log",
    "orders.bulk_action": "jobs.orders:bulk_action",
}


def register_kind(kind: str, target: str) -> None:
    KINDS[kind] = target


def bind_app(app) -> None:
    global _app
    _app = app


_worker_thread = threading.local()


def bind_thread_app(app) -> None:
    """The app whose jobs this thread runs (an embedded worker's own), whatever app the process
    bound last: two apps in one process (tests, a CLI next to a server) each keep their jobs."""
    _worker_thread.app = app


def _get_app():
    global _app
    own = getattr(_worker_thread, "app", None)
    if own is not None:
        return own
    if _app is None:
        from app import create_app
        _app = create_app()
    return _app


@dataclass
class JobContext:
    session: object
    job: Job

    @property
    def params(self) -> dict:
        return self.job.params or {}

    @property
    def target_ids(self) -> list[int]:
        return list(self.job.target_ids or [])

    def progress(self, done: int, total: int | None = None, commit: bool = True) -> None:
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total
        if commit:
            self.session.commit()

    def message(self, template: str, level: str = "info", **values) -> None:
        """A line of the job's messages: an ``N_`` template filled from ``values`` (kept as
        such, so each reader sees it in their language)."""
        messages = list(self.job.messages or [])
        messages.append(message_entry(utcnow().isoformat(timespec="seconds"), level, template,
                                      values))
        self.job.messages = messages[-200:]


def _resolve(kind: str):
    """A kind names its function: ``"shipping.create_shipments"`` is ``jobs.shipping``'s
    ``create_shipments`` (KINDS may map a kind elsewhere)."""
    target = KINDS.get(kind)
    if target is None:
        module, _, func = kind.rpartition(".")
        if not module:
            raise LookupError(f"unknown job kind {kind!r}")
        target = f"jobs.{module}:{func}"
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)


def run(job_id: int):
    app = _get_app()
    from app.extensions import db
    with app.app_context():
        session = db.session
        job = session.get(Job, job_id)
        if job is None:
            log.warning("job %s does not exist (rolled back before it ran?)", job_id)
            return None
        if job.status in (JobStatus.FINISHED, JobStatus.CANCELLED):
            return job.result  # delivered twice: already done
        job.status = JobStatus.STARTED
        job.started_at = job.started_at or utcnow()
        job.attempts = (job.attempts or 0) + 1
        set_error(job, None)
        session.commit()
        username = job.user.username if job.user else "system"
        with acting_as(job.user_id, username):
            return _execute(session, job)


def _execute(session, job: Job):
    ctx = JobContext(session, job)
    try:
        result = _resolve(job.kind)(ctx)
    except RetryableError as exc:
        session.rollback()
        from jobs.queue import RETRY_DELAYS
        final = job.attempts > len(RETRY_DELAYS)
        _finish(session, job, JobStatus.FAILED if final else JobStatus.QUEUED,
                error=(exc.message, {}) if final else
                (N_("%(reason)s — will try again"), {"reason": exc.message}))
        if not final:
            raise
        return None
    except DomainError as exc:
        session.rollback()
        _finish(session, job, JobStatus.FAILED,
                error=(exc.template, exc.details, exc.translatable))
        return None
    except IntegrationError as exc:  # the provider's own words
        session.rollback()
        _finish(session, job, JobStatus.FAILED, error=(exc.message, {}))
        return None
    except Exception as exc:  # a bug: keep the trace in the log, a sentence for the user
        session.rollback()
        log.error("job %s (%s) crashed:\n%s", job.id, job.kind, traceback.format_exc())
        _finish(session, job, JobStatus.FAILED,
                error=(N_("Unexpected error (%(kind)s); see the server log."),
                       {"kind": exc.__class__.__name__}))
        return None
    _finish(session, job, JobStatus.FINISHED, result=result if isinstance(result, dict) else None)
    return result


def _finish(session, job: Job, status: JobStatus, error: tuple | None = None,
            result: dict | None = None) -> None:
    """``error``: (template, values[, translatable value names]) or None."""
    job = session.get(Job, job.id)
    job.status = status
    set_error(job, *(error or (None,)))
    if result is not None:
        job.result = result
    if status in (JobStatus.FINISHED, JobStatus.FAILED):
        job.finished_at = utcnow()
        if status == JobStatus.FINISHED and job.progress_total and \
                job.progress_done < job.progress_total:
            job.progress_done = job.progress_total
    session.commit()


def elapsed(job: Job) -> dt.timedelta | None:
    if job.started_at and job.finished_at:
        return job.finished_at - job.started_at
    return None
