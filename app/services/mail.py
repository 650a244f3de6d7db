"""Sending mail: through SMTP when MAIL_SERVER is set, else as .eml files in MAIL_OUTBOX (demo, tests).

Mails about a change are sent by a job queued only once the transaction that made the change has
committed (``send_after_commit``), so a rolled-back status change never tells the customer anything
and a slow mail server never holds a request or a commit.
"""
from __future__ import annotations

import logging
import os
import smtplib
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


@dataclass
class Mail:
    to: str
    subject: str
    body: str


def settings() -> dict:
    """MAIL_* from the running app's config, else from config.Config (jobs outside a request)."""
    try:
        from flask import current_app
        config = current_app.config
        config.get("MAIL_OUTBOX")
    except RuntimeError:
        from config import Config
        config = {k: getattr(Config, k) for k in dir(Config) if k.startswith("MAIL_")}
    return {k: config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USERNAME",
                                       "MAIL_PASSWORD", "MAIL_USE_TLS", "MAIL_FROM",
                                       "MAIL_OUTBOX")}


def send(mail: Mail, conf: dict | None = None) -> str:
    """Send now; returns where it went (the .eml path or the SMTP server)."""
    conf = conf or settings()
    msg = EmailMessage()
    msg["From"] = conf.get("MAIL_FROM") or "OrderHub <no-reply@orderhub.local>"
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="orderhub.local")
    msg.set_content(mail.body)
    if conf.get("MAIL_SERVER"):
        with smtplib.SMTP(conf["MAIL_SERVER"], int(conf.get("MAIL_PORT") or 587), timeout=15) as smtp:
            if conf.get("MAIL_USE_TLS"):
                smtp.starttls()
            if conf.get("MAIL_USERNAME"):
                smtp.login(conf["MAIL_USERNAME"], conf.get("MAIL_PASSWORD") or "")
            smtp.send_message(msg)
        return conf["MAIL_SERVER"]
    outbox = Path(conf.get("MAIL_OUTBOX") or "instance/mail_outbox")
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(msg))
    os.replace(tmp, path)
    return str(path)


def send_after_commit(session: Session, mail: Mail) -> None:
    """Have ``mail`` sent, by a job, once ``session`` commits (forgotten on rollback)."""
    if not mail.to:
        return
    from app.services import after_commit
    after_commit.send_mail(session, mail, settings())
