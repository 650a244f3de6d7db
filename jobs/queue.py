"""Queues, the retry policy, and enqueueing only after the asking transaction has committed.

With ``REDIS_URL`` set, jobs go to Redis and separate ``rq`` workers (``python run.py worker``) run
them. Without it, the very same RQ code path runs on an in-process FakeRedis with a worker thread,
so a fresh machine needs nothing installed.
"""
from __future__ import annotations

import logging
import threading
import weakref

from rq import Queue, Retry
from sqlalchemy.orm import Session

from app.services import after_commit

log = logging.getLogger(__name__)

QUEUES = ("default", "integrations", "bulk")
# Transient failures (RetryableError) are retried after these delays; then the job fails.
RETRY_DELAYS = [10, 30, 120]
JOB_TIMEOUT = 60 * 30


class JobRuntime:
    def __init__(self, app, connection, embedded: bool):
        self.app = app
        self.connection = connection
        self.embedded = embedded
        self.prefix = prefix = app.config.get("RQ_QUEUE_PREFIX", "orderhub")
        self.queue_names = {name: f"{prefix}:{name}" for name in QUEUES}
        self.queues = {name: Queue(full, connection=connection, default_timeout=JOB_TIMEOUT)
                       for name, full in self.queue_names.items()}
        self._worker_thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def queue(self, name: str) -> Queue:
        return self.queues[name if name in self.queues else "default"]

    def rq_job_id(self, job_id: int) -> str:
        """RQ's id for a Job row's run: one per row, and per queue prefix, so two installations
        (or test runs) sharing a Redis never mistake each other's runs."""
        return f"{self.prefix}-job-{job_id}"

    def enqueue(self, job_id: int, queue: str = "default", retry: bool = True) -> str:
        from jobs.runner import run
        rq_id = self.rq_job_id(job_id)
        self.queue(queue).enqueue_call(
            run, args=(job_id,), job_id=rq_id,
            retry=Retry(max=len(RETRY_DELAYS), interval=RETRY_DELAYS) if retry else None,
            result_ttl=3600, failure_ttl=7 * 24 * 3600)
        if self.embedded:
            self.ensure_embedded_worker()
        return rq_id

    def ensure_embedded_worker(self) -> None:
        if not self.app.config.get("EMBEDDED_WORKER", True):
            return
        with self._lock:
            if self._worker_thread and self._worker_thread.is_alive():
                return
            from jobs.runner import bind_thread_app
            from jobs.worker import EmbeddedWorker
            worker = EmbeddedWorker(list(self.queues.values()), connection=self.connection)

            def work(app=self.app) -> None:
                bind_thread_app(app)  # its jobs run in this app, not the one created last
                worker.work_forever()
            self._worker_thread = threading.Thread(target=work, daemon=True,
                                                   name="orderhub-embedded-worker")
            self._worker_thread.start()

    def rq_status(self, job_id: int) -> str | None:
        """What RQ knows of a Job row's run: "queued", "started", "finished", "failed",
        "scheduled", "deferred"… or None when it has no such job (lost with a restart)."""
        from rq.exceptions import NoSuchJobError
        from rq.job import Job as RQJob
        try:
            return str(RQJob.fetch(self.rq_job_id(job_id), connection=self.connection)
                       .get_status(refresh=False).value)
        except NoSuchJobError:
            return None

    def clean_registries(self) -> None:
        """Let RQ notice runs whose worker died (it re-queues or fails them at once, rather than
        when a worker next does its periodic maintenance)."""
        from rq.registry import StartedJobRegistry
        for q in self.queues.values():
            StartedJobRegistry(queue=q).cleanup()

    def health(self) -> dict:
        try:
            self.connection.ping()
            counts = {name: q.count for name, q in self.queues.items()}
            return {"ok": True, "backend": "embedded" if self.embedded else "redis",
                    "queued": counts}
        except Exception as exc:  # reported by /health, never raised
            return {"ok": False, "backend": "embedded" if self.embedded else "redis",
                    "error": str(exc).splitlines()[0]}


# Every in-process queue of this process (several apps live in one test run; see conftest).
EMBEDDED_RUNTIMES: "weakref.WeakSet[JobRuntime]" = weakref.WeakSet()


def init_queue(app) -> JobRuntime:
    url = app.config.get("REDIS_URL")
    if url:
        from redis import Redis
        connection = Redis.from_url(url)
        runtime = JobRuntime(app, connection, embedded=False)
    else:
        import fakeredis
        connection = fakeredis.FakeRedis(server=fakeredis.FakeServer())
        runtime = JobRuntime(app, connection, embedded=True)
        EMBEDDED_RUNTIMES.add(runtime)
    app.extensions["orderhub_jobs"] = runtime
    from jobs import runner
    runner.bind_app(app)
    return runtime


def runtime(app=None) -> JobRuntime:
    if app is None:
        from flask import current_app
        app = current_app
    return app.extensions["orderhub_jobs"]


def queue_health(app) -> dict:
    return runtime(app).health()


def enqueue_after_commit(session: Session, job, queue: str = "default", app=None) -> None:
    """Enqueue ``job`` (a Job row) once ``session`` commits; nothing is enqueued on rollback."""
    if app is None:
        from flask import current_app
        app = current_app._get_current_object()
    rt, job_id = runtime(app), job.id
    after_commit.later(session, lambda: rt.enqueue(job_id, queue=queue))
