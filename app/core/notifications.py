"""The notification port: how the service sends a message to a person.

With ``COWORKING_SMTP_HOST`` set, messages go out by SMTP (the standard library's ``smtplib``,
run in a worker thread so the event loop never blocks). Without it, the service only logs that
a message of a kind would have been sent — never the recipient, the text or any token, which
are personal data or secrets. Flows that need the content (an invitation's token) also hand it
to the person who triggered them, so they work without mail.
"""

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Annotated, Protocol

import structlog
from fastapi import Depends

from app.core.config import Settings
from app.core.dependencies import AppSettings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Message:
    #: What the message is about, e.g. ``company.invitation`` (the only thing logged).
    kind: str
    to: str
    subject: str
    body: str


class Notifier(Protocol):
    async def send(self, message: Message) -> None: ...


class LogNotifier:
    """No mail configured: note that a message was due, without its content or recipient."""

    async def send(self, message: Message) -> None:
        log.info("notification_not_sent", kind=message.kind, reason="smtp not configured")


class SmtpNotifier:
    def __init__(self, settings: Settings) -> None:
        assert settings.smtp_host is not None
        self.settings = settings

    def _deliver(self, message: Message) -> None:
        settings = self.settings
        mail = EmailMessage()
        mail["From"] = settings.smtp_from
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        host, port, timeout = (
            settings.smtp_host or "",
            settings.smtp_port,
            settings.smtp_timeout_seconds,
        )
        context = ssl.create_default_context()
        smtp: smtplib.SMTP = (
            smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
            if settings.smtp_security == "ssl"
            else smtplib.SMTP(host, port, timeout=timeout)
        )
        with smtp:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=context)
            if settings.smtp_username and settings.smtp_password:
                smtp.login(settings.smtp_username, settings.smtp_password)
            smtp.send_message(mail)

    async def send(self, message: Message) -> None:
        await asyncio.to_thread(self._deliver, message)
        log.info("notification_sent", kind=message.kind)


def notifier_for(settings: Settings) -> Notifier:
    return SmtpNotifier(settings) if settings.smtp_host else LogNotifier()


async def deliver(notifier: Notifier, message: Message) -> None:
    """Send, and log a failure instead of raising: callers hand the content out anyway."""
    try:
        await notifier.send(message)
    except Exception as error:  # a mail outage must not fail the request that caused it
        log.warning("notification_failed", kind=message.kind, error=type(error).__name__)


async def _notifier(settings: AppSettings) -> Notifier:
    return notifier_for(settings)


Notifications = Annotated[Notifier, Depends(_notifier)]
