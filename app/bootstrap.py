"""Explicit wiring: what the commands are handed (the session, the job queue, the mailer),
built once by ``create_app`` for the web app, the worker and the CLI alike.

Adapters (views, REST handlers, jobs, CLI) ask ``unit_of_work()`` for the unit of work a command
runs in; a test builds its own ``UnitOfWork`` with a plain session and a fake queue.
"""
from __future__ import annotations

import logging

from sqlalchemy import event

from app.commands.unit_of_work import UnitOfWork
from app.services import after_commit, session_rules, stock_changes

log = logging.getLogger(__name__)


def install_session_hooks(session_factory) -> None:
    """What every session of the app does on its own, installed here and only here on the app's
    session factory (never on SQLAlchemy's ``Session`` class): the rules each write must pass, and
    after each commit what the committed work recorded (``app.services.after_commit``: jobs to
    enqueue, mails to send by a job) and the marketplace stock push for the variants whose
    available stock it changed (``app.services.stock_changes``, ``jobs.stock_watch``). Every app
    built in a process shares ``db.session``: a second call adds nothing."""
    session_rules.install(session_factory)
    for name, listener in (("after_commit", run_after_commit),
                           ("after_soft_rollback", forget_after_rollback)):
        if not event.contains(session_factory, name, listener):
            event.listen(session_factory, name, listener)


def run_after_commit(session) -> None:
    """The app session's commit: run what it recorded, with the running app's queue."""
    if not after_commit.is_outermost(session):
        return  # a savepoint was released: wait for the real commit
    effects = after_commit.take(session)
    changed = stock_changes.take(session)
    if not effects and not changed:
        return
    from flask import current_app, has_app_context
    if not has_app_context():  # a script using the app's session outside the app
        after_commit.run(effects, after_commit.handle_without_app)
        return
    app = current_app._get_current_object()
    after_commit.run(effects, lambda effect: handle(app, effect))
    if changed:
        from jobs.stock_watch import schedule_push
        try:
            schedule_push(app, session.get_bind(), changed)
        except Exception:  # never fail the commit that already happened; the full push catches up
            log.exception("could not schedule the marketplace stock push for %s",
                          sorted(changed)[:20])


def forget_after_rollback(session, previous_transaction=None) -> None:
    if previous_transaction is None or previous_transaction.parent is None:
        after_commit.forget(session)
        stock_changes.forget(session)


def handle(app, effect) -> None:
    """One recorded effect, on ``app``'s queue: a Job row enqueued, a mail queued for a job."""
    from jobs.queue import runtime
    if isinstance(effect, after_commit.EnqueueJob):
        runtime(app).enqueue(effect.job_id, queue=effect.queue)
    elif isinstance(effect, after_commit.SendMail):
        from jobs.mail import enqueue_mail
        enqueue_mail(runtime(app), effect.mail, effect.conf)
    else:
        raise TypeError(f"unknown effect after commit: {effect!r}")


def unit_of_work(app=None) -> UnitOfWork:
    """A unit of work over the app's scoped session, enqueueing on the app's job queue."""
    if app is None:
        from flask import current_app
        app = current_app._get_current_object()
    from app.extensions import db
    from jobs.queue import runtime
    from jobs.mail import enqueue_mail
    rt = runtime(app)
    return UnitOfWork(db.session, enqueue=lambda job_id, queue: rt.enqueue(job_id, queue=queue),
                      mailer=lambda mail, conf: enqueue_mail(rt, mail, conf))
