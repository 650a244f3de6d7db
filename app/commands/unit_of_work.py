"""The unit of work: one transaction, and what must happen only once it has committed.

A command runs inside ``with uow:``; it calls ``uow.commit()`` when its work is done. Leaving the
block without a commit (an error, a refusal) rolls back, and nothing that was to follow the commit
happens: no job is enqueued, no mail is sent. After a commit the queued effects run in order; an
effect that fails is logged and never undoes the commit (the job row stays queued, a periodic
sweep or a person's retry picks it up).

Nothing here knows Flask or RQ: ``enqueue(job_id, queue)`` and ``mailer`` are handed in by the
wiring (``app.bootstrap``), so a test passes its own.
"""
from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

Enqueue = Callable[[int, str], object]


class UnitOfWork:
    def __init__(self, session: Session, *, enqueue: Enqueue | None = None, mailer=None,
                 close: bool = False):
        self.session = session
        self._enqueue = enqueue
        self.mailer = mailer
        self._close = close
        self._after_commit: list[Callable[[], object]] = []
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
        for effect in pending:
            try:
                effect()
            except Exception:  # the commit stands; the effect is retried by whoever sweeps
                log.exception("an effect after commit failed: %r", effect)

    def rollback(self) -> None:
        self.session.rollback()
        self._after_commit = []

    def after_commit(self, effect: Callable[[], object]) -> None:
        """Run ``effect`` once this unit of work has committed (never if it rolls back)."""
        self._after_commit.append(effect)

    def enqueue_after_commit(self, session: Session, job, queue: str = "default") -> None:
        """The ``enqueue`` hook ``app.services.jobs.start_job`` takes: the Job row is enqueued
        when this unit of work commits."""
        if self._enqueue is None:
            raise RuntimeError("this unit of work has no queue to enqueue jobs on")
        job_id = job.id
        self.after_commit(lambda: self._enqueue(job_id, queue))
