"""Starting and retrying background jobs, as the user sees them (Job rows)."""
from __future__ import annotations

from sqlalchemy.orm import Session

import sqlalchemy as sa

from app.models import Job, JobStatus, JobTarget
from app.models.base import utcnow
from app.services.actor import current_actor
from app.services.errors import N_, InvalidTransition, fill


def start_job(session: Session, kind: str, title: str, *, target_type: str | None = None,
              target_ids: list[int] | None = None, params: dict | None = None,
              queue: str = "default", channel_id: int | None = None, enqueue=None) -> Job:
    """Create the Job row and arrange for it to be enqueued when ``session`` commits.

    ``enqueue(session, job, queue)`` is the hook that talks to RQ (jobs.queue.enqueue_after_commit);
    it is passed in so this module stays free of Flask and RQ.
    """
    ids = list(target_ids or [])
    job = Job(kind=kind, title=title, queue=queue, target_type=target_type, target_ids=ids,
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
    again = start_job(session, job.kind, job.title, target_type=job.target_type,
                      target_ids=job.target_ids, params=dict(job.params or {}),
                      queue=job.queue, channel_id=job.channel_id, enqueue=enqueue)
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
    job.error = fill(ABANDONED, {"attempts": job.attempts})
    job.finished_at = utcnow()
    return "failed"


def jobs_for(session: Session, target_type: str, target_id: int, limit: int = 50) -> list[Job]:
    """The jobs that worked on one record, newest first (for its page)."""
    return list(session.scalars(
        sa.select(Job).join(JobTarget, JobTarget.job_id == Job.id)
        .where(JobTarget.target_type == target_type, JobTarget.target_id == target_id)
        .order_by(Job.id.desc()).limit(limit)))
