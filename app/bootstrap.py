"""Explicit wiring: what the commands are handed (the session, the job queue, the mailer),
built once by ``create_app`` for the web app, the worker and the CLI alike.

Adapters (views, REST handlers, jobs, CLI) ask ``unit_of_work()`` for the unit of work a command
runs in; a test builds its own ``UnitOfWork`` with a plain session and a fake queue.
"""
from __future__ import annotations

from app.commands.unit_of_work import UnitOfWork


def unit_of_work(app=None) -> UnitOfWork:
    """A unit of work over the app's scoped session, enqueueing on the app's job queue."""
    if app is None:
        from flask import current_app
        app = current_app._get_current_object()
    from app.extensions import db
    from jobs.queue import runtime
    rt = runtime(app)
    return UnitOfWork(db.session, enqueue=lambda job_id, queue: rt.enqueue(job_id, queue=queue))
