"""Moving due retries onto their queue, from whichever worker is alive.

A retry waiting for its backoff sits in RQ's scheduled-job registry until a scheduler moves it to
its queue. RQ lets one scheduler do that per queue, the holder of a lock in Redis, and its own
scheduler holds that lock for 61 s while the other workers only try to take it over every 10
minutes (their maintenance interval) — and not at all while they run a long job. A worker killed
with SIGKILL (an out-of-memory kill, a lost machine) so left its retries late by 5 to 10 minutes.

Here every worker runs a small thread that tries for the same lock every ``POLL_SECONDS`` with a
``LOCK_SECONDS`` lease: the holder renews it at each poll and moves what is due; when the holder
dies, its lease runs out and the next poll of a surviving worker takes over. Due retries therefore
run within LOCK_SECONDS + POLL_SECONDS of a crash (plus the time for a worker to be free). The
lock is RQ's own key, so an ``rq worker --with-scheduler`` started by hand shares the work
correctly (only its own takeover is slow).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from rq.scheduler import RQScheduler
from rq.scripts import acquire_or_refresh_lock, release_lock

log = logging.getLogger(__name__)

LOCK_SECONDS = 15
POLL_SECONDS = 2


class RetryScheduler:
    """Takes and keeps the scheduler lock of ``queues`` whenever it is free, and then moves their
    due scheduled jobs (retries after a backoff) onto them."""

    def __init__(self, queues, connection, *, lock_seconds: int = LOCK_SECONDS,
                 poll_seconds: float = POLL_SECONDS):
        self.queue_names = sorted(q.name for q in queues)
        # The lock's owner names the process (shown by `rq info`-style tools and our tests).
        self.name = f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
        self.rq = RQScheduler(queues, connection=connection, name=self.name,
                              interval=poll_seconds)
        self.lock_seconds, self.poll_seconds = lock_seconds, poll_seconds
        self.owned: set[str] = set()
        self._stop = threading.Event()

    def step(self) -> set[str]:
        """Take or renew the locks that are free or ours; move what is due on the queues held."""
        conn = self.rq.connection
        owned = {name for name in self.queue_names
                 if acquire_or_refresh_lock(conn, RQScheduler.get_locking_key(name), self.name,
                                            self.lock_seconds) in ("acquired", "refreshed")}
        if owned - self.owned:
            log.info("Scheduling the retries of %s", ", ".join(sorted(owned - self.owned)))
        self.owned = owned
        if owned:
            self.rq.register_birth()  # who holds the lock: name, host and pid, for a person
            self.rq.prepare_registries(owned)
            self.rq.enqueue_scheduled_jobs()
        return owned

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                self.step()
            except Exception:  # Redis away for a moment: try again at the next poll
                log.exception("retry scheduler step failed")
            self._stop.wait(self.poll_seconds)
        self.release()

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="orderhub-retry-scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def release(self) -> None:
        """Hand the locks over at once on a clean stop (a crash leaves them to expire)."""
        for name in self.owned:
            release_lock(self.rq.connection, RQScheduler.get_locking_key(name), self.name)
        if self.owned:
            self.rq.register_death()
        self.owned = set()
