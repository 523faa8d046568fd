"""Outgoing email: printed to the log by default, sent over SMTP when configured."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from iil_lms.settings import Settings

log = logging.getLogger("iil_lms.mail")


def send_mail(settings: Settings, *, to: str, subject: str, body: str) -> None:
    if not settings.smtp_host:
        log.info("email to=%s subject=%s\n%s", to, subject, body)
        return
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)
