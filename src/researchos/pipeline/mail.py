"""Delivering approval requests: SMTP when configured, otherwise ``var/outbox/<id>.eml``."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

from researchos.errors import ConfigError
from researchos.files import write_atomic
from researchos.settings import Settings


def build_message(*, settings: Settings, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = settings.approver_email
    message["Subject"] = subject
    message.set_content(body)
    return message


def deliver(message: EmailMessage, *, settings: Settings, outbox: Path, name: str) -> str:
    """Send ``message``; returns where it went (``smtp:host:port`` or the .eml path)."""
    if not settings.smtp_host:
        path = outbox / f"{name}.eml"
        write_atomic(path, message.as_bytes(), mode=0o600)
        return str(path)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as client:
            if settings.smtp_starttls:
                client.starttls()
            if settings.smtp_user and settings.smtp_password:
                client.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise ConfigError(
            f"could not deliver approval mail via {settings.smtp_host}:{settings.smtp_port}: {exc}",
            fix="check RESEARCHOS_SMTP_HOST/PORT/USER/PASSWORD, or unset "
            "RESEARCHOS_SMTP_HOST to write var/outbox/ instead",
        ) from None
    return f"smtp:{settings.smtp_host}:{settings.smtp_port}"
