"""What must happen once a transaction has committed, recorded on the session by the code that
decides it: a job to enqueue, a mail to send. Nothing happens on a rollback.

Services only record (``enqueue_job``, ``send_mail``, ``later``); they know nothing of the queue or
of SMTP. Whoever owns the transaction runs the record after the commit: the unit of work
(``app.commands.unit_of_work``), or the hook ``app.bootstrap`` installs on the app's session
factory for code that still commits the session itself. A session built by a script or a test
gets ``install_without_app``: mails are written at once, jobs wait for the periodic sweep.

Like the available-stock note (``stock_changes``), the record lives in ``session.info`` until the
outermost transaction commits (a released savepoint is not yet a commit) or rolls back.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_KEY = "orderhub_after_commit"


@dataclass(frozen=True)
class EnqueueJob:
    """Put the Job row ``job_id`` on ``queue`` (it was started in this transaction)."""
    job_id: int
    queue: str = "default"


@dataclass(frozen=True)
class SendMail:
    """Send ``mail`` with the MAIL_* settings ``conf`` read when it was decided; sent by a job."""
    mail: object
    conf: dict


def later(session: Session, effect) -> None:
    """Record ``effect`` (an ``EnqueueJob``, a ``SendMail`` or a callable) for after the commit."""
    session.info.setdefault(_KEY, []).append(effect)


def enqueue_job(session: Session, job_id: int, queue: str = "default") -> None:
    later(session, EnqueueJob(int(job_id), queue))


def send_mail(session: Session, mail, conf: dict) -> None:
    later(session, SendMail(mail, conf))


def take(session: Session) -> list:
    """The effects recorded since the last take (and forget them)."""
    return session.info.pop(_KEY, None) or []


def forget(session: Session) -> None:
    session.info.pop(_KEY, None)


def run(effects: list, handle: Callable[[object], None]) -> None:
    """Each effect in the order it was recorded; one that fails is logged and never undoes the
    commit or stops the others (the Job row stays queued; the sweep or a person retries it)."""
    for effect in effects:
        try:
            if callable(effect):
                effect()
            else:
                handle(effect)
        except Exception:
            log.exception("an effect after commit failed: %r", effect)


def handle_without_app(effect) -> None:
    """A script's or a test's session: no queue to put anything on."""
    if isinstance(effect, SendMail):
        from app.services.mail import send
        send(effect.mail, effect.conf)
    elif isinstance(effect, EnqueueJob):
        log.warning("no queue to enqueue job %s on: it stays queued for the sweep", effect.job_id)


def is_outermost(session: Session) -> bool:
    return not session.in_nested_transaction()


def _run_without_app(session: Session) -> None:
    if is_outermost(session):
        run(take(session), handle_without_app)


def _forget(session: Session, previous_transaction=None) -> None:
    if previous_transaction is None or previous_transaction.parent is None:
        forget(session)


def install_without_app(target) -> None:
    """Run the recorded effects after each commit of ``target``'s sessions (a fresh sessionmaker)."""
    event.listen(target, "after_commit", _run_without_app)
    event.listen(target, "after_soft_rollback", _forget)
