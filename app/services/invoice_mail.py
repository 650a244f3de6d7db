"""Emailing an invoice's PDF to the buyer.

With no mail server configured (the demo, the tests) the message is written as an ``.eml`` file to the
outbox folder instead of being sent, so what the buyer would get can be opened and checked.
"""
from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Mapping


@dataclass(frozen=True)
class MailSettings:
    sender: str = "OrderHub <no-reply@orderhub.local>"
    outbox: str = "instance/mail_outbox"
    server: str | None = None
    port: int = 587
    username: str | None = None
    password: str | None = None
    use_tls: bool = True

    @classmethod
    def from_config(cls, config: Mapping) -> "MailSettings":
        return cls(sender=config.get("MAIL_FROM") or cls.sender,
                   outbox=config.get("MAIL_OUTBOX") or cls.outbox, server=config.get("MAIL_SERVER"),
                   port=int(config.get("MAIL_PORT") or 587), username=config.get("MAIL_USERNAME"),
                   password=config.get("MAIL_PASSWORD"), use_tls=bool(config.get("MAIL_USE_TLS", True)))


def invoice_message(settings: MailSettings, *, to: str, seller_name: str, invoice_label: str,
                    total: str, lookup_code: str | None, pdf: bytes, filename: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = to
    msg["Subject"] = f"Hóa đơn điện tử {invoice_label} - {seller_name}"
    msg["Message-ID"] = make_msgid(domain="orderhub.local")
    lines = ["Kính gửi Quý khách,", "",
             f"{seller_name} gửi Quý khách hóa đơn điện tử {invoice_label}, tổng tiền thanh toán {total} đồng.",
             "Hóa đơn đính kèm dưới dạng PDF."]
    if lookup_code:
        lines.append(f"Mã tra cứu hóa đơn: {lookup_code}")
    lines += ["", "Trân trọng cảm ơn Quý khách.", seller_name]
    msg.set_content("\n".join(lines))
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return msg


def send(settings: MailSettings, msg: EmailMessage) -> str:
    """Send ``msg``; returns where it went (the .eml path, or the SMTP server)."""
    if not settings.server:
        folder = Path(settings.outbox)
        folder.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{datetime.now():%Y%m%d-%H%M%S-%f}-{msg['To']}")
        path = folder / f"{stem}.eml"
        path.write_bytes(bytes(msg))
        return str(path)
    with smtplib.SMTP(settings.server, settings.port, timeout=30) as smtp:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(msg)
    return settings.server
