"""Starting and retrying background jobs, as the user sees them (Job rows)."""
from __future__ import annotations

from sqlalchemy.orm import Session

import sqlalchemy as sa

from app.models import Job, JobStatus, JobTarget
from app.models.base import utcnow
from app.services.actor import current_actor
from app.services.errors import N_, DomainError, InvalidTransition, fill


TRANSLATE = "_translate"  # in a message's values: the names of those to translate too


def _is_phrase(value) -> bool:
    return isinstance(value, dict) and "template" in value


def plain_values(values: dict | None) -> dict:
    """A message's values as JSON keeps them: numbers as they are, a nested message (``phrase``)
    as its template and values, anything else as its text."""
    out = {}
    for key, value in (values or {}).items():
        if _is_phrase(value) or key == TRANSLATE:
            out[key] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def phrase(template: str, translatable: tuple[str, ...] = (), **values) -> dict:
    """A message kept for later, to go inside another one's values (``reason=phrase(...)``)."""
    out = plain_values(values)
    if translatable:
        out[TRANSLATE] = list(translatable)
    return {"template": template, "params": out}


def reason_of(exc: Exception):
    """Why an action was refused, as a message value: a domain error's template and details (so
    it is read in each reader's language), a provider's words as they are."""
    if isinstance(exc, DomainError):
        return phrase(exc.template, exc.translatable, **exc.details)
    return getattr(exc, "message", None) or str(exc)


def english(template: str, values: dict | None) -> str:
    """The message in English (as stored in the text columns, the API and the logs)."""
    return fill(template, {k: english(v["template"], v.get("params")) if _is_phrase(v) else v
                           for k, v in (values or {}).items() if k != TRANSLATE})


def start_job(session: Session, kind: str, title: str, *, target_type: str | None = None,
              target_ids: list[int] | None = None, params: dict | None = None,
              queue: str = "default", channel_id: int | None = None, enqueue=None,
              title_params: dict | None = None) -> Job:
    """Create the Job row and arrange for it to be enqueued when ``session`` commits.

    ``title`` is an ``N_`` template filled from ``title_params`` ("Issue invoice for order
    %(order)s"): the row keeps the English text and the template with its values, so each reader
    sees the title in their language. ``enqueue(session, job, queue)`` is the hook that talks to
    RQ (jobs.queue.enqueue_after_commit); it is passed in so this module stays free of Flask and RQ.
    """
    ids = list(target_ids or [])
    values = plain_values(title_params)
    job = Job(kind=kind, title=english(title, values)[:255], title_template=title[:255],
              title_params=values, queue=queue, target_type=target_type, target_ids=ids,
              params=params or {}, status=JobStatus.QUEUED, progress_total=len(ids),
              user_id=current_actor().user_id, channel_id=channel_id)
    session.add(job)
    session.flush()
    if target_type and ids:
        session.execute(sa.insert(JobTarget.__table__),
                        [{"job_id": job.id, "target_type": target_type, "target_id": int(i)}
                         for i in dict.fromkeys(ids)])
    if enqueue is not None:
        enqueue(session, job, queue)
    return job


def retry_job(session: Session, job: Job, enqueue=None) -> Job:
    """Start a failed job again as a new run (the failed one stays in the history)."""
    if job.status != JobStatus.FAILED:
        raise InvalidTransition("retry", job.status.value, record="job")
    again = start_job(session, job.kind, job.title_template or job.title,
                      target_type=job.target_type, target_ids=job.target_ids,
                      params=dict(job.params or {}), queue=job.queue, channel_id=job.channel_id,
                      enqueue=enqueue, title_params=job.title_params)
    again.retry_of_id = job.id
    return again


# A run the queue no longer knows (its worker was killed, the machine restarted) is started again
# while it has attempts left — every job is safe to run twice — and then fails with this message.
MAX_ATTEMPTS = 4
ABANDONED = N_("The worker running this job stopped before it finished (%(attempts)s attempts). "
               "Nothing was lost: retry it when the cause is fixed.")


def recover_abandoned(session: Session, job: Job, enqueue=None) -> str:
    """A job the queue has lost: queue it again if it may run again, else mark it failed.
    Returns "requeued" or "failed"."""
    if job.status not in (JobStatus.QUEUED, JobStatus.STARTED):
        return "ignored"
    if job.status == JobStatus.QUEUED or (job.attempts or 0) < MAX_ATTEMPTS:
        job.status = JobStatus.QUEUED
        if enqueue is not None:
            enqueue(session, job, job.queue)
        return "requeued"
    job.status = JobStatus.FAILED
    set_error(job, ABANDONED, {"attempts": job.attempts})
    job.finished_at = utcnow()
    return "failed"


def set_error(job: Job, template: str | None, values: dict | None = None,
              translatable: tuple[str, ...] = ()) -> None:
    """The job's error (None clears it), kept as English text and as template and values;
    ``translatable`` names the values that are words of ours (an action, a state)."""
    if template is None:
        job.error = job.error_template = job.error_params = None
        return
    values = plain_values(values)
    job.error, job.error_template = english(template, values), template
    job.error_params = {**values, TRANSLATE: list(translatable)} if translatable else values


def message_entry(at: str, level: str, template: str, values: dict | None = None) -> dict:
    """One line of a job's messages: the English text, and its template and values."""
    values = plain_values(values)
    return {"at": at, "level": level, "text": english(template, values), "template": template,
            "params": values}


def jobs_for(session: Session, target_type: str, target_id: int, limit: int = 50) -> list[Job]:
    """The jobs that worked on one record, newest first (for its page)."""
    return list(session.scalars(
        sa.select(Job).join(JobTarget, JobTarget.job_id == Job.id)
        .where(JobTarget.target_type == target_type, JobTarget.target_id == target_id)
        .order_by(Job.id.desc()).limit(limit)))
