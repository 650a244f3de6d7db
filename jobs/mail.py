"""Sending a mail decided by a committed transaction: a queued job, never the commit itself.

The mail and the MAIL_* settings read when it was decided travel with the job, so the worker needs
no app to send it; SMTP trouble is retried with the queue's backoff.
"""
from __future__ import annotations

from rq import Retry

from app.services.mail import Mail, send


def deliver(mail: Mail, conf: dict) -> str:
    """The job: send ``mail`` (returns where it went)."""
    return send(mail, conf)


def enqueue_mail(rt, mail: Mail, conf: dict) -> None:
    """Queue ``deliver`` on ``rt``'s default queue (by function, not by name). An in-process queue
    with no worker to run it (a one-off job process) sends at once: nothing else ever would."""
    if rt.embedded and not rt.app.config.get("EMBEDDED_WORKER", True):
        deliver(mail, conf)
        return
    from jobs.queue import RETRY_DELAYS
    rt.queue("default").enqueue(deliver, mail, conf,
                                retry=Retry(max=len(RETRY_DELAYS), interval=RETRY_DELAYS),
                                result_ttl=3600, failure_ttl=7 * 24 * 3600)
    if rt.embedded:
        rt.ensure_embedded_worker()
