"""The in-process RQ worker used when no Redis is configured (demo and local runs).

Signals only work in the main thread, so the worker does not install handlers and uses a timer
instead of SIGALRM to enforce job timeouts (see STACK-NOTES).
"""
from __future__ import annotations

import time

from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry
from rq.timeouts import TimerDeathPenalty


class EmbeddedWorker(SimpleWorker):
    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self):
        pass

    def has_work(self) -> bool:
        """A job waiting in a queue, or one scheduled for later (a retry after its backoff)."""
        return any(q.count or ScheduledJobRegistry(queue=q).count for q in self.queues)

    def work_forever(self) -> None:
        while True:
            try:
                # An idle worker only looks at its queues: a burst run (with its scheduler and
                # locks) every 0.2 s costs CPU for nothing, times every app in the process.
                if self.has_work():
                    self.work(burst=True, with_scheduler=True, logging_level="WARNING")
            except Exception:  # keep the embedded worker alive whatever a job did
                pass
            time.sleep(0.2)
