"""Periodic work. Every tick, each task that is due is enqueued once: a Redis key set with NX and an
expiry equal to the interval makes sure several schedulers (or a restart) never double-enqueue."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from app.services.errors import N_

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    every_seconds: int
    kind: str
    title: str
    queue: str = "default"


TASKS: list[PeriodicTask] = [
    PeriodicTask("prune_integration_log", 6 * 3600, "system.prune_integration_log",
                 N_("Prune old integration log entries")),
    PeriodicTask("sweep_lost_jobs", 120, "system.sweep_lost_jobs",
                 N_("Recover jobs whose worker stopped")),
    PeriodicTask("expire_assistant_drafts", 3600, "system.expire_assistant_drafts",
                 N_("Abandon the assistant's unfinished sales")),
]


# Modules with PERIODIC_TASKS = [PeriodicTask(...), ...] (order pulls, stock pushes, tracking polls…)
TASK_MODULES = ("jobs.channels", "jobs.shipping", "jobs.invoicing")


def all_tasks() -> list[PeriodicTask]:
    import importlib
    tasks = list(TASKS)
    for name in TASK_MODULES:
        module = importlib.import_module(name)
        tasks += [t for t in getattr(module, "PERIODIC_TASKS", []) if t not in tasks]
    return tasks


def register_task(task: PeriodicTask) -> None:
    if all(t.name != task.name for t in TASKS):
        TASKS.append(task)


def tick(app, now: float | None = None) -> list[str]:
    """Enqueue every due task; returns the names enqueued."""
    from app.extensions import db
    from app.services.jobs import start_job
    from jobs.queue import enqueue_after_commit, runtime
    rt = runtime(app)
    enqueued = []
    with app.app_context():
        for task in all_tasks():
            key = f"{rt.queue_names['default']}:schedule:{task.name}"
            if not rt.connection.set(key, str(now or time.time()), nx=True, ex=task.every_seconds):
                continue
            start_job(db.session, task.kind, task.title, queue=task.queue,
                      enqueue=lambda s, j, q: enqueue_after_commit(s, j, q, app=app))
            db.session.commit()
            enqueued.append(task.name)
    return enqueued


def run_scheduler_forever(app, interval: float = 5.0) -> None:
    while True:
        try:
            tick(app)
        except Exception:
            log.exception("scheduler tick failed")
        time.sleep(interval)


def start_embedded_scheduler(app) -> None:
    if not app.config.get("SCHEDULER_ENABLED", True) or app.config.get("REDIS_URL"):
        return
    threading.Thread(target=run_scheduler_forever, args=(app,), daemon=True,
                     name="orderhub-scheduler").start()
