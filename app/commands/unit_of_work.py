"""The unit of work: one transaction, and what must happen only once it has committed.

A command runs inside ``with uow:``; it calls ``uow.commit()`` when its work is done. Leaving the
block without a commit (an error, a refusal) rolls back, and nothing that was to follow the commit
happens: no job is enqueued, no mail is sent. After a commit the effects run in order: first those
the services recorded on the session (``app.services.after_commit``: a Job row to enqueue, a mail
to send by a job) unless the session's own hook already ran them, then those given to
``after_commit``. An effect that fails is logged and never undoes the commit (the job row stays
queued, a periodic sweep or a person's retry picks it up).

Nothing here knows Flask or RQ: ``enqueue(job_id, queue)`` and ``mailer(mail, conf)`` (which
queues the mail for a job) are handed in by the wiring (``app.bootstrap``), so a test passes its
own.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session

from app.services import after_commit as recorded


Enqueue = Callable[[int, str], object]


class UnitOfWork:
    def __init__(self, session: Session, *, enqueue: Enqueue | None = None, mailer=None,
                 close: bool = False):
        self.session = session
        self._enqueue = enqueue
        self.mailer = mailer
        self._close = close
        self._after_commit: list = []
        self.committed = False

    def __enter__(self) -> "UnitOfWork":
        self.committed = False
        self._after_commit = []
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.committed:
            self.rollback()
        if self._close:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()
        self.committed = True
        pending, self._after_commit = self._after_commit, []
        # The commit stands whatever an effect does; a failed one is retried by whoever sweeps.
        recorded.run(recorded.take(self.session), self._handle)
        recorded.run(pending, self._handle)

    def rollback(self) -> None:
        self.session.rollback()
        self._after_commit = []
        recorded.forget(self.session)

    def _handle(self, effect) -> None:
        if isinstance(effect, recorded.EnqueueJob):
            if self._enqueue is None:
                raise RuntimeError("this unit of work has no queue to enqueue jobs on")
            self._enqueue(effect.job_id, effect.queue)
        elif isinstance(effect, recorded.SendMail):
            if self.mailer is None:
                raise RuntimeError("this unit of work has no mailer to send mail with")
            self.mailer(effect.mail, effect.conf)
        else:
            raise TypeError(f"unknown effect after commit: {effect!r}")

    def after_commit(self, effect) -> None:
        """Run ``effect`` (a callable, or an ``EnqueueJob`` / ``SendMail``) once this unit of work
        has committed (never if it rolls back)."""
        self._after_commit.append(effect)

    def enqueue_after_commit(self, session: Session, job, queue: str = "default") -> None:
        """The ``enqueue`` hook ``app.services.jobs.start_job`` takes: the Job row is enqueued
        when this unit of work commits."""
        if self._enqueue is None:
            raise RuntimeError("this unit of work has no queue to enqueue jobs on")
        self.after_commit(recorded.EnqueueJob(job.id, queue))

    def send_after_commit(self, mail, conf: dict) -> None:
        """Have ``mail`` sent by the mailer (a job) once this unit of work commits."""
        self.after_commit(recorded.SendMail(mail, conf))
